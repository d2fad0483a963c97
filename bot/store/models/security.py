"""Proof of identity and the guards around it: one-time codes and lookup lockouts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base, CreatedAtMixin
from bot.store.types import utcnow


class VerificationCode(CreatedAtMixin, Base):
    """A one-time code e-mailed to a contact's address on file. Only its hash is kept."""

    __tablename__ = "verification_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    # The conversation (Rasa sender id) the code was requested in; it can be used only there.
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]


class LookupGuard(Base):
    """Failed verification answers per subject (a channel identity or a conversation).

    Three failures lock the subject out of order and repair lookups for a while.
    """

    __tablename__ = "lookup_guards"

    subject: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
