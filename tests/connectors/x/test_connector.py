"""The X connector end to end: tweepy for real against a fake X API, the scripted fake Rasa,
and the store on SQLite and PostgreSQL. A public mention gets one public reply that moves
the customer to DMs, buttons become numbered choices, and a DM conversation with the real
assistant."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import close_idle_conversations, create_app
from bot.services import csat
from bot.settings import Settings
from bot.store.db import create_engine, create_session_factory
from bot.store.models import (
    Author,
    Channel,
    ConversationHolder,
    CsatRating,
)
from bot.store.types import utcnow
from tests import helpers
from tests.fakes.rasa import FakeRasa
from tests.fakes.x_api import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_SECRET,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    OUR_USER_ID,
    FakeX,
    dm,
    mention,
    next_id,
    post_activity,
)
from tests.helpers import Client, StartGateway, until


async def test_a_mention_gets_one_public_reply_that_moves_to_dms_and_nothing_personal(
    start: StartGateway, fake_x: FakeX, fake_rasa: tuple[FakeRasa, str], x_settings: Settings
) -> None:
    client = await start()
    # What they wrote in public. The reply must not echo it, nor anything the assistant knows.
    activity = mention("@maison where is my order PG-100189? grace.kim@example.org")
    post_id = activity["tweet_create_events"][0]["id_str"]
    assert await post_activity(client, activity) == 200
    assert await post_activity(client, activity) == 200
    await helpers.settled(client)
    (reply,) = fake_x.posts
    assert reply["reply"] == {"in_reply_to_tweet_id": post_id}
    assert reply["text"] == (
        "Thank you for reaching out. To keep your details private, please send us a direct "
        f"message: https://x.com/messages/compose?recipient_id={OUR_USER_ID}"
    )
    assert reply["direct_message_deep_link"].endswith(f"recipient_id={OUR_USER_ID}")
    assert fake_rasa[0].received == [], "public posts never reach the assistant"
    assert fake_x.dms == []
    (conversation,) = await helpers.conversations(x_settings)
    stored = await helpers.messages(x_settings)
    assert [(m.conversation_id, m.author) for m in stored] == [
        (conversation.id, Author.CUSTOMER),
        (conversation.id, Author.BOT),
    ]
    (row,) = await helpers.outbox(x_settings)
    assert (row.recipient, row.payload["in_reply_to"]) == (post_id, post_id)

    # The same customer's DM continues on the same X conversation, privately.
    await post_activity(client, dm("my order please"))
    await helpers.settled(client)
    assert len(fake_x.dms) == 1 and len(await helpers.conversations(x_settings)) == 1


async def test_buttons_become_numbered_choices_and_a_number_sends_the_payload(
    start: StartGateway, fake_x: FakeX, fake_rasa: tuple[FakeRasa, str]
) -> None:
    fake_rasa[0].answer(
        [
            {
                "text": "How may I help?",
                "buttons": [
                    {"title": "What can you do?", "payload": "/help"},
                    {"title": "Speak with the concierge", "payload": "/request_human"},
                ],
            }
        ]
    )
    client = await start()
    await post_activity(client, dm("hi"))
    await until(lambda: len(fake_x.dms) == 1)
    assert fake_x.dms[0]["text"] == (
        "How may I help?\n\n1. What can you do?\n2. Speak with the concierge\n\n"
        "Reply with a number or the words of your choice."
    )
    await helpers.settled(client)
    await post_activity(client, dm("2"))
    await post_activity(client, dm("what can you do?"))
    await helpers.settled(client)
    assert [b["message"] for b in fake_rasa[0].received] == ["hi", "/request_human", "/help"]


@pytest.mark.rasa
async def test_an_x_dm_conversation_with_the_real_assistant(
    aiohttp_client: Any, assistant: Any, fake_x: FakeX
) -> None:
    """Greeting, a privacy question and a request for a person, through the trained model."""
    settings = Settings(
        database_url=assistant.database_url,
        rasa_url=assistant.rasa_url,
        rasa_auth_token=assistant.token,
        secret_key="e2e-secret",
        rasa_timeout_seconds=30,
        x_mode="webhook",
        x_consumer_key=CONSUMER_KEY,
        x_consumer_secret=CONSUMER_SECRET,
        x_access_token=ACCESS_TOKEN,
        x_access_token_secret=ACCESS_TOKEN_SECRET,
        x_user_id=OUR_USER_ID,
        x_api_base_url=fake_x.base_url,
    )
    client: Client = await aiohttp_client(create_app(settings))
    customer = str(next_id())
    transcript: list[str] = []

    async def says(text: str) -> list[str]:
        before = len(fake_x.dms)
        transcript.append(f"customer: {text}")
        assert await post_activity(client, dm(text, sender=customer)) == 200
        await helpers.settled(client, timeout=60)
        replies = [d["text"] for d in fake_x.dms[before:]]
        transcript.extend(f"assistant: {reply}" for reply in replies)
        return replies

    greeting = await says("hello")
    order_asked = await says("can you check order PG-100229 for me")
    wrong = await says("60601")
    order_told = await says("sorry, the postcode is 60614")
    privacy = await says("do you sell my personal data?")
    handoff = await says("I'd like to talk to a person")
    print("\n--- X DM transcript (real Rasa, fake X API) ---\n" + "\n".join(transcript))

    assert greeting and "welcome" in " ".join(greeting).lower()
    assert "zip code" in " ".join(order_asked).lower()
    assert "shipped" not in " ".join(order_asked + wrong).lower()  # nothing before the answer
    assert "shipped" in " ".join(order_told).lower() and "PG-100229" in " ".join(order_told)
    assert "sell" in " ".join(privacy).lower() and "Privacy policy" in " ".join(privacy)
    assert handoff and "concierge" in " ".join(handoff).lower()
    assert all(d["participant_id"] == customer for d in fake_x.dms) and fake_x.posts == []
    conversation = await helpers.conversation_of(settings, customer, Channel.X)
    assert conversation.holder is ConversationHolder.WAITING
    assert conversation.handoff_reason == "customer_request"


async def test_a_dm_conversation_is_rated_by_number_and_a_mention_is_never_asked(
    start: StartGateway, fake_x: FakeX, fake_rasa: tuple[FakeRasa, str], x_settings: Settings
) -> None:
    """CSAT (bot/services/csat.py) on X: the idle-close job's question (every conversation
    sampled here) arrives as numbered choices in a DM; the number is the rating."""
    client = await start()
    await post_activity(client, mention("@maison lovely watches", author="424242"))
    await post_activity(client, dm("hi"))
    await until(lambda: len(fake_x.dms) == 1)
    await helpers.settled(client)

    engine = create_engine(x_settings.database_url)
    try:
        job = close_idle_conversations(replace(x_settings, csat_bot_sample_rate=1.0))
        later = utcnow() + timedelta(minutes=x_settings.conversation_idle_close_minutes + 1)
        result = await job(create_session_factory(engine), later)
    finally:
        await engine.dispose()
    assert result == {"closed": 2, "csat_asked": 1}  # the mention's author is not asked
    await until(lambda: len(fake_x.dms) == 2, what="the question, by DM")
    assert fake_x.dms[1]["text"].startswith(csat.QUESTION + "\n\n1. 1 (poor)\n2. 2\n")
    assert len(fake_x.posts) == 1  # the mention's one public reply, nothing more in public

    asked = len(fake_rasa[0].received)
    await post_activity(client, dm("4"))
    await until(lambda: len(fake_x.dms) == 3, what="the thanks")
    await helpers.settled(client)
    assert fake_x.dms[2]["text"].startswith(csat.COMMENT_QUESTION)
    assert len(fake_rasa[0].received) == asked
    [rating] = await helpers.query(x_settings, select(CsatRating))
    assert (rating.channel, rating.rating, rating.agent_id) == (Channel.X, 4, None)
