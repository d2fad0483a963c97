"""The outbox: replies for channels we push to (Telegram, X), queued and delivered reliably.

`enqueue` adds a row in the caller's transaction, the one that records the outbound message,
so a reply is either recorded and queued or neither. `Outbox.run` is the worker: woken at
once after a commit (`wake`), and by a periodic sweep, it claims due rows one by one with a
conditional UPDATE (pending -> sending), so several workers, in one gateway or many, never
send the same row. Delivery semantics are at most once: a row is retried only when the
platform certainly did not take it (senders.py), and a row found still "sending" long
after its claim (its worker died mid-send) is marked failed, not sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.gateway.delivery.senders import (
    Delivery,
    PermanentFailure,
    RateLimited,
    RetryableFailure,
    Sender,
)
from bot.gateway.replies import Reply
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import (
    Channel,
    DeliveryStatus,
    OutboxMessage,
)
from bot.store.types import utcnow

logger = logging.getLogger(__name__)

PUSH_CHANNELS = frozenset({Channel.TELEGRAM, Channel.X})
BATCH = 50
PARTS_SENT = "parts_sent"  # kept in the payload: how far a long, split message got


def queue_reply(
    session: AsyncSession,
    channel: Channel,
    customer: str,
    message_id: int,
    reply: Reply,
    in_reply_to: str | None = None,
) -> OutboxMessage | None:
    """Queue a recorded message for delivery if its channel is one we push to (not the web
    chat), in the caller's transaction (record.record_replies)."""
    if channel not in PUSH_CHANNELS:
        return None
    payload: dict[str, Any] = reply.to_json()
    if in_reply_to:  # a public reply to a post, not a private message
        payload["in_reply_to"] = in_reply_to
    row = OutboxMessage(
        message_id=message_id,
        channel=channel,
        recipient=in_reply_to or customer,
        payload=payload,
    )
    session.add(row)
    return row


