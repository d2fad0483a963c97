"""Routing turns across several Rasa servers, and failing over only when nothing was sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.gateway.rasa_client import WEBHOOK_PATH, AssistantUnavailable, RasaClient
from tests.fakes.rasa import FakeRasa

ServerFactory = Callable[..., Awaitable[TestServer]]


async def fake_server(aiohttp_server: ServerFactory) -> tuple[FakeRasa, str]:
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, fake.handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    return fake, str(server.make_url("")).rstrip("/")


async def test_a_conversation_always_goes_to_the_same_server(
    aiohttp_server: ServerFactory,
) -> None:
    (a, url_a), (b, url_b) = await fake_server(aiohttp_server), await fake_server(aiohttp_server)
    async with aiohttp.ClientSession() as http:
        client = RasaClient(http, [url_a, url_b], "test-rasa-token", 5)
        senders = [f"conversation-{n}" for n in range(20)]
        for _ in range(2):
            for sender in senders:
                await client.send(sender, "hello", {})
    served_by_a = {body["sender"] for body in a.received}
    served_by_b = {body["sender"] for body in b.received}
    assert served_by_a and served_by_b, "the load is spread"
    assert not served_by_a & served_by_b, "no conversation is served by both"
    assert len(a.received) + len(b.received) == 40


async def test_a_refused_connection_fails_over_to_the_next_server(
    aiohttp_server: ServerFactory, unused_tcp_port: int
) -> None:
    fake, url = await fake_server(aiohttp_server)
    stopped = f"http://127.0.0.1:{unused_tcp_port}"
    async with aiohttp.ClientSession() as http:
        client = RasaClient(http, [stopped, url], "test-rasa-token", 5)
        for n in range(10):
            turn = await client.send(f"conversation-{n}", "hello", {})
            assert turn.replies[0].text == "You said: hello"
    assert len(fake.received) == 10


async def test_an_error_answer_is_not_retried_elsewhere(aiohttp_server: ServerFactory) -> None:
    (a, url_a), (b, url_b) = await fake_server(aiohttp_server), await fake_server(aiohttp_server)
    a.fail(500)
    b.fail(500)
    async with aiohttp.ClientSession() as http:
        client = RasaClient(http, [url_a, url_b], "test-rasa-token", 5)
        with pytest.raises(AssistantUnavailable):
            await client.send("conversation-1", "hello", {})
    assert len(a.received) + len(b.received) == 1, "the turn may have been processed: no retry"
