"""A stand-in Rasa server on 127.0.0.1 for the gateway's own behaviour (failures, timeouts).

The real Rasa and action servers are exercised end to end in tests/system/test_end_to_end.py; here
the gateway is tested against scripted answers, over real HTTP, so that a Rasa crash, a slow
turn or a handoff marker can be produced on demand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.gateway.rasa_client import WEBHOOK_PATH
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


@pytest.fixture
async def fake_rasa(aiohttp_server: Callable[..., Awaitable[TestServer]]) -> tuple[FakeRasa, str]:
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, fake.handle)
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
