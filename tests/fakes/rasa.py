"""A stand-in Rasa server on 127.0.0.1 for the gateway's own behaviour (failures, timeouts).

The real Rasa and action servers are exercised end to end in tests/system/test_end_to_end.py; here
the gateway is tested against scripted answers, over real HTTP, so that a Rasa crash, a slow
turn or a handoff marker can be produced on demand.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.gateway.rasa_client import STATUS_PATH, WEBHOOK_PATH
from bot.settings import Settings

Script = Callable[[dict[str, Any]], Awaitable[web.Response]]
HANDOFF_TEXT = "A member of our concierge will join this conversation shortly."


@dataclass
class FakeRasa:
    received: list[dict[str, Any]] = field(default_factory=list)
    script: Script | None = None

    async def handle(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bearer test-rasa-token":
            return web.json_response({"error": "unauthorised"}, status=401)
        body = await request.json()
        self.received.append(body)
        if self.script is not None:
            return await self.script(body)
        return web.json_response(
            [{"recipient_id": body["sender"], "text": f"You said: {body['message']}"}]
        )

    def answer(self, messages: list[dict[str, Any]]) -> None:
        async def script(_: dict[str, Any]) -> web.Response:
            return web.json_response(messages)

        self.script = script

    def hand_off_when_asked(self) -> None:
        """Hand off when the customer asks for a person; echo anything else."""

        async def script(body: dict[str, Any]) -> web.Response:
            text = body["message"]
            if "person" in text:
                return web.json_response(
                    [
                        {"recipient_id": body["sender"], "text": HANDOFF_TEXT},
                        {
                            "recipient_id": body["sender"],
                            "custom": {"handoff": {"reason": "customer_request"}},
                        },
                    ]
                )
            return web.json_response(
                [{"recipient_id": body["sender"], "text": f"You said: {text}"}]
            )

        self.script = script

    def fail(self, status: int = 500) -> None:
        async def script(_: dict[str, Any]) -> web.Response:
            return web.json_response({"error": "boom"}, status=status)

        self.script = script

    def hang(self, seconds: float) -> None:
        async def script(_: dict[str, Any]) -> web.Response:
            await asyncio.sleep(seconds)
            return web.json_response([])

        self.script = script


def rasa_app(fake: FakeRasa) -> web.Application:
    """Rasa's webhook and its /status, which answers only with the API token, as Rasa's does."""

    async def status(request: web.Request) -> web.Response:
        if request.query.get("token") != "test-rasa-token":
            return web.json_response({"error": "unauthorised"}, status=401)
        return web.json_response({"model_file": "fake.tar.gz", "model_id": "fake"})

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, fake.handle)
    app.router.add_get(STATUS_PATH, status)
    return app


class StartingRasa:
    """A Rasa server still loading its model: like Rasa 3.6, it does not listen on its port
    until the model is loaded, which here happens when the test says so."""

    def __init__(self, port: int) -> None:
        self.fake = FakeRasa()
        self.url = f"http://127.0.0.1:{port}"
        self._port = port
        self._runner: web.AppRunner | None = None

    async def come_up(self) -> None:
        self._runner = web.AppRunner(rasa_app(self.fake))
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


@pytest.fixture
async def starting_rasa(unused_tcp_port: int) -> AsyncIterator[StartingRasa]:
    rasa = StartingRasa(unused_tcp_port)
    yield rasa
    await rasa.stop()


@pytest.fixture
async def fake_rasa(aiohttp_server: Callable[..., Awaitable[TestServer]]) -> tuple[FakeRasa, str]:
    fake = FakeRasa()
    app = rasa_app(fake)
    server = await aiohttp_server(app, host="127.0.0.1")
    return fake, str(server.make_url("")).rstrip("/")


@pytest.fixture
def gateway_settings(settings: Settings, fake_rasa: tuple[FakeRasa, str]) -> Settings:
    from dataclasses import replace

    return replace(settings, rasa_url=fake_rasa[1], rasa_timeout_seconds=1.0)


@pytest.fixture
async def gateway(
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]], gateway_settings: Settings
) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(gateway_settings))
