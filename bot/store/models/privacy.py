"""Consent (marketing and language preferences) and privacy requests."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models.base import Base, CreatedAtMixin, str_enum
from bot.store.models.contacts import Contact


class ConsentEvent(CreatedAtMixin, Base):
    """One change of a preference. Append-only: the current state is the latest event per topic.

    topic is "marketing:email", "marketing:sms", "marketing:phone", "marketing:post" or
    "language"; value is "opt_in"/"opt_out" for marketing and a language code for language.
    """

    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_contact_topic", "contact_id", "topic", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    topic: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(16))
    # Where the change came from: "chat", "unsubscribe_link", "agent", "import".
    source: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(16))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))


class PrivacyRequestKind(str, enum.Enum):
    ACCESS = "access"
    CORRECTION = "correction"
    DELETION = "deletion"
    CALIFORNIA_1798_83 = "california_1798_83"


class PrivacyRequestStatus(str, enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REFUSED = "refused"


class PrivacyRequest(CreatedAtMixin, Base):
    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    kind: Mapped[PrivacyRequestKind] = mapped_column(
        str_enum(PrivacyRequestKind, "privacy_request_kind")
    )
    status: Mapped[PrivacyRequestStatus] = mapped_column(
        str_enum(PrivacyRequestStatus, "privacy_request_status"),
        default=PrivacyRequestStatus.OPEN,
    )
    details: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(16))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    completed_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    # What the privacy team told the customer: the reason for a refusal, the question when
    # more information is needed, a note on completion.
    resolution_note: Mapped[str | None] = mapped_column(Text)
    information_requested_at: Mapped[datetime | None]
    # The same request made again while this one is open is linked here, not filed twice.
    times_asked: Mapped[int] = mapped_column(default=1, server_default="1")
    # When the on-duty address was alerted that the request is overdue (once).
    overdue_alerted_at: Mapped[datetime | None]

    contact: Mapped[Contact] = relationship()
