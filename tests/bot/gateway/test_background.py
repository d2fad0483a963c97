"""Stopping background loops: a cancellation a database driver turned into an error must not
leave the loop running and the gateway's shutdown waiting for ever."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from bot.gateway import background
from bot.gateway.scheduler import Job, Scheduler
from bot.store.db import SessionFactory


class WrapsItsCancellation:
    """A job busy in a "query" when the shutdown comes, whose driver reports the
    cancellation as an ordinary error (as SQLAlchemy's asyncpg adapter can)."""

    def __init__(self) -> None:
        self.started = asyncio.Event()

    async def __call__(self, _: SessionFactory, now: datetime) -> dict[str, Any]:
        self.started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            raise RuntimeError("connection was closed in the middle of operation") from None
        return {}


async def test_a_scheduler_whose_job_swallowed_the_cancellation_still_stops(
    sessions: SessionFactory,
) -> None:
    job = WrapsItsCancellation()
    scheduler = Scheduler(sessions, [Job("wraps", timedelta(minutes=5), job)], tick_seconds=30)
    task = asyncio.create_task(scheduler.run())
    await asyncio.wait_for(job.started.wait(), 10)

    # One cancellation is swallowed: the loop goes back to sleep until its next tick.
    task.cancel()
    await asyncio.wait({task}, timeout=0.5)
    assert not task.done(), "the scheduler carried on after the cancellation was swallowed"

    await asyncio.wait_for(background.stop(task), 10)
    assert task.cancelled()


async def test_stopping_nothing_or_a_finished_task_is_harmless() -> None:
    await background.stop(None)
    done = asyncio.create_task(asyncio.sleep(0))
    await done
    await background.stop(done)
    assert done.done() and not done.cancelled()
