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
The socket closes with 4401 when the session ends (logout, expiry).
"""

from __future__ import annotations

import json

from aiohttp import web

from bot.gateway.keys import LIVE, SESSIONS, SETTINGS, SOCKETS
from bot.gateway.live.broadcast import CONVERSATION, MESSAGE, SESSION_REVOKED, LiveEvent
from bot.gateway.live.sockets import pump, same_origin
from bot.inbox import queries
from bot.inbox.auth import current
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
                watching.add(conversation_id)

    async def on_event(event: LiveEvent) -> bool:
        if event.kind == SESSION_REVOKED and event.session_id == who.session_id:
            await ws.close(code=SESSION_ENDED, message=b"signed out")
            return False
        if utcnow() >= who.expires_at:
            await ws.close(code=SESSION_ENDED, message=b"session expired")
            return False
        if event.kind == CONVERSATION:
            await ws.send_json(
                {
                    "type": "conversation",
                    "conversation_id": event.conversation_id,
                    "holder": event.holder,
                    "agent_id": event.agent_id,
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
            for line in lines:
                await ws.send_json(
                    {
                        "type": "message",
                        "conversation_id": event.conversation_id,
                        "message": line.to_json(),
                    }
                )
        return True

    with request.config_dict[SOCKETS].track(ws):
        async with request.config_dict[LIVE].subscribe() as subscription:
            await ws.send_json({"type": "hello", "agent_id": who.agent_id})
            await pump(ws, subscription, on_event, on_frame)
    return ws
