"""Scheduled jobs that run once across every gateway: one row per job, leased per run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base


class ScheduledJob(Base):
    """When a job is next due, and who runs it now.

    A gateway runs a due job only after winning its lease with a conditional UPDATE, so of
    several gateways exactly one runs each occurrence; a lease that outlives its holder (a
    gateway killed mid-run) expires and the next gateway takes the job over."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime]
    leased_until: Mapped[datetime | None]
    leased_by: Mapped[str | None] = mapped_column(String(64))
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    # What the last run reported (counts), or the error that stopped it.
    last_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
