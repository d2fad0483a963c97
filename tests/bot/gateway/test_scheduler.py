"""Scheduled jobs: each occurrence runs once across gateways, leases expire, failures are kept."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.gateway.scheduler import Job, Scheduler
from bot.store.db import SessionFactory
from bot.store.models import ScheduledJob
from bot.store.types import utcnow

EVERY = timedelta(minutes=5)


class Counting:
    def __init__(self, delay: float = 0.0) -> None:
        self.runs: list[datetime] = []
        self.delay = delay

    async def __call__(self, _: SessionFactory, now: datetime) -> dict[str, Any]:
        self.runs.append(now)
        await asyncio.sleep(self.delay)
        return {"closed": len(self.runs)}


async def row(sessions: SessionFactory, name: str) -> ScheduledJob:
    async with sessions() as session:
        job = await session.scalar(select(ScheduledJob).where(ScheduledJob.name == name))
    assert job is not None
    return job


async def test_of_two_gateways_one_runs_each_occurrence(sessions: SessionFactory) -> None:
    work = Counting(delay=0.05)
    job = Job("close_idle", EVERY, work)
    gateways = [Scheduler(sessions, [job], holder=f"gateway-{n}") for n in (1, 2)]
    now = utcnow()

    reports = await asyncio.gather(*(g.run_due(now) for g in gateways))
    assert len(work.runs) == 1
    assert sorted(len(r) for r in reports) == [0, 1]

    # Not due again until `every` has passed, whoever asks.
    await asyncio.gather(*(g.run_due(now + EVERY / 2) for g in gateways))
    assert len(work.runs) == 1
    await asyncio.gather(*(g.run_due(now + EVERY) for g in gateways))
    assert len(work.runs) == 2

    stored = await row(sessions, "close_idle")
    assert stored.leased_until is None, "released after the run"
    assert stored.last_report == {"closed": 2}
    assert stored.next_run_at == now + 2 * EVERY


async def test_a_lease_left_by_a_dead_gateway_expires(sessions: SessionFactory) -> None:
    work = Counting()
    job = Job("retention", EVERY, work, lease=timedelta(minutes=10))
    dead, alive = Scheduler(sessions, [job], holder="dead"), Scheduler(sessions, [job], holder="up")
    now = utcnow()
    assert await dead._take(job, now)  # took the lease, then died before releasing it

    await alive.run_due(now + EVERY)
    assert work.runs == [], "the lease still holds"
    await alive.run_due(now + timedelta(minutes=10))
    assert work.runs == [now + timedelta(minutes=10)]
    assert (await row(sessions, "retention")).leased_by == "up"


async def test_a_failing_job_is_reported_and_runs_again_next_time(sessions: SessionFactory) -> None:
    async def broken(_: SessionFactory, __: datetime) -> dict[str, Any]:
        raise RuntimeError("boom")

    scheduler = Scheduler(sessions, [Job("broken", EVERY, broken)])
    now = utcnow()
    assert await scheduler.run_due(now) == {"broken": {"error": "RuntimeError"}}
    stored = await row(sessions, "broken")
    assert stored.leased_until is None and stored.last_report == {"error": "RuntimeError"}
    assert await scheduler.run_due(now + EVERY) == {"broken": {"error": "RuntimeError"}}
