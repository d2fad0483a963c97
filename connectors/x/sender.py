"""Sends outbox rows to X: direct messages, and the one fixed public reply to a mention.

A row whose payload has "in_reply_to" is a public reply. Only the fixed invitation to move
to direct messages (`public_reply`) may be posted publicly: any other text is refused here,
whatever queued it, so nothing personal can reach a public timeline by mistake.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
from tweepy import errors as x_errors
from tweepy.asynchronous import AsyncClient

from bot.gateway.delivery.senders import (
    Delivery,
    PermanentFailure,
    RateLimited,
    RetryableFailure,
    split_text,
)
from bot.gateway.replies import Reply
from bot.settings import Settings
from connectors.x.buttons import with_choices

DM_TEXT_LIMIT = 10_000
DEFAULT_RATE_LIMIT_WAIT_SECONDS = 60.0


def dm_link(settings: Settings) -> str:
    return f"https://x.com/messages/compose?recipient_id={settings.x_user_id}"


def public_reply(settings: Settings) -> Reply:
    return Reply(
        "Thank you for reaching out. To keep your details private, please send us a direct "
        f"message: {dm_link(settings)}"
    )


class XSender:
    def __init__(self, client: AsyncClient, settings: Settings) -> None:
        self._client = client
        self._settings = settings

    def parts(self, delivery: Delivery) -> int:
        return len(self._texts(delivery.payload))

    def _texts(self, payload: dict[str, Any]) -> list[str]:
        if payload.get("in_reply_to"):
            return [str(payload.get("text", ""))]
        text = with_choices(str(payload.get("text") or ""), payload.get("buttons"))
        return split_text(text, DM_TEXT_LIMIT) if text.strip() else []

    async def send_part(self, delivery: Delivery, index: int) -> str | None:
        text = self._texts(delivery.payload)[index]
        try:
            if delivery.payload.get("in_reply_to"):
                if text != public_reply(self._settings).text:
                    raise PermanentFailure(
                        "refused: only the standard invitation to a direct "
                        "message is ever posted publicly"
                    )
                response = await self._client.create_tweet(
                    text=text,
                    in_reply_to_tweet_id=delivery.recipient,
                    direct_message_deep_link=dm_link(self._settings),
                    user_auth=True,
                )
                return str(response["data"]["id"])
            response = await self._client.create_direct_message(
                participant_id=delivery.recipient, text=text, user_auth=True
            )
            return str(response["data"]["dm_event_id"])
        except x_errors.TooManyRequests as error:
            reset = error.reset_time
            wait = reset - time.time() if reset else DEFAULT_RATE_LIMIT_WAIT_SECONDS
            raise RateLimited(wait, "(X)") from error
        except x_errors.TwitterServerError as error:  # 5xx: X did not take the message
            raise RetryableFailure(f"X: {error}") from error
        except x_errors.HTTPException as error:  # 4xx: blocked, not allowed, bad request
            raise PermanentFailure(f"X refused: {error}") from error
        except aiohttp.ClientConnectorError as error:  # never connected: nothing was sent
            raise RetryableFailure(f"X not reached: {error}") from error
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise PermanentFailure(
                f"X connection lost or timed out, outcome unknown, not resent: {error!r}"
            ) from error
