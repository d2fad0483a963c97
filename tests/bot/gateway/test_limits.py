"""The rate limits' counters: the store's upsert on SQLite and PostgreSQL, and memory."""

from __future__ import annotations

from sqlalchemy import select

from bot.gateway.limits import (
    ChatLimits,
    Counters,
    MemoryCounters,
    StoreCounters,
)
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import RateCounter

NOW = 1_800_000_000.0


async def counts(counters: Counters, now: float = NOW) -> list[dict[str, int]]:
    return [await counters.hit([("session", "s", 60), ("address", "a", 600)], now) for _ in "123"]


async def test_the_store_counts_atomically_per_window_and_prunes_old_ones(
    sessions: SessionFactory,
) -> None:
    counters = StoreCounters(sessions, keep_seconds=600)
    assert await counts(counters) == [
        {"session": 1, "address": 1},
        {"session": 2, "address": 2},
        {"session": 3, "address": 3},
    ]
    # A new window for the session, the same one for the address.
    assert await counters.hit([("session", "s", 60), ("address", "a", 600)], NOW + 60) == {
        "session": 1,
        "address": 4,
    }
    await counters.forget(("address", "a", 600), NOW + 60)
    assert await counters.hit([("address", "a", 600)], NOW + 60) == {"address": 1}
    # Past windows are pruned now and then; a short window's hit never prunes a long window
    # still running (the address's, from NOW + 600 to NOW + 1200).
    await counters.hit([("address", "a", 600)], NOW + 650)
    await counters.hit([("session", "t", 60)], NOW + 1000)
    async with sessions() as session:
        left = set(await session.scalars(select(RateCounter.window_start)))
    assert left == {NOW + 600, NOW + 960}


async def test_memory_counts_the_same_way() -> None:
    counters = MemoryCounters()
    assert [c["session"] for c in await counts(counters)] == [1, 2, 3]
    assert await counters.hit([("session", "s", 60)], NOW + 60) == {"session": 1}


async def test_a_refused_new_session_stays_refused_and_the_window_says_when_to_retry() -> None:
    settings = Settings(chat_sessions_per_address="2/10m", chat_limit_per_address="100/1m")
    limits = ChatLimits(settings, MemoryCounters())
    assert await limits.message("1.2.3.4", "a", NOW) is None
    assert await limits.message("1.2.3.4", "b", NOW) is None
    refused = await limits.message("1.2.3.4", "c", NOW)
    assert refused is not None and 0 < refused.retry_after <= 600
    assert await limits.message("1.2.3.4", "c", NOW) is not None
    assert await limits.message("1.2.3.4", "a", NOW) is None
    assert await limits.message("5.6.7.8", "c", NOW) is None
