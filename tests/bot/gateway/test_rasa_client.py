"""Routing turns across Rasa servers: to the next when one is down, never after a timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.gateway.rasa_client import WEBHOOK_PATH, AssistantUnavailable, RasaClient
from tests.fakes.rasa import FakeRasa, StartingRasa

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


async def test_a_server_stopped_between_turns_hands_its_conversations_to_the_other(
    aiohttp_server: ServerFactory,
) -> None:
    fake_a = FakeRasa()
    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, fake_a.handle)
    server_a = await aiohttp_server(app, host="127.0.0.1")
    url_a = str(server_a.make_url("")).rstrip("/")
    fake_b, url_b = await fake_server(aiohttp_server)
    senders = [f"conversation-{n}" for n in range(20)]
    async with aiohttp.ClientSession() as http:
        client = RasaClient(http, [url_a, url_b], "test-rasa-token", 5)
        for sender in senders:  # the pool now holds kept-alive connections to both
            await client.send(sender, "first", {})
        await server_a.close()  # stopped: its kept-alive connections close, its port refuses
        for sender in senders:
            turn = await client.send(sender, "second", {})
            assert turn.replies[0].text == "You said: second"
    seconds_on_b = [body["sender"] for body in fake_b.received if body["message"] == "second"]
    assert sorted(seconds_on_b) == sorted(senders), "every conversation answered, by B"
    assert not [body for body in fake_a.received if body["message"] == "second"]


async def test_a_server_that_dies_mid_turn_hands_the_turn_to_the_other(
    aiohttp_server: ServerFactory,
) -> None:
    dying_received: list[str] = []

    async def die_mid_turn(request: web.Request) -> web.Response:
        dying_received.append((await request.json())["sender"])
        assert request.transport is not None
        request.transport.abort()  # the process is gone: the connection drops unanswered
        return web.Response()

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, die_mid_turn)
    dying = await aiohttp_server(app, host="127.0.0.1")
    healthy, url_healthy = await fake_server(aiohttp_server)
    async with aiohttp.ClientSession() as http:
        client = RasaClient(
            http, [str(dying.make_url("")).rstrip("/"), url_healthy], "test-rasa-token", 5
        )
        for n in range(6):
            turn = await client.send(f"conversation-{n}", "hello", {})
            assert turn.replies[0].text == "You said: hello"
    assert dying_received, "some conversations were routed to the dying server first"
    assert len(healthy.received) == 6, "and every turn was answered by the other"


async def test_a_timeout_is_not_retried_elsewhere(aiohttp_server: ServerFactory) -> None:
    (slow, url_slow), (other, url_other) = (
        await fake_server(aiohttp_server),
        await fake_server(aiohttp_server),
    )
    slow.hang(5)
    async with aiohttp.ClientSession() as http:
        client = RasaClient(http, [url_slow, url_other], "test-rasa-token", 0.5)
        sender = next(
            s
            for s in (f"conversation-{n}" for n in range(50))
            if client.route(s)[0].startswith(url_slow)
        )
        with pytest.raises(AssistantUnavailable):
            await client.send(sender, "hello", {})
    assert len(slow.received) == 1
    assert other.received == [], "the slow server may still finish the turn: no second copy"


async def test_when_every_server_is_down_the_assistant_is_unavailable(
    unused_tcp_port_factory: Callable[[], int],
) -> None:
    urls = [f"http://127.0.0.1:{unused_tcp_port_factory()}" for _ in range(2)]
    async with aiohttp.ClientSession() as http:
        client = RasaClient(http, urls, "test-rasa-token", 5)
        with pytest.raises(AssistantUnavailable, match="every Rasa server is down"):
            await client.send("conversation-1", "hello", {})


async def test_at_most_max_in_flight_turns_are_inside_a_server_the_others_wait_their_turn(
    aiohttp_server: ServerFactory,
) -> None:
    inside = 0
    most_inside = 0
    order: list[str] = []

    async def slow_rasa(request: web.Request) -> web.Response:
        nonlocal inside, most_inside
        body = await request.json()
        inside += 1
        most_inside = max(most_inside, inside)
        order.append(body["sender"])
        await asyncio.sleep(0.05)
        inside -= 1
        return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, slow_rasa)
    server = await aiohttp_server(app, host="127.0.0.1")
    async with aiohttp.ClientSession() as http:
        client = RasaClient(
            http, [str(server.make_url("")).rstrip("/")], "test-rasa-token", 5, max_in_flight=3
        )
        turns = await asyncio.gather(
            *(client.send(f"conversation-{n}", "hello", {}) for n in range(12))
        )

    assert all(turn.replies[0].text == "ok" for turn in turns)
    assert most_inside == 3  # never more, and the limit is used
    assert sorted(order) == sorted(f"conversation-{n}" for n in range(12))


def test_max_in_flight_must_let_at_least_one_turn_in() -> None:
    with pytest.raises(ValueError, match="max_in_flight"):
        RasaClient(None, ["http://127.0.0.1:5005"], "t", 5, max_in_flight=0)  # type: ignore[arg-type]


# Start-up (issue 17): Rasa listens only once its model is loaded, 25-40 s after it starts.


async def test_a_turn_sent_while_rasa_starts_is_answered_once_it_is_ready(
    starting_rasa: StartingRasa,
) -> None:
    async with aiohttp.ClientSession() as http:
        client = RasaClient(
            http, [starting_rasa.url], "test-rasa-token", 5,
            startup_grace_seconds=600, startup_wait_seconds=60,
        )  # fmt: skip
        turn = asyncio.create_task(client.send("conversation-1", "hello", {}))
        await asyncio.sleep(1)  # the turn has found nothing listening, and waits
        assert not turn.done(), "held, not failed, while Rasa starts"
        await starting_rasa.come_up()
        assert (await turn).replies[0].text == "You said: hello"
    assert [body["message"] for body in starting_rasa.fake.received] == ["hello"]


async def test_a_rasa_that_never_comes_up_still_fails_after_the_bound(
    starting_rasa: StartingRasa,
) -> None:
    async with aiohttp.ClientSession() as http:
        client = RasaClient(
            http, [starting_rasa.url], "test-rasa-token", 5,
            startup_grace_seconds=600, startup_wait_seconds=0.5,
        )  # fmt: skip
        with pytest.raises(AssistantUnavailable, match="finished starting"):
            await client.send("conversation-1", "hello", {})


async def test_a_rasa_that_was_up_and_now_refuses_is_down_not_starting(
    starting_rasa: StartingRasa,
) -> None:
    await starting_rasa.come_up()
    async with aiohttp.ClientSession() as http:
        client = RasaClient(
            http, [starting_rasa.url], "test-rasa-token", 5,
            startup_grace_seconds=600, startup_wait_seconds=600,
        )  # fmt: skip
        await client.send("conversation-1", "hello", {})
        await starting_rasa.stop()
        assert not client.starting(client.route("conversation-1")[0])
        with pytest.raises(AssistantUnavailable, match="every Rasa server is down"):
            await client.send("conversation-1", "still there?", {})


async def test_after_the_grace_a_refusing_rasa_is_down(starting_rasa: StartingRasa) -> None:
    async with aiohttp.ClientSession() as http:
        client = RasaClient(
            http, [starting_rasa.url], "test-rasa-token", 5,
            startup_grace_seconds=0, startup_wait_seconds=600,
        )  # fmt: skip
        with pytest.raises(AssistantUnavailable, match="every Rasa server is down"):
            await client.send("conversation-1", "hello", {})


async def test_while_one_server_starts_its_turns_go_to_the_one_that_is_up(
    aiohttp_server: ServerFactory, starting_rasa: StartingRasa
) -> None:
    up, url_up = await fake_server(aiohttp_server)
    async with aiohttp.ClientSession() as http:
        client = RasaClient(
            http, [starting_rasa.url, url_up], "test-rasa-token", 5,
            startup_grace_seconds=600, startup_wait_seconds=600,
        )  # fmt: skip
        for n in range(6):
            turn = await client.send(f"conversation-{n}", "hello", {})
            assert turn.replies[0].text == "You said: hello"
    assert len(up.received) == 6
