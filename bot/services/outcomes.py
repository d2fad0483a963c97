"""How each conversation went, recorded as it happens, and the figures the reports read.

Recorded in the transaction of the event itself (bot/store/models/outcomes.py):

- the customer's message: the row is opened (or, after a close, reopened: `reopened`);
- the handoff: `handed_off`, its reason, and the intents Rasa sent with it;
- the claim and each agent reply: the agent, the first response time (from the handoff),
  the number of agent messages;
- the resolve by an agent: `agent_resolved`, the resolution time (from the first message);
- the customer leaving (a new web chat conversation) and the idle-close job: closed with
  what the conversation came to: `assistant_resolved` if no person was ever asked for,
  `abandoned` if the customer was waiting and no agent had answered, else `handed_off`.

The figures are computed from these rows for a period of whole days in the concierge's
time zone. Percentiles are nearest-rank (the value at rank ceil(p * n)), so each one is a
duration that really happened.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from bot.store.models import (
    Channel,
    Conversation,
    ConversationOutcome,
    Direction,
    Message,
    OutcomeKind,
)

# What Rasa names a message it did not understand (config.yml's FallbackClassifier), and
# the handoff reason of the assistant's own fallback (actions/fallback.py).
NOT_UNDERSTOOD = "nlu_fallback"
NOT_UNDERSTOOD_REASON = "not_understood"
CLOSE_BATCH = 500
# On a new message after a close, what the conversation is again.
_REOPENED = {
    OutcomeKind.ASSISTANT_RESOLVED: OutcomeKind.OPEN,
    OutcomeKind.ABANDONED: OutcomeKind.HANDED_OFF,
}


async def _row(session: AsyncSession, conversation_id: int, now: datetime) -> ConversationOutcome:
    """The conversation's row; created from the conversation if it has none yet (the first
    message, or a conversation older than this record)."""
    row = await session.get(ConversationOutcome, conversation_id)
    if row is not None:
        return row
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise LookupError(conversation_id)
    row = ConversationOutcome(
        conversation_id=conversation_id,
        channel=conversation.channel,
        outcome=OutcomeKind.OPEN,
        started_at=min(conversation.created_at or now, now),
        last_activity_at=now,
        agent_messages=0,
        reopened=False,
        intents=[],
    )
    session.add(row)
    await session.flush()
    return row


async def customer_message(session: AsyncSession, conversation_id: int, now: datetime) -> None:
    row = await _row(session, conversation_id, now)
    row.last_activity_at = now
    if row.closed_at is not None:
        row.reopened = True
        row.closed_at = None
        row.outcome = _REOPENED.get(row.outcome, row.outcome)


async def handed_off(
    session: AsyncSession,
    conversation_id: int,
    reason: str,
    now: datetime,
    intents: Sequence[str] = (),
) -> None:
    row = await _row(session, conversation_id, now)
    row.outcome = OutcomeKind.HANDED_OFF
    row.handoff_reason = reason[:64]
    row.last_activity_at = now
    row.closed_at = None
    if row.handed_off_at is None:
        row.handed_off_at = now
    row.intents = merge_intents(list(row.intents or []), list(intents))


def merge_intents(known: list[str], session_intents: list[str]) -> list[str]:
    """Rasa sends the session's intents so far: a continuation replaces what was known,
    a new session's list is added after it."""
    if session_intents[: len(known)] == known:
        return session_intents
    return known + session_intents


async def claimed(
    session: AsyncSession, conversation_id: int, agent_id: int, now: datetime
) -> None:
    row = await _row(session, conversation_id, now)
    row.agent_id = agent_id
    row.last_activity_at = now


async def agent_replied(
    session: AsyncSession, conversation_id: int, agent_id: int, now: datetime
) -> None:
    row = await _row(session, conversation_id, now)
    row.agent_messages = (row.agent_messages or 0) + 1
    row.last_activity_at = now
    if row.agent_id is None:
        row.agent_id = agent_id
    if row.first_agent_reply_at is None:
        row.first_agent_reply_at = now
        if row.handed_off_at is not None:
            row.first_response_seconds = (now - row.handed_off_at).total_seconds()


async def agent_resolved(
    session: AsyncSession, conversation_id: int, agent_id: int, now: datetime
) -> None:
    row = await _row(session, conversation_id, now)
    row.outcome = OutcomeKind.AGENT_RESOLVED
    row.agent_id = row.agent_id or agent_id
    row.resolved_at = now
    row.resolution_seconds = (now - row.started_at).total_seconds()
    row.closed_at = now
    row.last_activity_at = now


