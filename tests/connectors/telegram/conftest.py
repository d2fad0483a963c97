"""A gateway with Telegram on (webhook mode), python-telegram-bot against the fake Bot API,
the scripted fake Rasa, and the store on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.app import create_app
from bot.settings import Settings
from tests.fakes.telegram_api import SECRET, TOKEN, FakeTelegram
from tests.helpers import Client, StartGateway


@pytest.fixture
def telegram_settings(
    gateway_settings: Settings, database_url: str, fake_telegram: FakeTelegram
) -> Settings:
    return replace(
        gateway_settings,
        database_url=database_url,
        public_base_url="https://concierge.example.com",
        telegram_mode="webhook",
        telegram_bot_token=TOKEN,
        telegram_webhook_secret=SECRET,
        telegram_api_base_url=fake_telegram.base_url,
        outbox_retry_base_seconds=0.05,
        outbox_sweep_seconds=0.2,
    )


@pytest.fixture
def start(aiohttp_client: Any, telegram_settings: Settings) -> StartGateway:
    """Start a gateway; call again after closing the first for a restart on the same store."""

    async def start_gateway(**changes: Any) -> Client:
        client: Client = await aiohttp_client(create_app(replace(telegram_settings, **changes)))
        return client

    return start_gateway
