"""On Telegram the customer hears what the web chat's status line shows: their place in
the queue at the handoff, who joined at the claim, and the close at the resolve, each
delivered through the outbox (python-telegram-bot against the fake Bot API)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from aiohttp.test_utils import TestServer

from bot.settings import Settings
from bot.store.models import Channel
from connectors.telegram import WEBHOOK_PATH
from tests.fakes.telegram_api import SECRET, TOKEN, FakeTelegram, text_update
from tests.helpers import MakeAgent, NewClient, conversation_of, settled, until

CHAT = 6660002


@pytest.fixture
def inbox_settings(inbox_settings: Settings, fake_telegram: FakeTelegram) -> Settings:
    return replace(
        inbox_settings,
        telegram_mode="webhook",
        telegram_bot_token=TOKEN,
        telegram_webhook_secret=SECRET,
        telegram_api_base_url=fake_telegram.base_url,
        outbox_sweep_seconds=0.2,
    )


def said(fake: FakeTelegram) -> list[str]:
    return [str(m["text"]) for m in fake.sent]


async def test_waiting_joined_and_resolved_reach_telegram(
    server: TestServer,
    new_client: NewClient,
    make_agent: MakeAgent,
    inbox_settings: Settings,
    fake_telegram: FakeTelegram,
) -> None:
    platform = await new_client()
    agent = await make_agent("Claire Dubois")
    await platform.post(
        WEBHOOK_PATH,
        json=text_update("I need a person please", chat_id=CHAT),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    await settled(platform)
    await until(
        lambda: "You are next in line for our concierge." in said(fake_telegram),
        what="the place in the queue on Telegram",
    )
    conversation = await conversation_of(inbox_settings, str(CHAT), Channel.TELEGRAM)
    base = f"/inbox/conversations/{conversation.id}"

    assert (await agent.post(base + "/claim")).status == 303
    await until(
        lambda: "Claire from the concierge has joined the conversation." in said(fake_telegram),
        what="who joined, first name only",
    )
    assert (await agent.post(base + "/resolve")).status == 303
    await until(
        lambda: said(fake_telegram)[-1].startswith("Thank you for your patience."),
        what="the close",
    )
