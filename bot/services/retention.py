"""Retention: the text of old conversations purged by a scheduled job (issue 16, item 2).

A conversation is expired when it has had no activity (`last_message_at`) for RETENTION_DAYS,
or RETENTION_DAYS_MINORS when the customer said they are under 13 (the shorter window wins),
and it is neither with a person nor waiting for one. Purging it empties, like an erasure
(bot/services/erasure.py): every message's text and buttons (the customer's, the bot's, the
agents' and their notes), the outbox's copies, the handoff digests, what the platforms sent
naming the identity up to the conversation's last activity, and Rasa's tracker events of the
conversation ("conversation-<id>", RASA_TRACKER_STORE_URL). The rows stay, and with them the
counts, dates, channels, handoff reasons and outcomes the reports read.

The job runs on one gateway at a time (bot/gateway/scheduler.py), in batches of BATCH
conversations, each its own short transaction, so the store is never held for long. A batch
deletes the tracker events before its commit: if that fails, nothing is marked and the next
run tries again; deleting them twice is harmless. A conversation is marked `purged_at`, and is
taken again only if the customer wrote in it after that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import erasure
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import (
    Channel,
    ChannelIdentity,
    Conversation,
    ConversationHolder,
    Handoff,
    InboundEvent,
    Message,
    OutboxMessage,
)

BATCH = 500
# A run stops after this many batches (and says so); the next run goes on. Keeps a run well
# inside its lease even with a large backlog.
MAX_BATCHES = 40
WITH_A_PERSON = (ConversationHolder.AGENT, ConversationHolder.WAITING)


@dataclass
class Purged:
    """What the job purged: counts only."""

    conversations: int = 0
    messages: int = 0
    handoff_digests: int = 0
    inbound_events: int = 0
    tracker_events: int = 0
    batches: int = 0
    more: bool = False  # stopped at MAX_BATCHES with expired conversations left

    def add(self, other: Purged) -> None:
        for field in fields(self):
            if field.type == "int":
                setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def report(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def cutoffs(settings: Settings, now: datetime) -> tuple[datetime | None, datetime | None]:
    """Before when a conversation's last activity makes it expired: for everyone, and for a
    customer who said they are under 13 (the shorter of the two windows). None when off."""
    windows = [d for d in (settings.retention_days, settings.retention_days_minors) if d > 0]
    everyone = now - timedelta(days=settings.retention_days) if settings.retention_days else None
    minors = now - timedelta(days=min(windows)) if windows else None
    return everyone, minors


def _expired(everyone: datetime | None, minors: datetime | None) -> Any:
    not_purged = or_(
        Conversation.purged_at.is_(None), Conversation.purged_at < Conversation.last_message_at
    )
    by_age = []
    if everyone is not None:
        by_age.append(
            and_(Conversation.minor_declared_at.is_(None), Conversation.last_message_at <= everyone)
        )
    if minors is not None:
        by_age.append(
            and_(
                Conversation.minor_declared_at.is_not(None), Conversation.last_message_at <= minors
            )
        )
    return and_(not_purged, Conversation.holder.not_in(WITH_A_PERSON), or_(*by_age))


async def purge_batch(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    limit: int = BATCH,
) -> Purged:
    """Purge up to `limit` expired conversations in the caller's transaction (their rows are
    locked; on PostgreSQL rows locked by someone else are skipped). Rasa's tracker events of
    the batch are deleted before the caller commits."""
    everyone, minors = cutoffs(settings, now)
    if everyone is None and minors is None:
        return Purged()
    rows = await session.scalars(
        select(Conversation.id)
        .where(_expired(everyone, minors))
        .order_by(Conversation.last_message_at, Conversation.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(rows)
    if not ids:
        return Purged()
    messages = await session.execute(
        update(Message)
        .where(Message.conversation_id.in_(ids))
        .values(text="", buttons=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.message_id.in_(select(Message.id).where(Message.conversation_id.in_(ids)))
        )
        .values(payload={}, last_error=None)
        .execution_options(synchronize_session=False)
    )
    digests = await session.execute(
        update(Handoff).where(Handoff.conversation_id.in_(ids)).values(digest={})
    )
    events = await _purge_inbound_events(session, ids)
    await session.execute(
        update(Conversation).where(Conversation.id.in_(ids)).values(purged_at=now)
    )
    tracker = await erasure.erase_tracker_events(
        settings.rasa_tracker_store_url, tuple(f"conversation-{c}" for c in ids)
    )
    return Purged(
        conversations=len(ids),
        messages=_count(messages),
        handoff_digests=_count(digests),
        inbound_events=events,
        tracker_events=tracker,
        batches=1,
    )


async def purge_expired(
    sessions: SessionFactory,
    settings: Settings,
    now: datetime,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
) -> Purged:
    """Purge every expired conversation, one transaction per batch, until none is left (or
    `max_batches` were done: `more` is then set and the next run goes on)."""
    total = Purged()
    for _ in range(max_batches):
        async with sessions.begin() as session:
            done = await purge_batch(session, settings, now, batch)
        if not done.batches:
            return total
        total.add(done)
    total.more = True
    return total


async def _purge_inbound_events(session: AsyncSession, conversation_ids: list[int]) -> int:
    """What Telegram and X sent that names an identity of the batch, sent between the
    conversation's start and its last activity, emptied (the status and dates stay)."""
    rows = (
        await session.execute(
            select(
                ChannelIdentity.channel,
                ChannelIdentity.external_id,
                Conversation.created_at,
                Conversation.last_message_at,
            )
            .join(Conversation, Conversation.identity_id == ChannelIdentity.id)
            .where(
                Conversation.id.in_(conversation_ids),
                Conversation.channel != Channel.WEBCHAT,  # the web chat stores no events
            )
        )
    ).all()
    emptied = 0
    for channel, external_id, started, last in rows:
        candidates = await session.execute(
            select(InboundEvent.id, InboundEvent.payload).where(
                InboundEvent.channel == channel,
                InboundEvent.created_at >= started - timedelta(minutes=5),
                InboundEvent.created_at <= last + timedelta(minutes=5),
            )
        )
        naming = [
            event_id
            for event_id, payload in candidates.all()
            if payload and erasure.names_any(json.dumps(payload, ensure_ascii=False), [external_id])
        ]
        if naming:
            await session.execute(
                update(InboundEvent).where(InboundEvent.id.in_(naming)).values(payload={})
            )
            emptied += len(naming)
    return emptied


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
