"""Stopping the gateway's background loops (scheduler, outbox worker, pollers) for certain.

A loop that survives store hiccups catches `Exception` and carries on. When the cancellation
of a shutdown lands in the middle of a database call, the driver can turn it into an ordinary
error (SQLAlchemy's asyncpg adapter does), the loop swallows it as a hiccup and goes back to
sleep, and a shutdown that awaits the task waits forever: CI once lost its whole time limit to
that. `stop` cancels again until the task has ended; a second cancellation finds the loop
asleep, where it cannot be mistaken for an error.
"""

from __future__ import annotations

import asyncio
import logging

logger = logging.getLogger(__name__)

RECANCEL_AFTER_SECONDS = 1.0


async def stop(task: asyncio.Task[object] | None) -> None:
    """Cancel `task` and wait until it has ended, cancelling again if it swallowed one."""
    if task is None:
        return
    attempts = 0
    while not task.done():
        task.cancel()
        attempts += 1
        await asyncio.wait({task}, timeout=RECANCEL_AFTER_SECONDS)
    if attempts > 1:
        logger.warning("%s needed %d cancellations to stop", task.get_name(), attempts)
    if not task.cancelled() and task.exception() is not None:
        logger.error("%s ended with an error", task.get_name(), exc_info=task.exception())
