"""A child says they are under 13: the gateway keeps none of their words and stops asking Rasa."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.gateway.conversations import minors
from bot.settings import Settings
from bot.store.models import Author, Conversation, ConversationHolder, Message
from tests import helpers
from tests.fakes.rasa import FakeRasa

NOT_FOR_YOU = "Our website, apps and this chat are not meant for anyone under 13."


async def stored(settings: Settings) -> tuple[Conversation, list[Message]]:
    (conversation,) = await helpers.conversations(settings)
    return conversation, await helpers.messages(settings)


async def say(gateway: TestClient[Any, Any], text: str) -> list[dict[str, Any]]:
    return await helpers.customer_says(gateway, "child", text)


async def test_the_declaration_redacts_the_conversation_and_stops_asking_rasa(
    gateway: TestClient[Any, Any], fake_rasa: tuple[FakeRasa, str], gateway_settings: Settings
) -> None:
    fake, _ = fake_rasa
    await say(gateway, "hi, my email is tom@example.com")  # the fake echoes it
    fake.answer(
        [
            {"recipient_id": "x", "text": NOT_FOR_YOU},
            {"recipient_id": "x", "custom": {"minor_declared": True}},
        ]
    )

    declared = await say(gateway, "my mom doesn't know I'm here, I'm 10")
    later = await say(gateway, "my name is Tom Smith and I live at 5 Elm Street")
    button = await gateway.post(
        "/api/chat", json={"session_id": "child", "text": "/request_data_access"}
    )

    assert [r["text"] for r in declared] == [NOT_FOR_YOU]
    assert [r["text"] for r in later] == [minors.reply(gateway_settings).text]
    assert button.status == 200
    assert [body["message"] for body in fake.received] == [
        "hi, my email is tom@example.com",
        "my mom doesn't know I'm here, I'm 10",
    ], "nothing after the declaration reaches Rasa"

    conversation, messages = await stored(gateway_settings)
    assert conversation.minor_declared_at is not None
    assert conversation.holder is ConversationHolder.BOT
    customer = [m.text for m in messages if m.author is Author.CUSTOMER]
    assert customer == [minors.PLACEHOLDER] * 4, "earlier, declaring and later messages"
    assert NOT_FOR_YOU in [m.text for m in messages if m.author is Author.BOT]
    # The bot's own words are kept (here the fake echoed the customer; see gateway minors.py).
    assert all("Tom" not in m.text for m in messages)


async def test_without_the_signal_nothing_is_redacted(
    gateway: TestClient[Any, Any], fake_rasa: tuple[FakeRasa, str], gateway_settings: Settings
) -> None:
    fake, _ = fake_rasa
    fake.answer([{"recipient_id": "x", "text": "How may I help you today?"}])
    await say(gateway, "I'm 45 years old")
    await say(gateway, "what's a cookie?")
    conversation, messages = await stored(gateway_settings)
    assert conversation.minor_declared_at is None
    assert [m.text for m in messages if m.author is Author.CUSTOMER] == [
        "I'm 45 years old",
        "what's a cookie?",
    ]
    assert len(fake.received) == 2
