"""Platform events (Telegram updates, X activity) stored first, then processed in the background.

A webhook stores the event and answers 200 at once, so a slow turn never makes the platform
resend; the turn runs in a background task. The unique (channel, event_id) of the
`inbound_events` table turns a platform's retry, a concurrent duplicate post or a second
gateway's copy into a no-op. Events still "received" when the gateway starts (it stopped
mid-turn or crashed after acknowledging) are processed then, so an acknowledged event is
never lost. Events of one chat are processed in the order they were stored.

An event whose turn fails for good (anything but the store being unreachable) is not left
silently "failed": the connector's `salvage` records what could be read of it and hands the
conversation to the concierge with the reason, since the platform was told we had it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from bot.gateway import background
from bot.gateway.inputs import without_lone_surrogates
from bot.gateway.pipeline import KeyedLocks
from bot.store.db import SessionFactory
from bot.store.models import Channel, InboundEvent, InboundEventStatus
from bot.store.types import utcnow

logger = logging.getLogger(__name__)

Payload = dict[str, Any]
Handler = Callable[[Payload], Awaitable[InboundEventStatus]]
# Events with the same key (a chat, a sender) are processed one after another, in order.
OrderingKey = Callable[[Payload], Hashable]
# Hands a permanently failed event to the concierge with what could be kept; False if there
# is nobody to hand it to (e.g. not a customer's message).
Salvage = Callable[[Payload, str], Awaitable[bool]]

SHUTDOWN_GRACE_SECONDS = 20.0
# Failures that go away (the database restarts): the event is retried, not given up.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError)


class InterruptedTurn(Exception):
    """A resumed event whose message an earlier attempt already recorded: it stopped
    mid-turn. The assistant is not asked twice; the event is marked failed for a person."""


class InboundEvents:
    def __init__(
        self,
        sessions: SessionFactory,
        channel: Channel,
        handler: Handler,
        key: OrderingKey,
        on_processed: Callable[[], None] = lambda: None,
        salvage: Salvage | None = None,
    ) -> None:
        self._sessions = sessions
        self._channel = channel
        self._handler = handler
        self._key = key
        self._on_processed = on_processed  # e.g. wake the outbox: replies were queued
        self._salvage = salvage
        self._locks = KeyedLocks()
        self._tasks: set[asyncio.Task[InboundEventStatus]] = set()

    async def accept(self, event_id: str, payload: Payload) -> bool:
        """Store the event and schedule it; False if it was stored before (a duplicate)."""
        # A lone surrogate cannot be stored (nor, in PostgreSQL, a JSON escape of one): it
        # becomes U+FFFD, and the message is kept and answered rather than dropped.
        payload = without_lone_surrogates(payload)
        row_id = await self.store(event_id, payload)
        if row_id is None:
            logger.info("%s event %s already received", self._channel.value, event_id)
            return False
        self.process_later(row_id, payload)
        return True

    async def store(self, event_id: str, payload: Payload) -> int | None:
        event = InboundEvent(channel=self._channel, event_id=event_id, payload=payload)
        try:
            async with self._sessions.begin() as session:
                session.add(event)
                await session.flush()
        except IntegrityError:  # the unique (channel, event_id): seen before
            return None
        return event.id

    def process_later(self, row_id: int, payload: Payload) -> asyncio.Task[InboundEventStatus]:
        # The task takes the key's lock before its first await, so tasks created in order
        # acquire it in order (asyncio locks are fair).
        task = asyncio.create_task(self._in_order(row_id, payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _in_order(self, row_id: int, payload: Payload) -> InboundEventStatus:
        try:
            async with self._locks.hold(self._key(payload)):
                return await self.process(row_id, payload)
        except Exception:  # the store failed: the event stays "received" for the next start
            logger.exception("%s event %s could not be processed", self._channel.value, row_id)
            return InboundEventStatus.RECEIVED

    async def process(self, row_id: int, payload: Payload) -> InboundEventStatus:
        error: str | None = None
        try:
            status = await self._handler(payload)
        except TRANSIENT:
            raise  # the store is unreachable: the event stays "received" for the next start
        except Exception as exc:
            logger.exception("%s event %s failed", self._channel.value, row_id)
            status, error = InboundEventStatus.FAILED, repr(exc)[:2000]
            await self._hand_over(row_id, payload, type(exc).__name__)
        async with self._sessions.begin() as session:
            await session.execute(
                update(InboundEvent)
                .where(
                    InboundEvent.id == row_id, InboundEvent.status == InboundEventStatus.RECEIVED
                )
                .values(status=status, error=error, processed_at=utcnow())
            )
        self._on_processed()
        return status

    async def _hand_over(self, row_id: int, payload: Payload, reason: str) -> None:
        if self._salvage is None:
            return
        try:
            if await self._salvage(payload, reason):
                logger.info("%s event %s handed to the concierge", self._channel.value, row_id)
        except TRANSIENT:
            raise
        except Exception:
            logger.exception("%s event %s could not be handed over", self._channel.value, row_id)

    async def recover(self) -> int:
        """Schedule every event of this channel still "received"; returns how many."""
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(InboundEvent.id, InboundEvent.payload)
                    .where(
                        InboundEvent.channel == self._channel,
                        InboundEvent.status == InboundEventStatus.RECEIVED,
                    )
                    .order_by(InboundEvent.id)
                )
            ).all()
        for row_id, payload in rows:
            self.process_later(row_id, payload)
        if rows:
            logger.info("%s: resuming %d stored event(s)", self._channel.value, len(rows))
        return len(rows)

    async def idle(self, timeout: float | None = None) -> None:
        """Wait until the events in flight are processed (tests, and a clean shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def close(self) -> None:
        """Let turns in flight finish (bounded); what is cut off stays "received" and is
        processed at the next start."""
        await self.idle(SHUTDOWN_GRACE_SECONDS)
        await asyncio.gather(*(background.stop(task) for task in list(self._tasks)))
