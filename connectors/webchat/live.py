"""The web chat's live channel: GET /api/chat/{session_id}/ws (static/webchat.js).

POST /api/chat answers with the assistant's replies to that message; this socket carries
everything else the customer should see: a concierge agent's replies and the gateway's own
notices (author SYSTEM, e.g. "our concierge has closed this conversation"). The two never
overlap, so the page shows each message once: POST replies keep their exact, id-less shape
(`{"replies": [{"text", "buttons"}]}`, relied on by other tools), and the socket sends only
messages that POST never returns, each with its message id.

Frames: {"type": "message", "message": {"id": 42, "text": "...", "buttons": [...],
"author": "agent" | "bot", "notice": true (the gateway's own notices only)}}, and
{"type": "status", "status": {...}} (bot/gateway/conversations/status.py): where the
conversation stands, sent on connect, when it changes, and while it waits whenever the
queue moves. On connect, the messages after `?after=<id>` are sent first
(without it, all of them: the page drops ids it already shows), so nothing is missed while
the page was closed or offline. Private notes, the customer's own messages and the bot's
POST replies are never sent here.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from bot.gateway.clients import client_address
from bot.gateway.conversations import record
from bot.gateway.conversations.status import customer_status
from bot.gateway.inputs import BadInput, parse_count
from bot.gateway.keys import CHAT_SOCKETS, LIVE, SESSIONS, SETTINGS, SOCKETS
from bot.gateway.live.broadcast import CONVERSATION, MESSAGE, LiveEvent
from bot.gateway.live.sockets import pump, same_origin
from bot.store.db import SessionFactory
from bot.store.models import Author, Channel, Message
from bot.store.types import utcnow
from connectors.webchat.api import SESSION_ID  # the same rule as POST /api/chat

logger = logging.getLogger(__name__)

LIVE_AUTHORS = (Author.AGENT, Author.SYSTEM)
LIVE_AUTHOR_VALUES = frozenset(author.value for author in LIVE_AUTHORS)
REPLAY_LIMIT = 100


async def live(request: web.Request) -> web.StreamResponse:
    session_id = request.match_info["session_id"]
    if not SESSION_ID.match(session_id):
        return web.json_response({"error": "malformed session id"}, status=400)
    # Another site's page must not listen in: a browser always sends Origin on a websocket.
    public = request.config_dict[SETTINGS].public_base_url
    if "Origin" in request.headers and not same_origin(request, public):
        return web.json_response({"error": "wrong origin"}, status=403)
    try:
        after = parse_count(request.query.get("after", "0"), "after")
    except BadInput as error:
        return web.json_response({"error": str(error)}, status=400)
    settings = request.config_dict[SETTINGS]
    # Idle sockets cost this process memory and wake-ups: capped per address and in total.
    address = client_address(request, settings)
    caps = request.config_dict[CHAT_SOCKETS]
    if refusal := caps.admit(address):
        return web.json_response({"error": refusal}, status=429, headers={"Retry-After": "30"})
    try:
        return await serve(request, session_id, after)
    finally:
        caps.release(address)


async def serve(request: web.Request, session_id: str, after: int) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=30)
    await ws.prepare(request)
    sessions = request.config_dict[SESSIONS]
    settings = request.config_dict[SETTINGS]
    last_sent = after
    holder = "none"

    async def send_status() -> None:
        nonlocal holder
        async with sessions() as session:
            status = await customer_status(session, settings, Channel.WEBCHAT, session_id, utcnow())
        holder = status["holder"]
        await ws.send_json({"type": "status", "status": status})

    async def send_new() -> None:
        nonlocal last_sent
        while True:
            batch = await messages_after(sessions, session_id, last_sent)
            for message in batch:
                await ws.send_json({"type": "message", "message": frame(message)})
                last_sent = message.id
            if len(batch) < REPLAY_LIMIT:
                return

    async def on_event(event: LiveEvent) -> bool:
        if (
            event.kind == MESSAGE
            and event.channel == Channel.WEBCHAT.value
            and event.customer == session_id
            and event.author in LIVE_AUTHOR_VALUES
            and not event.private_note
        ):
            await send_new()
        if event.kind == CONVERSATION and (
            (event.channel == Channel.WEBCHAT.value and event.customer == session_id)
            or holder == "waiting"  # the queue moved: the place in it may have too
        ):
            await send_status()
        return True

    with request.config_dict[SOCKETS].track(ws):
        # Subscribe first, then replay: a message recorded in between is sent, not lost.
        async with request.config_dict[LIVE].subscribe() as subscription:
            await send_new()
            await send_status()
            await pump(ws, subscription, on_event)
    return ws


async def messages_after(sessions: SessionFactory, session_id: str, after: int) -> list[Message]:
    """What the socket may carry for this web chat session, after message `after`."""
    async with sessions() as session:
        return await record.outbound_after(
            session, Channel.WEBCHAT, session_id, after, LIVE_AUTHORS, REPLAY_LIMIT
        )


def frame(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "text": message.text,
        "buttons": message.buttons or [],
        "author": "agent" if message.author is Author.AGENT else "bot",
        **({"notice": True} if message.author is Author.SYSTEM else {}),
    }
