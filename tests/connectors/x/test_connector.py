"""X end to end: tweepy for real against a fake X API, the Account Activity webhook with
its CRC and signatures, DM polling with its cursor, and the store on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.settings import Settings
from bot.store.models import (
    Author,
    Channel,
    ChannelCursor,
    ConversationHolder,
    DeliveryStatus,
    InboundEvent,
    Message,
)
from connectors.x import WEBHOOK_PATH
from connectors.x.client import RedirectedSession
from connectors.x.signatures import SIGNATURE_HEADER, sign
from tests import helpers
from tests.fakes.rasa import FakeRasa
from tests.fakes.x_api import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_SECRET,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    OUR_USER_ID,
    FakeX,
)
from tests.helpers import until

CUSTOMER = "31337"
Client = TestClient[Any, Any]
StartGateway = Callable[..., Awaitable[Client]]
_ids = itertools.count(1_700_000_000_000)


@pytest.fixture
def x_settings(gateway_settings: Settings, database_url: str, fake_x: FakeX) -> Settings:
    return replace(
        gateway_settings,
        database_url=database_url,
        x_mode="webhook",
        x_consumer_key=CONSUMER_KEY,
        x_consumer_secret=CONSUMER_SECRET,
        x_access_token=ACCESS_TOKEN,
        x_access_token_secret=ACCESS_TOKEN_SECRET,
        x_user_id=OUR_USER_ID,
        x_api_base_url=fake_x.base_url,
        x_poll_interval_seconds=0.05,
        outbox_retry_base_seconds=0.05,
        outbox_sweep_seconds=0.2,
    )


@pytest.fixture
def start(aiohttp_client: Any, x_settings: Settings) -> StartGateway:
    async def start_gateway(**changes: Any) -> Client:
        client: Client = await aiohttp_client(create_app(replace(x_settings, **changes)))
        return client

    return start_gateway


def dm(text: str, sender: str = CUSTOMER, event_id: int | None = None) -> dict[str, Any]:
    return {
        "for_user_id": OUR_USER_ID,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": str(event_id or next(_ids)),
                "created_timestamp": "1700000000000",
                "message_create": {
                    "target": {"recipient_id": OUR_USER_ID if sender != OUR_USER_ID else CUSTOMER},
                    "sender_id": sender,
                    "message_data": {"text": text, "entities": {}},
                },
            }
        ],
        "users": {sender: {"id": sender, "name": "Grace Kim", "screen_name": "gracek"}},
    }


def mention(text: str, author: str = CUSTOMER) -> dict[str, Any]:
    post_id = str(next(_ids))
    return {
        "for_user_id": OUR_USER_ID,
        "user_has_blocked": False,
        "tweet_create_events": [
            {
                "id_str": post_id,
                "text": text,
                "user": {"id_str": author, "name": "Grace Kim", "screen_name": "gracek"},
                "entities": {"user_mentions": [{"id_str": OUR_USER_ID, "screen_name": "maison"}]},
            }
        ],
    }


async def post(client: Client, activity: Any, signature: str | None = "sign") -> int:
    body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers[SIGNATURE_HEADER] = sign(CONSUMER_SECRET, body)
    elif signature is not None:
        headers[SIGNATURE_HEADER] = signature
    response = await client.post(WEBHOOK_PATH, data=body, headers=headers)
    return response.status


async def test_the_crc_challenge_is_answered_with_the_hmac_of_the_token(
    start: StartGateway,
) -> None:
    client = await start()
    response = await client.get(WEBHOOK_PATH, params={"crc_token": "challenge-123"})
    assert response.status == 200
    digest = hmac.new(CONSUMER_SECRET.encode(), b"challenge-123", hashlib.sha256).digest()
    assert await response.json() == {
        "response_token": "sha256=" + base64.b64encode(digest).decode()
    }
    assert (await client.get(WEBHOOK_PATH)).status == 400


async def test_a_dm_gets_one_reply_even_when_posted_again_or_concurrently(
    start: StartGateway, fake_x: FakeX, fake_rasa: tuple[FakeRasa, str], x_settings: Settings
) -> None:
    client = await start()
    activity = dm("hello")
    assert await asyncio.gather(*(post(client, activity) for _ in range(4))) == [200] * 4
    assert await post(client, activity) == 200
    await helpers.settled(client)
    assert [(d["participant_id"], d["text"]) for d in fake_x.dms] == [(CUSTOMER, "You said: hello")]
    assert fake_x.posts == []
    assert len(fake_rasa[0].received) == 1
    assert fake_rasa[0].received[0]["metadata"] == {
        **fake_rasa[0].received[0]["metadata"],
        "channel": "x",
        "public": False,
    }
    stored = await helpers.messages(x_settings)
    assert [(m.author, m.text) for m in stored] == [
        (Author.CUSTOMER, "hello"),
        (Author.BOT, "You said: hello"),
    ]


@pytest.mark.parametrize(
    ("body", "signature", "status"),
    [
        (dm("hello"), None, 403),
        (dm("hello"), "sha256=" + base64.b64encode(b"x" * 32).decode(), 403),
        (dm("hello"), sign("another-secret", json.dumps(dm("hello")).encode()), 403),
        (b"{not json", "sign", 400),
        ([1, 2, 3], "sign", 400),
    ],
)
async def test_unsigned_forged_or_malformed_posts_are_refused_and_leave_no_trace(
    start: StartGateway,
    fake_x: FakeX,
    fake_rasa: tuple[FakeRasa, str],
    x_settings: Settings,
    body: Any,
    signature: str | None,
    status: int,
) -> None:
    client = await start()
    assert await post(client, body, signature) == status
    assert await helpers.count(x_settings, InboundEvent) == 0
    assert await helpers.count(x_settings, Message) == 0
    assert fake_rasa[0].received == [] and fake_x.dms == []


@pytest.mark.parametrize(
    "activity",
    [
        dm("a message we sent ourselves", sender=OUR_USER_ID),
        mention("our own post mentioning ourselves", author=OUR_USER_ID),
        {**dm("for another account"), "for_user_id": "123"},
        {"for_user_id": OUR_USER_ID, "favorite_events": [{"id": "1"}]},
        {"for_user_id": OUR_USER_ID, "follow_events": [{"type": "follow"}]},
    ],
)
async def test_our_own_messages_and_other_activity_are_acknowledged_and_ignored(
    start: StartGateway,
    fake_x: FakeX,
    fake_rasa: tuple[FakeRasa, str],
    x_settings: Settings,
    activity: dict[str, Any],
) -> None:
    client = await start()
    assert await post(client, activity) == 200
    await helpers.settled(client)
    assert await helpers.count(x_settings, InboundEvent) == 0
    assert await helpers.count(x_settings, Message) == 0
    assert fake_rasa[0].received == [] and fake_x.dms == [] and fake_x.posts == []


async def test_a_mention_gets_one_public_reply_that_moves_to_dms_and_nothing_personal(
    start: StartGateway, fake_x: FakeX, fake_rasa: tuple[FakeRasa, str], x_settings: Settings
) -> None:
    client = await start()
    # What they wrote in public. The reply must not echo it, nor anything the assistant knows.
    activity = mention("@maison where is my order PG-100189? grace.kim@example.org")
    post_id = activity["tweet_create_events"][0]["id_str"]
    assert await post(client, activity) == 200
    assert await post(client, activity) == 200
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
    await post(client, dm("my order please"))
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
    await post(client, dm("hi"))
    await until(lambda: len(fake_x.dms) == 1)
    assert fake_x.dms[0]["text"] == (
        "How may I help?\n\n1. What can you do?\n2. Speak with the concierge\n\n"
        "Reply with a number or the words of your choice."
    )
    await helpers.settled(client)
    await post(client, dm("2"))
    await post(client, dm("what can you do?"))
    await helpers.settled(client)
    assert [b["message"] for b in fake_rasa[0].received] == ["hi", "/request_human", "/help"]


async def test_failed_sends_are_retried_once_delivered_and_rate_limits_honoured(
    start: StartGateway, fake_x: FakeX, x_settings: Settings
) -> None:
    fake_x.fail_sends(2, status=503)
    client = await start()
    await post(client, dm("first"))
    await helpers.settled(client)
    assert [d["text"] for d in fake_x.dms] == ["You said: first"]
    (row,) = await helpers.outbox(x_settings)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 3)

    reset = fake_x.rate_limit_sends(reset_in_seconds=1)
    await post(client, dm("second"))
    await helpers.settled(client)
    assert [d["text"] for d in fake_x.dms] == ["You said: first", "You said: second"]
    _, second = await helpers.outbox(x_settings)
    assert (second.status, second.attempts) == (DeliveryStatus.SENT, 1), "waiting is no failure"
    assert fake_x.dms[1]["at"] >= reset, "not retried before x-rate-limit-reset"


async def test_polling_keeps_its_cursor_so_a_restart_neither_repeats_nor_skips(
    start: StartGateway, fake_x: FakeX, fake_rasa: tuple[FakeRasa, str], x_settings: Settings
) -> None:
    fake_x.users[CUSTOMER] = {"id": CUSTOMER, "name": "Grace Kim", "username": "gracek"}
    fake_x.add_dm_event(1000, CUSTOMER, "an old message from last week")
    first = await start(x_mode="polling")
    await until(lambda: fake_x.event_reads >= 2)  # the first poll only sets the cursor
    fake_x.add_dm_event(1001, CUSTOMER, "hello by DM")
    fake_x.add_dm_event(1002, OUR_USER_ID, "You said: an echo of ours")
    await until(lambda: len(fake_x.dms) == 1)
    await helpers.settled(first)
    await first.close()

    fake_x.add_dm_event(1003, CUSTOMER, "sent while the gateway was down")
    second = await start(x_mode="polling")
    await until(lambda: len(fake_x.dms) == 2)
    reads = fake_x.event_reads
    await until(lambda: fake_x.event_reads >= reads + 3)  # a few more polls: nothing new
    await helpers.settled(second)
    assert [b["message"] for b in fake_rasa[0].received] == [
        "hello by DM",
        "sent while the gateway was down",
    ]
    (cursor,) = await helpers.query(x_settings, ChannelCursor.__table__.select())
    assert cursor == "x:dm_events"
    assert (await helpers.messages(x_settings))[0].text == "hello by DM"


def test_the_api_host_is_replaced_but_path_and_signed_query_are_kept() -> None:
    session = RedirectedSession(None, "http://127.0.0.1:8123/prefix")  # type: ignore[arg-type]
    url = session.rewrite("https://api.twitter.com/2/dm_events?pagination_token=a%3Ab&x=1")
    assert str(url) == "http://127.0.0.1:8123/prefix/2/dm_events?pagination_token=a%3Ab&x=1"


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
    customer = str(next(_ids))
    transcript: list[str] = []

    async def says(text: str) -> list[str]:
        before = len(fake_x.dms)
        transcript.append(f"customer: {text}")
        assert await post(client, dm(text, sender=customer)) == 200
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
