"""Malformed input to the web chat is refused with a 400 and a reason, never a 500, and
nothing of it is stored (issue 17, item 12)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from bot.settings import Settings
from bot.store.models import Conversation, Message
from tests import helpers

DEEP = 30_000
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"session_id": "s-1", "text": "\\ud800"}', "not valid Unicode"),
        (b'{"session_id": "s-1", "text": "hello \\udfff there"}', "not valid Unicode"),
        (b'{"session_id": "s-1", "text": "\\ude00\\ud83d"}', "not valid Unicode"),  # reversed
        (b"[" * DEEP + b"]" * DEEP, "nested too deeply"),
        (b'{"session_id": "s-1", "text": ' + b"[" * DEEP + b"]" * DEEP + b"}", "nested too deeply"),
        (b'{"session_id": "s-1", "text": "\xff\xfe"}', "not valid JSON"),
    ],
    ids=["lone-high", "lone-low", "reversed-pair", "deep-array", "deep-inside", "not-utf8"],
)
async def test_malformed_chat_requests_get_a_400_with_a_reason_and_store_nothing(
    gateway: TestClient[Any, Any], gateway_settings: Settings, body: bytes, reason: str
) -> None:
    response = await gateway.post("/api/chat", data=body, headers=JSON)
    assert response.status == 400
    assert reason in (await response.json())["error"]
    assert await helpers.count(gateway_settings, Message) == 0
    assert await helpers.count(gateway_settings, Conversation) == 0


async def test_a_valid_emoji_pair_is_still_welcome(gateway: TestClient[Any, Any]) -> None:
    body = b'{"session_id": "s-1", "text": "a watch \\ud83d\\ude00"}'
    response = await gateway.post("/api/chat", data=body, headers=JSON)
    assert response.status == 200, await response.text()


@pytest.mark.parametrize("after", ["99999999999999999999999", str(2**63), "-1", "1e3"])
async def test_the_chat_socket_refuses_an_after_it_cannot_use(
    gateway: TestClient[Any, Any], after: str
) -> None:
    await helpers.customer_says(gateway, "s-1", "hello")
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await gateway.ws_connect(f"/api/chat/s-1/ws?after={after}")
    assert refused.value.status == 400
