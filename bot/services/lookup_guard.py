"""Lockout after repeated wrong verification answers, so nobody can guess their way in.

Failures are counted in the store (so across conversations and gateways) per subject, and a
subject with `attempts` failures within `window` is locked for `window`:

- who is asking: the conversation (Rasa sender id) and, when known, the channel identity, so
  a new web chat session on the same channel account does not reset the count. When these
  are locked the conversation is told so and handed to the concierge (once per number).
- what is asked about: the order or repair number. Without it, each new session had three
  fresh guesses at the same order's postcode (security review, issue 17: a demo order's ZIP
  fell in 4 s over 12 sessions). A locked number is not checked at all: every answer for it
  fails, with the same reply as a wrong answer or an unknown number, so the lock itself
  reveals nothing (unknown numbers are counted and locked the same way).

A lockout handoff is made once per number per window (`claim_handoff`), so a loop of new
sessions cannot flood the concierge queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from bot.store.models import LookupGuard
from bot.store.types import utcnow


@dataclass(frozen=True)
class Policy:
    attempts: int = 3
    window: timedelta = timedelta(minutes=30)

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            attempts=max(1, settings.lookup_lockout_attempts),
            window=timedelta(seconds=settings.lookup_lockout_window_seconds),
        )


DEFAULT = Policy()
MAX_FAILURES = DEFAULT.attempts
LOCKOUT = DEFAULT.window


def subjects_for(sender_id: str, identity_id: int | None) -> list[str]:
    """Who is asking: the conversation and, when known, the channel identity."""
    subjects = [f"sender:{sender_id}"]
    if identity_id is not None:
        subjects.append(f"identity:{identity_id}")
    return subjects


def number_subject(number: str) -> str:
    """What is asked about: an order (PG-) or repair (RP-) number, as normalised."""
    return f"number:{number}"


def _handoff_subject(number: str) -> str:
    return f"handoff:{number}"


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
    session: AsyncSession,
    subjects: list[str],
    now: datetime | None = None,
    policy: Policy = DEFAULT,
) -> datetime | None:
    """Count a wrong answer; return the end of the lockout if this one triggered it."""
    now = now or utcnow()
    guards = await _guards(session, subjects)
    lock_end: datetime | None = None
    for subject in subjects:
        guard = guards.get(subject)
        if guard is None:
            guard = LookupGuard(subject=subject, failures=0, updated_at=now)
            session.add(guard)
        expired = guard.locked_until is not None and guard.locked_until <= now
        stale = guard.locked_until is None and guard.updated_at + policy.window <= now
        if expired or stale:  # an old lockout or old failures: the count starts afresh
            guard.failures, guard.locked_until = 0, None
        guard.failures += 1
        guard.updated_at = now
        if guard.failures >= policy.attempts and guard.locked_until is None:
            guard.locked_until = now + policy.window
            lock_end = guard.locked_until
    await session.flush()
    return lock_end


async def record_success(session: AsyncSession, subjects: list[str]) -> None:
    for guard in (await _guards(session, subjects)).values():
        if guard.locked_until is None:
            guard.failures = 0


async def claim_handoff(
    session: AsyncSession, number: str | None, now: datetime | None = None, policy: Policy = DEFAULT
) -> bool:
    """Whether this lockout should be handed to the concierge: once per number per window.

    Claimed in the store (the row's primary key), so concurrent sessions on several gateways
    agree on who hands off. A lockout without a number is always handed off.
    """
    if number is None:
        return True
    now = now or utcnow()
    subject = _handoff_subject(number)
    guard = await session.get(LookupGuard, subject, with_for_update=True)
    if guard is None:
        try:
            async with session.begin_nested():
                until = now + policy.window
                session.add(
                    LookupGuard(subject=subject, failures=1, locked_until=until, updated_at=now)
                )
        except IntegrityError:
            return False  # another session claimed it a moment ago
        return True
    if guard.locked_until is not None and guard.locked_until > now:
        return False
    guard.failures, guard.locked_until, guard.updated_at = 1, now + policy.window, now
    await session.flush()
    return True
