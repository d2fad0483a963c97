"""What agents do to a conversation: claim, hand over, reply, note, resolve.

Each is one transaction: the holder check (a conditional UPDATE, gateway holder.py), the record,
the outbox row for Telegram and X, and the audit entry commit together or not at all. After
the commit the live event goes out (the inbox, the customer's web chat page) and the outbox
worker is woken for Telegram and X.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.gateway.alerting import Alerter
from bot.gateway.conversations import holder, notices
from bot.gateway.conversations import record as conversations
from bot.gateway.delivery.outbox import Outbox
from bot.gateway.live.broadcast import (
    Broadcaster,
    LiveEvent,
    conversation_event,
    message_event,
    publish_all,
)
from bot.gateway.replies import Reply, csat_question
from bot.inbox import audit, canned
from bot.services import csat, handoffs, outcomes, routing, snooze
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import Agent, Author, ConversationHolder
from bot.store.types import utcnow

MAX_REPLY = 4000  # Telegram's limit is 4096; the web chat's 2000 applies to customers only
RESOLVED_NOTICE = (
    "Thank you for your patience. Our concierge has closed this conversation; "
    "I'm here if you need anything else."
)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    notice: str  # a key of bot.inbox.pages.NOTICES
    message_id: int | None = None
    events: list[LiveEvent] = field(default_factory=list)


class ConversationActions:
    def __init__(
        self,
        sessions: SessionFactory,
        live: Broadcaster,
        outbox: Outbox,
        alerter: Alerter | None = None,
    ) -> None:
        self._sessions = sessions
        self._live = live
        self._outbox = outbox
        self._alerter = alerter

    async def claim(self, agent_id: int, conversation_id: int) -> Outcome:
        """The customer is told who joined (first name only) on their channel."""
        async with self._sessions.begin() as session:
            if not await holder.claim(session, conversation_id, agent_id):
                return Outcome(False, "taken")
            audit.record(session, agent_id, "claim", "conversation", conversation_id)
            events = await _joined(session, conversation_id, agent_id, agent_id)
        return await self._done(Outcome(True, "claimed", events=events))

    async def assign(
        self, agent_id: int, admin: bool, conversation_id: int, to_agent_id: int
    ) -> Outcome:
        async with self._sessions.begin() as session:
            colleague = await session.get(Agent, to_agent_id)
            if colleague is None or not colleague.is_active:
                return Outcome(False, "not_assigned")
            if not await holder.assign(session, conversation_id, to_agent_id, agent_id, admin):
                return Outcome(False, "not_assigned")
            audit.record(
                session, agent_id, "assign", "conversation", conversation_id, colleague.email
            )
            events = await _joined(session, conversation_id, to_agent_id, agent_id)
        return await self._done(Outcome(True, "assigned", events=events))

    async def set_labels(self, agent_id: int, conversation_id: int, labels: list[str]) -> Outcome:
        async with self._sessions.begin() as session:
            try:
                await routing.set_labels(session, conversation_id, labels)
            except ValueError:
                return Outcome(False, "invalid")
            audit.record(
                session, agent_id, "labels", "conversation", conversation_id, ",".join(labels)
            )
            event = await _changed(session, conversation_id, agent_id)
        return await self._done(Outcome(True, "labelled", events=[event]))

    async def to_team(
        self, agent_id: int, admin: bool, conversation_id: int, team: str, settings: Settings
    ) -> Outcome:
        """Waiting: it moves to that team's queue. Held (by this agent, or an admin): back
        in the queue for that team, the customer told, the team alerted."""
        if team not in routing.TEAMS:
            return Outcome(False, "invalid")
        now = utcnow()
        alert_ids: list[int] = []
        async with self._sessions.begin() as session:
            state = await conversations.conversation_state(session, conversation_id)
            events: list[LiveEvent] = []
            if state.holder is ConversationHolder.WAITING:
                if not await holder.set_team(session, conversation_id, team):
                    return Outcome(False, "not_assigned")
            elif await holder.requeue(session, conversation_id, agent_id, admin, now):
                queued = await handoffs.requeue(session, settings, conversation_id, team, now)
                alert_ids += [queued.alert_id] if queued.alert_id else []
                state = await conversations.conversation_state(session, conversation_id)
                [notice_id] = await conversations.record_replies(
                    session, state, [notices.team_transfer(routing.TEAMS[team])],
                    author=Author.SYSTEM,
                )  # fmt: skip
                events.append(message_event(state, notice_id, Author.SYSTEM))
            else:
                return Outcome(False, "not_assigned")
            audit.record(session, agent_id, "team", "conversation", conversation_id, team)
            events.insert(0, await _changed(session, conversation_id, agent_id))
        outcome = await self._done(Outcome(True, "team", events=events))
        if alert_ids and self._alerter is not None:
            await self._alerter.announce(alert_ids)
        return outcome

    async def snooze(
        self, agent_id: int, admin: bool, conversation_id: int, until: datetime | None
    ) -> Outcome:
        async with self._sessions.begin() as session:
            if not await snooze.snooze(session, conversation_id, agent_id, admin, until, utcnow()):
                return Outcome(False, "not_snoozed")
            detail = until.isoformat() if until else "until the customer answers"
            audit.record(session, agent_id, "snooze", "conversation", conversation_id, detail)
            event = await _changed(session, conversation_id, agent_id)
        return await self._done(Outcome(True, "snoozed", events=[event]))

    async def wake(self, agent_id: int, conversation_id: int) -> Outcome:
        async with self._sessions.begin() as session:
            if not await snooze.wake(session, conversation_id):
                return Outcome(False, "not_snoozed")
            audit.record(session, agent_id, "wake", "conversation", conversation_id)
            event = await _changed(session, conversation_id, agent_id)
        return await self._done(Outcome(True, "woken", events=[event]))

    async def reply(self, agent_id: int, admin: bool, conversation_id: int, text: str) -> Outcome:
        """Sent on the customer's own channel, by the agent holding the conversation."""
        if not text.strip():
            return Outcome(False, "empty")
        async with self._sessions.begin() as session:
            if not await holder.keep_for_agent(session, conversation_id, agent_id, admin):
                return Outcome(False, "not_holder")
            try:
                text = await canned.expand(session, text)
            except canned.UnknownShortCode:
                return Outcome(False, "unknown_canned")
            if len(text) > MAX_REPLY:
                return Outcome(False, "invalid")
            conversation = await conversations.conversation_state(session, conversation_id)
            [message_id] = await conversations.record_replies(
                session, conversation, [Reply(text.strip())], author=Author.AGENT, agent_id=agent_id
            )
            await outcomes.agent_replied(session, conversation_id, agent_id, utcnow())
            audit.record(session, agent_id, "reply", "conversation", conversation_id)
            event = message_event(conversation, message_id, Author.AGENT, agent_id)
        return await self._done(Outcome(True, "sent", message_id, [event]))

    async def note(self, agent_id: int, conversation_id: int, text: str) -> Outcome:
        """A private note for colleagues: recorded, never queued, never sent to the customer
        (the web chat socket and the export both leave private notes out)."""
        if not text.strip() or len(text) > MAX_REPLY:
            return Outcome(False, "empty" if not text.strip() else "invalid")
        async with self._sessions.begin() as session:
            conversation = await conversations.conversation_state(session, conversation_id)
            [message_id] = await conversations.record_replies(
                session,
                conversation,
                [Reply(text.strip())],
                author=Author.AGENT,
                agent_id=agent_id,
                private_note=True,
            )
            audit.record(session, agent_id, "note", "conversation", conversation_id)
            event = message_event(
                conversation, message_id, Author.AGENT, agent_id, private_note=True
            )
        return await self._done(Outcome(True, "noted", message_id, [event]))

    async def resolve(self, agent_id: int, admin: bool, conversation_id: int) -> Outcome:
        """Back to the bot, which tells the customer so on their channel."""
        async with self._sessions.begin() as session:
            if not await holder.resolve(session, conversation_id, agent_id, admin):
                return Outcome(False, "not_resolved")
            conversation = await conversations.conversation_state(session, conversation_id)
            [message_id] = await conversations.record_replies(
                session, conversation, [Reply(RESOLVED_NOTICE)], author=Author.SYSTEM
            )
            # Credited to the agent who had it (an admin resolving keeps its assignee).
            await outcomes.agent_resolved(session, conversation_id, agent_id, utcnow())
            audit.record(session, agent_id, "resolve", "conversation", conversation_id)
            events = [
                conversation_event(conversation, agent_id),
                message_event(conversation, message_id, Author.SYSTEM),
            ]
            # The customer is asked for a rating of it (unless they must not be: csat.py).
            if await csat.ask(session, conversation_id, utcnow(), by_agent=True):
                [question_id] = await conversations.record_replies(
                    session, conversation, [csat_question()]
                )
                events.append(message_event(conversation, question_id, Author.BOT))
        return await self._done(Outcome(True, "resolved", message_id, events))

    async def _done(self, outcome: Outcome) -> Outcome:
        self._outbox.wake()  # Telegram and X replies were queued in the committed transaction
        await publish_all(self._live, outcome.events)
        return outcome


async def _joined(
    session: AsyncSession, conversation_id: int, to_agent_id: int, by_agent_id: int
) -> list[LiveEvent]:
    """After a claim or a hand-over: the queue stay ends, and the customer is told who joined."""
    now = utcnow()
    await handoffs.claimed(session, conversation_id, to_agent_id, now)
    await outcomes.claimed(session, conversation_id, to_agent_id, now)
    agent = await session.get(Agent, to_agent_id)
    conversation = await conversations.conversation_state(session, conversation_id)
    [notice_id] = await conversations.record_replies(
        session, conversation, [notices.joined(agent.display_name if agent else "")],
        author=Author.SYSTEM, now=now,
    )  # fmt: skip
    return [
        conversation_event(conversation, by_agent_id),
        message_event(conversation, notice_id, Author.SYSTEM),
    ]


async def _changed(session: AsyncSession, conversation_id: int, agent_id: int) -> LiveEvent:
    conversation = await conversations.conversation_state(session, conversation_id)
    return conversation_event(conversation, agent_id)
