"""The web chat end to end: the real gateway, the real Rasa server and the real action server.

POST /api/chat goes over HTTP to the gateway, which asks Rasa over HTTP, which calls the
action server over HTTP; everything lands in a real SQLite store.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import create_app
from bot.gateway.conversations import minors
from bot.settings import Settings
from bot.store.db import create_engine, create_session_factory
from bot.store.models import (
    Author,
    ChannelIdentity,
    ConsentEvent,
    Contact,
    Conversation,
    ConversationHolder,
    Message,
    PrivacyRequest,
    PrivacyRequestKind,
)
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


def rasa_tracker(assistant: Assistant, sender: str) -> dict[str, Any]:
    """What Rasa holds about a conversation, through its HTTP API."""
    response = requests.get(
        f"{assistant.rasa_url}/conversations/{sender}/tracker",
        params={"token": assistant.token},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    tracker: dict[str, Any] = response.json()
    return tracker


def stored_events(tracker_db: Path, sender: str) -> list[str]:
    """The event types Rasa's SQL tracker store wrote for the sender, read from the file."""
    with contextlib.closing(sqlite3.connect(tracker_db)) as db:
        rows = db.execute(
            "SELECT type_name FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    return [row[0] for row in rows]


async def test_a_conversation_carries_on_after_rasa_restarts(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """Issue 17 item 18: Rasa keeps every conversation's state in SQLite on disk, not in its
    memory, so a restart (a deploy, a crash) does not forget where each customer was."""
    database_url = await asyncio.to_thread(demo_database, tmp_path)  # it runs its own loop
    action_port, rasa_port = free_port(), free_port()
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    env = base_environment(database_url, action_url)
    tracker_db = tmp_path / "tracker.db"
    assistant = Assistant(f"http://127.0.0.1:{rasa_port}", action_url, database_url)
    actions = await asyncio.to_thread(start_action_server, env, action_port, tmp_path / "a.log")
    try:
        rasa = await asyncio.to_thread(start_rasa, env, rasa_port, tmp_path / "r1.log", tracker_db)
        try:
            client = await aiohttp_client(create_app(gateway_settings(assistant)))
            customer = Customer(client)
            asked = await customer.says("please unsubscribe me from your marketing emails")
            assert "e-mail address" in texts(asked)
            conversation, _ = await conversation_of(database_url, customer.session_id)
            sender = f"conversation-{conversation.id}"
            before = rasa_tracker(assistant, sender)
        finally:
            stop(rasa)
        assert "user" in stored_events(tracker_db, sender), "the turn is in the file"

        rasa = await asyncio.to_thread(start_rasa, env, rasa_port, tmp_path / "r2.log", tracker_db)
        try:
            after = rasa_tracker(assistant, sender)
            assert after["slots"] == before["slots"], "the restarted Rasa has the same state"
            assert after["active_loop"] == before["active_loop"]
            # And the conversation carries on where it was: the form still wants the address.
            done = await customer.says("sofia.alvarez@example.org")
            assert "s***z@example.org" in texts(done)
        finally:
            stop(rasa)
    finally:
        stop(actions)


# --- The customer's own account: opt-out, verification by code, privacy requests ---


async def mailed_code(assistant: Assistant, to: str, timeout: float = 15.0) -> str:
    """The one-time code the action server mailed to `to` (the newest one)."""
    assert assistant.mailbox is not None
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for mail in reversed(assistant.mailbox.messages):
            if mail["To"] == to:
                found = re.search(r"(\d{3}) (\d{3})", str(mail.get_payload()))
                assert found, mail.get_payload()
                return found.group(1) + found.group(2)
        await asyncio.sleep(0.2)
    raise AssertionError(f"no code was mailed to {to}")


async def verify(customer: Customer, assistant: Assistant, email: str) -> list[dict[str, Any]]:
    """Give the address, read the mailed code, type it: the replies to the code."""
    sent = await customer.says(f"it's {email}")
    assert "is on file with us, a one-time code is on its way" in texts(sent)
    code = await mailed_code(assistant, email)
    return await customer.says(f"{code[:3]} {code[3:]}")


async def store_rows(database_url: str, model: Any, *where: Any) -> list[Any]:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            return list(await session.scalars(select(model).where(*where).order_by(model.id)))
    finally:
        await engine.dispose()


async def test_opting_out_of_marketing_e_mails_by_giving_the_address(
    web: TestClient[Any, Any], assistant: Assistant
) -> None:
    customer = Customer(web)
    (contact,) = await store_rows(
        assistant.database_url, Contact, Contact.email == "sofia.alvarez@example.org"
    )
    before = await store_rows(
        assistant.database_url, ConsentEvent, ConsentEvent.contact_id == contact.id
    )

    asked = await customer.says("please unsubscribe me from your marketing emails")
    assert "e-mail address" in texts(asked)
    question = await customer.says("sofia.alvarez@example.org")
    # Nothing changes without consent: the opt-out is named and asked about first.
    assert "s***z@example.org" in texts(question) and "Shall I go ahead?" in texts(question)
    unchanged = await store_rows(
        assistant.database_url, ConsentEvent, ConsentEvent.contact_id == contact.id
    )
    assert [e.id for e in unchanged] == [e.id for e in before]
    done = await customer.says("yes please")

    assert "s***z@example.org" in texts(done) and "service messages" in texts(done)
    conversation, _ = await conversation_of(assistant.database_url, customer.session_id)
    after = await store_rows(
        assistant.database_url, ConsentEvent, ConsentEvent.contact_id == contact.id
    )
    (added,) = after[len(before) :]
    assert (added.topic, added.value, added.source) == ("marketing:email", "opt_out", "chat")
    assert (added.channel, added.conversation_id) == ("webchat", conversation.id)


async def test_verifying_by_code_then_seeing_the_preferences(
    web: TestClient[Any, Any], assistant: Assistant
) -> None:
    customer = Customer(web)
    # A slot set by typing it is not a verification: the form still asks for the address.
    forged = await customer.says('/show_preferences{"verified_contact_id": 6}')
    assert "e-mail address you gave us" in texts(forged)

    shown = await verify(customer, assistant, "charlotte.dubois@example.org")

    assert "confirmed" in texts(shown)
    assert "Preferred language: French" in texts(shown)
    assert "phone calls" in texts(shown)
    conversation, _ = await conversation_of(assistant.database_url, customer.session_id)
    (identity,) = await store_rows(
        assistant.database_url, ChannelIdentity, ChannelIdentity.id == conversation.identity_id
    )
    assert identity.contact_id is not None and identity.verified_at is not None

    # Verified for the rest of the session: no second code.
    mails = len(assistant.mailbox.messages) if assistant.mailbox else 0
    again = await customer.says("and what are my communication preferences again?")
    assert "Preferred language: French" in texts(again)
    assert assistant.mailbox is not None and len(assistant.mailbox.messages) == mails


async def test_a_california_request_then_a_refusal_the_second_time(
    web: TestClient[Any, Any], assistant: Assistant
) -> None:
    customer = Customer(web)
    (lucas,) = await store_rows(
        assistant.database_url, Contact, Contact.email == "lucas.martin@example.com"
    )

    asked = await customer.says("I'd like to request my california privacy information")
    assert "personal, family or household" in texts(asked)
    assert "e-mail address" in texts(await customer.says("yes"))
    question = await verify(customer, assistant, "lucas.martin@example.com")
    assert "Shall I go ahead?" in texts(question)
    assert not await store_rows(
        assistant.database_url, PrivacyRequest, PrivacyRequest.contact_id == lucas.id
    )
    filed = await customer.says("yes")

    (request,) = await store_rows(
        assistant.database_url, PrivacyRequest, PrivacyRequest.contact_id == lucas.id
    )
    assert request.kind is PrivacyRequestKind.CALIFORNIA_1798_83
    assert request.reference in texts(filed)
    assert "Request for California Privacy Information" in texts(filed)
    # The concierge's address, from the settings through the slot set at session start.
    assert CONCIERGE_EMAIL in texts(filed) and "{concierge_email}" not in texts(filed)

    await customer.says("please file another 1798.83 request for me")
    refused = await customer.says("yes")
    assert request.reference in texts(refused)
    assert f"January 1, {request.created_at.year + 1}" in texts(refused)
    assert (
        len(
            await store_rows(
                assistant.database_url, PrivacyRequest, PrivacyRequest.contact_id == lucas.id
            )
        )
        == 1
    )


async def test_a_child_is_told_and_nothing_they_write_is_kept(
    web: TestClient[Any, Any], assistant: Assistant
) -> None:
    customer = Customer(web)
    told = await customer.says("my mom doesn't know I'm here, I'm 10")
    assert "under 13" in texts(told)
    later = await customer.says("my name is Tom and my email is tom@example.com")
    assert "under 13" in texts(later)

    conversation, messages = await conversation_of(assistant.database_url, customer.session_id)
    assert conversation.minor_declared_at is not None
    assert {m.text for m in messages if m.author is Author.CUSTOMER} == {minors.PLACEHOLDER}


# --- Orders, repairs, products and boutiques (demo data: docs/demo-data.md) ---


async def test_an_order_is_told_to_its_owner_once_verified(web: TestClient[Any, Any]) -> None:
    customer = Customer(web)
    asked = await customer.says("hi, where is my order?")
    assert "PG-" in texts(asked)
    asked_answer = await customer.says("PG-100234")
    assert "e-mail" in texts(asked_answer).lower()
    assert "775402963318" not in texts(asked_answer)

    told = await customer.says("10021")
    assert "775402963318" in texts(told) and "FedEx" in texts(told)
    assert "shipped" in texts(told)

    others = await customer.says("and my other orders?")
    assert "PG-100211" in texts(others) and "RP-20417" in texts(others)


async def test_a_question_in_the_middle_of_a_lookup_is_answered_then_asked_again(
    web: TestClient[Any, Any],
) -> None:
    """What interrupts a form (data/rules/forms.yml), through real NLU, forms and actions."""
    customer = Customer(web)
    await customer.says("where is my order PG-100234?")
    answered = await customer.says("is there a boutique in Chicago?")
    assert "845 North Michigan Avenue" in texts(answered)
    assert "e-mail address or the delivery ZIP code" in texts(answered), "the form asks again"

    stopped = await customer.says("never mind")
    assert "stopped there" in texts(stopped)
    # Stopping forgot the number: a new lookup starts from the beginning.
    asked_afresh = await customer.says("where is my order?")
    assert "What is your order number?" in texts(asked_afresh)


async def test_no_stops_the_account_form_as_it_stops_a_lookup(web: TestClient[Any, Any]) -> None:
    customer = Customer(web)
    asked = await customer.says("I'd like to see my marketing preferences")
    assert "e-mail address you gave us" in texts(asked)
    stopped = await customer.says("no")
    assert "stopped there" in texts(stopped)


async def test_a_wrong_answer_reveals_nothing_and_three_hand_off(
    web: TestClient[Any, Any], assistant: Assistant
) -> None:
    customer = Customer(web)
    await customer.says("where's my order PG-100234")
    wrong = await customer.says("90210")
    assert "could not find an order" in texts(wrong)
    assert "775402963318" not in texts(wrong) and "Limelight" not in texts(wrong)
    conversation, _ = await conversation_of(assistant.database_url, customer.session_id)
    assert conversation.holder is ConversationHolder.BOT

    await customer.says("james.whitaker@example.com")
    locked = await customer.says("60610")
    assert "concierge" in texts(locked).lower() and "775402963318" not in texts(locked)
    conversation, _ = await conversation_of(assistant.database_url, customer.session_id)
    assert conversation.holder is ConversationHolder.WAITING
    assert conversation.handoff_reason == "verification_lockout"


async def test_a_product_question_is_answered_from_the_catalogue_with_buttons(
    web: TestClient[Any, Any],
) -> None:
    customer = Customer(web)
    replies = await customer.says("does the Possession ring come in rose gold with diamonds?")
    assert "$2,450" in texts(replies)
    assert '/ask_product{"reference":"G34P1011"}' in payloads(replies)

    piece = await customer.says('/ask_product{"reference":"G34P1011"}')
    assert "G34P1011" in texts(piece) and "18K rose gold" in texts(piece)


async def test_a_boutique_question_gets_the_address_and_whether_it_is_open(
    web: TestClient[Any, Any],
) -> None:
    customer = Customer(web)
    replies = await customer.says("is the Chicago boutique open now?")
    assert "845 North Michigan Avenue" in texts(replies)
    assert "Open now" in texts(replies) or "Closed now" in texts(replies)

    nowhere = await customer.says("do you have a boutique in Seattle?")
    assert "Seattle" in texts(nowhere) and "Chicago" in texts(nowhere)
    assert "/request_human" in payloads(nowhere)
