"""The X event readers over a table of events: which are for us to answer, and what of them
we keep, decided from the event alone.

No server and no store: each row is what X sends (an Account Activity POST to the webhook, or
an API v2 DM event that polling reads) and the XEvents read from it. The webhook and polling
tests take the same kinds of event through the gateway.
"""

from __future__ import annotations

from typing import Any

import pytest

from connectors.x.activity import XEvent, from_account_activity, from_dm_event
from tests.fakes.x_api import CUSTOMER, OUR_USER_ID, dm, dm_event, mention

DM_ID = 1_800_000_000_001
POST_ID = 1_800_000_000_002
GRACE = "Grace Kim"


def with_changes(body: dict[str, Any], key: str, **changes: Any) -> dict[str, Any]:
    """`body` with `changes` made to the first event under `key`."""
    (event,) = body[key]
    return {**body, key: [{**event, **changes}]}


def without_text(body: dict[str, Any]) -> dict[str, Any]:
    (event,) = body["direct_message_events"]
    create = {**event["message_create"], "message_data": {"entities": {}}}
    return {**body, "direct_message_events": [{**event, "message_create": create}]}


def two_dms_and_a_mention() -> dict[str, Any]:
    first, second = dm("first", event_id=DM_ID), dm("second", event_id=DM_ID + 10)
    return {
        **first,
        "direct_message_events": first["direct_message_events"] + second["direct_message_events"],
        "tweet_create_events": mention("@maison hi", post_id=POST_ID)["tweet_create_events"],
    }


LONG_POST = "@maison " + "I would like to know more about the Possession ring, please. " * 5


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            dm("hello", event_id=DM_ID),
            [XEvent("dm", str(DM_ID), CUSTOMER, "hello", GRACE)],
            id="dm",
        ),
        pytest.param(
            mention("@maison where is my order?", post_id=POST_ID),
            [XEvent("mention", str(POST_ID), CUSTOMER, "@maison where is my order?", GRACE)],
            id="mention",
        ),
        pytest.param(
            with_changes(
                mention("@maison I would like to know more…", post_id=POST_ID),
                "tweet_create_events",
                extended_tweet={"full_text": LONG_POST},
            ),
            [XEvent("mention", str(POST_ID), CUSTOMER, LONG_POST, GRACE)],
            id="long-mention-read-in-full",
        ),
        pytest.param(
            two_dms_and_a_mention(),
            [
                XEvent("dm", str(DM_ID), CUSTOMER, "first", GRACE),
                XEvent("dm", str(DM_ID + 10), CUSTOMER, "second", GRACE),
                XEvent("mention", str(POST_ID), CUSTOMER, "@maison hi", GRACE),
            ],
            id="several-in-one-post",
        ),
        pytest.param(
            {**dm("hello", event_id=DM_ID), "users": {}},
            [XEvent("dm", str(DM_ID), CUSTOMER, "hello", None)],
            id="dm-sender-not-listed",
        ),
        pytest.param(dm("You said: hello", sender=OUR_USER_ID), [], id="echo-of-our-own-dm"),
        pytest.param(mention("@maison our own post", author=OUR_USER_ID), [], id="our-own-post"),
        pytest.param({**dm("hello"), "for_user_id": "123"}, [], id="for-another-account"),
        pytest.param(
            with_changes(
                mention("RT @gracek: @maison where is my order?"),
                "tweet_create_events",
                retweeted_status={"id_str": "1"},
            ),
            [],
            id="repost-of-a-mention",
        ),
        pytest.param(
            with_changes(mention("a post that names nobody"), "tweet_create_events", entities={}),
            [],
            id="post-that-does-not-mention-us",
        ),
        pytest.param(without_text(dm("hello")), [], id="dm-without-text"),
        pytest.param(
            with_changes(dm("hello"), "direct_message_events", type="message_delete"),
            [],
            id="other-dm-event",
        ),
        pytest.param({"for_user_id": OUR_USER_ID, "favorite_events": [{"id": "1"}]}, [], id="like"),
        pytest.param(
            {"for_user_id": OUR_USER_ID, "direct_message_events": "not a list"},
            [],
            id="malformed",
        ),
    ],
)
def test_what_an_account_activity_post_holds_for_us(
    body: dict[str, Any], expected: list[XEvent]
) -> None:
    assert from_account_activity(body, OUR_USER_ID) == expected


USERS = {CUSTOMER: {"id": CUSTOMER, "name": GRACE, "username": "gracek"}}


@pytest.mark.parametrize(
    ("event", "users", "expected"),
    [
        pytest.param(
            dm_event(1001, CUSTOMER, "hello by DM"),
            USERS,
            XEvent("dm", "1001", CUSTOMER, "hello by DM", GRACE),
            id="dm",
        ),
        pytest.param(
            dm_event(1002, CUSTOMER, "hello by DM"),
            {},
            XEvent("dm", "1002", CUSTOMER, "hello by DM", None),
            id="sender-not-listed",
        ),
        pytest.param(dm_event(1003, OUR_USER_ID, "You said: hi"), USERS, None, id="our-own"),
        pytest.param(
            {**dm_event(1004, CUSTOMER, ""), "event_type": "ParticipantsJoin"},
            USERS,
            None,
            id="not-a-message",
        ),
        pytest.param(
            {k: v for k, v in dm_event(1005, CUSTOMER, "x").items() if k != "text"},
            USERS,
            None,
            id="without-text",
        ),
    ],
)
def test_what_a_polled_dm_event_holds_for_us(
    event: dict[str, Any], users: dict[str, dict[str, Any]], expected: XEvent | None
) -> None:
    assert from_dm_event(event, users, OUR_USER_ID) == expected


def test_a_stored_event_reads_back_as_it_was() -> None:
    event = XEvent("mention", str(POST_ID), CUSTOMER, "@maison hi", GRACE)
    assert XEvent.from_json(event.to_json()) == event
