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
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from bot.gateway.alerting import Alerter, woke_up
from bot.gateway.conversations import minors, notices
from bot.gateway.conversations import record as conversations
from bot.gateway.conversations.holder import customer_left, hand_off, keep_for_bot
from bot.gateway.conversations.record import ConversationState, DuplicateMessage, InboundMessage
from bot.gateway.inputs import without_lone_surrogates
from bot.gateway.live.broadcast import Broadcaster, LiveEvent, LocalBroadcaster, publish_all
from bot.gateway.live.broadcast import conversation_event as conversation_changed
from bot.gateway.live.broadcast import message_event as message_recorded
from bot.gateway.rasa_client import AssistantTurn, AssistantUnavailable, RasaClient
from bot.gateway.replies import Button, Reply, assistant_unavailable_reply
from bot.services import csat, handoffs, outcomes, snooze
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import Author, Channel, ChannelIdentity, Conversation, ConversationHolder
from bot.store.types import utcnow

logger = logging.getLogger(__name__)

HANDOFF_ASSISTANT_FAILED = "assistant_unavailable"
# A stored platform event that cannot be processed, and never will be (inbound_events.py).
HANDOFF_UNPROCESSABLE = "unprocessable_message"
WOKE_BY_CUSTOMER = "Back from snooze: the customer wrote."
# What Rasa recognised in the session, sent with a handoff (rasa_addons/gateway_input.py).
UNDERSTOOD_LIMIT = 50


