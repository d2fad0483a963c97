"""read_update over a table of updates: what each asks of us, decided from the update alone.

No server and no store, as python-telegram-bot tests its handlers' checks
(tests/ext/test_messagehandler.py): each row is an update as Telegram posts it, read with
Update.de_json, and what read_update makes of it. The connector tests (test_connector.py)
take the same kinds of update through the gateway.
"""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from bot.gateway.conversations.record import InboundMessage
from bot.gateway.replies import Reply
from bot.store.models import Channel
from connectors.telegram.updates import (
    EDITED_ANSWER,
    Action,
    ButtonPress,
    CustomerTurn,
    GroupChat,
    Ignored,
    read_update,
    unsupported_answer,
)
from tests.fakes.telegram_api import CHAT, text_update

UPDATE_ID = 700
ADA = {"id": CHAT, "is_bot": False, "first_name": "Ada", "last_name": "L"}
PRIVATE_CHAT = {"id": CHAT, "type": "private", "first_name": "Ada"}
GROUP = {"id": -100777, "type": "group", "title": "Friends"}
KEYBOARD = {
    "inline_keyboard": [
        [{"text": "What can you do?", "callback_data": "/help"}],
        [{"text": "Watch care", "callback_data": "#3f2a"}],
    ]
}


def text(words: str, **changes: Any) -> dict[str, Any]:
    """A private text message from Ada, with `changes` made to the message."""
    update = text_update(words, update_id=UPDATE_ID)
    update["message"].update(changes)
    return update


def content(**fields: Any) -> dict[str, Any]:
    """A private message from Ada that holds `fields` and no text."""
    update = text("")
    del update["message"]["text"]
    update["message"].update(fields)
    return update


def edited(words: str) -> dict[str, Any]:
    update = text(words)
    update["edited_message"] = update.pop("message")
    return update


def press(data: str, chat: dict[str, Any] = PRIVATE_CHAT, **query: Any) -> dict[str, Any]:
    """Ada presses the button whose callback data is `data` under one of our messages."""
    message = {"message_id": 42, "date": 1_700_000_000, "chat": chat, "text": "How may I help?"}
    return {
        "update_id": UPDATE_ID,
        "callback_query": {
            "id": "cbq-1",
            "chat_instance": "ci-1",
            "from": ADA,
            "data": data,
            "message": {**message, "reply_markup": KEYBOARD},
            **query,
        },
    }


def turn(said: str, payload: str | None = None, answer: Reply | None = None) -> CustomerTurn:
    """Ada's turn in her private chat: `said` is recorded, `payload` goes to the assistant
    instead, and `answer`, when set, is the reply instead of the assistant's."""
    inbound = InboundMessage(
        channel=Channel.TELEGRAM,
        external_id=str(CHAT),
        text=said,
        platform_message_id=str(UPDATE_ID),
        display_name="Ada L",
        payload=payload,
    )
    return CustomerTurn(inbound, answer)


