"""The X connector: stored DM and mention events become turns of the shared pipeline.

Direct messages go to the assistant like any private chat. A public mention is not sent to
the assistant at all: it is recorded on the customer's X conversation and answered with one
fixed public reply that invites them to a direct message, so nothing personal is ever said
in public (the pipeline sends replies to a public message in reply to that post).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from aiohttp import web

from bot.gateway.conversations.record import InboundMessage
from bot.gateway.delivery.outbox import Outbox
from bot.gateway.inbound_events import InboundEvents, InterruptedTurn
from bot.gateway.pipeline import Pipeline
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import DISPLAY_NAME_LENGTH, Channel, InboundEventStatus
from connectors.x.activity import XEvent
from connectors.x.buttons import chosen_payload
from connectors.x.sender import public_reply

logger = logging.getLogger(__name__)


class XConnector:
    def __init__(
        self, settings: Settings, pipeline: Pipeline, sessions: SessionFactory, outbox: Outbox
    ) -> None:
        self._settings = settings
        self._pipeline = pipeline
        self._sessions = sessions
        self.events = InboundEvents(
            sessions, Channel.X, self.handle, _sender, outbox.wake, self.salvage
        )

    async def accept(self, event: XEvent) -> bool:
        return await self.events.accept(event.event_id, event.to_json())

    async def handle(self, data: dict[str, Any]) -> InboundEventStatus:
        event = XEvent.from_json(data)
        if event.sender_id == self._settings.x_user_id:  # never answer ourselves
            return InboundEventStatus.IGNORED
        inbound = InboundMessage(
            channel=Channel.X,
            external_id=event.sender_id,
            text=event.text,
            platform_message_id=event.id,
            display_name=event.name,
            public=event.kind == "mention",
        )
        if inbound.public:
            result = await self._pipeline.handle(inbound, answer=public_reply(self._settings))
        else:
            async with self._sessions() as session:
                payload = await chosen_payload(session, event.sender_id, event.text)
            result = await self._pipeline.handle(replace(inbound, payload=payload))
        if result.duplicate:
            raise InterruptedTurn(f"X event {event.event_id} was recorded before")
        return InboundEventStatus.PROCESSED

    async def salvage(self, data: dict[str, Any], error: str) -> bool:
        """An event whose turn failed for good: to the concierge with what could be kept."""
        try:
            event = XEvent.from_json(data)
        except (KeyError, TypeError, ValueError):
            return False
        if event.sender_id == self._settings.x_user_id:
            return False
        name = str(event.name)[:DISPLAY_NAME_LENGTH] if event.name else None
        inbound = InboundMessage(
            channel=Channel.X,
            external_id=event.sender_id,
            text=event.text[:10_000],
            platform_message_id=event.id,
            display_name=name,
            public=event.kind == "mention",
        )
        await self._pipeline.hand_off_unprocessable(inbound, error)
        return True


def _sender(data: dict[str, Any]) -> str:
    return str(data.get("sender_id"))


X = web.AppKey("x", XConnector)