def understood(signals: list[dict[str, Any]]) -> list[str]:
    """The intents of the session so far, oldest first, from Rasa's `understood` marker."""
    for signal in signals:
        marker = signal.get("understood")
        if isinstance(marker, dict) and isinstance(marker.get("intents"), list):
            return [str(i)[:64] for i in marker["intents"] if isinstance(i, str)][
                -UNDERSTOOD_LIMIT:
            ]
    return []


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
        # Handoffs alert the agents on duty, once, after the commit (gateway/alerting.py).
        self.alerter = Alerter(settings, sessions, self._live)

    async def handle(self, inbound: InboundMessage, *, answer: Reply | None = None) -> TurnResult:
        """One turn. `answer`, when a connector already knows it (content it cannot read, a
        public post), is recorded and sent instead of asking the assistant."""
        # Whatever a channel let through, a lone surrogate cannot be stored: U+FFFD instead.
        inbound = replace(
            inbound,
            text=without_lone_surrogates(inbound.text),
            display_name=without_lone_surrogates(inbound.display_name),
            payload=without_lone_surrogates(inbound.payload),
        )
        async with self._locks.hold((inbound.channel.value, inbound.external_id)):
            return await self._handle(inbound, answer)

    async def _handle(self, inbound: InboundMessage, answer: Reply | None) -> TurnResult:
        if answer is None and not inbound.public:
            rated = await self._csat_answer(inbound)
            if rated is not None:
                return rated
        async with self._sessions.begin() as session:
            conversation = await conversations.open_turn(session, inbound)
            # A child said they are under 13 here: only a placeholder is kept (minors.py).
            if conversation.minor:
                inbound = minors.redacted(inbound)
            try:
                message_id = await conversations.record_customer_message(
                    session, conversation, inbound
                )
            except DuplicateMessage:
                logger.info(
                    "duplicate %s message %s ignored",
                    inbound.channel.value,
                    inbound.platform_message_id,
                )
                return TurnResult(conversation.id, duplicate=True, holder=conversation.holder)
            await outcomes.customer_message(session, conversation.id, utcnow())
            recorded = [message_recorded(conversation, message_id, Author.CUSTOMER)]
            # An answer brings a snoozed conversation back to its agent at once.
            if conversation.snoozed and await snooze.wake(session, conversation.id):
                recorded += await woke_up(session, conversation.id, WOKE_BY_CUSTOMER)
        await publish_all(self._live, recorded)

        if conversation.holder is not ConversationHolder.BOT:
            # A person has it (or will): the customer's words reach the inbox, not the bot.
            return TurnResult(conversation.id, holder=conversation.holder)

        if conversation.minor:  # nothing more goes to Rasa: the fixed reply instead
            answer = minors.reply(self._settings)
        if answer is not None:
            turn: AssistantTurn | None = AssistantTurn(replies=[answer])
        else:
            text = inbound.payload or inbound.text
            metadata = self._metadata(inbound, conversation)
            turn = await self._ask_assistant(conversation.id, text, metadata)
        # A public post is answered in public, in reply to it; anything else privately.
        in_reply_to = inbound.platform_message_id if inbound.public else None
        return await self._record_turn(conversation, turn, in_reply_to)

    async def _csat_answer(self, inbound: InboundMessage) -> TurnResult | None:
        """The message as the answer to the customer's open CSAT question (services/csat.py),
        recorded in the rated conversation and thanked, without the assistant; None if it is
        not one. The rated conversation's outcome is not reopened by it."""
        now = utcnow()
        try:
            async with self._sessions.begin() as session:
                text = inbound.payload or inbound.text
                found = await csat.answer(session, inbound.channel, inbound.external_id, text, now)
                if found is None:
                    return None
                state = await conversations.conversation_state(session, found.conversation_id)
                stored = replace(inbound, text=found.stored_text or inbound.text, payload=None)
                # A retried delivery raises DuplicateMessage: nothing of it is kept.
                message_id = await conversations.record_customer_message(session, state, stored)
                reply = Reply(found.text, tuple(Button(t, p) for t, p in found.buttons))
                [reply_id] = await conversations.record_replies(session, state, [reply], now=now)
        except DuplicateMessage:
            return TurnResult(state.id, duplicate=True, holder=state.holder)
        events = [
            message_recorded(state, message_id, Author.CUSTOMER),
            message_recorded(state, reply_id, Author.BOT),
        ]
        await publish_all(self._live, events)
        return TurnResult(state.id, replies=[reply], holder=state.holder)

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
        conversation: ConversationState,
        turn: AssistantTurn | None,
        in_reply_to: str | None = None,
    ) -> TurnResult:
        events: list[LiveEvent] = []
        now = utcnow()
        async with self._sessions.begin() as session:
            # Rasa was asked outside any transaction: if a person took the conversation
            # meanwhile (another gateway's turn handed it off), the bot's answer is dropped.
            if not await keep_for_bot(session, conversation.id, last_message_at=now):
                current = await conversations.conversation_state(session, conversation.id)
                logger.info(
                    "conversation %s went to a person during the turn: the bot stays quiet",
                    conversation.id,
                )
                return TurnResult(conversation.id, holder=current.holder)
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
            alert_ids: list[int] = []
            notice: Reply | None = None
            if reasons and await hand_off(session, conversation.id, reasons[0], now):
                conversation = conversation.held_by(ConversationHolder.WAITING)
                events.append(conversation_changed(conversation))
                queued = await handoffs.enter_queue(
                    session, self._settings, conversation.id, reasons[0], now,
                    understood(turn.signals) if turn else [],
                )  # fmt: skip
                await outcomes.handed_off(
                    session, conversation.id, reasons[0], now,
                    understood(turn.signals) if turn else [],
                )  # fmt: skip
                alert_ids += [queued.alert_id] if queued.alert_id else []
                if conversation.channel is not Channel.WEBCHAT:  # its status line says so
                    notice = await notices.waiting(session, self._settings, conversation.id, now)
            message_ids = await conversations.record_replies(
                session, conversation, replies, now=now, in_reply_to=in_reply_to, stamped=True
            )
            events.extend(message_recorded(conversation, id_, Author.BOT) for id_ in message_ids)
            if notice is not None and in_reply_to is None:
                [notice_id] = await conversations.record_replies(
                    session, conversation, [notice], author=Author.SYSTEM, now=now, stamped=True
                )
                events.append(message_recorded(conversation, notice_id, Author.SYSTEM))
                replies = [*replies, notice]
        await publish_all(self._live, events)
        if alert_ids:
            await self.alerter.announce(alert_ids)
        return TurnResult(conversation.id, replies=replies, holder=conversation.holder)

    async def hand_off_unprocessable(self, inbound: InboundMessage, error: str) -> int:
        """A message acknowledged to its platform whose turn failed for good: what could be
        read of it is recorded and the conversation goes to the concierge, with a private
        note of what went wrong, so an agent answers it instead of nobody. The customer is
        told they are in the queue (as after any handoff). Returns the conversation id."""
        inbound = replace(
            inbound,
            text=without_lone_surrogates(inbound.text),
            display_name=without_lone_surrogates(inbound.display_name),
        )
        async with self._locks.hold((inbound.channel.value, inbound.external_id)):
            events: list[LiveEvent] = []
            alert_ids: list[int] = []
            now = utcnow()
            async with self._sessions.begin() as session:
                conversation = await conversations.open_turn(session, inbound)
                if conversation.minor:
                    inbound = minors.redacted(inbound)
                try:
                    message_id = await conversations.record_customer_message(
                        session, conversation, inbound
                    )
                    events.append(message_recorded(conversation, message_id, Author.CUSTOMER))
                except DuplicateMessage:  # recorded by the attempt that failed: kept as is
                    pass
                [note_id] = await conversations.record_replies(
                    session, conversation,
                    [Reply(f"This message could not be processed automatically ({error[:200]}).")],
                    author=Author.SYSTEM, private_note=True, now=now,
                )  # fmt: skip
                events.append(
                    message_recorded(conversation, note_id, Author.SYSTEM, private_note=True)
                )
                if await hand_off(session, conversation.id, HANDOFF_UNPROCESSABLE, now):
                    conversation = conversation.held_by(ConversationHolder.WAITING)
                    events.append(conversation_changed(conversation))
                    queued = await handoffs.enter_queue(
                        session, self._settings, conversation.id, HANDOFF_UNPROCESSABLE, now
                    )
                    alert_ids += [queued.alert_id] if queued.alert_id else []
                    notice = await notices.waiting(session, self._settings, conversation.id, now)
                    if notice is not None and not inbound.public:
                        [notice_id] = await conversations.record_replies(
                            session, conversation, [notice], author=Author.SYSTEM, now=now
                        )
                        events.append(message_recorded(conversation, notice_id, Author.SYSTEM))
        await publish_all(self._live, events)
        if alert_ids:
            await self.alerter.announce(alert_ids)
        return conversation.id

    async def leave(self, channel: Channel, customer: str) -> bool:
        """The customer left their conversation (a new web chat one): if a person has it or
        is about to, it is closed with a note, so no agent writes into the void."""
        async with self._locks.hold((channel.value, customer)):
            events = await self._close_for_leaving(channel, customer)
        await publish_all(self._live, events)
        return bool(events)

    async def _close_for_leaving(self, channel: Channel, customer: str) -> list[LiveEvent]:
        async with self._sessions.begin() as session:
            conversation_id = await session.scalar(
                select(Conversation.id)
                .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
                .where(
                    ChannelIdentity.channel == channel,
                    ChannelIdentity.external_id == customer,
                )
                .order_by(Conversation.id.desc())
                .limit(1)
            )
            now = utcnow()
            if conversation_id is None or not await customer_left(session, conversation_id, now):
                return []
            await outcomes.customer_left(session, conversation_id, now)
            state = await conversations.conversation_state(session, conversation_id)
            [note_id] = await conversations.record_replies(
                session, state, [Reply(notices.LEFT_NOTE)], author=Author.SYSTEM,
                private_note=True,
            )  # fmt: skip
            return [
                conversation_changed(state),
                message_recorded(state, note_id, Author.SYSTEM, private_note=True),
            ]

    @staticmethod
    def _metadata(inbound: InboundMessage, conversation: ConversationState) -> dict[str, Any]:
        return {
            "channel": inbound.channel.value,
            "public": inbound.public,
            "conversation_id": conversation.id,
            "identity_id": conversation.identity_id,
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
