"""A gateway with X on (webhook mode), tweepy against the fake X API, the scripted fake
Rasa, and the store on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.app import create_app
from bot.settings import Settings
from tests.fakes.x_api import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_SECRET,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    OUR_USER_ID,
    FakeX,
)
from tests.helpers import Client, StartGateway


@pytest.fixture
def x_settings(gateway_settings: Settings, database_url: str, fake_x: FakeX) -> Settings:
    return replace(
        gateway_settings,
        database_url=database_url,
        x_mode="webhook",
        x_consumer_key=CONSUMER_KEY,
        x_consumer_secret=CONSUMER_SECRET,
        x_access_token=ACCESS_TOKEN,
        x_access_token_secret=ACCESS_TOKEN_SECRET,
        x_user_id=OUR_USER_ID,
        x_api_base_url=fake_x.base_url,
        x_poll_interval_seconds=0.05,
        outbox_retry_base_seconds=0.05,
        outbox_sweep_seconds=0.2,
    )


@pytest.fixture
def start(aiohttp_client: Any, x_settings: Settings) -> StartGateway:
    async def start_gateway(**changes: Any) -> Client:
        client: Client = await aiohttp_client(create_app(replace(x_settings, **changes)))
        return client

    return start_gateway
