"""Platform traffic in and out: received webhook events, the outbox, polling cursors."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base, CreatedAtMixin, str_enum
from bot.store.models.contacts import Channel
from bot.store.types import utcnow


class InboundEventStatus(str, enum.Enum):
    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"


class InboundEvent(CreatedAtMixin, Base):
    """A platform event (Telegram update, X activity) stored before it is acknowledged.

    The unique (channel, event_id) makes a platform's retry a no-op; events still "received"
    after a restart are processed then, so an acknowledged event is never lost.
    """

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("channel", "event_id"),
        Index("ix_inbound_events_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    event_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[InboundEventStatus] = mapped_column(
        str_enum(InboundEventStatus, "inbound_event_status"), default=InboundEventStatus.RECEIVED
    )
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]


class DeliveryStatus(str, enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(CreatedAtMixin, Base):
    """One outbound message to deliver on Telegram or X, retried with backoff until sent
    or finally failed. One row per stored message, so a message is never sent twice."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    recipient: Mapped[str] = mapped_column(String(128))  # chat id, user id or tweet to reply to
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    platform_message_id: Mapped[str | None] = mapped_column(String(128))
    sent_at: Mapped[datetime | None]


class ChannelCursor(Base):
    """Where a polling connector got to (e.g. the newest X DM event seen)."""

    __tablename__ = "channel_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
