"""What a Telegram update asks of us, decided from the update alone (no I/O, easy to test).

A private text becomes a customer turn; /start and /help become the assistant's intents
rather than words NLU would not understand; content we cannot read (stickers, photos,
voice...) and edits get a fixed polite answer; a button press is handled by the connector
(it must be acknowledged and its payload looked up); group, supergroup and channel chats
are declined; anything else is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from telegram import Chat, Message, Update

from bot.gateway.conversations.record import InboundMessage
from bot.gateway.replies import Reply
from bot.store.models import DISPLAY_NAME_LENGTH, Channel

# What the webhook (set_webhook) and polling (get_updates) ask Telegram for.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "channel_post"]

# Commands the assistant understands as intents; other commands are read as plain words.
COMMANDS = {"start": "/greet", "help": "/help"}

# Checked in this order: a video note is not also called a video, a venue not a location.
UNSUPPORTED = (
    ("sticker", "sticker"),
    ("photo", "photo"),
    ("voice", "voice message"),
    ("video_note", "video message"),
    ("video", "video"),
    ("audio", "audio file"),
    ("animation", "animation"),
    ("document", "document"),
    ("venue", "location"),
    ("location", "location"),
    ("contact", "contact card"),
    ("poll", "poll"),
    ("dice", "dice"),
)

EDITED_ANSWER = (
    "I see that you edited a message. I answer each message as it was first sent, so if "
    "something has changed, please send it to me again as a new message."
)


def unsupported_answer(kind: str) -> Reply:
    return Reply(
        f"Thank you. I can only read text messages here, so I could not open your {kind}. "
        "Please tell me in a few words what you need, or ask for our concierge."
    )


@dataclass(frozen=True)
class CustomerTurn:
    inbound: InboundMessage
    answer: Reply | None = None  # set: recorded and sent instead of asking the assistant


@dataclass(frozen=True)
class ButtonPress:
    update_id: int
    chat_id: int
    callback_query_id: str
    data: str
    title: str | None  # the button's label, read from the message it was attached to
    message_id: int | None
    display_name: str | None


@dataclass(frozen=True)
class GroupChat:
    chat_id: int
    title: str | None


@dataclass(frozen=True)
class Ignored:
    reason: str


Action = CustomerTurn | ButtonPress | GroupChat | Ignored


def read_update(update: Update) -> Action:
    if update.callback_query is not None:
        return _button_press(update)
    message = update.message or update.edited_message or update.channel_post
    if message is None:
        return Ignored("an update kind we do not handle")
    if message.chat.type != Chat.PRIVATE:
        return GroupChat(message.chat.id, message.chat.title)
    if message.from_user is None or message.from_user.is_bot:
        return Ignored("not written by a person")
    if update.edited_message is not None:
        edited = f"[edited] {message.text or message.caption or ''}".strip()
        return CustomerTurn(_inbound(update, message, edited), Reply(EDITED_ANSWER))
    if message.text:
        return CustomerTurn(_command(_inbound(update, message, message.text), message.text))
    for attribute, kind in UNSUPPORTED:
        if getattr(message, attribute, None):
            # The record keeps what arrived, not its content (a contact card holds a phone).
            return CustomerTurn(_inbound(update, message, f"[{kind}]"), unsupported_answer(kind))
    return CustomerTurn(_inbound(update, message, "[message]"), unsupported_answer("message"))


def _inbound(update: Update, message: Message, text: str) -> InboundMessage:
    user = message.from_user
    return InboundMessage(
        channel=Channel.TELEGRAM,
        external_id=str(message.chat.id),
        text=text,
        # update_id is unique per bot and stable across Telegram's retries.
        platform_message_id=str(update.update_id),
        display_name=user.full_name if user else None,
    )


def _command(inbound: InboundMessage, text: str) -> InboundMessage:
    if not text.startswith("/"):
        return inbound
    word, _, rest = text[1:].partition(" ")
    name = word.split("@", 1)[0].lower()  # "/start@MaisonBot" in some clients
    if name in COMMANDS:
        payload = COMMANDS[name]
    else:  # "/opening_hours" reads as the words "opening hours"
        payload = f"{name.replace('_', ' ')} {rest}".strip() or "/help"
    return replace(inbound, payload=payload)


def _button_press(update: Update) -> Action:
    query = update.callback_query
    assert query is not None
    message = query.message if isinstance(query.message, Message) else None
    if message is not None and message.chat.type != Chat.PRIVATE:
        return Ignored("a button pressed in a group chat")
    title = None
    markup = message.reply_markup if message is not None else None
    if markup is not None:
        for row in markup.inline_keyboard:
            for button in row:
                if button.callback_data == query.data:
                    title = button.text
    return ButtonPress(
        update_id=update.update_id,
        chat_id=message.chat.id if message is not None else query.from_user.id,
        callback_query_id=query.id,
        data=str(query.data or ""),
        title=title,
        message_id=message.message_id if message is not None else None,
        display_name=query.from_user.full_name,
    )


def salvaged(data: dict[str, Any]) -> InboundMessage | None:
    """What can be kept of a raw update whose turn failed for good, read defensively (it may
    be what made the turn fail): the private chat, its text and who wrote. None when it is not
    a private customer's message (a group, an unknown kind): nobody to hand it to."""
    found = [
        data[kind] for kind in ("message", "edited_message") if isinstance(data.get(kind), dict)
    ]
    if not found:
        return None
    message: dict[str, Any] = found[0]
    chat = message.get("chat")
    if not isinstance(chat, dict) or chat.get("type") != "private":
        return None
    if type(chat.get("id")) is not int:
        return None
    sender = message.get("from")
    if not isinstance(sender, dict):
        sender = {}
    name = " ".join(
        str(part) for part in (sender.get("first_name"), sender.get("last_name")) if part
    )
    text = message.get("text") or message.get("caption")
    return InboundMessage(
        channel=Channel.TELEGRAM,
        external_id=str(chat["id"]),
        text=str(text)[:4096] if text else "[message]",
        platform_message_id=str(data.get("update_id")),
        display_name=name[:DISPLAY_NAME_LENGTH] or None,
    )