class Outbox:
    def __init__(self, sessions: SessionFactory, settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings
        self._senders: dict[Channel, Sender] = {}
        self._wake = asyncio.Event()
        # After a rate-limit answer the whole channel waits, not just the one message.
        self._paused_until: dict[Channel, datetime] = {}

    def register(self, channel: Channel, sender: Sender) -> None:
        self._senders[channel] = sender

    @property
    def channels(self) -> list[Channel]:
        return list(self._senders)

    def wake(self) -> None:
        """Call after committing outbound messages: the worker delivers them at once."""
        self._wake.set()

    async def run(self) -> None:
        """The worker loop; runs until cancelled."""
        while True:
            self._wake.clear()
            wait = self._settings.outbox_sweep_seconds
            try:
                await self.fail_interrupted()
                next_due = await self.deliver_due()
                if next_due is not None:
                    wait = min(wait, max(0.0, (next_due - utcnow()).total_seconds()))
            except Exception:  # the store hiccuped: the next sweep tries again
                logger.exception("outbox sweep failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def fail_interrupted(self) -> int:
        """Rows left "sending" by a worker that died mid-send may have reached the platform:
        they are marked failed for a person to check, never sent again."""
        stale = utcnow() - timedelta(seconds=self._settings.outbox_sending_timeout_seconds)
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == DeliveryStatus.SENDING,
                    OutboxMessage.next_attempt_at < stale,  # next_attempt_at = claimed at
                    OutboxMessage.channel.in_(self.channels),
                )
                .values(
                    status=DeliveryStatus.FAILED,
                    last_error="interrupted while sending: it may or may not have reached "
                    "the customer, so it was not sent again",
                )
            )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def deliver_due(self) -> datetime | None:
        """Deliver every due row; return when the next pending row falls due, if any."""
        while claimed := await self._claim():
            await asyncio.gather(*(self._deliver(channel, d) for channel, d in claimed))
        active = [c for c in self.channels if not self._paused(c)]
        async with self._sessions() as session:
            next_due = await session.scalar(
                select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.status == DeliveryStatus.PENDING,
                    OutboxMessage.channel.in_(active),
                )
            )
        pauses = [until for until in self._paused_until.values() if until > utcnow()]
        return min([*pauses, next_due] if next_due else pauses, default=None)

    def _paused(self, channel: Channel) -> bool:
        return self._paused_until.get(channel, utcnow()) > utcnow()

    async def _claim(self) -> list[tuple[Channel, Delivery]]:
        active = [c for c in self.channels if not self._paused(c)]
        if not active:
            return []
        now = utcnow()
        earlier = aliased(OutboxMessage)
        claimed: list[tuple[Channel, Delivery]] = []
        async with self._sessions.begin() as session:
            due = await session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status == DeliveryStatus.PENDING,
                    OutboxMessage.next_attempt_at <= now,
                    OutboxMessage.channel.in_(active),
                )
                .order_by(OutboxMessage.id)
                .limit(BATCH)
            )
            for row_id in list(due):
                # Atomic: only one worker turns this row from pending to sending, and only
                # while no earlier message to the same recipient is unsent (order is kept).
                result = await session.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id == row_id,
                        OutboxMessage.status == DeliveryStatus.PENDING,
                        ~exists().where(
                            earlier.channel == OutboxMessage.channel,
                            earlier.recipient == OutboxMessage.recipient,
                            earlier.id < OutboxMessage.id,
                            earlier.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                        ),
                    )
                    .values(
                        status=DeliveryStatus.SENDING,
                        attempts=OutboxMessage.attempts + 1,
                        next_attempt_at=now,
                    )
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    row = await session.get(OutboxMessage, row_id)
                    assert row is not None
                    await session.refresh(row)
                    claimed.append((row.channel, _delivery(row)))
        return claimed

    async def _deliver(self, channel: Channel, delivery: Delivery) -> None:
        sender = self._senders[channel]
        platform_id: str | None = None
        try:
            total = sender.parts(delivery)
            for index in range(delivery.parts_delivered, total):
                platform_id = await sender.send_part(delivery, index)
                if index + 1 < total:  # a retry goes on from the next part, not the first
                    await self._set(delivery, payload={**delivery.payload, PARTS_SENT: index + 1})
        except RateLimited as error:
            until = utcnow() + timedelta(seconds=error.retry_after_seconds)
            self._paused_until[channel] = until
            logger.warning(
                "%s rate limit: outbox %s waits until %s", channel.value, delivery.outbox_id, until
            )
            # Waiting for the platform is not a failed attempt.
            await self._set(
                delivery,
                status=DeliveryStatus.PENDING,
                next_attempt_at=until,
                attempts=OutboxMessage.attempts - 1,
                last_error=str(error),
            )
        except RetryableFailure as error:
            await self._retry_or_fail(delivery, str(error))
        except PermanentFailure as error:
            logger.warning("outbox %s failed: %s", delivery.outbox_id, error)
            await self._set(delivery, status=DeliveryStatus.FAILED, last_error=str(error))
        except Exception as error:  # a bug: the outcome is unknown, so never resend
            logger.exception("outbox %s: unexpected error while sending", delivery.outbox_id)
            await self._set(delivery, status=DeliveryStatus.FAILED, last_error=repr(error))
        else:
            await self._set(
                delivery,
                status=DeliveryStatus.SENT,
                sent_at=utcnow(),
                platform_message_id=platform_id,
                last_error=None,
            )

    async def _retry_or_fail(self, delivery: Delivery, error: str) -> None:
        async with self._sessions() as session:
            attempts = await session.scalar(
                select(OutboxMessage.attempts).where(OutboxMessage.id == delivery.outbox_id)
            )
        attempts = attempts or 1
        if attempts >= self._settings.outbox_max_attempts:
            logger.warning(
                "outbox %s failed after %s attempts: %s", delivery.outbox_id, attempts, error
            )
            await self._set(
                delivery,
                status=DeliveryStatus.FAILED,
                last_error=f"gave up after {attempts} attempts: {error}",
            )
            return
        delay = min(
            self._settings.outbox_retry_max_seconds,
            self._settings.outbox_retry_base_seconds * 2 ** (attempts - 1),
        )
        await self._set(
            delivery,
            status=DeliveryStatus.PENDING,
            last_error=error,
            next_attempt_at=utcnow() + timedelta(seconds=delay),
        )

    async def _set(self, delivery: Delivery, **values: Any) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == delivery.outbox_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )


def _delivery(row: OutboxMessage) -> Delivery:
    return Delivery(row.id, row.recipient, dict(row.payload), int(row.payload.get(PARTS_SENT, 0)))
