"""Telegram's webhook: registered with its secret, store-first (one reply per update,
however often or concurrently Telegram posts it, and none lost or repeated across a restart),
and closed to forged, unsigned or malformed posts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web

from bot.settings import Settings
from bot.store.db import create_engine, create_session_factory
from bot.store.models import (
    Author,
    Channel,
    DeliveryStatus,
    InboundEvent,
    InboundEventStatus,
    Message,
)
from connectors.telegram import WEBHOOK_PATH
from connectors.telegram.updates import ALLOWED_UPDATES
from tests import helpers
from tests.fakes.rasa import FakeRasa
from tests.fakes.telegram_api import (
    CHAT,
    SECRET,
    FakeTelegram,
    next_update_id,
    post_update,
    text_update,
)
from tests.helpers import StartGateway


async def test_start_up_registers_the_webhook_with_its_secret(
    start: StartGateway, fake_telegram: FakeTelegram
) -> None:
    await start()
    assert fake_telegram.webhook == {
        "url": "https://concierge.example.com/webhooks/telegram",
        "secret_token": SECRET,
        "allowed_updates": ALLOWED_UPDATES,
    }


async def test_one_reply_per_message_even_when_telegram_posts_it_again_or_concurrently(
    start: StartGateway,
    fake_telegram: FakeTelegram,
    fake_rasa: tuple[FakeRasa, str],
    telegram_settings: Settings,
) -> None:
    client = await start()
    update = text_update("hello")
    statuses = await asyncio.gather(*(post_update(client, update) for _ in range(4)))
    assert statuses == [200] * 4
    assert await post_update(client, update) == 200
    await helpers.settled(client)

    assert [m["text"] for m in fake_telegram.sent] == ["You said: hello"]
    assert fake_telegram.sent[0]["chat_id"] == str(CHAT)
    assert len(fake_rasa[0].received) == 1
    assert fake_rasa[0].received[0]["metadata"]["channel"] == "telegram"
    (event,) = await helpers.events(telegram_settings)
    assert (event.event_id, event.status) == (
        str(update["update_id"]),
        InboundEventStatus.PROCESSED,
    )
    stored = await helpers.messages(telegram_settings)
    assert [(m.author, m.text) for m in stored] == [
        (Author.CUSTOMER, "hello"),
        (Author.BOT, "You said: hello"),
    ]
    (row,) = await helpers.outbox(telegram_settings)
    assert (row.status, row.attempts, row.recipient) == (DeliveryStatus.SENT, 1, str(CHAT))


@pytest.mark.parametrize(
    ("secret", "body", "status"),
    [
        (None, text_update("hi"), 403),
        ("wrong-secret", text_update("hi"), 403),
        (SECRET[:-1], text_update("hi"), 403),
        (SECRET, "not json", 400),
        (SECRET, [1, 2], 400),
        (SECRET, {"message": {"text": "no update id"}}, 400),
        (SECRET, {"update_id": "12"}, 400),
        (SECRET, {"update_id": 12, "message": {"text": "no chat, no date"}}, 400),
    ],
)
async def test_forged_unsigned_or_malformed_posts_are_refused_and_leave_no_trace(
    start: StartGateway,
    fake_telegram: FakeTelegram,
    fake_rasa: tuple[FakeRasa, str],
    telegram_settings: Settings,
    secret: str | None,
    body: Any,
    status: int,
) -> None:
    client = await start()
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    data = body if isinstance(body, str) else None
    response = await client.post(
        WEBHOOK_PATH, data=data, json=None if data else body, headers=headers
    )
    assert response.status == status
    assert await helpers.count(telegram_settings, InboundEvent) == 0
    assert await helpers.count(telegram_settings, Message) == 0
    assert fake_rasa[0].received == [] and fake_telegram.sent == []


async def test_a_restart_neither_replies_again_nor_loses_a_stored_update(
    start: StartGateway,
    fake_telegram: FakeTelegram,
    fake_rasa: tuple[FakeRasa, str],
    telegram_settings: Settings,
) -> None:
    first = await start()
    answered = text_update("hello")
    await post_update(first, answered)
    await helpers.settled(first)
    await first.close()

    # Acknowledged, stored, and then the gateway died before processing it.
    unprocessed = text_update("are you there?")
    engine = create_engine(telegram_settings.database_url)
    async with create_session_factory(engine).begin() as session:
        session.add(
            InboundEvent(
                channel=Channel.TELEGRAM,
                event_id=str(unprocessed["update_id"]),
                payload=unprocessed,
            )
        )
    await engine.dispose()

    second = await start()
    await post_update(second, answered)  # Telegram resends an update we had answered
    await helpers.settled(second)
    assert [m["text"] for m in fake_telegram.sent] == [
        "You said: hello",
        "You said: are you there?",
    ]
    assert [body["message"] for body in fake_rasa[0].received] == ["hello", "are you there?"]


async def test_a_burst_of_one_chat_reaches_the_assistant_in_update_id_order(
    start: StartGateway,
    fake_telegram: FakeTelegram,
    fake_rasa: tuple[FakeRasa, str],
    telegram_settings: Settings,
) -> None:
    """Issue 17 item 16: concurrent posts finish storing in any order; the chat's turns still
    follow Telegram's update_id, as the docs promise."""
    fake, _ = fake_rasa
    release = asyncio.Event()

    async def held_first(body: dict[str, Any]) -> web.Response:
        if body["message"] == "first":
            await release.wait()  # the rest of the burst arrives meanwhile
        return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

    fake.script = held_first
    client = await start()
    first = next_update_id() + 100
    assert await post_update(client, text_update("first", update_id=first)) == 200
    await helpers.until(lambda: len(fake.received) == 1, what="the first turn at the assistant")

    offsets = [4, 2, 5, 1, 3, 7, 6]  # posted all at once, out of order
    burst = [text_update(f"message {n}", update_id=first + n) for n in offsets]
    assert await asyncio.gather(*(post_update(client, u) for u in burst)) == [200] * len(burst)
    release.set()
    await helpers.settled(client)

    assert [body["message"] for body in fake.received] == [
        "first",
        *(f"message {n}" for n in sorted(offsets)),
    ]
