"""Lockout after repeated wrong verification answers, so nobody can guess their way in.

Failures are counted per subject: the conversation (Rasa sender id) and, when known, the
channel identity, so starting a new web chat session on the same channel account does not
reset the count. Three failures lock lookups for LOCKOUT.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import LookupGuard
from bot.store.types import utcnow

MAX_FAILURES = 3
LOCKOUT = timedelta(minutes=30)


def subjects_for(sender_id: str, identity_id: int | None) -> list[str]:
    subjects = [f"sender:{sender_id}"]
    if identity_id is not None:
        subjects.append(f"identity:{identity_id}")
    return subjects


async def _guards(session: AsyncSession, subjects: Iterable[str]) -> dict[str, LookupGuard]:
    rows = await session.scalars(select(LookupGuard).where(LookupGuard.subject.in_(subjects)))
    return {guard.subject: guard for guard in rows}


async def locked_until(
    session: AsyncSession, subjects: list[str], now: datetime | None = None
) -> datetime | None:
    """When the lockout of any of the subjects ends, or None if lookups are allowed."""
    now = now or utcnow()
    ends = [
        guard.locked_until
        for guard in (await _guards(session, subjects)).values()
        if guard.locked_until is not None and guard.locked_until > now
    ]
    return max(ends) if ends else None


async def record_failure(
    session: AsyncSession, subjects: list[str], now: datetime | None = None
) -> datetime | None:
    """Count a wrong answer; return the end of the lockout if this one triggered it."""
    now = now or utcnow()
    guards = await _guards(session, subjects)
    lock_end: datetime | None = None
    for subject in subjects:
        guard = guards.get(subject)
        if guard is None:
            guard = LookupGuard(subject=subject, failures=0)
            session.add(guard)
        if guard.locked_until is not None and guard.locked_until <= now:
            guard.failures, guard.locked_until = 0, None  # an expired lockout starts afresh
        guard.failures += 1
        guard.updated_at = now
        if guard.failures >= MAX_FAILURES:
            guard.locked_until = now + LOCKOUT
            lock_end = guard.locked_until
    await session.flush()
    return lock_end


async def record_success(session: AsyncSession, subjects: list[str]) -> None:
    for guard in (await _guards(session, subjects)).values():
        if guard.locked_until is None:
            guard.failures = 0
