"""Replies to Telegram through the outbox: split under Telegram's limit, retried on a server
error, held back as long as retry_after says, and not retried when Telegram refuses."""

from __future__ import annotations

from bot.settings import Settings
from bot.store.models import (
    DeliveryStatus,
)
from tests import helpers
from tests.fakes.rasa import FakeRasa
from tests.fakes.telegram_api import (
    FakeTelegram,
    post_update,
    text_update,
)
from tests.helpers import StartGateway, until


async def test_long_replies_are_split_at_paragraphs_under_telegrams_limit(
    start: StartGateway, fake_telegram: FakeTelegram, fake_rasa: tuple[FakeRasa, str]
) -> None:
    paragraph = "A sentence about our watches. " * 60  # ~1800 characters
    text = "\n\n".join(f"{n}. {paragraph.strip()}" for n in range(5))
    fake_rasa[0].answer([{"text": text, "buttons": [{"title": "More", "payload": "/help"}]}])
    client = await start()
    await post_update(client, text_update("tell me everything"))
    await until(lambda: len(fake_telegram.sent) == 3)
    await helpers.settled(client)
    parts = [m["text"] for m in fake_telegram.sent]
    assert all(len(part) <= 4096 for part in parts)
    assert all(part.endswith(".") for part in parts), "cut at a sentence or paragraph end"
    assert " ".join(parts).split() == text.split()
    assert ["reply_markup" in m for m in fake_telegram.sent] == [False, False, True]


async def test_a_send_that_fails_twice_is_retried_and_delivered_once(
    start: StartGateway, fake_telegram: FakeTelegram, telegram_settings: Settings
) -> None:
    fake_telegram.fail_sends(2, status=500)
    client = await start()
    await post_update(client, text_update("hello"))
    await helpers.settled(client)
    assert [m["text"] for m in fake_telegram.sent] == ["You said: hello"]
    assert len(fake_telegram.called("sendMessage")) == 3
    (row,) = await helpers.outbox(telegram_settings)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 3)


async def test_retry_after_is_honoured(
    start: StartGateway, fake_telegram: FakeTelegram, telegram_settings: Settings
) -> None:
    fake_telegram.rate_limit_sends(retry_after=1)
    client = await start()
    await post_update(client, text_update("hello"))
    await helpers.settled(client)
    refused, delivered = fake_telegram.called("sendMessage")
    assert delivered.at - refused.at >= 0.95
    (row,) = await helpers.outbox(telegram_settings)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 1), "waiting is not a failure"


async def test_a_refused_send_is_marked_failed_once_and_not_retried(
    start: StartGateway, fake_telegram: FakeTelegram, telegram_settings: Settings
) -> None:
    fake_telegram.fail_sends(1, status=403, description="Forbidden: bot was blocked by the user")
    client = await start()
    await post_update(client, text_update("hello"))
    await helpers.settled(client)
    (row,) = await helpers.outbox(telegram_settings)
    assert row.status is DeliveryStatus.FAILED
    assert row.last_error is not None and "blocked by the user" in row.last_error
    assert len(fake_telegram.called("sendMessage")) == 1
