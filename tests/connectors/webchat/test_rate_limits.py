"""The web chat's rate limits (issue 17, item 10), over real HTTP against the real gateway,
on SQLite and PostgreSQL: a flood from one session or one address is refused politely
before anything is stored or sent to Rasa, sockets are capped per address, another address
is unaffected, RATE_LIMITS=off serves everything, and gateways on one PostgreSQL share counts.

Windows are 1000 hours long, so a test never straddles one (fixed windows, wall clock)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.gateway.limits import POLITE_REFUSAL
from bot.settings import Settings
from bot.store.models import Author
from tests import helpers
from tests.fakes.rasa import FakeRasa

Client = TestClient[Any, Any]
MakeClient = Callable[..., Awaitable[Client]]

PER_SESSION, PER_ADDRESS, SESSIONS, SOCKETS = 3, 6, 4, 2
OTHER = {"X-Forwarded-For": "203.0.113.9"}  # another customer, behind our load balancer


@pytest.fixture
def limited(database_url: str, fake_rasa: tuple[FakeRasa, str]) -> Settings:
    return limits_for_tests(database_url, fake_rasa[1])


def limits_for_tests(database_url: str, rasa_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        rasa_auth_token="test-rasa-token",
        secret_key="test-secret-key",
        rasa_url=rasa_url,
        rasa_timeout_seconds=1.0,
        concierge_hours="mon-sun 00:00-24:00",
        trusted_proxies="127.0.0.1",  # the test client is "the load balancer"
        chat_limit_per_session=f"{PER_SESSION}/1000h",
        chat_limit_per_address=f"{PER_ADDRESS}/1000h",
        chat_sessions_per_address=f"{SESSIONS}/1000h",
        chat_sockets_per_address=SOCKETS,
        chat_sockets_total=100,
    )


async def say(client: Client, session_id: str, text: str = "hello", **headers: str) -> int:
    response = await client.post(
        "/api/chat", json={"session_id": session_id, "text": text}, headers=headers
    )
    if response.status == 429:
        assert await response.json() == {"error": POLITE_REFUSAL}
        assert int(response.headers["Retry-After"]) > 0
    return response.status


async def customer_texts(settings: Settings) -> list[str]:
    return [m.text for m in await helpers.messages(settings) if m.author is Author.CUSTOMER]


async def test_a_burst_from_one_session_is_refused_and_leaves_no_trace(
    aiohttp_client: MakeClient, limited: Settings, fake_rasa: tuple[FakeRasa, str]
) -> None:
    client = await aiohttp_client(create_app(limited))
    statuses = [await say(client, "burst", f"message {i}") for i in range(PER_SESSION + 5)]
    assert statuses == [200] * PER_SESSION + [429] * 5
    allowed = [f"message {i}" for i in range(PER_SESSION)]
    assert [body["message"] for body in fake_rasa[0].received] == allowed
    assert await customer_texts(limited) == allowed
    # Another customer on another address is served meanwhile.
    assert await say(client, "someone-else", **OTHER) == 200


async def test_many_sessions_from_one_address_meet_the_new_session_cap(
    aiohttp_client: MakeClient, limited: Settings, fake_rasa: tuple[FakeRasa, str]
) -> None:
    # The address's own limit is out of the way here (refused messages count towards it).
    client = await aiohttp_client(create_app(replace(limited, chat_limit_per_address="50/1000h")))
    statuses = [await say(client, f"session-{i}") for i in range(SESSIONS + 3)]
    assert statuses == [200] * SESSIONS + [429] * 3
    assert await say(client, f"session-{SESSIONS}") == 429, "a refused session stays refused"
    assert await say(client, "session-0") == 200, "a session already talking goes on"
    assert len(fake_rasa[0].received) == SESSIONS + 1
    # Another address opens sessions of its own.
    assert await say(client, "elsewhere-1", **OTHER) == 200
    assert await say(client, "elsewhere-2", **OTHER) == 200


async def test_an_address_is_limited_across_its_sessions(
    aiohttp_client: MakeClient, limited: Settings
) -> None:
    client = await aiohttp_client(create_app(limited))
    for session_id in ("a", "b"):
        assert [await say(client, session_id) for _ in range(PER_SESSION)] == [200] * PER_SESSION
    assert await say(client, "c") == 429  # the address's 7th message
    assert len(await customer_texts(limited)) == PER_ADDRESS
    leave = await client.post("/api/chat/leave", json={"session_id": "a"})
    assert leave.status == 429
    assert await say(client, "d", **OTHER) == 200


async def test_a_socket_beyond_the_per_address_cap_is_refused(
    aiohttp_client: MakeClient, limited: Settings
) -> None:
    client = await aiohttp_client(create_app(limited))
    origin = str(client.make_url("")).rstrip("/")
    sockets = [await client.ws_connect(f"/api/chat/s{i}/ws", origin=origin) for i in range(SOCKETS)]
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/api/chat/one-more/ws", origin=origin)
    assert refused.value.status == 429
    other = await client.ws_connect("/api/chat/other/ws", origin=origin, headers=OTHER)
    await other.close()
    await sockets[0].close()
    # The closed socket's place is free again (the server notices the close).
    again = await until_admitted(client, origin)
    for ws in [again, *sockets[1:]]:
        await ws.close()


async def until_admitted(client: Client, origin: str) -> aiohttp.ClientWebSocketResponse:
    admitted: list[aiohttp.ClientWebSocketResponse] = []

    async def attempt() -> bool:
        try:
            admitted.append(await client.ws_connect("/api/chat/later/ws", origin=origin))
        except aiohttp.WSServerHandshakeError:
            return False
        return True

    await helpers.until(attempt, what="the closed socket's place to be free")
    return admitted[0]


async def test_rate_limits_off_serves_everything(
    aiohttp_client: MakeClient, limited: Settings, fake_rasa: tuple[FakeRasa, str]
) -> None:
    settings = replace(limited, rate_limits=False)
    client = await aiohttp_client(create_app(settings))
    many = PER_ADDRESS + SESSIONS + 4
    assert [await say(client, f"load-{i % (SESSIONS + 3)}") for i in range(many)] == [200] * many
    assert len(fake_rasa[0].received) == many
    origin = str(client.make_url("")).rstrip("/")
    sockets = [
        await client.ws_connect(f"/api/chat/s{i}/ws", origin=origin) for i in range(SOCKETS + 3)
    ]
    for ws in sockets:
        await ws.close()


@pytest.mark.postgres
async def test_two_gateways_on_one_postgres_share_the_counts(
    aiohttp_client: MakeClient, postgres_url: str, fake_rasa: tuple[FakeRasa, str]
) -> None:
    settings = limits_for_tests(postgres_url, fake_rasa[1])
    first = await aiohttp_client(create_app(settings))
    second = await aiohttp_client(create_app(settings))
    statuses = [await say((first, second)[i % 2], "roaming") for i in range(PER_SESSION + 2)]
    assert statuses == [200] * PER_SESSION + [429] * 2
    assert len(fake_rasa[0].received) == PER_SESSION
