"""The web chat end to end: the real gateway, the real Rasa server and the real action server.

POST /api/chat goes over HTTP to the gateway, which asks Rasa over HTTP, which calls the
action server over HTTP; everything lands in a real SQLite store.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.gateway.app import create_app
from bot.settings import Settings
from bot.store.db import create_engine, create_session_factory
from bot.store.models import Author, Conversation, ConversationHolder, Message
from tests.assistant import (
    Assistant,
    base_environment,
    demo_database,
    free_port,
    start_action_server,
    start_rasa,
    stop,
)

pytestmark = pytest.mark.rasa

CONCIERGE_EMAIL = Settings().concierge_email


def gateway_settings(assistant: Assistant) -> Settings:
    return Settings(
        database_url=assistant.database_url,
        rasa_url=assistant.rasa_url,
        rasa_auth_token=assistant.token,
        secret_key="e2e-secret",
        rasa_timeout_seconds=30,
    )


@pytest.fixture
async def web(aiohttp_client: Any, assistant: Assistant) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(gateway_settings(assistant)))


class Customer:
    """One web chat visitor with their own session id."""

    def __init__(self, client: TestClient[Any, Any]) -> None:
        self.client = client
        self.session_id = f"e2e-{uuid.uuid4()}"

    async def says(self, text: str) -> list[dict[str, Any]]:
        response = await self.client.post(
            "/api/chat", json={"session_id": self.session_id, "text": text}
        )
        assert response.status == 200, await response.text()
        replies: list[dict[str, Any]] = (await response.json())["replies"]
        return replies


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(reply["text"] for reply in replies)


def payloads(replies: list[dict[str, Any]]) -> list[str]:
    return [button["payload"] for reply in replies for button in reply.get("buttons", [])]


async def conversation_of(database_url: str, session_id: str) -> tuple[Conversation, list[Message]]:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            conversation = await session.scalar(
                select(Conversation)
                .join(Conversation.identity)
                .where(Conversation.identity.has(external_id=session_id))
            )
            assert conversation is not None
            messages = list(
                await session.scalars(
                    select(Message)
                    .where(Message.conversation_id == conversation.id)
                    .order_by(Message.id)
                )
            )
            return conversation, messages
    finally:
        await engine.dispose()


async def test_greeting_help_and_out_of_scope(
    web: TestClient[Any, Any], assistant: Assistant
) -> None:
    customer = Customer(web)
    greeting = await customer.says("hello there")
    assert greeting and CONCIERGE_EMAIL not in texts(greeting)
    assert "assistant" in texts(greeting).lower()

    help_ = await customer.says("what can you do?")
    assert "order" in texts(help_).lower() and "privacy" in texts(help_).lower()

    off_topic = await customer.says("what's the weather going to be like in Paris tomorrow?")
    assert off_topic and texts(off_topic) not in (texts(greeting), texts(help_))

    conversation, messages = await conversation_of(assistant.database_url, customer.session_id)
    assert conversation.holder is ConversationHolder.BOT
    assert [m.text for m in messages if m.author is Author.CUSTOMER] == [
        "hello there",
        "what can you do?",
        "what's the weather going to be like in Paris tomorrow?",
    ]
    assert sum(m.author is Author.BOT for m in messages) >= 3


async def test_the_second_misunderstanding_hands_off_to_the_concierge(
    web: TestClient[Any, Any], assistant: Assistant
) -> None:
    customer = Customer(web)
    first = await customer.says("asdfgh jklqwe")
    assert first and "concierge" not in texts(first).lower()
    conversation, _ = await conversation_of(assistant.database_url, customer.session_id)
    assert conversation.holder is ConversationHolder.BOT

    second = await customer.says("zxcvb qwerty")
    assert "concierge" in texts(second).lower()
    conversation, _ = await conversation_of(assistant.database_url, customer.session_id)
    assert conversation.holder is ConversationHolder.WAITING
    assert conversation.handoff_reason == "not_understood"


async def test_a_complaint_goes_straight_to_the_concierge(
    web: TestClient[Any, Any], assistant: Assistant
) -> None:
    customer = Customer(web)
    replies = await customer.says("I am very unhappy, the clasp of my new bracelet broke already")
    assert "concierge" in texts(replies).lower()
    conversation, _ = await conversation_of(assistant.database_url, customer.session_id)
    assert conversation.holder is ConversationHolder.WAITING
    assert conversation.handoff_reason == "complaint"


async def test_asking_for_a_person_hands_the_conversation_to_the_concierge(
    web: TestClient[Any, Any], assistant: Assistant
) -> None:
    customer = Customer(web)
    handed_off = await customer.says("I would like to speak to a real person please")
    assert handed_off and CONCIERGE_EMAIL not in texts(handed_off)
    conversation, _ = await conversation_of(assistant.database_url, customer.session_id)
    assert conversation.holder is ConversationHolder.WAITING
    assert conversation.handoff_reason == "customer_request"

    assert await customer.says("hello? anyone there?") == [], "the bot stays quiet now"
    _, messages = await conversation_of(assistant.database_url, customer.session_id)
    assert messages[-1].text == "hello? anyone there?"


@pytest.fixture(scope="module")
def assistant_with_crashing_actions(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Assistant, Any]]:
    """A second Rasa server whose action server the test can kill."""
    directory: Path = tmp_path_factory.mktemp("crash")
    database_url = demo_database(directory)
    action_port, rasa_port = free_port(), free_port()
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    env = base_environment(database_url, action_url)
    actions = start_action_server(env, action_port, directory / "actions.log")
    rasa = start_rasa(env, rasa_port, directory / "rasa.log")
    try:
        yield Assistant(f"http://127.0.0.1:{rasa_port}", action_url, database_url), actions
    finally:
        stop(rasa)
        stop(actions)


async def test_a_crashed_action_server_gets_a_polite_answer_and_the_concierge(
    aiohttp_client: Any, assistant_with_crashing_actions: tuple[Assistant, Any]
) -> None:
    assistant, actions = assistant_with_crashing_actions
    client = await aiohttp_client(create_app(gateway_settings(assistant)))
    customer = Customer(client)
    assert await customer.says("hi")  # works while the action server is up
    actions.kill()
    actions.wait()

    replies = await customer.says("can I talk to someone from the concierge?")
    assert len(replies) == 1
    assert CONCIERGE_EMAIL in replies[0]["text"]
    conversation, messages = await conversation_of(assistant.database_url, customer.session_id)
    assert conversation.holder is ConversationHolder.WAITING
    assert conversation.handoff_reason == "assistant_unavailable"
    assert messages[-2].text == "can I talk to someone from the concierge?", "nothing is lost"
