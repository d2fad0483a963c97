"""The inbox's live socket, /inbox/ws: the queue and the open conversation, as they change.

Authenticated by the session cookie and refused unless the page that opens it is ours
(Origin), since browsers send cookies with cross-site websocket handshakes too. The socket
only reads: every change an agent makes is a POST with its CSRF token. The client says which
conversation it shows (`{"type": "watch", "conversation_id": 7}`); it is then sent that
conversation's new messages, read from the store as the page would show them.

Frames sent:
  {"type": "queue", "conversation_id": 7}           the queue changed: fetch /inbox/api/queue
  {"type": "conversation", "conversation_id": 7, "holder": "agent", "agent_id": 3}
  {"type": "message", "conversation_id": 7, "message": {...queries.Line...}}
  {"type": "alert", "alert": {"id", "key", "kind", "conversation_id", "customer", "reason",
   "topic", "team"}, "waiting": 3}     a handoff or an escalation: notify the agent
  ("waiting" in hello, conversation and alert frames: how many wait for a person; the tab
   title shows it)
The socket closes with 4401 when the session ends (logout, expiry). While it is open, the
agent counts as on duty (services/alerts.py presence): handoffs are then not e-mailed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from typing import Any

from aiohttp import web
from sqlalchemy import func, select

from bot.gateway.keys import LIVE, SESSIONS, SETTINGS, SOCKETS
from bot.gateway.live.broadcast import ALERT, CONVERSATION, MESSAGE, SESSION_REVOKED, LiveEvent
from bot.gateway.live.sockets import pump, same_origin
from bot.inbox import audit, queries
from bot.inbox.auth import current
from bot.services import alerts, routing
from bot.services.customers import customer_name
from bot.store.db import SessionFactory
from bot.store.models import (
    Alert,
    ChannelIdentity,
    Contact,
    Conversation,
    ConversationHolder,
)
from bot.store.types import utcnow

SESSION_ENDED = 4401


async def inbox_socket(request: web.Request) -> web.StreamResponse:
    who = await current(request)
    if who is None:
        return web.json_response({"error": "sign in first"}, status=401)
    if not same_origin(request, request.config_dict[SETTINGS].public_base_url):
        return web.json_response({"error": "wrong origin"}, status=403)
    ws = web.WebSocketResponse(heartbeat=30)
    await ws.prepare(request)
    sessions = request.config_dict[SESSIONS]
    watching: set[int] = set()

    async def on_frame(data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            return
        if isinstance(frame, dict) and frame.get("type") == "watch":
            conversation_id = frame.get("conversation_id")
            watching.clear()
            if isinstance(conversation_id, int):
                # Every subscription is a view of the transcript: audited before it flows.
                async with sessions.begin() as session:
                    audit.record(
                        session, who.agent_id, "watch_conversation", "conversation",
                        conversation_id,
                    )  # fmt: skip
                watching.add(conversation_id)

    async def on_event(event: LiveEvent) -> bool:
        if event.kind == SESSION_REVOKED and event.session_id == who.session_id:
            await ws.close(code=SESSION_ENDED, message=b"signed out")
            return False
        if utcnow() >= who.expires_at:
            await ws.close(code=SESSION_ENDED, message=b"session expired")
            return False
        if event.kind == ALERT and event.alert_id is not None:
            summary = await alert_summary(sessions, event.alert_id)
            if summary is not None:
                await ws.send_json(
                    {
                        "type": "alert",
                        "conversation_id": event.conversation_id,
                        "alert": summary,
                        "waiting": await waiting(sessions),
                    }
                )
        if event.kind == CONVERSATION:
            await ws.send_json(
                {
                    "type": "conversation",
                    "conversation_id": event.conversation_id,
                    "holder": event.holder,
                    "agent_id": event.agent_id,
                    "waiting": await waiting(sessions),
                }
            )
        elif event.kind == MESSAGE and event.holder != "bot":
            # The bot's own conversations do not concern the queue.
            await ws.send_json({"type": "queue", "conversation_id": event.conversation_id})
        if event.kind == MESSAGE and event.conversation_id in watching:
            assert event.conversation_id is not None
            async with sessions() as session:
                lines = await queries.transcript(
                    session, event.conversation_id, only=event.message_id
                )
            if lines:  # seen on the agent's open page: no longer unread
                async with sessions.begin() as session:
                    await queries.mark_read(
                        session, who.agent_id, event.conversation_id, lines[-1].id
                    )
            for line in lines:
                await ws.send_json(
                    {
                        "type": "message",
                        "conversation_id": event.conversation_id,
                        "message": line.to_json(),
                    }
                )
        return True

    token = secrets.token_hex(16)
    beating = asyncio.create_task(_keep_present(sessions, token, who.agent_id))
    try:
        with request.config_dict[SOCKETS].track(ws):
            async with request.config_dict[LIVE].subscribe() as subscription:
                await ws.send_json(
                    {"type": "hello", "agent_id": who.agent_id, "waiting": await waiting(sessions)}
                )
                await pump(ws, subscription, on_event, on_frame)
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating
        async with sessions.begin() as session:
            await alerts.gone(session, token)
    return ws


async def _keep_present(sessions: SessionFactory, token: str, agent_id: int) -> None:
    """This page counts as an agent on duty while it is open (and a little after)."""
    while True:
        async with sessions.begin() as session:
            await alerts.present(session, token, agent_id, utcnow())
        await asyncio.sleep(alerts.PRESENCE_BEAT.total_seconds())


async def waiting(sessions: SessionFactory) -> int:
    async with sessions() as session:
        count = await session.scalar(
            select(func.count(Conversation.id)).where(
                Conversation.holder == ConversationHolder.WAITING
            )
        )
    return int(count or 0)


async def alert_summary(sessions: SessionFactory, alert_id: int) -> dict[str, Any] | None:
    """What the notification says: who waits and why (never what they wrote)."""
    async with sessions() as session:
        row = (
            await session.execute(
                select(Alert, Conversation, ChannelIdentity, Contact)
                .join(Conversation, Conversation.id == Alert.conversation_id)
                .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
                .outerjoin(Contact, Contact.id == ChannelIdentity.contact_id)
                .where(Alert.id == alert_id)
            )
        ).first()
    if row is None:
        return None
    alert, conversation, identity, contact = row
    return {
        "id": alert.id,
        "key": alert.key,
        "kind": alert.kind.value,
        "conversation_id": conversation.id,
        "customer": customer_name(identity, contact),
        "reason": routing.reason_in_words(conversation.handoff_reason),
        "topic": routing.intent_in_words(conversation.topic) if conversation.topic else "",
        "team": routing.TEAMS.get(conversation.team or "", ""),
    }
