"""One customer turn, the same for every channel: record, ask the assistant, record, reply.

The holder of the conversation decides who answers: while it is waiting for or held by an
agent the assistant is not asked at all. When the assistant fails, the customer gets a polite
answer with the concierge's contacts and the conversation goes to the concierge queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from bot import conversations, minors
from bot.conversations import DuplicateMessage, InboundMessage
from bot.gateway.rasa_client import AssistantTurn, AssistantUnavailable, RasaClient
from bot.holder import hand_off, keep_for_bot
from bot.live import Broadcaster, LiveEvent, LocalBroadcaster, publish_all
from bot.live import conversation_event as conversation_changed
from bot.live import message_event as message_recorded
from bot.replies import Reply, assistant_unavailable_reply
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import ConversationHolder

logger = logging.getLogger(__name__)

HANDOFF_ASSISTANT_FAILED = "assistant_unavailable"


@dataclass(frozen=True)
class TurnResult:
    conversation_id: int
    replies: list[Reply] = field(default_factory=list)
    duplicate: bool = False
    holder: ConversationHolder = ConversationHolder.BOT


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        sessions: SessionFactory,
        rasa: RasaClient,
        live: Broadcaster | None = None,
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._rasa = rasa
        # Told after each commit: the inbox and the customer's page update at once.
        self._live = live or LocalBroadcaster()
        # One turn at a time per customer in this process, so replies keep their order;
        # Rasa's lock store does the same across Rasa servers.
        self._locks = KeyedLocks()

    async def handle(self, inbound: InboundMessage, *, answer: Reply | None = None) -> TurnResult:
        """One turn. `answer`, when a connector already knows it (content it cannot read, a
        public post), is recorded and sent instead of asking the assistant."""
        async with self._locks.hold((inbound.channel.value, inbound.external_id)):
            return await self._handle(inbound, answer)

    async def _handle(self, inbound: InboundMessage, answer: Reply | None) -> TurnResult:
        async with self._sessions.begin() as session:
            identity = await conversations.get_or_create_identity(
                session, inbound.channel, inbound.external_id, inbound.display_name
            )
            conversation = await conversations.current_conversation(session, identity)
            # A child said they are under 13 here: only a placeholder is kept (bot/minors.py).
            minor = conversation.minor_declared_at is not None
            if minor:
                inbound = minors.redacted(inbound)
            try:
                message = await conversations.record_inbound(session, conversation, inbound)
            except DuplicateMessage:
                logger.info(
                    "duplicate %s message %s ignored",
                    inbound.channel.value,
                    inbound.platform_message_id,
                )
                return TurnResult(conversation.id, duplicate=True, holder=conversation.holder)
            conversation_id = conversation.id
            holder = conversation.holder
            metadata = self._metadata(inbound, conversation_id, identity.id)
            recorded = message_recorded(conversation, message.id, inbound.external_id)
        await publish_all(self._live, [recorded])

        if holder is not ConversationHolder.BOT:
            # A person has it (or will): the customer's words reach the inbox, not the bot.
            return TurnResult(conversation_id, holder=holder)

        if minor:  # nothing more goes to Rasa: the fixed reply instead
            answer = minors.reply(self._settings)
        if answer is not None:
            turn: AssistantTurn | None = AssistantTurn(replies=[answer])
        else:
            text = inbound.payload or inbound.text
            turn = await self._ask_assistant(conversation_id, text, metadata)
        # A public post is answered in public, in reply to it; anything else privately.
        in_reply_to = inbound.platform_message_id if inbound.public else None
        return await self._record_turn(conversation_id, inbound.external_id, turn, in_reply_to)

    async def _ask_assistant(
        self, conversation_id: int, text: str, metadata: dict[str, Any]
    ) -> AssistantTurn | None:
        try:
            turn = await self._rasa.send(f"conversation-{conversation_id}", text, metadata)
        except AssistantUnavailable as error:
            logger.warning("assistant unavailable for conversation %s: %s", conversation_id, error)
            return None
        if not turn.replies:
            # Every turn of ours says something; silence means an action failed inside Rasa.
            logger.warning("assistant gave no reply in conversation %s", conversation_id)
            return None
        return turn

    async def _record_turn(
        self,
        conversation_id: int,
        customer: str,
        turn: AssistantTurn | None,
        in_reply_to: str | None = None,
    ) -> TurnResult:
        events: list[LiveEvent] = []
        async with self._sessions.begin() as session:
            # Rasa was asked outside any transaction: if a person took the conversation
            # meanwhile (another gateway's turn handed it off), the bot's answer is dropped.
            if not await keep_for_bot(session, conversation_id):
                conversation = await conversations.get_conversation(session, conversation_id)
                logger.info(
                    "conversation %s went to a person during the turn: the bot stays quiet",
                    conversation_id,
                )
                return TurnResult(conversation_id, holder=conversation.holder)
            conversation = await conversations.get_conversation(session, conversation_id)
            if turn is None:
                replies = [assistant_unavailable_reply(self._settings)]
                reasons = [HANDOFF_ASSISTANT_FAILED]
            else:
                replies = turn.replies
                reasons = [
                    str(handoff.get("reason", "other"))
                    for signal in turn.signals
                    if isinstance(handoff := signal.get("handoff"), dict)
                ]
                if minors.declared(turn.signals):
                    await minors.mark_declared(session, conversation)
            if reasons and await hand_off(session, conversation_id, reasons[0]):
                events.append(conversation_changed(conversation, customer))
            for reply in replies:
                message = await conversations.record_outbound(
                    session, conversation, reply, in_reply_to=in_reply_to
                )
                events.append(message_recorded(conversation, message.id, customer))
            result = TurnResult(conversation_id, replies=replies, holder=conversation.holder)
        await publish_all(self._live, events)
        return result

    @staticmethod
    def _metadata(
        inbound: InboundMessage, conversation_id: int, identity_id: int
    ) -> dict[str, Any]:
        return {
            "channel": inbound.channel.value,
            "public": inbound.public,
            "conversation_id": conversation_id,
            "identity_id": identity_id,
        }


class KeyedLocks:
    """An asyncio lock per key, forgotten again once nobody holds or awaits it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: Counter[Hashable] = Counter()

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]
