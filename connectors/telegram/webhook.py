"""Telegram's webhook: POST /webhooks/telegram, guarded by the secret token we registered.

Telegram sends the secret given to set_webhook in X-Telegram-Bot-Api-Secret-Token; anything
without it is refused (403) before the body is read. A valid update is stored and answered
200 at once; the turn runs in the background, so Telegram never resends for a slow turn.
"""

from __future__ import annotations

import hmac
from typing import Any

from aiohttp import web
from telegram import Update

from bot.gateway.inputs import BadInput, read_json
from bot.gateway.keys import SETTINGS
from bot.gateway.routes import TELEGRAM_WEBHOOK_PATH
from connectors.telegram.connector import TELEGRAM

WEBHOOK_PATH = TELEGRAM_WEBHOOK_PATH  # the gateway's route table names it
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def secret_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison, so the secret cannot be guessed byte by byte."""
    if not expected or given is None:
        return False
    # A header that is not UTF-8 reaches us with surrogate escapes, which .encode() refuses.
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))


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
    given = request.headers.get(SECRET_HEADER)
    if given is not None and not given.isascii():
        # Telegram's secret is A-Z a-z 0-9 _ - only: this one cannot be ours.
        return web.json_response({"error": f"malformed {SECRET_HEADER} header"}, status=400)
    if not secret_matches(request.app[SETTINGS].telegram_webhook_secret, given):
        return web.json_response({"error": "forbidden"}, status=403)
    try:
        update = parse_update(await read_json(request))
    except BadInput as error:
        return web.json_response({"error": str(error)}, status=400)
    if update is None:
        return web.json_response({"error": "not a Telegram update"}, status=400)
    await request.app[TELEGRAM].accept(update)  # a duplicate is acknowledged all the same
    return web.json_response({"ok": True})
