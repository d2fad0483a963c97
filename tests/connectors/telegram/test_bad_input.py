"""Malformed posts to Telegram's webhook get a 400 and a reason, never a 500 (so Telegram
does not retry them forever), and a message Telegram does send is never dropped for what
its text holds (issue 17, item 12)."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.settings import Settings
from bot.store.models import InboundEvent, Message
from connectors.telegram import WEBHOOK_PATH
from tests import helpers
from tests.fakes.telegram_api import SECRET, FakeTelegram, text_update
from tests.helpers import StartGateway

DEEP = 30_000


async def raw_post(client: TestClient[Any, Any], secret: bytes, body: bytes) -> tuple[int, bytes]:
    """A POST whose header bytes are exactly these: no client library would send them."""
    server = client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(
        b"POST " + WEBHOOK_PATH.encode() + b" HTTP/1.1\r\nHost: gateway\r\n"
        b"X-Telegram-Bot-Api-Secret-Token: " + secret + b"\r\n"
        b"Content-Type: application/json\r\nConnection: close\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    await writer.drain()
    answer = await reader.read()
    writer.close()
    status = int(answer.split(b" ", 2)[1])
    return status, answer.partition(b"\r\n\r\n")[2]


@pytest.mark.parametrize(
    "secret",
    [b"\xff\xfe", "sécret".encode(), SECRET.encode() + b"\xc3\xa9", b"\xe2\x80\xa8"],
    ids=["not-utf8", "accented", "ours-plus-one", "line-separator"],
)
async def test_a_non_ascii_secret_header_gets_a_400_and_nothing_is_stored(
    start: StartGateway, telegram_settings: Settings, secret: bytes
) -> None:
    client = await start()
    status, body = await raw_post(client, secret, json.dumps(text_update("hello")).encode())
    assert status == 400
    assert b"malformed X-Telegram-Bot-Api-Secret-Token header" in body
    assert await helpers.count(telegram_settings, InboundEvent) == 0


@pytest.mark.parametrize(
    "body", [b"[" * DEEP + b"]" * DEEP, b'{"update_id": ' + b"[" * DEEP + b"]" * DEEP + b"}"]
)
async def test_a_deeply_nested_body_gets_a_400(
    start: StartGateway, telegram_settings: Settings, body: bytes
) -> None:
    client = await start()
    status, answer = await raw_post(client, SECRET.encode(), body)
    assert status == 400
    assert b"nested too deeply" in answer
    assert await helpers.count(telegram_settings, InboundEvent) == 0


@pytest.mark.parametrize("text", ["\\ud800", "ring size \\udfff please", "\\ude00\\ud83d"])
async def test_a_message_with_a_lone_surrogate_is_answered_not_dropped(
    start: StartGateway, fake_telegram: FakeTelegram, telegram_settings: Settings, text: str
) -> None:
    client = await start()
    update = json.dumps(text_update("PLACEHOLDER")).replace("PLACEHOLDER", text).encode()
    status, _ = await raw_post(client, SECRET.encode(), update)
    assert status == 200
    await helpers.settled(client)
    kept = re.sub("[\ud800-\udfff]", "\ufffd", json.loads(f'"{text}"'))  # each one U+FFFD
    assert next(m.text for m in await helpers.messages(telegram_settings)) == kept
    assert [m["text"] for m in fake_telegram.sent] == [f"You said: {kept}"]
    assert await helpers.count(telegram_settings, Message) == 2
