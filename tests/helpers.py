"""What many tests share: the store's rows, waiting for the gateway to finish, PostgreSQL for
tests, and a customer and an agent talking to the gateway over HTTP.

Fixtures live in the conftest.py files; test doubles of other services in tests/fakes/.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from bot.gateway.keys import SETTINGS
from bot.settings import Settings
from bot.store.db import SessionFactory, create_engine, create_session_factory
from bot.store.models import (
    Channel,
    ChannelIdentity,
    Conversation,
    DeliveryStatus,
    InboundEvent,
    Message,
    OutboxMessage,
)
from connectors.telegram import TELEGRAM
from connectors.x import X

Client = TestClient[Any, Any]
StartGateway = Callable[..., Awaitable[Client]]  # start a gateway, with some settings changed

# --- PostgreSQL: each test makes its own database from a migrated template (conftest.py).

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def services_required() -> bool:
    """In CI a missing service is a failure, not a skip."""
    flag = os.environ.get("REQUIRE_SERVICES", os.environ.get("CI", ""))
    return flag.lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    if services_required():
        pytest.fail(f"{reason} (REQUIRE_SERVICES/CI is set, so this is a failure)")
    pytest.skip(reason)


def asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def pg_execute(sql: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


# --- The store, read (or changed) from outside the gateway, as another process would.


async def run_in_store(settings: Settings, work: Callable[[Any], Awaitable[Any]]) -> Any:
    """`work(session)` in one transaction on the settings' database; what it returns."""
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            return await work(session)
    finally:
        await engine.dispose()


async def query(settings: Settings, statement: Any) -> list[Any]:
    async def read(session: Any) -> list[Any]:
        return list((await session.execute(statement)).scalars())

    return list(await run_in_store(settings, read))


async def count(settings: Settings, model: Any) -> int:
    (n,) = await query(settings, select(func.count()).select_from(model))
    return int(n)


async def messages(settings: Settings, conversation_id: int | None = None) -> list[Message]:
    """Every message in order, or those of one conversation."""
    statement = select(Message).order_by(Message.id)
    if conversation_id is not None:
        statement = statement.where(Message.conversation_id == conversation_id)
    return await query(settings, statement)


async def events(settings: Settings) -> list[InboundEvent]:
    return await query(settings, select(InboundEvent).order_by(InboundEvent.id))


async def outbox(settings: Settings) -> list[OutboxMessage]:
    return await query(settings, select(OutboxMessage).order_by(OutboxMessage.id))


async def conversations(settings: Settings) -> list[Conversation]:
    return await query(settings, select(Conversation).order_by(Conversation.id))


async def conversation(settings: Settings, conversation_id: int) -> Conversation:
    (found,) = await query(settings, select(Conversation).where(Conversation.id == conversation_id))
    assert isinstance(found, Conversation)
    return found


async def conversation_of(
    settings: Settings, external_id: str, channel: Channel | None = None
) -> Conversation:
    """The one conversation of the customer known as `external_id` (on `channel`)."""
    statement = (
        select(Conversation)
        .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
        .where(ChannelIdentity.external_id == external_id)
    )
    if channel is not None:
        statement = statement.where(ChannelIdentity.channel == channel)
    (found,) = await query(settings, statement)
    assert isinstance(found, Conversation)
    return found


# --- Waiting on a condition with a bounded timeout, instead of sleeping a fixed time.


async def until(
    condition: Callable[[], bool | Awaitable[bool]], timeout: float = 5.0, what: str = ""
) -> None:
    """Return as soon as `condition` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        await asyncio.sleep(0.01)


async def settled(client: Client, timeout: float = 10.0) -> None:
    """Wait until every stored event is processed and every queued reply is final."""
    app = client.app
    assert app is not None
    for key in (TELEGRAM, X):
        if key in app:
            await app[key].events.idle(timeout)
    settings = app[SETTINGS]

    async def outbox_final() -> bool:
        rows = await outbox(settings)
        return all(r.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED) for r in rows)

    await until(outbox_final, timeout, "every outbox row sent or failed")


# --- A web chat customer and an agent in the inbox, over HTTP.

PASSWORD = "correct horse battery staple"


async def customer_says(client: Client, session_id: str, text: str) -> list[dict[str, Any]]:
    response = await client.post("/api/chat", json={"session_id": session_id, "text": text})
    assert response.status == 200
    replies: list[dict[str, Any]] = (await response.json())["replies"]
    return replies


async def waiting_conversation(client: Client, settings: Settings, session_id: str) -> int:
    """A web chat customer who asked for a person (the inbox's scripted Rasa hands off)."""
    await customer_says(client, session_id, "I would like a person please")
    return (await conversation_of(settings, session_id)).id


async def login(client: Client, email: str, password: str) -> Any:
    page = await client.get("/inbox/login")
    token = re.search(r'name="login_token" value="([^"]+)"', await page.text())
    assert token, "the sign-in form carries its token"
    return await client.post(
        "/inbox/login",
        data={"email": email, "password": password, "login_token": token.group(1)},
        allow_redirects=False,
    )


async def csrf_of(client: Client) -> str:
    page = await client.get("/inbox/")
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', await page.text())
    assert match, "a signed-in page carries the CSRF token"
    return match.group(1)


@dataclass
class Agent:
    """A signed-in agent's browser."""

    id: int
    email: str
    client: Client
    csrf: str = ""

    async def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        form = {"csrf_token": self.csrf, **(data or {})}
        return await self.client.post(path, data=form, allow_redirects=False, **kwargs)

    async def post_json(self, path: str, data: dict[str, Any] | None = None) -> Any:
        """As the page's fetch does: the token in the X-CSRF-Token header."""
        return await self.client.post(
            path,
            data=data or {},
            headers={"X-CSRF-Token": self.csrf, "Accept": "application/json"},
            allow_redirects=False,
        )


NewClient = Callable[[], Awaitable[Client]]  # another browser on the same gateway
MakeAgent = Callable[..., Awaitable[Agent]]  # an agent created and signed in


@contextmanager
def statements(sessions: SessionFactory) -> Iterator[list[str]]:
    """The SQL statements (without their parameters) run through `sessions` meanwhile: to
    check that two code paths do the same work, without timing them."""
    engine = sessions.kw["bind"].sync_engine
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
