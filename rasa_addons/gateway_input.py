"""The one input channel Rasa exposes: the gateway's, authenticated with a shared token.

Rasa's stock REST channel has no authentication, and Rasa's --auth-token guards only its
HTTP API, not channel webhooks. This channel checks `Authorization: Bearer <token>` in
constant time, passes the gateway's metadata (channel, conversation, public or private) to
the tracker, and reports a failed turn as a 500 instead of an empty answer, so the gateway
can tell "the assistant had nothing to say" from "the assistant broke".

When a turn hands off to the concierge (an action's `{"handoff": ...}` marker), the answer
also carries `{"custom": {"understood": {"intents": [...]}}}`: the intents Rasa recognised
in this session, read from the tracker once the turn is saved, so the agent's digest says
what the assistant understood, not a guess (bot/services/handoff_digest.py). Only handoff
turns pay for reading the tracker.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import SessionStarted, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_addons import action_validation, event_types, kept_alive_endpoints

logger = logging.getLogger(__name__)

# Rasa imports this module to load our channel: the one place our code runs in its process.
action_validation.install()
kept_alive_endpoints.install()
event_types.install()

MAX_TEXT_LENGTH = 4000
UNDERSTOOD_LIMIT = 50


def handed_off(messages: List[Dict[str, Any]]) -> bool:
    return any(isinstance(m.get("custom"), dict) and "handoff" in m["custom"] for m in messages)


def session_intents(events: Any) -> List[str]:
    """The intents of the customer's messages since the session started, oldest first."""
    intents: List[str] = []
    for event in events:
        if isinstance(event, SessionStarted):
            intents = []
        elif isinstance(event, UserUttered) and event.intent_name:
            intents.append(event.intent_name)
    return intents[-UNDERSTOOD_LIMIT:]


class GatewayInput(InputChannel):
    """POST /webhooks/gateway/webhook {"sender": ..., "message": ..., "metadata": {...}}."""

    @classmethod
    def name(cls) -> str:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        token = (credentials or {}).get("token") or ""
        if not token or token.startswith("${"):
            raise ValueError("the gateway channel needs a token: set RASA_AUTH_TOKEN")
        return cls(token)

    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

    def is_authorised(self, request: Request) -> bool:
        given = request.headers.get("Authorization", "").encode()
        return hmac.compare_digest(given, self._expected)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("gateway_webhook", __name__)
        # The action server connections kept open between calls are closed with the server.
        webhook.after_server_stop(kept_alive_endpoints.close_all)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.is_authorised(request):
                return response.json({"error": "unauthorised"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            sender = body.get("sender")
            text = body.get("message")
            metadata = body.get("metadata") or {}
            if not isinstance(sender, str) or not sender or not isinstance(text, str):
                return response.json(
                    {"error": "expected {sender: str, message: str, metadata?: object}"},
                    status=400,
                )
            if len(text) > MAX_TEXT_LENGTH or not isinstance(metadata, dict):
                return response.json({"error": "message too long or bad metadata"}, status=400)

            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        collector,
                        sender,
                        input_channel=str(metadata.get("channel") or self.name()),
                        metadata=metadata,
                    )
                )
            except Exception:  # the gateway answers the customer politely; we log why
                logger.exception("turn failed for sender %s", sender)
                return response.json(
                    {
                        "error": "the assistant failed to handle this turn",
                        "messages": collector.messages,
                    },
                    status=500,
                )
            messages = list(collector.messages)
            if handed_off(messages):
                intents = await self._understood(request, sender)
                if intents is not None:
                    messages.append(
                        {"recipient_id": sender, "custom": {"understood": {"intents": intents}}}
                    )
            return response.json(messages)

        return webhook

    @staticmethod
    async def _understood(request: Request, sender: str) -> List[str] | None:
        """What the tracker says was understood; None (and logged) if it cannot be read: the
        handoff itself must not fail for want of a digest."""
        try:
            tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
        except Exception:
            logger.exception("could not read the tracker of %s for the handoff digest", sender)
            return None
        return session_intents(tracker.events) if tracker is not None else None
