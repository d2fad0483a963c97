"""What the web chat's status line is told: the place in the queue, the recent wait, the
concierge's hours when closed, and who joined."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from bot.gateway.conversations import holder
from bot.gateway.conversations import record as conversations
from bot.gateway.conversations.notices import waiting_words
from bot.gateway.conversations.record import InboundMessage
from bot.gateway.conversations.status import customer_status
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import Agent, Channel

# A Sunday at 10:00 in New York, when the concierge works weekdays only.
SUNDAY = datetime(2026, 12, 6, 15, 0, tzinfo=timezone.utc)


async def waiting(sessions: SessionFactory, who: str, at: datetime) -> int:
    async with sessions.begin() as session:
        inbound = InboundMessage(Channel.WEBCHAT, who, "a person")
        state = await conversations.open_turn(session, inbound)
        await conversations.record_customer_message(session, state, inbound)
        assert await holder.hand_off(session, state.id, "customer_request", at)
        return state.id


async def test_waiting_inside_and_outside_hours_then_joined(
    sessions: SessionFactory, settings: Settings
) -> None:
    weekdays = replace(settings, concierge_hours="mon-fri 09:00-19:00")
    await waiting(sessions, "first", SUNDAY)
    second = await waiting(sessions, "second", SUNDAY)
    async with sessions() as session:
        open_status = await customer_status(session, settings, Channel.WEBCHAT, "second", SUNDAY)
        closed = await customer_status(session, weekdays, Channel.WEBCHAT, "second", SUNDAY)
        nobody = await customer_status(session, settings, Channel.WEBCHAT, "unknown", SUNDAY)
    assert open_status == {
        "holder": "waiting",
        "waiting_since": SUNDAY.isoformat(),
        "ahead": 1,
        "usual_wait_seconds": None,  # no claims yet: no estimate rather than a guess
        "open": True,
        "opens": None,
    }
    assert closed["open"] is False
    assert closed["opens"] == "tomorrow at 9:00 am EST (New York time)"
    assert nobody == {"holder": "none"}

    async with sessions.begin() as session:
        agent = Agent(email="c@x.example", display_name="Claire Dubois", password_hash="-")
        session.add(agent)
        await session.flush()
        assert await holder.claim(session, second, agent.id)
    async with sessions() as session:
        joined = await customer_status(session, settings, Channel.WEBCHAT, "second", SUNDAY)
    assert joined == {"holder": "agent", "agent": "Claire"}, "first name only"


def test_the_words_for_the_queue_promise_nothing_beyond_the_facts() -> None:
    assert waiting_words(0, None) == "You are next in line for our concierge."
    assert waiting_words(1, 61) == (
        "1 customer is ahead of you. Lately the concierge has joined within about 2 minutes."
    )
    assert waiting_words(3, 30).startswith("3 customers are ahead of you.")
