"""A conversation's stays in the concierge queue: entering it, being claimed, escalating.

`enter_queue` runs in the transaction that hands the conversation off (the holder's
conditional UPDATE already decided this gateway's turn is the one), so a handoff is
recorded once with its digest, topic, labels, team and alert.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import alerts, handoff_digest, routing
from bot.settings import Settings
from bot.store.models import (
    AlertKind,
    ChannelIdentity,
    Contact,
    Conversation,
    ConversationHolder,
    Handoff,
    Priority,
)

# The customer's wait estimate reads this many recent claims, if this recent.
RECENT_CLAIMS = 20
RECENT_CLAIMS_WITHIN = timedelta(days=14)
MIN_CLAIMS_FOR_ESTIMATE = 3
PRIORITY_RANK = {Priority.VIP: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


def alert_key(kind: AlertKind, conversation_id: int, waiting_since: datetime) -> str:
    """One key per event: this conversation's stay in the queue that began then."""
    return f"{kind.value}:{conversation_id}:{waiting_since.timestamp():.6f}"


@dataclass(frozen=True)
class Queued:
    handoff_id: int
    alert_id: int | None  # None if this event was alerted already


async def enter_queue(
    session: AsyncSession,
    settings: Settings,
    conversation_id: int,
    reason: str,
    now: datetime,
    intents: Sequence[str] = (),
) -> Queued:
    """Record the handoff the holder just made (waiting_since = now): its digest, the topic,
    labels and team, and the alert for the agents on duty."""
    digest = await handoff_digest.build(session, conversation_id, intents)
    topic = routing.topic_of(digest["intents"])
    labels = routing.labels_for(reason, topic)
    handoff = Handoff(conversation_id=conversation_id, reason=reason[:64], queued_at=now)
    handoff.digest = digest
    session.add(handoff)
    await routing.set_labels(session, conversation_id, labels)
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(topic=topic, team=routing.team_for(labels), escalated_at=None)
        .execution_options(synchronize_session=False)
    )
    alert_id = await alerts.raise_alert(
        session, settings, AlertKind.HANDOFF, conversation_id,
        alert_key(AlertKind.HANDOFF, conversation_id, now), now,
    )  # fmt: skip
    return Queued(handoff.id, alert_id)


async def requeue(
    session: AsyncSession, settings: Settings, conversation_id: int, team: str, now: datetime
) -> Queued:
    """Back in the queue for another team (the holder's change is the caller's)."""
    handoff = Handoff(conversation_id=conversation_id, reason="team_transfer", queued_at=now)
    previous = await latest(session, conversation_id)
    handoff.digest = dict(previous.digest) if previous else {}
    session.add(handoff)
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(team=team, escalated_at=None, snoozed_at=None, snoozed_until=None)
        .execution_options(synchronize_session=False)
    )
    alert_id = await alerts.raise_alert(
        session, settings, AlertKind.HANDOFF, conversation_id,
        alert_key(AlertKind.HANDOFF, conversation_id, now), now,
    )  # fmt: skip
    return Queued(handoff.id, alert_id)


async def latest(session: AsyncSession, conversation_id: int) -> Handoff | None:
    handoff: Handoff | None = await session.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id)
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    return handoff


async def claimed(
    session: AsyncSession, conversation_id: int, agent_id: int, now: datetime
) -> None:
    """The conversation's open stay in the queue ends with this agent's claim."""
    await session.execute(
        update(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.claimed_at.is_(None))
        .values(claimed_at=now, claimed_by_agent_id=agent_id)
        .execution_options(synchronize_session=False)
    )


async def usual_wait(session: AsyncSession, now: datetime) -> float | None:
    """The median wait of the latest claims, in seconds; None without enough of them."""
    rows = (
        await session.execute(
            select(Handoff.queued_at, Handoff.claimed_at)
            .where(Handoff.claimed_at > now - RECENT_CLAIMS_WITHIN)
            .order_by(Handoff.claimed_at.desc())
            .limit(RECENT_CLAIMS)
        )
    ).all()
    waits = [(claimed_at - queued_at).total_seconds() for queued_at, claimed_at in rows]
    if len(waits) < MIN_CLAIMS_FOR_ESTIMATE:
        return None
    return float(statistics.median(waits))


def queue_order() -> tuple[object, ...]:
    """The queue's order: overdue first, then priority (VIP, high, normal), then age."""
    return (
        Conversation.escalated_at.is_(None),
        case(
            (Contact.priority == Priority.VIP, 0),
            (Contact.priority == Priority.HIGH, 1),
            else_=2,
        ),
        Conversation.waiting_since,
        Conversation.id,
    )


async def ahead_of(session: AsyncSession, conversation_id: int) -> int:
    """How many waiting conversations the queue puts before this one."""
    ids = list(
        await session.scalars(
            select(Conversation.id)
            .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
            .outerjoin(Contact, Contact.id == ChannelIdentity.contact_id)
            .where(Conversation.holder == ConversationHolder.WAITING)
            .order_by(*queue_order())  # type: ignore[arg-type]
        )
    )
    return ids.index(conversation_id) if conversation_id in ids else 0


async def escalate_due(session: AsyncSession, settings: Settings, now: datetime) -> list[int]:
    """Mark overdue every conversation unclaimed for longer than HANDOFF_ESCALATE_AFTER and
    alert once per stay in the queue; the ids of the alerts raised."""
    cutoff = now - timedelta(seconds=settings.handoff_escalate_after_seconds)
    due = (
        await session.execute(
            select(Conversation.id, Conversation.waiting_since).where(
                Conversation.holder == ConversationHolder.WAITING,
                Conversation.escalated_at.is_(None),
                Conversation.waiting_since <= cutoff,
            )
        )
    ).all()
    raised: list[int] = []
    for conversation_id, waiting_since in due:
        marked = await session.execute(
            update(Conversation)
            .where(
                Conversation.id == conversation_id,
                Conversation.holder == ConversationHolder.WAITING,
                Conversation.escalated_at.is_(None),
            )
            .values(escalated_at=now)
            .execution_options(synchronize_session=False)
        )
        if marked.rowcount != 1:  # type: ignore[attr-defined]
            continue  # claimed meanwhile
        key = alert_key(AlertKind.ESCALATION, conversation_id, waiting_since)
        alert_id = await alerts.raise_alert(
            session, settings, AlertKind.ESCALATION, conversation_id, key, now
        )
        if alert_id is not None:
            raised.append(alert_id)
    return raised
