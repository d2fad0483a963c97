"""Telegram's webhook: POST /webhooks/telegram, guarded by the secret token we registered.

Telegram sends the secret given to set_webhook in X-Telegram-Bot-Api-Secret-Token; anything
without it is refused (403) before the body is read. A valid update is stored and answered
200 at once; the turn runs in the background, so Telegram never resends for a slow turn.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from aiohttp import web
from telegram import Update

from bot.gateway.keys import SETTINGS
from bot.gateway.routes import TELEGRAM_WEBHOOK_PATH
from connectors.telegram.connector import TELEGRAM

WEBHOOK_PATH = TELEGRAM_WEBHOOK_PATH  # the gateway's route table names it
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def secret_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison, so the secret cannot be guessed byte by byte."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def parse_update(body: Any) -> dict[str, Any] | None:
    """The update as a dict, or None when the body is not a Telegram update."""
    if not isinstance(body, dict) or type(body.get("update_id")) is not int:
        return None
    try:
        Update.de_json(body, None)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    return body


async def receive(request: web.Request) -> web.Response:
    if not secret_matches(
        request.app[SETTINGS].telegram_webhook_secret, request.headers.get(SECRET_HEADER)
    ):
        return web.json_response({"error": "forbidden"}, status=403)
    try:
        update = parse_update(await request.json())
    except (json.JSONDecodeError, UnicodeDecodeError):
        update = None
    if update is None:
        return web.json_response({"error": "not a Telegram update"}, status=400)
    await request.app[TELEGRAM].accept(update)  # a duplicate is acknowledged all the same
    return web.json_response({"ok": True})