def closing_outcome(row: ConversationOutcome) -> OutcomeKind:
    """What an open conversation comes to when it is closed without a resolve."""
    if row.outcome is OutcomeKind.OPEN:
        return OutcomeKind.ASSISTANT_RESOLVED
    if row.outcome is OutcomeKind.HANDED_OFF and row.first_agent_reply_at is None:
        return OutcomeKind.ABANDONED
    return row.outcome


def _close(row: ConversationOutcome, now: datetime) -> None:
    row.outcome = closing_outcome(row)
    row.closed_at = now
    if row.outcome is OutcomeKind.ASSISTANT_RESOLVED:
        # Resolved by its last answer: the time of the last activity, not of the close.
        row.resolved_at = row.last_activity_at
        row.resolution_seconds = (row.last_activity_at - row.started_at).total_seconds()


async def customer_left(session: AsyncSession, conversation_id: int, now: datetime) -> None:
    row = await _row(session, conversation_id, now)
    if row.closed_at is None:
        _close(row, now)


async def close_idle(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    resolved: list[int] | None = None,
) -> int:
    """Close the conversations idle for CONVERSATION_IDLE_CLOSE_MINUTES; how many. Each
    close is conditional on the activity read, so a message arriving meanwhile wins. The
    ids of those closed as resolved by the assistant are added to `resolved` (for CSAT)."""
    cutoff = now - timedelta(minutes=settings.conversation_idle_close_minutes)
    rows = list(
        await session.scalars(
            select(ConversationOutcome)
            .where(
                ConversationOutcome.closed_at.is_(None),
                ConversationOutcome.last_activity_at <= cutoff,
            )
            .order_by(ConversationOutcome.last_activity_at)
            .limit(CLOSE_BATCH)
        )
    )
    closed = 0
    for row in rows:
        outcome = closing_outcome(row)
        values: dict[str, Any] = {"outcome": outcome, "closed_at": now}
        if outcome is OutcomeKind.ASSISTANT_RESOLVED:
            values["resolved_at"] = row.last_activity_at
            values["resolution_seconds"] = (row.last_activity_at - row.started_at).total_seconds()
        result = await session.execute(
            update(ConversationOutcome)
            .where(
                ConversationOutcome.conversation_id == row.conversation_id,
                ConversationOutcome.closed_at.is_(None),
                ConversationOutcome.last_activity_at == row.last_activity_at,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        done = result.rowcount == 1  # type: ignore[attr-defined]
        closed += int(done)
        if done and resolved is not None and outcome is OutcomeKind.ASSISTANT_RESOLVED:
            resolved.append(row.conversation_id)
    return closed


# --- The figures ---------------------------------------------------------------------

FRT_BUCKETS: list[tuple[str, float]] = [
    ("< 1 min", 60),
    ("1-5 min", 300),
    ("5-15 min", 900),
    ("15-60 min", 3600),
    ("1-4 h", 14400),
    ("> 4 h", math.inf),
]


@dataclass(frozen=True)
class Period:
    """Whole days, first to last inclusive, in the concierge's time zone."""

    first: date
    last: date
    timezone: str

    def bounds(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(self.timezone)
        start = datetime.combine(self.first, time(), zone)
        end = datetime.combine(self.last + timedelta(days=1), time(), zone)
        return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class Day:
    day: date
    conversations: int
    closed: int
    assistant_resolved: int

    @property
    def resolution_rate(self) -> float | None:
        return self.assistant_resolved / self.closed if self.closed else None


@dataclass
class Report:
    period: Period
    channel: Channel | None
    agent_id: int | None
    conversations: int = 0
    messages_in: int = 0
    messages_out: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    reopened: int = 0
    handoffs_by_reason: list[tuple[str, int]] = field(default_factory=list)
    frt_median: float | None = None
    frt_p90: float | None = None
    resolution_median: float | None = None
    resolution_p90: float | None = None
    frt_distribution: list[tuple[str, int]] = field(default_factory=list)
    busiest_hours: list[tuple[int, int]] = field(default_factory=list)  # (hour, count) 0-23
    topics: list[tuple[str, int]] = field(default_factory=list)
    not_understood: list[tuple[str, int]] = field(default_factory=list)
    daily: list[Day] = field(default_factory=list)

    @property
    def assistant_resolved(self) -> int:
        return self.outcomes.get(OutcomeKind.ASSISTANT_RESOLVED.value, 0)

    @property
    def resolution_rate(self) -> float | None:
        """Of the conversations that ended, the share the assistant resolved alone."""
        return self.assistant_resolved / self.closed if self.closed else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest rank: the value at rank ceil(p * n) of the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered))) - 1]


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def top(counter: Counter[str], n: int = 10) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:n]


