"""Issue 17 item 8: an acknowledged update is never dropped. Names as long as Telegram allows
are kept (they overflowed a 120-character column on PostgreSQL), and an update whose turn
fails for good is handed to the concierge with what could be kept, not left "failed"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.gateway.pipeline import HANDOFF_UNPROCESSABLE
from bot.settings import Settings
from bot.store.db import create_engine, create_session_factory
from bot.store.models import (
    Author,
    Channel,
    ChannelIdentity,
    ConversationHolder,
    Handoff,
    InboundEvent,
    InboundEventStatus,
)
from tests import helpers
from tests.fakes.rasa import FakeRasa
from tests.fakes.telegram_api import CHAT, FakeTelegram, post_update, text_update
from tests.helpers import StartGateway


async def test_a_customer_with_the_longest_names_telegram_allows_is_answered(
    start: StartGateway,
    fake_telegram: FakeTelegram,
    fake_rasa: tuple[FakeRasa, str],
    telegram_settings: Settings,
) -> None:
    client = await start()
    update = text_update("hello")
    update["message"]["from"].update(first_name="F" * 64, last_name="L" * 64, username="u" * 32)
    assert await post_update(client, update) == 200
    await helpers.settled(client)

    assert [m["text"] for m in fake_telegram.sent] == ["You said: hello"]
    (event,) = await helpers.events(telegram_settings)
    assert event.status is InboundEventStatus.PROCESSED
    (name,) = await helpers.query(telegram_settings, select(ChannelIdentity.display_name))
    assert name == f"{'F' * 64} {'L' * 64}"


def unprocessable_update() -> dict[str, Any]:
    """Acknowledged and stored, but python-telegram-bot cannot read its sender."""
    update = text_update("my bracelet clasp broke")
    update["message"]["from"] = {"id": "not a user", "first_name": "Ada", "last_name": "L"}
    return update


async def test_an_update_that_fails_for_good_goes_to_the_concierge_with_what_was_kept(
    start: StartGateway,
    fake_telegram: FakeTelegram,
    fake_rasa: tuple[FakeRasa, str],
    telegram_settings: Settings,
) -> None:
    update = unprocessable_update()
    engine = create_engine(telegram_settings.database_url)
    async with create_session_factory(engine).begin() as session:
        session.add(
            InboundEvent(
                channel=Channel.TELEGRAM, event_id=str(update["update_id"]), payload=update
            )
        )
    await engine.dispose()

    client = await start()  # processes what was stored and not yet processed
    await helpers.settled(client)

    assert fake_rasa[0].received == []
    (event,) = await helpers.events(telegram_settings)
    assert event.status is InboundEventStatus.FAILED and event.error
    (conversation,) = await helpers.conversations(telegram_settings)
    assert conversation.holder is ConversationHolder.WAITING
    assert conversation.handoff_reason == HANDOFF_UNPROCESSABLE
    (handoff,) = await helpers.query(telegram_settings, select(Handoff))
    assert handoff.conversation_id == conversation.id
    stored = await helpers.messages(telegram_settings, conversation.id)
    assert (stored[0].author, stored[0].text) == (Author.CUSTOMER, "my bracelet clasp broke")
    assert any(m.is_private_note and "could not be processed" in m.text for m in stored)
    (name,) = await helpers.query(telegram_settings, select(ChannelIdentity.display_name))
    assert name == "Ada L"
    # The customer is told they are in the queue, on their chat.
    assert [m["chat_id"] for m in fake_telegram.sent] == [str(CHAT)]
