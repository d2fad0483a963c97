"""The Telegram connector: turns stored updates into turns of the shared pipeline.

Webhook and polling both hand raw updates to `accept`, which stores them (de-duplicated on
update_id) and processes them in the background (bot/gateway/inbound_events.py). Replies are never
sent from here: the pipeline records them and the outbox delivers them (sender.py).
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from telegram import Bot, Update
from telegram.error import TelegramError

from bot.gateway.conversations import record as conversations
from bot.gateway.conversations.record import InboundMessage
from bot.gateway.delivery.outbox import Outbox
from bot.gateway.inbound_events import InboundEvents, InterruptedTurn
from bot.gateway.pipeline import Pipeline
from bot.gateway.replies import Reply
from bot.store.db import SessionFactory
from bot.store.models import (
    Channel,
    ChannelIdentity,
    Conversation,
    ConversationHolder,
    InboundEventStatus,
    Message,
    OutboxMessage,
)
from connectors.telegram.sender import HASHED, callback_data
from connectors.telegram.updates import (
    ButtonPress,
    CustomerTurn,
    GroupChat,
    Ignored,
    read_update,
    salvaged,
)

logger = logging.getLogger(__name__)

GROUP_ANSWER = Reply(
    "Thank you for thinking of us. To keep your details private, I only answer in a private "
    "chat: please write to me directly."
)


class TelegramConnector:
    def __init__(
        self, bot: Bot, pipeline: Pipeline, sessions: SessionFactory, outbox: Outbox
    ) -> None:
        self.bot = bot
        self._pipeline = pipeline
        self._sessions = sessions
        self.events = InboundEvents(
            sessions, Channel.TELEGRAM, self.handle, chat_key, outbox.wake, self.salvage,
            update_order,
        )  # fmt: skip

    async def accept(self, update: dict[str, Any]) -> bool:
        """Store a raw update and process it in the background; False for a duplicate."""
        return await self.events.accept(str(update["update_id"]), update)

    async def handle(self, data: dict[str, Any]) -> InboundEventStatus:
        action = read_update(Update.de_json(data, self.bot))
        if isinstance(action, Ignored):
            logger.info("telegram update %s ignored: %s", data.get("update_id"), action.reason)
            return InboundEventStatus.IGNORED
        if isinstance(action, GroupChat):
            return await self._decline(action)
        if isinstance(action, ButtonPress):
            action = await self._button_turn(action)
        result = await self._pipeline.handle(action.inbound, answer=action.answer)
        if result.duplicate:
            raise InterruptedTurn(f"update {data.get('update_id')} was recorded before")
        return InboundEventStatus.PROCESSED

    async def salvage(self, data: dict[str, Any], error: str) -> bool:
        """An update whose turn failed for good: to the concierge with what could be kept."""
        inbound = salvaged(data)
        if inbound is None:
            return False
        await self._pipeline.hand_off_unprocessable(inbound, error)
        return True

    async def _button_turn(self, press: ButtonPress) -> CustomerTurn:
        try:  # stops the spinner on the customer's button; a late answer only fails
            await self.bot.answer_callback_query(press.callback_query_id)
        except TelegramError as error:
            logger.info("could not answer callback query %s: %s", press.callback_query_id, error)
        payload = await self._button_payload(press)
        return CustomerTurn(
            InboundMessage(
                channel=Channel.TELEGRAM,
                external_id=str(press.chat_id),
                # The record shows what the customer pressed, as on the web chat.
                text=press.title or payload or "[button]",
                platform_message_id=str(press.update_id),
                display_name=press.display_name,
                # Unknown payload (e.g. the message is gone): NLU reads the title instead.
                payload=payload,
            )
        )

    async def _button_payload(self, press: ButtonPress) -> str | None:
        if not press.data.startswith(HASHED):
            return press.data
        if press.message_id is None:
            return None
        async with self._sessions() as session:
            buttons = await session.scalar(
                select(Message.buttons)
                .join(OutboxMessage, OutboxMessage.message_id == Message.id)
                .where(
                    OutboxMessage.channel == Channel.TELEGRAM,
                    OutboxMessage.recipient == str(press.chat_id),
                    OutboxMessage.platform_message_id == str(press.message_id),
                )
            )
        for button in buttons or []:
            if callback_data(str(button.get("payload", ""))) == press.data:
                return str(button["payload"])
        return None

    async def _decline(self, group: GroupChat) -> InboundEventStatus:
        """Say once, in the group, that we only answer privately; nothing of the group's
        messages is kept. The group's identity row is the "said it once" marker."""
        async with self._sessions.begin() as session:
            identity = ChannelIdentity(
                channel=Channel.TELEGRAM, external_id=str(group.chat_id), display_name=group.title
            )
            try:
                async with session.begin_nested():
                    session.add(identity)
            except IntegrityError:
                return InboundEventStatus.IGNORED
            # Resolved at once: nothing for the concierge to pick up.
            conversation = Conversation(
                identity_id=identity.id,
                channel=Channel.TELEGRAM,
                holder=ConversationHolder.RESOLVED,
            )
            session.add(conversation)
            await session.flush()
            state = await conversations.conversation_state(session, conversation.id)
            await conversations.record_replies(session, state, [GROUP_ANSWER])
        return InboundEventStatus.PROCESSED


def chat_key(data: dict[str, Any]) -> str:
    """The chat an update belongs to: its events are processed in order."""
    for kind in ("message", "edited_message", "channel_post"):
        if isinstance(data.get(kind), dict):
            return str(data[kind].get("chat", {}).get("id"))
    query = data.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message") or {}
        return str(message.get("chat", {}).get("id") or query.get("from", {}).get("id"))
    return str(data.get("update_id"))


def update_order(data: dict[str, Any]) -> int | None:
    """Telegram numbers a bot's updates in the order they happened: a chat's are processed so."""
    update_id = data.get("update_id")
    return update_id if type(update_id) is int else None


TELEGRAM = web.AppKey("telegram", TelegramConnector)