def _in_period(query: Any, period: Period, channel: Channel | None, agent_id: int | None) -> Any:
    start, end = period.bounds()
    query = query.where(
        ConversationOutcome.started_at >= start, ConversationOutcome.started_at < end
    )
    if channel is not None:
        query = query.where(ConversationOutcome.channel == channel)
    if agent_id is not None:
        query = query.where(ConversationOutcome.agent_id == agent_id)
    return query.order_by(ConversationOutcome.started_at, ConversationOutcome.conversation_id)


async def conversations_in(
    session: AsyncSession, period: Period, channel: Channel | None, agent_id: int | None
) -> list[ConversationOutcome]:
    """The outcome of every conversation that started in the period, oldest first."""
    query = _in_period(select(ConversationOutcome), period, channel, agent_id)
    return list(await session.scalars(query))


# What the figures read of each row: plain rows, not loaded objects (bench/reports.py).
_FIGURE_COLUMNS = (
    ConversationOutcome.started_at,
    ConversationOutcome.outcome,
    ConversationOutcome.reopened,
    ConversationOutcome.handoff_reason,
    ConversationOutcome.first_response_seconds,
    ConversationOutcome.resolution_seconds,
    ConversationOutcome.intents,
    ConversationOutcome.closed_at,
)


async def _messages(
    session: AsyncSession, period: Period, channel: Channel | None, agent_id: int | None
) -> tuple[int, int]:
    """Messages in (the customers') and out (the bot's, agents', notices; no private notes)
    in the period, whenever their conversation started."""
    start, end = period.bounds()
    query = (
        select(Message.direction, func.count())
        .where(
            Message.created_at >= start,
            Message.created_at < end,
            Message.is_private_note.is_(False),
        )
        .group_by(Message.direction)
    )
    if channel is not None:
        query = query.where(Message.channel == channel)
    if agent_id is not None:
        mine = select(ConversationOutcome.conversation_id).where(
            ConversationOutcome.agent_id == agent_id
        )
        query = query.where(Message.conversation_id.in_(mine))
    counts = {direction: count for direction, count in (await session.execute(query)).all()}
    return counts.get(Direction.IN, 0), counts.get(Direction.OUT, 0)


async def report(
    session: AsyncSession,
    period: Period,
    channel: Channel | None = None,
    agent_id: int | None = None,
) -> Report:
    query = _in_period(select(*_FIGURE_COLUMNS), period, channel, agent_id)
    rows = (await session.execute(query)).all()
    zone = ZoneInfo(period.timezone)
    result = Report(period, channel, agent_id, conversations=len(rows))
    result.messages_in, result.messages_out = await _messages(session, period, channel, agent_id)
    outcomes: Counter[str] = Counter(row.outcome.value for row in rows)
    result.outcomes = {kind.value: outcomes.get(kind.value, 0) for kind in OutcomeKind}
    result.closed = sum(1 for row in rows if row.closed_at is not None)
    result.reopened = sum(1 for row in rows if row.reopened)
    result.handoffs_by_reason = top(
        Counter(row.handoff_reason for row in rows if row.handoff_reason), 20
    )
    frts = [row.first_response_seconds for row in rows if row.first_response_seconds is not None]
    resolutions = [r.resolution_seconds for r in rows if r.resolution_seconds is not None]
    result.frt_median, result.frt_p90 = median(frts), percentile(frts, 0.9)
    result.resolution_median = median(resolutions)
    result.resolution_p90 = percentile(resolutions, 0.9)
    buckets = [0] * len(FRT_BUCKETS)
    for seconds in frts:
        buckets[next(i for i, (_, limit) in enumerate(FRT_BUCKETS) if seconds < limit)] += 1
    result.frt_distribution = [
        (label, n) for (label, _), n in zip(FRT_BUCKETS, buckets, strict=True)
    ]
    hours: Counter[int] = Counter(row.started_at.astimezone(zone).hour for row in rows)
    result.busiest_hours = [(hour, hours.get(hour, 0)) for hour in range(24)]
    topics: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for row in rows:
        seen = {intent for intent in row.intents or [] if intent != NOT_UNDERSTOOD}
        topics.update(seen)
        if NOT_UNDERSTOOD in (row.intents or []) or row.handoff_reason == NOT_UNDERSTOOD_REASON:
            failed.update(seen or {"(nothing understood)"})
    result.topics, result.not_understood = top(topics), top(failed)
    by_day: dict[date, list[Any]] = {day: [] for day in period.days()}
    for row in rows:
        by_day.setdefault(row.started_at.astimezone(zone).date(), []).append(row)
    result.daily = [
        Day(
            day,
            len(day_rows),
            sum(1 for r in day_rows if r.closed_at is not None),
            sum(1 for r in day_rows if r.outcome is OutcomeKind.ASSISTANT_RESOLVED),
        )
        for day, day_rows in sorted(by_day.items())
    ]
    return result
