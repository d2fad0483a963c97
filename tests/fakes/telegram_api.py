"""A stand-in Telegram Bot API on 127.0.0.1, which python-telegram-bot talks to for real, and
the updates Telegram posts to our webhook.

It serves /bot<token>/<method> for the methods the connector uses, records every call,
queues updates for getUpdates, and can be told to fail the next sends (a server error, a
429 with retry_after, a refusal) so retries and rate limits can be produced on demand.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from connectors.telegram import WEBHOOK_PATH

TOKEN = "4242:test-telegram-token"
BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "Maison",
    "username": "maison_concierge_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
JSON_PARAMETERS = {"reply_markup", "allowed_updates"}

SECRET = "test-webhook-secret_1"  # given to set_webhook; Telegram sends it with every POST
CHAT = 5551234  # the customer's private chat
_update_ids = itertools.count(100)


def next_update_id() -> int:
    return next(_update_ids)


def text_update(text: str, chat_id: int = CHAT, update_id: int | None = None) -> dict[str, Any]:
    """A private text message from Ada, as Telegram posts it."""
    update_id = update_id if update_id is not None else next_update_id()
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id + 10_000,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Ada"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ada", "last_name": "L"},
            "text": text,
        },
    }


async def post_update(
    client: TestClient[Any, Any], update: Any, secret: str | None = SECRET
) -> int:
    """POST `update` to the gateway's webhook as Telegram does; the status it answers."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    response = await client.post(WEBHOOK_PATH, json=update, headers=headers)
    return response.status


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeTelegram:
    base_url: str = ""
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # for getUpdates
    webhook: dict[str, Any] | None = None
    sent: list[dict[str, Any]] = field(default_factory=list)  # sendMessage calls that succeeded
    # Answers for the next sendMessage calls, before any succeeds: (status, body).
    send_failures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def fail_sends(self, times: int, status: int = 500, description: str = "Internal") -> None:
        body = {"ok": False, "error_code": status, "description": description}
        self.send_failures += [(status, body)] * times

    def rate_limit_sends(self, retry_after: int) -> None:
        self.send_failures.append(
            (
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                },
            )
        )

    async def handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return _error(401, "Unauthorized")
        form = await request.post()
        params: dict[str, Any] = {
            k: json.loads(str(v)) if k in JSON_PARAMETERS else str(v) for k, v in form.items()
        }
        call = Call(request.match_info["method"], params)
        self.calls.append(call)
        method = getattr(self, f"_{call.method}", None)
        if method is None:
            return _error(404, "Not Found: method not found")
        result: web.Response = await method(call)
        return result

    async def _getMe(self, _: Call) -> web.Response:
        return _ok(BOT_USER)

    async def _setWebhook(self, call: Call) -> web.Response:
        self.webhook = call.params
        return _ok(True)

    async def _deleteWebhook(self, _: Call) -> web.Response:
        self.webhook = None
        return _ok(True)

    async def _answerCallbackQuery(self, _: Call) -> web.Response:
        return _ok(True)

    async def _sendMessage(self, call: Call) -> web.Response:
        if self.send_failures:
            status, body = self.send_failures.pop(0)
            return web.json_response(body, status=status)
        chat_id = int(call.params["chat_id"])
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": call.params["text"],
        }
        if "reply_markup" in call.params:
            message["reply_markup"] = call.params["reply_markup"]
        self.sent.append({**call.params, "message_id": message["message_id"], "at": call.at})
        return _ok(message)

    async def _getUpdates(self, call: Call) -> web.Response:
        offset = int(call.params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:  # a short long-poll, so tests stay quick
            await asyncio.sleep(min(float(call.params.get("timeout") or 0), 0.2))
        return _ok(list(self.updates))


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": status, "description": description}, status=status
    )


@pytest.fixture
async def fake_telegram(aiohttp_server: Callable[..., Awaitable[TestServer]]) -> FakeTelegram:
    fake = FakeTelegram()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    fake.base_url = str(server.make_url("/bot"))
    return fake
