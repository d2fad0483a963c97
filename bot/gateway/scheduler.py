"""Periodic jobs that run once across every gateway.

Each gateway runs a `Scheduler` with the same jobs. On each tick it tries, for every due job,
to take the job's lease with one conditional UPDATE on its `scheduled_jobs` row; only the
gateway whose UPDATE matched runs that occurrence, and it sets the next due time. A lease
outlives a run that takes too long or a gateway killed mid-run only until `lease`, after
which another gateway takes the job over. A job is a plain async function of the session
factory and the time; it does its own work in batches and returns what it did, which is
kept in the row (`last_report`) and logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.db import SessionFactory
from bot.store.models import ScheduledJob
from bot.store.types import utcnow

logger = logging.getLogger(__name__)

JobRun = Callable[[SessionFactory, datetime], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: JobRun
    # Longer than any run should take; a run still going after it may be run again elsewhere.
    lease: timedelta = timedelta(minutes=10)


def holder_id() -> str:
    """Who holds a lease: this host and process, for the row and the logs."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


class Scheduler:
    def __init__(
        self,
        sessions: SessionFactory,
        jobs: Sequence[Job],
        tick_seconds: float = 30.0,
        holder: str | None = None,
    ) -> None:
        self._sessions = sessions
        self._jobs = list(jobs)
        self._tick = tick_seconds
        self._holder = holder or holder_id()

    async def run(self) -> None:
        """Run until cancelled: every tick, the jobs that are due and this gateway wins."""
        while True:
            try:
                await self.run_due()
            except Exception:  # the store hiccuped: the next tick tries again
                logger.exception("scheduled jobs could not be checked")
            await asyncio.sleep(self._tick)

    async def run_due(self, now: datetime | None = None) -> dict[str, dict[str, Any]]:
        """Run each due job whose lease this gateway takes; what each reported, by name."""
        reports: dict[str, dict[str, Any]] = {}
        for job in self._jobs:
            started = now or utcnow()
            if not await self._take(job, started):
                continue
            try:
                report = await job.run(self._sessions, started)
            except Exception as error:
                logger.exception("scheduled job %s failed", job.name)
                report = {"error": type(error).__name__}
            await self._release(job, started, report)
            logger.info("scheduled job %s: %s", job.name, report)
            reports[job.name] = report
        return reports

    async def _take(self, job: Job, now: datetime) -> bool:
        async with self._sessions.begin() as session:
            await _ensure_row(session, job.name, now)
            result = await session.execute(
                update(ScheduledJob)
                .where(
                    ScheduledJob.name == job.name,
                    ScheduledJob.next_run_at <= now,
                    or_(ScheduledJob.leased_until.is_(None), ScheduledJob.leased_until <= now),
                )
                .values(
                    leased_until=now + job.lease,
                    leased_by=self._holder,
                    last_started_at=now,
                    next_run_at=now + job.every,
                )
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def _release(self, job: Job, started: datetime, report: dict[str, Any]) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(ScheduledJob)
                .where(ScheduledJob.name == job.name, ScheduledJob.leased_by == self._holder)
                .values(leased_until=None, last_finished_at=utcnow(), last_report=report)
            )


async def _ensure_row(session: AsyncSession, name: str, now: datetime) -> None:
    """The job's row, created due now on first sight; concurrent creations are harmless."""
    values = {"name": name, "next_run_at": now}
    if session.bind.dialect.name == "postgresql":
        statement: Any = postgresql.insert(ScheduledJob).values(values).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(ScheduledJob).values(values).on_conflict_do_nothing()
    await session.execute(statement)
