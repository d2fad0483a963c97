"""Telegram end to end: python-telegram-bot for real against a fake Bot API, the gateway's
webhook, the scripted fake Rasa, and the store on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.settings import Settings
from bot.store.db import create_engine, create_session_factory
from bot.store.models import (
    Author,
    Channel,
    ConversationHolder,
    DeliveryStatus,
    InboundEvent,
    InboundEventStatus,
    Message,
)
from connectors.telegram import WEBHOOK_PATH
from connectors.telegram.connector import GROUP_ANSWER
from connectors.telegram.updates import ALLOWED_UPDATES, EDITED_ANSWER
from tests import helpers
from tests.fakes.rasa import FakeRasa
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.helpers import until

SECRET = "test-webhook-secret_1"
CHAT = 5551234
Client = TestClient[Any, Any]
_update_ids = itertools.count(100)


@pytest.fixture
def telegram_settings(
    gateway_settings: Settings, database_url: str, fake_telegram: FakeTelegram
) -> Settings:
    return replace(
        gateway_settings,
        database_url=database_url,
        public_base_url="https://concierge.example.com",
        telegram_mode="webhook",
        telegram_bot_token=TOKEN,
        telegram_webhook_secret=SECRET,
        telegram_api_base_url=fake_telegram.base_url,
        outbox_retry_base_seconds=0.05,
        outbox_sweep_seconds=0.2,
    )


StartGateway = Callable[..., Awaitable[Client]]


@pytest.fixture
def start(aiohttp_client: Any, telegram_settings: Settings) -> StartGateway:
    """Start a gateway; call again after closing the first for a restart on the same store."""

    async def start_gateway(**changes: Any) -> Client:
        client: Client = await aiohttp_client(create_app(replace(telegram_settings, **changes)))
        return client

    return start_gateway


def text_update(text: str, chat_id: int = CHAT, update_id: int | None = None) -> dict[str, Any]:
    update_id = update_id if update_id is not None else next(_update_ids)
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id + 10_000,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Ada"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ada", "last_name": "L"},
            "text": text,
        },
    }


async def post(client: Client, update: Any, secret: str | None = SECRET) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    response = await client.post(WEBHOOK_PATH, json=update, headers=headers)
    return response.status


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
    statuses = await asyncio.gather(*(post(client, update) for _ in range(4)))
    assert statuses == [200] * 4
    assert await post(client, update) == 200
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


async def test_buttons_are_an_inline_keyboard_and_a_press_sends_the_payload(
    start: StartGateway,
    fake_telegram: FakeTelegram,
    fake_rasa: tuple[FakeRasa, str],
    telegram_settings: Settings,
) -> None:
    long_payload = "I would like to know everything about the care of my gold watch, please"
    assert len(long_payload.encode()) > 64
    fake_rasa[0].answer(
        [
            {
                "text": "How may I help?",
                "buttons": [
                    {"title": "What can you do?", "payload": "/help"},
                    {"title": "Watch care", "payload": long_payload},
                ],
            }
        ]
    )
    client = await start()
    await post(client, text_update("hi"))
    await until(lambda: len(fake_telegram.sent) == 1)
    sent = fake_telegram.sent[0]
    short, long = [row[0] for row in sent["reply_markup"]["inline_keyboard"]]
    assert short == {"text": "What can you do?", "callback_data": "/help"}
    assert long["text"] == "Watch care"
    assert long["callback_data"].startswith("#") and len(long["callback_data"].encode()) <= 64
    await helpers.settled(client)

    press = {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": "cbq-1",
            "chat_instance": "ci",
            "from": {"id": CHAT, "is_bot": False, "first_name": "Ada"},
            "data": long["callback_data"],
            "message": {
                "message_id": sent["message_id"],
                "date": int(time.time()),
                "chat": {"id": CHAT, "type": "private"},
                "text": sent["text"],
                "reply_markup": sent["reply_markup"],
            },
        },
    }
    assert await post(client, press) == 200
    await until(lambda: len(fake_telegram.sent) == 2)
    await helpers.settled(client)
    assert fake_rasa[0].received[-1]["message"] == long_payload
    assert [c.params["callback_query_id"] for c in fake_telegram.called("answerCallbackQuery")] == [
        "cbq-1"
    ]
    stored = await helpers.messages(telegram_settings)
    assert stored[2].author is Author.CUSTOMER and stored[2].text == "Watch care"


async def test_start_greets_without_going_through_nlu(
    start: StartGateway, fake_telegram: FakeTelegram, fake_rasa: tuple[FakeRasa, str]
) -> None:
    client = await start()
    await post(client, text_update("/start"))
    await until(lambda: len(fake_telegram.sent) == 1)
    assert fake_rasa[0].received[0]["message"] == "/greet"


async def test_long_replies_are_split_at_paragraphs_under_telegrams_limit(
    start: StartGateway, fake_telegram: FakeTelegram, fake_rasa: tuple[FakeRasa, str]
) -> None:
    paragraph = "A sentence about our watches. " * 60  # ~1800 characters
    text = "\n\n".join(f"{n}. {paragraph.strip()}" for n in range(5))
    fake_rasa[0].answer([{"text": text, "buttons": [{"title": "More", "payload": "/help"}]}])
    client = await start()
    await post(client, text_update("tell me everything"))
    await until(lambda: len(fake_telegram.sent) == 3)
    await helpers.settled(client)
    parts = [m["text"] for m in fake_telegram.sent]
    assert all(len(part) <= 4096 for part in parts)
    assert all(part.endswith(".") for part in parts), "cut at a sentence or paragraph end"
    assert " ".join(parts).split() == text.split()
    assert ["reply_markup" in m for m in fake_telegram.sent] == [False, False, True]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            {
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "s",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "sticker",
        ),
        ({"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}, "photo"),
        ({"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}}, "voice message"),
        ({"location": {"latitude": 46.2, "longitude": 6.1}}, "location"),
    ],
)
async def test_content_we_cannot_read_gets_a_polite_answer(
    start: StartGateway,
    fake_telegram: FakeTelegram,
    fake_rasa: tuple[FakeRasa, str],
    telegram_settings: Settings,
    message: dict[str, Any],
    expected: str,
) -> None:
    client = await start()
    update = text_update("")
    del update["message"]["text"]
    update["message"].update(message)
    await post(client, update)
    await until(lambda: len(fake_telegram.sent) == 1)
    assert f"could not open your {expected}" in fake_telegram.sent[0]["text"]
    assert fake_rasa[0].received == []
    assert (await helpers.messages(telegram_settings))[0].text == f"[{expected}]"


async def test_an_edited_message_gets_a_polite_answer(
    start: StartGateway, fake_telegram: FakeTelegram, fake_rasa: tuple[FakeRasa, str]
) -> None:
    client = await start()
    update = text_update("hello again")
    update["edited_message"] = update.pop("message")
    await post(client, update)
    await until(lambda: len(fake_telegram.sent) == 1)
    assert fake_telegram.sent[0]["text"] == EDITED_ANSWER
    assert fake_rasa[0].received == []


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_group_chats_are_declined_once_and_nothing_of_theirs_is_kept(
    start: StartGateway,
    fake_telegram: FakeTelegram,
    fake_rasa: tuple[FakeRasa, str],
    telegram_settings: Settings,
    chat_type: str,
) -> None:
    client = await start()
    for text in ("hello bot", "my order PG-100131 please"):
        update = text_update(text, chat_id=-100777)
        update["message"]["chat"] = {"id": -100777, "type": chat_type, "title": "Friends"}
        await post(client, update)
    await helpers.settled(client)
    assert [(m["chat_id"], m["text"]) for m in fake_telegram.sent] == [
        ("-100777", GROUP_ANSWER.text)
    ]
    assert fake_rasa[0].received == []
    assert [m.text for m in await helpers.messages(telegram_settings)] == [GROUP_ANSWER.text]


async def test_a_send_that_fails_twice_is_retried_and_delivered_once(
    start: StartGateway, fake_telegram: FakeTelegram, telegram_settings: Settings
) -> None:
    fake_telegram.fail_sends(2, status=500)
    client = await start()
    await post(client, text_update("hello"))
    await helpers.settled(client)
    assert [m["text"] for m in fake_telegram.sent] == ["You said: hello"]
    assert len(fake_telegram.called("sendMessage")) == 3
    (row,) = await helpers.outbox(telegram_settings)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 3)


async def test_retry_after_is_honoured(
    start: StartGateway, fake_telegram: FakeTelegram, telegram_settings: Settings
) -> None:
    fake_telegram.rate_limit_sends(retry_after=1)
    client = await start()
    await post(client, text_update("hello"))
    await helpers.settled(client)
    refused, delivered = fake_telegram.called("sendMessage")
    assert delivered.at - refused.at >= 0.95
    (row,) = await helpers.outbox(telegram_settings)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 1), "waiting is not a failure"


async def test_a_refused_send_is_marked_failed_once_and_not_retried(
    start: StartGateway, fake_telegram: FakeTelegram, telegram_settings: Settings
) -> None:
    fake_telegram.fail_sends(1, status=403, description="Forbidden: bot was blocked by the user")
    client = await start()
    await post(client, text_update("hello"))
    await helpers.settled(client)
    (row,) = await helpers.outbox(telegram_settings)
    assert row.status is DeliveryStatus.FAILED
    assert row.last_error is not None and "blocked by the user" in row.last_error
    assert len(fake_telegram.called("sendMessage")) == 1


async def test_a_restart_neither_replies_again_nor_loses_a_stored_update(
    start: StartGateway,
    fake_telegram: FakeTelegram,
    fake_rasa: tuple[FakeRasa, str],
    telegram_settings: Settings,
) -> None:
    first = await start()
    answered = text_update("hello")
    await post(first, answered)
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
    await post(second, answered)  # Telegram resends an update we had answered
    await helpers.settled(second)
    assert [m["text"] for m in fake_telegram.sent] == [
        "You said: hello",
        "You said: are you there?",
    ]
    assert [body["message"] for body in fake_rasa[0].received] == ["hello", "are you there?"]


async def test_polling_mode_takes_the_same_stored_path(
    start: StartGateway, fake_telegram: FakeTelegram, telegram_settings: Settings
) -> None:
    update = text_update("hello from polling")
    fake_telegram.updates = [update, dict(update)]  # a duplicate delivery, too
    client = await start(telegram_mode="polling", telegram_poll_timeout_seconds=1)
    await until(lambda: len(fake_telegram.sent) == 1)
    assert fake_telegram.webhook is None and fake_telegram.called("deleteWebhook")
    await until(
        lambda: any(
            int(c.params.get("offset") or 0) == update["update_id"] + 1
            for c in fake_telegram.called("getUpdates")
        )
    )
    await helpers.settled(client)
    assert [m["text"] for m in fake_telegram.sent] == ["You said: hello from polling"]
    assert await helpers.count(telegram_settings, InboundEvent) == 1


@pytest.mark.rasa
async def test_a_telegram_conversation_with_the_real_assistant(
    aiohttp_client: Any, assistant: Any, fake_telegram: FakeTelegram
) -> None:
    """Greeting, an order lookup, a privacy question and a request for a person, through the
    trained model and the action server, on the demo store."""
    settings = Settings(
        database_url=assistant.database_url,
        rasa_url=assistant.rasa_url,
        rasa_auth_token=assistant.token,
        secret_key="e2e-secret",
        rasa_timeout_seconds=30,
        public_base_url="https://concierge.example.com",
        telegram_mode="webhook",
        telegram_bot_token=TOKEN,
        telegram_webhook_secret=SECRET,
        telegram_api_base_url=fake_telegram.base_url,
    )
    client: Client = await aiohttp_client(create_app(settings))
    chat = 7_000_000 + next(_update_ids)
    transcript: list[str] = []

    async def says(text: str) -> list[str]:
        before = len(fake_telegram.sent)
        transcript.append(f"customer: {text}")
        assert await post(client, text_update(text, chat_id=chat)) == 200
        await helpers.settled(client, timeout=60)
        replies = fake_telegram.sent[before:]
        for reply in replies:
            keyboard = reply.get("reply_markup", {}).get("inline_keyboard", [])
            buttons = " ".join(f"[{row[0]['text']}]" for row in keyboard)
            transcript.append(f"assistant: {reply['text']} {buttons}".rstrip())
        return [reply["text"] for reply in replies]

    greeting = await says("/start")
    order_asked = await says("where is my order PG-100234?")
    order_told = await says("10021")
    privacy = await says("do you sell my personal data?")
    handoff = await says("I'd like to talk to a person")
    print("\n--- Telegram transcript (real Rasa, fake Bot API) ---\n" + "\n".join(transcript))

    assert greeting and "welcome" in " ".join(greeting).lower()
    assert "zip code" in " ".join(order_asked).lower()
    assert "775402963318" not in " ".join(order_asked)  # nothing before the answer
    assert "shipped" in " ".join(order_told).lower() and "775402963318" in " ".join(order_told)
    assert "sell" in " ".join(privacy).lower() and "Privacy policy" in " ".join(privacy)
    assert handoff and "concierge" in " ".join(handoff).lower()
    conversation = await helpers.conversation_of(settings, str(chat), Channel.TELEGRAM)
    assert conversation.holder is ConversationHolder.WAITING
    assert conversation.handoff_reason == "customer_request"
