"""The concierge queue's own records: handoffs, alerts, labels, reads, presence and proofs.

A `Handoff` is one stay of a conversation in the queue (queued, claimed, escalated) with the
digest the agent reads; an `Alert` is one notification of agents, unique by its key, so the
same event is never alerted twice, whichever gateway sees it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base, CreatedAtMixin, str_enum
from bot.store.types import utcnow


class Handoff(Base):
    """One stay in the concierge queue: from the handoff to the claim (or a resolve)."""

    __tablename__ = "handoffs"
    __table_args__ = (UniqueConstraint("conversation_id", "queued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    queued_at: Mapped[datetime]  # the conversation's waiting_since
    claimed_at: Mapped[datetime | None] = mapped_column(index=True)
    claimed_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    # A short factual digest built from the conversation (bot/services/handoff_digest.py).
    digest: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AlertKind(str, enum.Enum):
    HANDOFF = "handoff"
    ESCALATION = "escalation"


class MailStatus(str, enum.Enum):
    NOT_NEEDED = "not_needed"  # an agent was connected, or no on-duty address is set
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Alert(CreatedAtMixin, Base):
    """A notification of the agents on duty. The unique key names the event it is for."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind, "alert_kind"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    mail_to: Mapped[str | None] = mapped_column(String(254))
    mail_status: Mapped[MailStatus] = mapped_column(
        str_enum(MailStatus, "mail_status"), default=MailStatus.NOT_NEEDED, index=True
    )
    mail_error: Mapped[str | None] = mapped_column(Text)


class ConversationLabel(Base):
    __tablename__ = "conversation_labels"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id"), primary_key=True
    )
    label: Mapped[str] = mapped_column(String(32), primary_key=True)


class ConversationRead(Base):
    """How far an agent has read a conversation: what is after it counts as unread."""

    __tablename__ = "conversation_reads"

    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id"), primary_key=True
    )
    last_read_message_id: Mapped[int] = mapped_column(default=0)


class InboxPresence(Base):
    """An open inbox page (its live socket), kept fresh while it lives: who is on duty."""

    __tablename__ = "inbox_presence"
    __table_args__ = (Index("ix_inbox_presence_seen_at", "seen_at"),)

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProofMethod(str, enum.Enum):
    CODE = "code"  # a one-time code mailed to the contact's address on file
    ORDER_CHECK = "order_check"  # an order number and the e-mail or postcode on it
    REPAIR_CHECK = "repair_check"


class ConversationProof(CreatedAtMixin, Base):
    """Something the customer proved in this conversation, and what it proves."""

    __tablename__ = "conversation_proofs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    method: Mapped[ProofMethod] = mapped_column(str_enum(ProofMethod, "proof_method"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    subject: Mapped[str | None] = mapped_column(String(32))  # the order or repair number
