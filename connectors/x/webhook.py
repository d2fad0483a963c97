"""X's Account Activity webhook: GET answers the CRC challenge, POST delivers activity.

A POST is verified against the x-twitter-webhooks-signature of its raw body before it is
parsed; a missing or wrong signature is refused (403) and nothing is stored. A signed body
that is not a well-formed Account Activity event (a JSON object with for_user_id and a known
event key) is refused (400) and nothing is stored. Direct messages and mentions of our account
are stored and answered 200 at once; other activity is acknowledged and dropped.

The CRC endpoint answers only tokens shaped like X's (see `signatures`): the CRC answer is the
same HMAC as a POST signature, so answering arbitrary text would let anyone sign a forged body.
"""

from __future__ import annotations

import json

from aiohttp import web

from bot.gateway.keys import SETTINGS
from bot.gateway.routes import X_WEBHOOK_PATH
from connectors.x.activity import from_account_activity, is_account_activity
from connectors.x.connector import X
from connectors.x.signatures import (
    SIGNATURE_HEADER,
    crc_response,
    crc_token_valid,
    signature_valid,
)

WEBHOOK_PATH = X_WEBHOOK_PATH  # the gateway's route table names it


async def crc(request: web.Request) -> web.Response:
    token = request.query.get("crc_token")
    if not token:
        return web.json_response({"error": "crc_token is required"}, status=400)
    if not crc_token_valid(token):
        return web.json_response({"error": "crc_token is not an X challenge"}, status=400)
    return web.json_response(crc_response(request.app[SETTINGS].x_consumer_secret, token))


async def receive(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    body = await request.read()
    if not signature_valid(settings.x_consumer_secret, body, request.headers.get(SIGNATURE_HEADER)):
        return web.json_response({"error": "forbidden"}, status=403)
    try:
        activity = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.json_response({"error": "the body is not valid JSON"}, status=400)
    if not is_account_activity(activity):
        return web.json_response({"error": "not an Account Activity event"}, status=400)
    connector = request.app[X]
    for event in from_account_activity(activity, settings.x_user_id):
        await connector.accept(event)
    return web.json_response({"ok": True})
