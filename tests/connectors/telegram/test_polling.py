"""Telegram polling (TELEGRAM_MODE=polling): getUpdates feeds the same stored path."""

from __future__ import annotations

from bot.settings import Settings
from bot.store.models import (
    InboundEvent,
)
from tests import helpers
from tests.fakes.telegram_api import (
    FakeTelegram,
    text_update,
)
from tests.helpers import StartGateway, until


async def test_polling_mode_takes_the_same_stored_path(
    start: StartGateway, fake_telegram: FakeTelegram, telegram_settings: Settings
) -> None:
    update = text_update("hello from polling")
    fake_telegram.updates = [update, dict(update)]  # a duplicate delivery, too
    client = await start(telegram_mode="polling", telegram_poll_timeout_seconds=1)
    await until(lambda: len(fake_telegram.sent) == 1)
    assert fake_telegram.webhook is None and fake_telegram.called("deleteWebhook")
    await until(
        lambda: any(
            int(c.params.get("offset") or 0) == update["update_id"] + 1
            for c in fake_telegram.called("getUpdates")
        )
    )
    await helpers.settled(client)
    assert [m["text"] for m in fake_telegram.sent] == ["You said: hello from polling"]
    assert await helpers.count(telegram_settings, InboundEvent) == 1
