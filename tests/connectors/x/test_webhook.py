"""X's Account Activity webhook: the CRC challenge, signed posts only, one reply per DM
however often or concurrently it is posted, and other activity acknowledged and dropped."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from bot.settings import Settings
from bot.store.models import (
    Author,
    InboundEvent,
    Message,
)
from connectors.x import WEBHOOK_PATH
from connectors.x.signatures import sign
from tests import helpers
from tests.fakes.rasa import FakeRasa
from tests.fakes.x_api import (
    CONSUMER_SECRET,
    CUSTOMER,
    OUR_USER_ID,
    FakeX,
    dm,
    mention,
    post_activity,
)
from tests.helpers import StartGateway


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


@pytest.mark.parametrize(
    "forged",
    [
        json.dumps(dm("refund my order to IBAN XX00 1234")),
        json.dumps(dm("refund"), separators=(",", ":")),
        json.dumps(mention("@us refund me")),
    ],
)
async def test_the_crc_answer_cannot_sign_a_forged_activity(
    start: StartGateway,
    fake_x: FakeX,
    fake_rasa: tuple[FakeRasa, str],
    x_settings: Settings,
    forged: str,
) -> None:
    """Security review (issue 17): the CRC answer is HMAC(consumer secret, token), which is
    exactly the signature X puts on a POST whose body is that token. Asking the CRC endpoint
    to "answer" a forged DM body must not yield a signature the webhook accepts."""
    client = await start()
    response = await client.get(WEBHOOK_PATH, params={"crc_token": forged})
    assert response.status == 400
    answer = await response.json()
    signature = answer.get("response_token")
    assert signature is None
    # Posting with whatever came back (nothing) is refused, and so is any stale guess.
    assert await post_activity(client, forged.encode(), signature) == 403
    await helpers.settled(client)
    assert await helpers.count(x_settings, InboundEvent) == 0
    assert await helpers.count(x_settings, Message) == 0
    assert fake_rasa[0].received == [] and fake_x.dms == [] and fake_x.posts == []


@pytest.mark.parametrize(
    "token",
    [
        "a" * 129,  # longer than any X token
        "challenge 123",  # whitespace
        '"challenge"',  # quotes
        "{}",
        "[1]",
        "é",
    ],
)
async def test_a_crc_token_not_shaped_like_x_s_is_not_answered(
    start: StartGateway, token: str
) -> None:
    client = await start()
    response = await client.get(WEBHOOK_PATH, params={"crc_token": token})
    assert response.status == 400
    assert "response_token" not in await response.json()


async def test_a_crc_shaped_body_signed_with_its_crc_answer_is_refused(
    start: StartGateway, fake_x: FakeX, fake_rasa: tuple[FakeRasa, str], x_settings: Settings
) -> None:
    """The other direction: whatever the CRC endpoint does sign is never a valid POST."""
    client = await start()
    token = "dGhpcy1pcy1hLWNyYy10b2tlbg=="
    response = await client.get(WEBHOOK_PATH, params={"crc_token": token})
    assert response.status == 200
    signature = (await response.json())["response_token"]
    assert await post_activity(client, token.encode(), signature) == 400
    assert await helpers.count(x_settings, InboundEvent) == 0
    assert await helpers.count(x_settings, Message) == 0
    assert fake_rasa[0].received == [] and fake_x.dms == []


async def test_a_dm_gets_one_reply_even_when_posted_again_or_concurrently(
    start: StartGateway, fake_x: FakeX, fake_rasa: tuple[FakeRasa, str], x_settings: Settings
) -> None:
    client = await start()
    activity = dm("hello")
    assert await asyncio.gather(*(post_activity(client, activity) for _ in range(4))) == [200] * 4
    assert await post_activity(client, activity) == 200
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
        ({"for_user_id": OUR_USER_ID}, "sign", 400),  # no event at all
        ({"direct_message_events": dm("hi")["direct_message_events"]}, "sign", 400),
        ({"for_user_id": OUR_USER_ID, "text": "hello"}, "sign", 400),  # no known event key
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
    assert await post_activity(client, body, signature) == status
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
    assert await post_activity(client, activity) == 200
    await helpers.settled(client)
    assert await helpers.count(x_settings, InboundEvent) == 0
    assert await helpers.count(x_settings, Message) == 0
    assert fake_rasa[0].received == [] and fake_x.dms == [] and fake_x.posts == []
