"""Rate limits for the web chat (issue 17, item 10): messages, new sessions and sockets.

Messages are counted in fixed windows per session and per client address (the address is
bot/gateway/clients.py's: X-Forwarded-For only from a trusted proxy), and so are the
distinct sessions one address talks in: a script that opens a new session for every message
meets that cap instead of the per-session one. Each message costs one statement: one upsert
of all its counters. With PostgreSQL (the scaled profile: several gateways) the counters are
rows of the store, so every gateway sees the same counts; with SQLite there is one gateway,
and they are kept in its memory.

Open sockets are counted by each gateway process, per address and in total: a socket costs
that process memory and wake-ups, so its own cap is the one that protects it.

RATE_LIMITS=off turns all of it off, for load tests (`make bench`).
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import text

from bot.settings import RateLimit, Settings
from bot.store.db import SessionFactory

SESSION, ADDRESS, SEEN, SESSIONS = "session", "address", "seen", "sessions"
POLITE_REFUSAL = (
    "You are sending messages faster than we can read them; please wait a moment and try again."
)
PRUNE_EVERY_SECONDS = 300.0

Hit = tuple[str, str, int]  # scope, subject, window length in seconds


class Counters(Protocol):
    async def hit(self, hits: list[Hit], now: float) -> dict[str, int]:
        """Add one to each counter (in its current window); the new counts by scope."""

    async def forget(self, hit: Hit, now: float) -> None:
        """Drop one counter of the current window."""


def window_start(seconds: int, now: float) -> int:
    return int(now // seconds) * seconds


class MemoryCounters:
    """One gateway's own counts (SQLite: there is only one gateway)."""

    def __init__(self, keep_seconds: int = 86400) -> None:
        self._keep = keep_seconds  # the longest window: anything older is past
        self._counts: Tally[tuple[str, str, int]] = Tally()
        self._pruned_at = 0.0

    async def hit(self, hits: list[Hit], now: float) -> dict[str, int]:
        self._prune(now)
        counts = {}
        for scope, subject, seconds in hits:
            key = (scope, subject, window_start(seconds, now))
            self._counts[key] += 1
            counts[scope] = self._counts[key]
        return counts

    async def forget(self, hit: Hit, now: float) -> None:
        scope, subject, seconds = hit
        self._counts.pop((scope, subject, window_start(seconds, now)), None)

    def _prune(self, now: float) -> None:
        if now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        for key in [key for key in self._counts if key[2] < now - self._keep]:
            del self._counts[key]


class StoreCounters:
    """Counts in the store's rate_counters table, shared by every gateway using it."""

    def __init__(self, sessions: SessionFactory, keep_seconds: int = 86400) -> None:
        self._sessions = sessions
        self._keep = keep_seconds  # the longest window: anything older is past
        self._pruned_at = 0.0

    async def hit(self, hits: list[Hit], now: float) -> dict[str, int]:
        rows = ", ".join(f"(:scope{i}, :subject{i}, :start{i}, 1)" for i in range(len(hits)))
        params: dict[str, object] = {}
        for i, (scope, subject, seconds) in enumerate(hits):
            params |= {f"scope{i}": scope, f"subject{i}": subject}
            params[f"start{i}"] = window_start(seconds, now)
        # One statement, atomic on SQLite >= 3.35 and PostgreSQL; rows always in the same
        # order (session, address, seen), so concurrent upserts cannot deadlock.
        statement = text(
            f"INSERT INTO rate_counters (scope, subject, window_start, hits) VALUES {rows} "
            "ON CONFLICT (scope, subject, window_start) "
            "DO UPDATE SET hits = rate_counters.hits + 1 RETURNING scope, hits"
        )
        async with self._sessions.begin() as session:
            result = await session.execute(statement, params)
            counts = {scope: hits for scope, hits in result.all()}
            if now - self._pruned_at >= PRUNE_EVERY_SECONDS:
                self._pruned_at = now
                await session.execute(
                    text("DELETE FROM rate_counters WHERE window_start < :before"),
                    {"before": int(now) - self._keep},
                )
        return counts

    async def forget(self, hit: Hit, now: float) -> None:
        scope, subject, seconds = hit
        async with self._sessions.begin() as session:
            await session.execute(
                text(
                    "DELETE FROM rate_counters "
                    "WHERE scope = :scope AND subject = :subject AND window_start = :start"
                ),
                {"scope": scope, "subject": subject, "start": window_start(seconds, now)},
            )


def create_counters(settings: Settings, sessions: SessionFactory) -> Counters:
    longest = max(limit.seconds for limit in settings.chat_limits.values())
    if settings.database_url.startswith("postgresql"):
        return StoreCounters(sessions, longest)
    return MemoryCounters(longest)


@dataclass(frozen=True)
class Refusal:
    message: str
    retry_after: int  # seconds until the window that refused ends


class ChatLimits:
    """May this web chat message (or leave request) go ahead?"""

    def __init__(self, settings: Settings, counters: Counters) -> None:
        self.enabled = settings.rate_limits
        limits = settings.chat_limits
        self._session: RateLimit = limits[SESSION]
        self._address: RateLimit = limits[ADDRESS]
        self._sessions: RateLimit = limits[SESSIONS]
        self._counters = counters

    async def message(
        self, address: str, session_id: str, now: float | None = None
    ) -> Refusal | None:
        if not self.enabled:
            return None
        now = time.time() if now is None else now
        seen: Hit = (SEEN, f"{address} {session_id}", self._sessions.seconds)
        counts = await self._counters.hit(
            [
                (SESSION, session_id, self._session.seconds),
                (ADDRESS, address, self._address.seconds),
                seen,
            ],
            now,
        )
        if counts[SEEN] == 1:  # the first message of this session from here in this window
            talking = await self._counters.hit([(SESSIONS, address, self._sessions.seconds)], now)
            if talking[SESSIONS] > self._sessions.count:
                # Not counted as seen: its next message is again a new session, again refused.
                await self._counters.forget(seen, now)
                return self._refusal(self._sessions, now)
        for limit, scope in ((self._session, SESSION), (self._address, ADDRESS)):
            if counts[scope] > limit.count:
                return self._refusal(limit, now)
        return None

    async def request(self, address: str, now: float | None = None) -> Refusal | None:
        """Another chat request from this address (leaving a conversation)."""
        if not self.enabled:
            return None
        now = time.time() if now is None else now
        counts = await self._counters.hit([(ADDRESS, address, self._address.seconds)], now)
        return self._refusal(self._address, now) if counts[ADDRESS] > self._address.count else None

    @staticmethod
    def _refusal(limit: RateLimit, now: float) -> Refusal:
        ends = window_start(limit.seconds, now) + limit.seconds
        return Refusal(POLITE_REFUSAL, max(1, int(ends - now)))


class SocketCaps:
    """Open web chat sockets of this gateway process, per address and in total."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limits
        self._per_address = settings.chat_sockets_per_address
        self._total = settings.chat_sockets_total
        self._open: Tally[str] = Tally()
        self._count = 0

    def admit(self, address: str) -> str | None:
        """Take a place for a socket from `address` (give it back with `release`), or say
        why not."""
        if self.enabled:
            if self._count >= self._total:
                return "too many open chats on this server: please try again shortly"
            if self._open[address] >= self._per_address:
                return "too many open chats from your address"
        self._open[address] += 1
        self._count += 1
        return None

    def release(self, address: str) -> None:
        self._count -= 1
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]
