"""Platform events (Telegram updates, X activity) stored first, then processed in the background.

A webhook stores the event and answers 200 at once, so a slow turn never makes the platform
resend; the turn runs in a background task. The unique (channel, event_id) of the
`inbound_events` table turns a platform's retry, a concurrent duplicate post or a second
gateway's copy into a no-op. Events still "received" when the gateway starts (it stopped
mid-turn or crashed after acknowledging) are processed then, so an acknowledged event is
never lost.

Events of one chat are processed in the platform's order (Telegram's update_id), not in the
order their posts happened to be stored: concurrent posts of a burst finish storing in any
order. Each stored event queues itself on its key's heap and schedules one task; a task,
once it holds the key's lock and no post of that key is still being stored, processes the
lowest event waiting on the heap, which is not necessarily the one it was created for.

An event whose turn fails for good (anything but the store being unreachable) is not left
silently "failed": the connector's `salvage` records what could be read of it and hands the
conversation to the concierge with the reason, since the platform was told we had it.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections import Counter
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
# The platform's order of an event within its key (Telegram's update_id); None: as stored.
Sequence = Callable[[Payload], int | None]
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
        sequence: Sequence = lambda _: None,
    ) -> None:
        self._sessions = sessions
        self._channel = channel
        self._handler = handler
        self._key = key
        self._on_processed = on_processed  # e.g. wake the outbox: replies were queued
        self._salvage = salvage
        self._sequence = sequence
        self._locks = KeyedLocks()
        # Per key: the stored events waiting, lowest (sequence, row id) first, and how many
        # posts of the key are being stored right now.
        self._waiting: dict[Hashable, list[tuple[int, int, Payload]]] = {}
        self._storing: Counter[Hashable] = Counter()
        self._stored = asyncio.Condition()
        self._tasks: set[asyncio.Task[InboundEventStatus]] = set()

    async def accept(self, event_id: str, payload: Payload) -> bool:
        """Store the event and schedule it; False if it was stored before (a duplicate)."""
        # A lone surrogate cannot be stored (nor, in PostgreSQL, a JSON escape of one): it
        # becomes U+FFFD, and the message is kept and answered rather than dropped.
        payload = without_lone_surrogates(payload)
        key = self._key(payload)
        self._storing[key] += 1
        try:
            row_id = await self.store(event_id, payload)
        finally:
            self._storing[key] -= 1
            if not self._storing[key]:
                del self._storing[key]
            async with self._stored:
                self._stored.notify_all()
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
        key = self._key(payload)
        sequence = self._sequence(payload)
        heapq.heappush(
            self._waiting.setdefault(key, []),
            (row_id if sequence is None else sequence, row_id, payload),
        )
        task = asyncio.create_task(self._in_order(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _in_order(self, key: Hashable) -> InboundEventStatus:
        row_id = None
        try:
            async with self._locks.hold(key):
                # A burst's later posts may still be storing an earlier update: wait for them.
                async with self._stored:
                    await self._stored.wait_for(lambda: not self._storing[key])
                waiting = self._waiting[key]
                _, row_id, payload = heapq.heappop(waiting)
                if not waiting:
                    del self._waiting[key]
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
