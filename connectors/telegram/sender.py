"""Sends outbox rows to Telegram: long texts split, buttons as an inline keyboard.

Telegram caps a message at 4096 characters and a button's callback_data at 64 bytes.
Longer payloads are sent as "#" + a hash; the connector finds the payload again from the
stored message the button belongs to (connectors/telegram/connector.py), so no payload is
ever cut short.
"""

from __future__ import annotations

import hashlib
import warnings
from datetime import timedelta
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from bot.gateway.delivery.senders import (
    Delivery,
    PermanentFailure,
    RateLimited,
    RetryableFailure,
    split_text,
)

TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
HASHED = "#"
EMPTY_TEXT_WITH_BUTTONS = "Please choose:"


def callback_data(payload: str) -> str:
    if len(payload.encode()) <= CALLBACK_DATA_LIMIT and not payload.startswith(HASHED):
        return payload
    return HASHED + hashlib.sha256(payload.encode()).hexdigest()[:40]


def keyboard(buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup:
    # One button a row: our titles are sentences, too long to sit side by side on a phone.
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(str(b["title"]), callback_data=callback_data(str(b["payload"])))]
            for b in buttons
        ]
    )


def text_parts(payload: dict[str, Any]) -> list[str]:
    text = str(payload.get("text") or "")
    if not text.strip():
        return [EMPTY_TEXT_WITH_BUTTONS] if payload.get("buttons") else []
    return split_text(text, TEXT_LIMIT)


class TelegramSender:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    def parts(self, delivery: Delivery) -> int:
        return len(text_parts(delivery.payload))

    async def send_part(self, delivery: Delivery, index: int) -> str | None:
        parts = text_parts(delivery.payload)
        buttons = delivery.payload.get("buttons")
        last = index == len(parts) - 1
        try:
            message = await self._bot.send_message(
                chat_id=int(delivery.recipient),
                text=parts[index],  # plain text: customer-facing, never parsed as markup
                reply_markup=keyboard(buttons) if buttons and last else None,
            )
        except RetryAfter as error:
            raise RateLimited(retry_after_seconds(error), "(Telegram)") from error
        except BadRequest as error:  # a subclass of NetworkError, but final: chat not found...
            raise PermanentFailure(f"Telegram refused: {error}") from error
        except TimedOut as error:
            if isinstance(error.__cause__, (httpx.ConnectTimeout, httpx.PoolTimeout)):
                raise RetryableFailure(f"Telegram not reached: {error}") from error
            raise PermanentFailure(
                "Telegram did not answer in time: the message may have been delivered, "
                "so it is not sent again"
            ) from error
        except NetworkError as error:
            cause = error.__cause__
            # No cause: Telegram answered with a server error. A connect error: the request
            # never left. Anything else (a dropped connection) leaves the outcome unknown.
            if cause is None or isinstance(cause, httpx.ConnectError):
                raise RetryableFailure(f"Telegram: {error}") from error
            raise PermanentFailure(f"Telegram connection lost, outcome unknown: {error}") from error
        except TelegramError as error:  # Forbidden (blocked by the user), BadRequest, ...
            raise PermanentFailure(f"Telegram refused: {error}") from error
        return str(message.message_id)


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after becomes a timedelta in a future version: take both.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
