"""The website's web chat: the page at `/` and its JSON API.

POST /api/chat {"session_id": "...", "text": "..."}
  -> 200 {"replies": [{"text": "...", "buttons": [{"title": "...", "payload": "..."}]}]}
Other tools rely on this exact shape.
GET /api/chat/{session_id}/ws: the live channel for what POST does not return, such as a
concierge agent's replies (connectors/webchat/live.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.gateway.clients import client_address
from bot.gateway.conversations.record import InboundMessage
from bot.gateway.inputs import BadInput, has_lone_surrogate, read_json
from bot.gateway.keys import CHAT_LIMITS, PIPELINE, SETTINGS
from bot.gateway.limits import Refusal
from bot.gateway.live.sockets import same_origin
from bot.store.models import Channel

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_TEXT_LENGTH = 2000
SESSION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")

# The page loads only its own script and stylesheet: customer text can never run as code;
# it talks to its own origin only, its websocket included (older browsers do not count
# ws://same-host as 'self', so it is named).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; connect-src 'self' {websocket}; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def content_security_policy(public_base_url: str) -> str:
    base = urlsplit(public_base_url)
    scheme = "wss" if base.scheme == "https" else "ws"
    return CONTENT_SECURITY_POLICY.format(websocket=f"{scheme}://{base.netloc}")


def cross_site_refusal(request: web.Request) -> web.Response | None:
    """A browser on another site can post a "simple" request (a form's text/plain) without
    asking first; only JSON is taken, and a browser's Origin must be ours or allowed."""
    if request.content_type != "application/json":
        return web.json_response({"error": "Content-Type must be application/json"}, status=415)
    origin = request.headers.get("Origin")
    settings = request.config_dict[SETTINGS]
    if origin is not None and not (
        same_origin(request, settings.public_base_url)
        or origin.rstrip("/") in settings.allowed_origin_list
    ):
        return web.json_response({"error": "this origin may not use the chat"}, status=403)
    return None


class BadChatRequest(ValueError):
    pass


def parse_chat_request(body: Any) -> tuple[str, str]:
    """Validate the request body; raise BadChatRequest with a message fit for the client."""
    if not isinstance(body, dict):
        raise BadChatRequest('expected a JSON object like {"session_id": "...", "text": "..."}')
    session_id, text = body.get("session_id"), body.get("text")
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        raise BadChatRequest(
            "session_id must be a string of 1 to 128 letters, digits or the characters _ . : -"
        )
    if not isinstance(text, str) or not text.strip():
        raise BadChatRequest("text must be a non-empty string")
    if len(text) > MAX_TEXT_LENGTH:
        raise BadChatRequest(f"text is longer than {MAX_TEXT_LENGTH} characters")
    if has_lone_surrogate(text):
        raise BadChatRequest("text is not valid Unicode (it holds a lone surrogate)")
    return session_id, text.strip()


async def chat(request: web.Request) -> web.Response:
    if refusal := cross_site_refusal(request):
        return refusal
    try:
        body = await read_json(request)
    except BadInput as error:
        return _bad_request(str(error))
    try:
        session_id, text = parse_chat_request(body)
    except BadChatRequest as error:
        return _bad_request(str(error))
    # Counted before anything is stored or sent to the assistant: a refused message leaves
    # no trace but its count (gateway/limits.py).
    address = client_address(request, request.config_dict[SETTINGS])
    if limited := await request.config_dict[CHAT_LIMITS].message(address, session_id):
        return too_many(limited)
    result = await request.app[PIPELINE].handle(
        InboundMessage(channel=Channel.WEBCHAT, external_id=session_id, text=text)
    )
    return web.json_response({"replies": [reply.to_json() for reply in result.replies]})


async def leave(request: web.Request) -> web.Response:
    """POST /api/chat/leave {"session_id"}: the customer starts a new conversation, leaving
    this one; an agent who has it (or would have) sees that they left."""
    if refusal := cross_site_refusal(request):
        return refusal
    try:
        body = await read_json(request)
    except BadInput as error:
        return _bad_request(str(error))
    session_id = body.get("session_id") if isinstance(body, dict) else None
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        return _bad_request("session_id must be a string of 1 to 128 letters, digits or _ . : -")
    address = client_address(request, request.config_dict[SETTINGS])
    if limited := await request.config_dict[CHAT_LIMITS].request(address):
        return too_many(limited)
    closed = await request.app[PIPELINE].leave(Channel.WEBCHAT, session_id)
    return web.json_response({"closed": closed})


async def page(request: web.Request) -> web.FileResponse:
    response = web.FileResponse(STATIC_DIR / "webchat.html")
    public_base_url = request.config_dict[SETTINGS].public_base_url
    response.headers["Content-Security-Policy"] = content_security_policy(public_base_url)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def too_many(refusal: Refusal) -> web.Response:
    """429 with a message the page shows as it is (static/webchat.js)."""
    return web.json_response(
        {"error": refusal.message},
        status=429,
        headers={"Retry-After": str(refusal.retry_after)},
    )


def _bad_request(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)
