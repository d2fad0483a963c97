"""Liveness, readiness and a store outage, against a real gateway (issue 17, item 13).

The outage is real: the gateway reaches PostgreSQL through a TCP relay the test cuts, as a
database host that goes away would. /healthz stays up (the process is alive), /readyz says
503 and names the store, and a customer of the web chat gets the concierge's phone and
e-mail, as when Rasa is down, instead of a bare 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import make_url

from bot.app import create_app
from bot.settings import PROJECT_ROOT, Settings
from bot.store.models import Author, ConversationHolder
from tests import helpers
from tests.assistant import free_port
from tests.fakes.rasa import StartingRasa

Client = TestClient[Any, Any]


class Relay:
    """A TCP relay to PostgreSQL that the test can cut: open connections are dropped and new
    ones refused, as when the database host goes away."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.server: asyncio.Server | None = None
        self.port = 0
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def relay(postgres_url: str) -> AsyncIterator[tuple[Relay, str]]:
    url = make_url(postgres_url)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    await relay.start()
    through = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    yield relay, through
    with contextlib.suppress(Exception):
        await relay.cut()


async def fake_action_server(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> str:
    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/health", health)
    server = await aiohttp_server(app, host="127.0.0.1")
    return str(server.make_url("/webhook"))


@pytest.fixture
async def ready_settings(
    gateway_settings: Settings, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> Settings:
    return replace(gateway_settings, action_server_url=await fake_action_server(aiohttp_server))


async def test_everything_up_is_ready(aiohttp_client: Any, ready_settings: Settings) -> None:
    client: Client = await aiohttp_client(create_app(ready_settings))
    response = await client.get("/readyz")
    assert response.status == 200
    assert await response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "rasa": "ok", "action_server": "ok"},
        "down": [],
    }


@pytest.mark.parametrize("part", ["rasa", "action_server"])
async def test_a_part_down_is_named_by_readiness_not_liveness(
    aiohttp_client: Any, ready_settings: Settings, part: str
) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    changes = {"rasa": {"rasa_url": nobody}, "action_server": {"action_server_url": nobody}}
    client: Client = await aiohttp_client(create_app(replace(ready_settings, **changes[part])))
    response = await client.get("/readyz")
    assert response.status == 503
    body = await response.json()
    assert body["down"] == [part]
    assert body["checks"][part].startswith("down")
    assert (await client.get("/healthz")).status == 200


@pytest.mark.postgres
async def test_a_store_outage_is_told_truthfully_and_the_customer_gets_the_concierge(
    aiohttp_client: Any, ready_settings: Settings, relay: tuple[Relay, str]
) -> None:
    cut, through = relay
    settings = replace(ready_settings, database_url=through)
    client: Client = await aiohttp_client(create_app(settings))
    ok = await client.post("/api/chat", json={"session_id": "s-outage", "text": "hello"})
    assert ok.status == 200

    await cut.cut()

    answer = await client.post("/api/chat", json={"session_id": "s-outage", "text": "hello?"})
    assert answer.status == 503
    body = await answer.json()
    [reply] = body["replies"]
    assert settings.concierge_phone in reply["text"]
    assert settings.concierge_email in reply["text"]
    assert "Traceback" not in await answer.text()

    ready = await client.get("/readyz")
    assert ready.status == 503
    assert (await ready.json())["down"] == ["database"]
    assert (await client.get("/healthz")).status == 200


def serve(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if k != "ENV_FILE"},
        "DATABASE_URL": database_url,
        "RASA_AUTH_TOKEN": "t",
        "SECRET_KEY": "s",
        "GATEWAY_PORT": str(free_port()),
        "TELEGRAM_MODE": "off",
        "X_MODE": "off",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_sqlite_path_in_a_missing_folder_stops_the_gateway_and_creates_nothing(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "no-such-folder"
    done = serve(f"sqlite+aiosqlite:///{folder / 'concierge.db'}")
    assert done.returncode == 2, done.stderr
    assert f"there is no database at {folder / 'concierge.db'}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not folder.exists()


def test_an_unreachable_postgresql_stops_the_gateway_with_a_clear_message() -> None:
    done = serve(f"postgresql+asyncpg://concierge:hunter2@127.0.0.1:{free_port()}/concierge")
    assert done.returncode == 2, done.stderr
    assert "DATABASE_URL=postgresql+asyncpg://concierge:***@127.0.0.1" in done.stderr
    assert "cannot use it" in done.stderr
    assert "hunter2" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


# Start-up (issue 17): the gateway is up before Rasa has loaded its model (25-40 s), on every
# `make run` and every deploy. Customers who write meanwhile are answered by the bot once Rasa
# is ready, not queued for the concierge; /readyz keeps a load balancer away until then.


def starting(settings: Settings, rasa: StartingRasa, wait_seconds: float) -> Settings:
    return replace(
        settings,
        rasa_url=rasa.url,
        rasa_startup_grace_seconds=600,
        rasa_startup_wait_seconds=wait_seconds,
    )


async def test_a_customer_who_writes_while_rasa_starts_is_answered_by_the_bot(
    aiohttp_client: Any, ready_settings: Settings, starting_rasa: StartingRasa
) -> None:
    settings = starting(ready_settings, starting_rasa, wait_seconds=60)
    client: Client = await aiohttp_client(create_app(settings))
    not_yet = await client.get("/readyz")
    assert not_yet.status == 503
    assert (await not_yet.json())["down"] == ["rasa"]

    chat = asyncio.create_task(
        client.post("/api/chat", json={"session_id": "s-early", "text": "hello"})
    )
    await asyncio.sleep(1)  # the turn found nothing listening and is held
    assert not chat.done()
    await starting_rasa.come_up()

    answer = await chat
    assert answer.status == 200
    assert [r["text"] for r in (await answer.json())["replies"]] == ["You said: hello"]
    (conversation,) = await helpers.conversations(settings)
    assert conversation.holder is ConversationHolder.BOT, "not queued for the concierge"
    assert conversation.handoff_reason is None
    assert (await client.get("/readyz")).status == 200


async def test_a_rasa_that_never_comes_up_still_hands_off_after_the_bound(
    aiohttp_client: Any, ready_settings: Settings, starting_rasa: StartingRasa
) -> None:
    settings = starting(ready_settings, starting_rasa, wait_seconds=0.5)
    client: Client = await aiohttp_client(create_app(settings))
    answer = await client.post("/api/chat", json={"session_id": "s-never", "text": "hello"})
    assert answer.status == 200
    (reply,) = (await answer.json())["replies"]
    assert settings.concierge_phone in reply["text"]
    messages = await helpers.messages(settings)
    assert [m.author for m in messages] == [Author.CUSTOMER, Author.BOT]
    (conversation,) = await helpers.conversations(settings)
    assert conversation.holder is ConversationHolder.WAITING
    assert conversation.handoff_reason == "assistant_unavailable"
    assert (await client.get("/readyz")).status == 503


async def test_a_rasa_up_without_its_model_is_not_ready(
    aiohttp_client: Any,
    ready_settings: Settings,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    """Rasa that could not load its model still answers GET /; /status says 409."""

    async def no_model(_: web.Request) -> web.Response:
        return web.json_response({"error": "no model loaded"}, status=409)

    async def hello(_: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/status", no_model)
    server = await aiohttp_server(app, host="127.0.0.1")
    settings = replace(ready_settings, rasa_url=str(server.make_url("")).rstrip("/"))
    client: Client = await aiohttp_client(create_app(settings))
    response = await client.get("/readyz")
    assert response.status == 503
    assert (await response.json())["down"] == ["rasa"]
