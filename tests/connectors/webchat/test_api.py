"""The web chat API: its exact shape, its errors, and what it writes to the store."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.settings import Settings
from bot.store.models import Author, ConversationHolder
from tests import helpers
from tests.fakes.rasa import FakeRasa


async def test_chat_answers_with_the_assistants_replies_and_buttons(
    gateway: TestClient[Any, Any], fake_rasa: tuple[FakeRasa, str], gateway_settings: Settings
) -> None:
    fake, _ = fake_rasa
    fake.answer(
        [
            {"recipient_id": "x", "text": "Good evening."},
            {
                "recipient_id": "x",
                "text": "How may I help?",
                "buttons": [{"title": "Track my order", "payload": "/order_status"}],
            },
        ]
    )
    response = await gateway.post("/api/chat", json={"session_id": "abc-1", "text": "hello"})
    assert response.status == 200
    assert await response.json() == {
        "replies": [
            {"text": "Good evening."},
            {
                "text": "How may I help?",
                "buttons": [{"title": "Track my order", "payload": "/order_status"}],
            },
        ]
    }
    sent = fake.received[0]
    assert sent["message"] == "hello"
    assert sent["metadata"]["channel"] == "webchat"
    assert sent["metadata"]["public"] is False

    messages = await helpers.messages(gateway_settings)
    assert [(m.author, m.text) for m in messages] == [
        (Author.CUSTOMER, "hello"),
        (Author.BOT, "Good evening."),
        (Author.BOT, "How may I help?"),
    ]


async def test_the_same_session_stays_one_conversation(
    gateway: TestClient[Any, Any], fake_rasa: tuple[FakeRasa, str]
) -> None:
    fake, _ = fake_rasa
    for text in ("hi", "what can you do"):
        assert (await gateway.post("/api/chat", json={"session_id": "s", "text": text})).ok
    other = await gateway.post("/api/chat", json={"session_id": "t", "text": "hi"})
    assert other.ok
    senders = [body["sender"] for body in fake.received]
    assert senders[0] == senders[1] != senders[2]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"text": "hi"}', "session_id"),
        (b'{"session_id": "a b", "text": "hi"}', "session_id"),
        (b'{"session_id": "abc", "text": "   "}', "non-empty"),
        (b'{"session_id": "abc", "text": 42}', "non-empty string"),
        (b'{"session_id": "abc", "text": "' + b"x" * 2001 + b'"}', "longer than 2000"),
    ],
)
async def test_malformed_requests_get_a_clear_400_and_leave_no_trace(
    gateway: TestClient[Any, Any],
    fake_rasa: tuple[FakeRasa, str],
    gateway_settings: Settings,
    body: bytes,
    error: str,
) -> None:
    response = await gateway.post(
        "/api/chat", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert error in (await response.json())["error"]
    assert fake_rasa[0].received == []
    assert await helpers.messages(gateway_settings) == []


@pytest.mark.parametrize("failure", ["crash", "timeout", "silence", "unauthorised"])
async def test_when_the_assistant_fails_the_customer_gets_the_concierge(
    gateway: TestClient[Any, Any],
    fake_rasa: tuple[FakeRasa, str],
    gateway_settings: Settings,
    failure: str,
) -> None:
    fake, _ = fake_rasa
    if failure == "crash":
        fake.fail(500)
    elif failure == "timeout":
        fake.hang(3)  # the gateway gives Rasa 1 s in these tests
    elif failure == "silence":  # an action crashed inside Rasa: it answers with nothing
        fake.answer([])
    else:
        fake.fail(401)
    response = await gateway.post("/api/chat", json={"session_id": "s", "text": "hello"})
    assert response.status == 200
    (reply,) = (await response.json())["replies"]
    assert gateway_settings.concierge_phone in reply["text"]
    assert gateway_settings.concierge_email in reply["text"]

    messages = await helpers.messages(gateway_settings)
    assert [m.author for m in messages] == [Author.CUSTOMER, Author.BOT], "nothing is lost"
    (conversation,) = await helpers.conversations(gateway_settings)
    assert conversation.holder is ConversationHolder.WAITING
    assert conversation.handoff_reason == "assistant_unavailable"


async def test_rasa_not_running_at_all_gets_the_polite_answer(
    aiohttp_client: Any, settings: Settings, unused_tcp_port: int
) -> None:
    from dataclasses import replace

    from bot.app import create_app

    client = await aiohttp_client(
        create_app(replace(settings, rasa_url=f"http://127.0.0.1:{unused_tcp_port}"))
    )
    response = await client.post("/api/chat", json={"session_id": "s", "text": "hello"})
    assert response.status == 200
    assert settings.concierge_email in (await response.json())["replies"][0]["text"]


async def test_a_handoff_marker_puts_the_conversation_in_the_queue_and_silences_the_bot(
    gateway: TestClient[Any, Any], fake_rasa: tuple[FakeRasa, str], gateway_settings: Settings
) -> None:
    fake, _ = fake_rasa
    fake.answer(
        [
            {"recipient_id": "s", "text": "A member of our concierge will join you here."},
            {"recipient_id": "s", "custom": {"handoff": {"reason": "customer_request"}}},
        ]
    )
    first = await gateway.post("/api/chat", json={"session_id": "s", "text": "a person please"})
    assert [r["text"] for r in (await first.json())["replies"]] == [
        "A member of our concierge will join you here."
    ]
    (conversation,) = await helpers.conversations(gateway_settings)
    assert conversation.holder is ConversationHolder.WAITING
    assert conversation.handoff_reason == "customer_request"

    second = await gateway.post("/api/chat", json={"session_id": "s", "text": "are you there?"})
    assert (await second.json()) == {"replies": []}
    assert len(fake.received) == 1, "the bot is not asked while a person holds the conversation"
    messages = await helpers.messages(gateway_settings)
    assert messages[-1].text == "are you there?"


async def test_the_page_is_served_with_a_strict_content_security_policy(
    gateway: TestClient[Any, Any],
) -> None:
    response = await gateway.get("/")
    assert response.status == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'id="transcript"' in await response.text()