STICKER = {
    "file_id": "s",
    "file_unique_id": "s",
    "type": "regular",
    "width": 1,
    "height": 1,
    "is_animated": False,
    "is_video": False,
}
PHOTO = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
LOCATION = {"latitude": 46.2, "longitude": 6.1}
VENUE = {"location": LOCATION, "title": "Piaget", "address": "Rue du Rhône 40"}
BOT = {"id": 4242, "is_bot": True, "first_name": "Maison"}
BLOCKED_BY_ADA = {
    "chat": PRIVATE_CHAT,
    "from": ADA,
    "date": 1_700_000_000,
    "old_chat_member": {"status": "member", "user": BOT},
    "new_chat_member": {"status": "kicked", "until_date": 0, "user": BOT},
}


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        pytest.param(text("where is my order?"), turn("where is my order?"), id="text"),
        pytest.param(text("/start"), turn("/start", payload="/greet"), id="start"),
        pytest.param(
            text("/help@maison_concierge_bot"),
            turn("/help@maison_concierge_bot", payload="/help"),
            id="help-addressed-to-the-bot",
        ),
        pytest.param(
            text("/opening_hours in Paris"),
            turn("/opening_hours in Paris", payload="opening hours in Paris"),
            id="other-command-read-as-words",
        ),
        pytest.param(text("/"), turn("/", payload="/help"), id="bare-slash"),
        pytest.param(
            edited("hello again"),
            turn("[edited] hello again", answer=Reply(EDITED_ANSWER)),
            id="edited",
        ),
        pytest.param(
            content(sticker=STICKER),
            turn("[sticker]", answer=unsupported_answer("sticker")),
            id="sticker",
        ),
        pytest.param(
            content(photo=PHOTO, caption="is this one still made?"),
            turn("[photo]", answer=unsupported_answer("photo")),
            id="photo-caption-not-read",
        ),
        pytest.param(
            content(video_note={"file_id": "v", "file_unique_id": "v", "length": 1, "duration": 1}),
            turn("[video message]", answer=unsupported_answer("video message")),
            id="video-note",
        ),
        pytest.param(
            content(venue=VENUE, location=LOCATION),
            turn("[location]", answer=unsupported_answer("location")),
            id="venue",
        ),
        pytest.param(
            content(contact={"phone_number": "+1 212 555 0100", "first_name": "Ada"}),
            turn("[contact card]", answer=unsupported_answer("contact card")),
            id="contact-card-not-kept",
        ),
        pytest.param(
            content(story={"chat": {"id": -100555, "type": "channel", "title": "News"}, "id": 4}),
            turn("[message]", answer=unsupported_answer("message")),
            id="anything-else",
        ),
        pytest.param(
            text("my order PG-100131 please", chat=GROUP),
            GroupChat(-100777, "Friends"),
            id="group",
        ),
        pytest.param(
            text("hello bot", chat={**GROUP, "type": "supergroup"}),
            GroupChat(-100777, "Friends"),
            id="supergroup",
        ),
        pytest.param(
            {
                "update_id": UPDATE_ID,
                "channel_post": {
                    "message_id": 1,
                    "date": 1_700_000_000,
                    "chat": {"id": -100888, "type": "channel", "title": "News"},
                    "text": "new collection",
                },
            },
            GroupChat(-100888, "News"),
            id="channel-post",
        ),
        pytest.param(
            text("beep", **{"from": {"id": 99, "is_bot": True, "first_name": "Bot"}}),
            Ignored("not written by a person"),
            id="from-a-bot",
        ),
        pytest.param(
            {"update_id": UPDATE_ID, "my_chat_member": BLOCKED_BY_ADA},
            Ignored("an update kind we do not handle"),
            id="other-update-kind",
        ),
        pytest.param(
            press("#3f2a"),
            ButtonPress(
                update_id=UPDATE_ID,
                chat_id=CHAT,
                callback_query_id="cbq-1",
                data="#3f2a",
                title="Watch care",
                message_id=42,
                display_name="Ada L",
            ),
            id="button-press",
        ),
        pytest.param(
            press("/help", chat=GROUP),
            Ignored("a button pressed in a group chat"),
            id="button-press-in-a-group",
        ),
        pytest.param(
            {
                "update_id": UPDATE_ID,
                "callback_query": {
                    "id": "cbq-2",
                    "chat_instance": "ci-2",
                    "from": ADA,
                    "data": "/help",
                    "inline_message_id": "inline-1",
                },
            },
            ButtonPress(
                update_id=UPDATE_ID,
                chat_id=CHAT,
                callback_query_id="cbq-2",
                data="/help",
                title=None,
                message_id=None,
                display_name="Ada L",
            ),
            id="button-press-without-its-message",
        ),
    ],
)
def test_what_an_update_asks_of_us(update: dict[str, Any], expected: Action) -> None:
    assert read_update(Update.de_json(update, None)) == expected
