"""The Telegram connector end to end: python-telegram-bot for real against a fake Bot API,
the gateway's webhook, the scripted fake Rasa, and the store on SQLite and PostgreSQL. What each
kind of update becomes: buttons and their presses, commands, content we cannot read, edits,
group chats, and a conversation with the real assistant."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.store.models import (
    Author,
    Channel,
    ConversationHolder,
)
from connectors.telegram.connector import GROUP_ANSWER
from connectors.telegram.updates import EDITED_ANSWER
from tests import helpers
from tests.fakes.rasa import FakeRasa
from tests.fakes.telegram_api import (
    CHAT,
    SECRET,
    TOKEN,
    FakeTelegram,
    next_update_id,
    post_update,
    text_update,
)
from tests.helpers import Client, StartGateway, until


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
    await post_update(client, text_update("hi"))
    await until(lambda: len(fake_telegram.sent) == 1)
    sent = fake_telegram.sent[0]
    short, long = [row[0] for row in sent["reply_markup"]["inline_keyboard"]]
    assert short == {"text": "What can you do?", "callback_data": "/help"}
    assert long["text"] == "Watch care"
    assert long["callback_data"].startswith("#") and len(long["callback_data"].encode()) <= 64
    await helpers.settled(client)

    press = {
        "update_id": next_update_id(),
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
    assert await post_update(client, press) == 200
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
    await post_update(client, text_update("/start"))
    await until(lambda: len(fake_telegram.sent) == 1)
    assert fake_rasa[0].received[0]["message"] == "/greet"


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
    await post_update(client, update)
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
    await post_update(client, update)
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
        await post_update(client, update)
    await helpers.settled(client)
    assert [(m["chat_id"], m["text"]) for m in fake_telegram.sent] == [
        ("-100777", GROUP_ANSWER.text)
    ]
    assert fake_rasa[0].received == []
    assert [m.text for m in await helpers.messages(telegram_settings)] == [GROUP_ANSWER.text]


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
    chat = 7_000_000 + next_update_id()
    transcript: list[str] = []

    async def says(text: str) -> list[str]:
        before = len(fake_telegram.sent)
        transcript.append(f"customer: {text}")
        assert await post_update(client, text_update(text, chat_id=chat)) == 200
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
