"""An agent's reply on a Telegram conversation: queued in the outbox with the message, then
delivered to the customer's chat by the outbox worker (python-telegram-bot, fake Bot API)."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.services import csat
from bot.settings import Settings
from bot.store.models import Author, Channel, ConversationHolder, CsatRating, DeliveryStatus
from connectors.telegram import WEBHOOK_PATH
from tests import helpers
from tests.fakes.rasa import FakeRasa
from tests.fakes.telegram_api import SECRET, TOKEN, FakeTelegram, next_update_id, text_update
from tests.helpers import MakeAgent, NewClient, until

CHAT = 6660001


@pytest.fixture
def inbox_settings(inbox_settings: Settings, fake_telegram: FakeTelegram) -> Settings:
    """The inbox's gateway with Telegram on (webhook mode, the fake Bot API)."""
    return replace(
        inbox_settings,
        telegram_mode="webhook",
        telegram_bot_token=TOKEN,
        telegram_webhook_secret=SECRET,
        telegram_api_base_url=fake_telegram.base_url,
        outbox_sweep_seconds=0.2,
    )


async def test_a_reply_on_telegram_is_queued_then_delivered_and_so_is_the_resolve(
    server: TestServer,
    new_client: NewClient,
    make_agent: MakeAgent,
    inbox_settings: Settings,
    fake_telegram: FakeTelegram,
    fake_rasa: tuple[FakeRasa, str],
) -> None:
    platform = await new_client()
    agent = await make_agent()
    update = text_update("I need a person please", chat_id=CHAT)
    response = await platform.post(
        WEBHOOK_PATH, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status == 200
    await helpers.settled(platform)
    conversation = await helpers.conversation_of(inbox_settings, str(CHAT), Channel.TELEGRAM)
    assert conversation.holder is ConversationHolder.WAITING
    base = f"/inbox/conversations/{conversation.id}"

    assert (await agent.post(base + "/claim")).status == 303
    reply = await agent.post(base + "/reply", {"text": "Good afternoon from the concierge"})
    assert reply.status == 303

    # In the store, with the message it delivers (the worker may already have sent it).
    reply_row = (await helpers.outbox(inbox_settings))[-1]
    assert reply_row.recipient == str(CHAT)
    assert reply_row.payload["text"] == "Good afternoon from the concierge"
    stored = (await helpers.messages(inbox_settings))[-1]
    assert (stored.id, stored.author, stored.agent_id) == (
        reply_row.message_id,
        Author.AGENT,
        agent.id,
    )
    await until(
        lambda: any(m["text"] == "Good afternoon from the concierge" for m in fake_telegram.sent),
        what="the reply delivered on Telegram",
    )

    assert (await agent.post(base + "/resolve")).status == 303
    await helpers.settled(platform)
    # The resolve notice, then the rating question as an inline keyboard (services/csat.py).
    await until(lambda: fake_telegram.sent[-1]["text"] == csat.QUESTION, what="the question")
    notice, question = fake_telegram.sent[-2:]
    assert notice["text"].startswith("Thank you for your patience.")
    assert notice["chat_id"] == question["chat_id"] == str(CHAT)
    keyboard = [row[0] for row in question["reply_markup"]["inline_keyboard"]]
    assert [b["callback_data"] for b in keyboard] == [f'/csat{{"rating":{n}}}' for n in range(1, 6)]
    rows = await helpers.outbox(inbox_settings)
    assert all(row.status is DeliveryStatus.SENT for row in rows)

    # The customer taps 4: stored with the agent, thanked, the assistant never asked.
    asked = len(fake_rasa[0].received)
    press = {
        "update_id": next_update_id(),
        "callback_query": {
            "id": "cbq-csat",
            "chat_instance": "ci",
            "from": {"id": CHAT, "is_bot": False, "first_name": "Ada"},
            "data": keyboard[3]["callback_data"],
            "message": {
                "message_id": question["message_id"],
                "date": int(time.time()),
                "chat": {"id": CHAT, "type": "private"},
                "text": question["text"],
                "reply_markup": question["reply_markup"],
            },
        },
    }
    response = await platform.post(
        WEBHOOK_PATH, json=press, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status == 200
    await until(lambda: fake_telegram.sent[-1]["text"] == csat.COMMENT_QUESTION, what="the thanks")
    assert len(fake_rasa[0].received) == asked
    [rating] = await helpers.query(inbox_settings, select(CsatRating))
    assert (rating.conversation_id, rating.agent_id, rating.rating) == (
        conversation.id,
        agent.id,
        4,
    )
    assert rating.channel is Channel.TELEGRAM
