"""The concierge inbox: agent sessions, canned replies and the audit trail of data views."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base, CreatedAtMixin


class AgentSession(CreatedAtMixin, Base):
    """A logged-in agent. The cookie carries a random token; only its hash is stored, so
    logging out (or an admin) can end a session for good."""

    __tablename__ = "agent_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class CannedResponse(CreatedAtMixin, Base):
    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    short_code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    created_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))


class AuditEntry(CreatedAtMixin, Base):
    """Who looked at or changed what, when. The policy limits access to staff who need it."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))  # e.g. "view_conversation", "export_contact"
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
