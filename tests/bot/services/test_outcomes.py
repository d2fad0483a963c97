"""Outcomes and the report's figures on SQLite and PostgreSQL, against a known set of
conversations whose every figure was worked out by hand (below), in New York time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.app import close_idle_conversations
from bot.gateway.conversations import record as conversations
from bot.gateway.conversations.record import InboundMessage
from bot.gateway.scheduler import Job, Scheduler
from bot.inbox.accounts import create_agent
from bot.services import outcomes
from bot.services.outcomes import Period
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import (
    AgentRole,
    Author,
    Channel,
    ConversationOutcome,
    Direction,
    Message,
    OutcomeKind,
)

NY = "America/New_York"  # UTC-5 in January


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, second, tzinfo=timezone.utc)


@pytest.fixture
def idle_settings(settings: Settings) -> Settings:
    # No CSAT question here (tests/bot/services/test_csat.py asks them).
    return replace(
        settings,
        conversation_idle_close_minutes=60,
        concierge_timezone=NY,
        csat_bot_sample_rate=0.0,
    )


async def started(
    sessions: SessionFactory, who: str, when: datetime, channel: Channel = Channel.WEBCHAT
) -> int:
    async with sessions.begin() as session:
        inbound = InboundMessage(channel, who, "hello")
        state = await conversations.open_turn(session, inbound)
        await outcomes.customer_message(session, state.id, when)
        return state.id


async def message(
    sessions: SessionFactory, conversation_id: int, direction: Direction, when: datetime,
    note: bool = False,
) -> None:  # fmt: skip
    async with sessions.begin() as session:
        session.add(
            Message(
                conversation_id=conversation_id, channel=Channel.WEBCHAT, direction=direction,
                author=Author.CUSTOMER if direction is Direction.IN else Author.BOT,
                text="x", is_private_note=note, created_at=when,
            )
        )  # fmt: skip


async def close(sessions: SessionFactory, settings: Settings, now: datetime) -> int:
    async with sessions.begin() as session:
        return await outcomes.close_idle(session, settings, now)


@pytest.fixture
async def known(sessions: SessionFactory, idle_settings: Settings) -> dict[str, int]:
    """A..E start in the period 5-6 January (New York); F and G just outside it.

    A  09:00 NY, bot only, last active 09:05           -> assistant_resolved, 300 s
    B  10:00 NY, handoff customer_request 10:02, claimed by agent 1 at 10:03, replies
       10:04 (FRT 120 s) and 10:06, resolved 10:10     -> agent_resolved, 600 s, 2 messages
    C  11:00 NY telegram, handoff complaint 11:01 (nlu_fallback, complain), agent 2
       replies 11:11 (FRT 600 s), never resolved       -> handed_off
    D  23:30 NY on the 5th (04:30 UTC on the 6th), handoff assistant_unavailable, nobody
       answers                                          -> abandoned
    E  22:00 NY on the 6th, closed idle, writes again at 00:10 NY on the 7th: reopened,
       closed again                                     -> assistant_resolved, 7800 s
    F  00:30 NY on the 7th, G 23:59 NY on the 4th      -> outside the period
    """
    async with sessions.begin() as session:
        one = (
            await create_agent(session, "a1@m.example.com", "Ann", "pw-123456789", AgentRole.AGENT)
        ).id
        two = (
            await create_agent(session, "a2@m.example.com", "Bob", "pw-123456789", AgentRole.AGENT)
        ).id
    ids = {"agent1": one, "agent2": two}
    ids["A"] = await started(sessions, "A", at(5, 14))
    async with sessions.begin() as session:
        await outcomes.customer_message(session, ids["A"], at(5, 14, 5))
    await message(sessions, ids["A"], Direction.IN, at(5, 14))
    await message(sessions, ids["A"], Direction.OUT, at(5, 14, 0, 5))

    ids["B"] = await started(sessions, "B", at(5, 15))
    async with sessions.begin() as session:
        await outcomes.handed_off(
            session, ids["B"], "customer_request", at(5, 15, 2), ["greet", "request_human"]
        )
        await outcomes.claimed(session, ids["B"], one, at(5, 15, 3))
        await outcomes.agent_replied(session, ids["B"], one, at(5, 15, 4))
        await outcomes.agent_replied(session, ids["B"], one, at(5, 15, 6))
        await outcomes.agent_resolved(session, ids["B"], one, at(5, 15, 10))
    await message(sessions, ids["B"], Direction.OUT, at(5, 15, 4))
    await message(sessions, ids["B"], Direction.OUT, at(5, 15, 5), note=True)

    ids["C"] = await started(sessions, "C", at(5, 16), Channel.TELEGRAM)
    async with sessions.begin() as session:
        await outcomes.handed_off(
            session, ids["C"], "complaint", at(5, 16, 1), ["nlu_fallback", "complain"]
        )
        await outcomes.claimed(session, ids["C"], two, at(5, 16, 5))
        await outcomes.agent_replied(session, ids["C"], two, at(5, 16, 11))

    ids["D"] = await started(sessions, "D", at(6, 4, 30))
    async with sessions.begin() as session:
        await outcomes.handed_off(session, ids["D"], "assistant_unavailable", at(6, 4, 31))
    await message(sessions, ids["D"], Direction.IN, at(6, 4, 30))
    await message(sessions, ids["D"], Direction.OUT, at(6, 4, 31))

    ids["E"] = await started(sessions, "E", at(7, 3))
    ids["G"] = await started(sessions, "G", at(5, 4, 59))
    assert await close(sessions, idle_settings, at(7, 5)) == 5  # A, C, D, E, G (B resolved)
    async with sessions.begin() as session:
        await outcomes.customer_message(session, ids["E"], at(7, 5, 10))
    ids["F"] = await started(sessions, "F", at(7, 5, 30))
    await message(sessions, ids["F"], Direction.IN, at(7, 5, 30))
    assert await close(sessions, idle_settings, at(8, 12)) == 2  # E again, F
    return ids


async def row(sessions: SessionFactory, conversation_id: int) -> ConversationOutcome:
    async with sessions() as session:
        found = await session.get(ConversationOutcome, conversation_id)
        assert found is not None
        return found


async def test_each_conversation_ends_with_its_outcome(
    sessions: SessionFactory, known: dict[str, int]
) -> None:
    a, b, c, d, e = [await row(sessions, known[k]) for k in "ABCDE"]
    assert (a.outcome, a.resolution_seconds, a.reopened) == (
        OutcomeKind.ASSISTANT_RESOLVED,
        300,
        False,
    )
    assert (
        b.outcome,
        b.first_response_seconds,
        b.resolution_seconds,
        b.agent_messages,
        b.agent_id,
    ) == (OutcomeKind.AGENT_RESOLVED, 120, 600, 2, known["agent1"])
    assert (b.handoff_reason, b.intents) == ("customer_request", ["greet", "request_human"])
    assert (c.outcome, c.first_response_seconds, c.agent_messages) == (
        OutcomeKind.HANDED_OFF,
        600,
        1,
    )
    assert (d.outcome, d.first_response_seconds, d.handoff_reason) == (
        OutcomeKind.ABANDONED,
        None,
        "assistant_unavailable",
    )
    assert (e.outcome, e.reopened, e.resolution_seconds) == (
        OutcomeKind.ASSISTANT_RESOLVED,
        True,
        7800,
    )


async def test_the_figures_of_the_period_match_the_hand_computed_ones(
    sessions: SessionFactory, known: dict[str, int]
) -> None:
    async with sessions() as session:
        report = await outcomes.report(session, Period(date(2026, 1, 5), date(2026, 1, 6), NY))
    assert report.conversations == 5
    assert (report.messages_in, report.messages_out) == (2, 3)  # no note, nothing of F's
    assert report.outcomes == {
        "open": 0, "assistant_resolved": 2, "handed_off": 1, "abandoned": 1, "agent_resolved": 1
    }  # fmt: skip
    assert (report.closed, report.reopened, report.resolution_rate) == (5, 1, 0.4)
    assert report.handoffs_by_reason == [
        ("assistant_unavailable", 1), ("complaint", 1), ("customer_request", 1)
    ]  # fmt: skip
    assert (report.frt_median, report.frt_p90) == (360, 600)
    assert (report.resolution_median, report.resolution_p90) == (600, 7800)
    assert dict(report.frt_distribution) == {
        "< 1 min": 0, "1-5 min": 1, "5-15 min": 1, "15-60 min": 0, "1-4 h": 0, "> 4 h": 0
    }  # fmt: skip
    assert {hour: n for hour, n in report.busiest_hours if n} == {9: 1, 10: 1, 11: 1, 22: 1, 23: 1}
    assert report.topics == [("complain", 1), ("greet", 1), ("request_human", 1)]
    assert report.not_understood == [("complain", 1)]
    # D started at 04:30 UTC on the 6th: the 5th in New York.
    assert [(d.day, d.conversations, d.closed, d.resolution_rate) for d in report.daily] == [
        (date(2026, 1, 5), 4, 4, 0.25), (date(2026, 1, 6), 1, 1, 1.0)
    ]  # fmt: skip


async def test_a_channel_an_agent_and_an_empty_period(
    sessions: SessionFactory, known: dict[str, int]
) -> None:
    period = Period(date(2026, 1, 5), date(2026, 1, 6), NY)
    async with sessions() as session:
        telegram = await outcomes.report(session, period, Channel.TELEGRAM)
        mine = await outcomes.report(session, period, agent_id=known["agent1"])
        empty = await outcomes.report(session, Period(date(2026, 2, 1), date(2026, 2, 1), NY))
    assert (telegram.conversations, telegram.resolution_rate, telegram.frt_median) == (1, 0.0, 600)
    assert (telegram.messages_in, telegram.messages_out) == (0, 0)
    assert (mine.conversations, mine.frt_median, mine.outcomes["agent_resolved"]) == (1, 120, 1)
    assert (mine.messages_in, mine.messages_out) == (0, 1)
    assert (empty.conversations, empty.messages_in, empty.resolution_rate) == (0, 0, None)
    assert (empty.frt_median, empty.frt_p90, empty.resolution_median) == (None, None, None)
    assert empty.topics == [] and empty.handoffs_by_reason == []
    assert [(d.day, d.conversations) for d in empty.daily] == [(date(2026, 2, 1), 0)]


async def test_the_idle_close_job_runs_once_across_gateways(
    sessions: SessionFactory, idle_settings: Settings
) -> None:
    waiting_id = await started(sessions, "W", at(5, 9))
    async with sessions.begin() as session:
        await outcomes.handed_off(session, waiting_id, "needs_person", at(5, 9, 1))
    recent = await started(sessions, "R", at(5, 9, 50))
    job = Job(
        "close_idle_conversations", timedelta(minutes=5), close_idle_conversations(idle_settings)
    )
    one, two = Scheduler(sessions, [job], holder="one"), Scheduler(sessions, [job], holder="two")
    assert await one.run_due(at(5, 10, 5)) == {
        "close_idle_conversations": {"closed": 1, "csat_asked": 0}
    }
    assert await two.run_due(at(5, 10, 5)) == {}  # the same occurrence: not again
    assert (await row(sessions, waiting_id)).outcome is OutcomeKind.ABANDONED
    assert (await row(sessions, recent)).closed_at is None  # active 15 minutes ago
    assert await two.run_due(at(5, 10, 55)) == {
        "close_idle_conversations": {"closed": 1, "csat_asked": 0}
    }
    assert (await row(sessions, recent)).outcome is OutcomeKind.ASSISTANT_RESOLVED


async def test_the_assistants_own_fallback_counts_as_not_understood(
    sessions: SessionFactory,
) -> None:
    conversation_id = await started(sessions, "H", at(20, 15))
    async with sessions.begin() as session:
        await outcomes.handed_off(
            session, conversation_id, "not_understood", at(20, 15, 1), ["find_boutique"]
        )
    async with sessions() as session:
        report = await outcomes.report(session, Period(date(2026, 1, 20), date(2026, 1, 20), NY))
    assert report.not_understood == [("find_boutique", 1)]
    assert report.topics == [("find_boutique", 1)]
    assert report.outcomes["handed_off"] == 1 and report.resolution_rate is None  # not ended
