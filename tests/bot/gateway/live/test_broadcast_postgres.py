"""Live events across gateways: two PostgresBroadcasters on the real PostgreSQL server.

Each broadcaster stands for one gateway process; an event published by one must reach the
subscribers of both, in order, and a lost connection must be noticed and mended.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot.gateway.live.broadcast import (
    CONVERSATION,
    MESSAGE,
    LiveEvent,
    PostgresBroadcaster,
    SubscriptionLost,
    create_broadcaster,
)
from bot.settings import Settings, SettingsError
from tests.helpers import asyncpg_dsn

pytestmark = pytest.mark.postgres

WAIT_SECONDS = 10  # how long an event may take to arrive before the test gives up


@pytest.fixture
async def gateways(postgres_url: str) -> AsyncIterator[tuple[PostgresBroadcaster, ...]]:
    """Two broadcasters on one database, as two gateways have."""
    first = PostgresBroadcaster.for_database(postgres_url)
    second = PostgresBroadcaster.for_database(postgres_url)
    await first.start()
    await second.start()
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def test_an_event_published_by_one_gateway_reaches_the_subscribers_of_both(
    gateways: tuple[PostgresBroadcaster, ...],
) -> None:
    first, second = gateways
    events = [
        LiveEvent(MESSAGE, conversation_id=7, message_id=n, holder="bot", customer="web-1")
        for n in range(5)
    ]
    async with first.subscribe() as on_first, second.subscribe() as on_second:
        for event in events:
            await first.publish(event)
        received_on_second = [await asyncio.wait_for(on_second.get(), WAIT_SECONDS) for _ in events]
        received_on_first = [await asyncio.wait_for(on_first.get(), WAIT_SECONDS) for _ in events]
    assert received_on_second == events, "the other gateway gets them all, in order"
    assert received_on_first == events, "and so does the publisher's own gateway"


async def test_both_gateways_publishing_reach_each_other(
    gateways: tuple[PostgresBroadcaster, ...],
) -> None:
    first, second = gateways
    from_first = LiveEvent(MESSAGE, conversation_id=1, message_id=10)
    from_second = LiveEvent(CONVERSATION, conversation_id=2, holder="waiting", agent_id=3)
    async with first.subscribe() as on_first, second.subscribe() as on_second:
        await first.publish(from_first)
        assert await asyncio.wait_for(on_second.get(), WAIT_SECONDS) == from_first
        await second.publish(from_second)
        assert await asyncio.wait_for(on_second.get(), WAIT_SECONDS) == from_second
        on_first_in_order = [await asyncio.wait_for(on_first.get(), WAIT_SECONDS) for _ in "ab"]
    assert on_first_in_order == [from_first, from_second]


async def test_a_lost_connection_tells_subscribers_to_reload_then_listens_again(
    gateways: tuple[PostgresBroadcaster, ...], postgres_url: str
) -> None:
    first, second = gateways
    database = postgres_url.rsplit("/", 1)[1]
    async with second.subscribe() as before:
        # Every session on the database ends, as when PostgreSQL restarts.
        admin = await asyncpg.connect(asyncpg_dsn(postgres_url))
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                database,
            )
        finally:
            await admin.close()
        with pytest.raises(SubscriptionLost):
            await asyncio.wait_for(before.get(), WAIT_SECONDS)

    event = LiveEvent(MESSAGE, conversation_id=3, message_id=1)
    async with second.subscribe() as after:
        # The listener comes back on its own; the sender reconnects on its next publish.
        deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
        while True:
            await first.publish(event)
            try:
                assert await asyncio.wait_for(after.get(), 0.5) == event
                break
            except asyncio.TimeoutError:
                assert asyncio.get_running_loop().time() < deadline, "never listened again"


def test_the_setting_chooses_the_broadcaster() -> None:
    store = "postgresql+asyncpg://postgres@127.0.0.1:5432/concierge"
    assert isinstance(
        create_broadcaster(Settings(database_url=store, live_broadcast="postgres")),
        PostgresBroadcaster,
    )
    with pytest.raises(SettingsError, match="needs DATABASE_URL=postgresql"):
        Settings.from_env({"LIVE_BROADCAST": "postgres", "DATABASE_URL": "sqlite+aiosqlite://"})
    with pytest.raises(SettingsError, match="LIVE_BROADCAST"):
        Settings.from_env({"LIVE_BROADCAST": "carrier-pigeon"})
