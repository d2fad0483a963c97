"""CSAT on SQLite and PostgreSQL: who is asked, what counts as an answer, the idle-close
job's sample of the conversations the assistant resolved (bot/services/csat.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.app import close_idle_conversations
from bot.gateway.conversations import record as conversations
from bot.gateway.conversations.record import InboundMessage
from bot.gateway.replies import Reply
from bot.services import csat, outcomes
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import Channel, Conversation, CsatRating, Message, OutboxMessage

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


async def started(
    sessions: SessionFactory, who: str, channel: Channel = Channel.WEBCHAT, public: bool = False
) -> int:
    """A conversation with one message; a public one (an X mention) got its public reply."""
    async with sessions.begin() as session:
        inbound = InboundMessage(channel, who, "hello", public=public)
        state = await conversations.open_turn(session, inbound)
        await outcomes.customer_message(session, state.id, NOW - timedelta(hours=5))
        await conversations.record_replies(
            session, state, [Reply("Hello")], in_reply_to="1234" if public else None
        )
        return state.id


def test_the_sample_is_the_same_every_time_and_follows_the_rate() -> None:
    assert not any(csat.sampled(n, 0.0) for n in range(1, 200))
    assert all(csat.sampled(n, 1.0) for n in range(1, 200))
    chosen = [n for n in range(1, 2001) if csat.sampled(n, 0.2)]
    assert chosen == [n for n in range(1, 2001) if csat.sampled(n, 0.2)]
    assert 300 < len(chosen) < 500


@pytest.mark.parametrize(
    ("text", "typed", "rating"),
    [
        ('/csat{"rating":4}', False, 4),
        ('/csat{"rating":9}', False, None),
        ('/csat{"rating":"5"}', False, None),
        ("/csat{oops", False, None),
        ("4", False, None),
        ("4", True, 4),
        ("4/5", True, 4),
        (" 5 out of 5! ", True, 5),
        ("45", True, None),
        ("4 more questions", True, None),
        ("0", True, None),
    ],
)
def test_what_counts_as_a_rating(text: str, typed: bool, rating: int | None) -> None:
    assert csat.rating_of(text, typed=typed) == rating


async def test_the_idle_close_job_asks_the_sample_of_what_the_assistant_resolved(
    sessions: SessionFactory, settings: Settings
) -> None:
    webchat = await started(sessions, "idle-web")
    telegram = await started(sessions, "555", Channel.TELEGRAM)
    mention = await started(sessions, "777", Channel.X, public=True)
    nobody = replace(settings, conversation_idle_close_minutes=60, csat_bot_sample_rate=0.0)
    everyone = replace(nobody, csat_bot_sample_rate=1.0)

    result = await close_idle_conversations(nobody)(sessions, NOW)
    assert result == {"closed": 3, "csat_asked": 0}
    async with sessions.begin() as session:
        # Closed already: the job does not come back to them.
        assert list(await session.scalars(select(CsatRating))) == []
    for conversation_id in (webchat, telegram, mention):
        async with sessions.begin() as session:
            await outcomes.customer_message(session, conversation_id, NOW - timedelta(hours=3))
    result = await close_idle_conversations(everyone)(sessions, NOW)
    # The public mention's author is never asked.
    assert result == {"closed": 3, "csat_asked": 2}

    async with sessions.begin() as session:
        rows = list(await session.scalars(select(CsatRating).order_by(CsatRating.conversation_id)))
        assert [(r.conversation_id, r.agent_id, r.state) for r in rows] == [
            (webchat, None, csat.ASKED),
            (telegram, None, csat.ASKED),
        ]
        # Telegram's question is queued privately with its buttons; nothing in public.
        queued = list(
            await session.scalars(
                select(OutboxMessage)
                .join(Message, Message.id == OutboxMessage.message_id)
                .where(Message.text == csat.QUESTION)
            )
        )
        assert [(q.channel, q.recipient) for q in queued] == [(Channel.TELEGRAM, "555")]
        assert len(queued[0].payload["buttons"]) == 5
        assert "in_reply_to" not in queued[0].payload
        assert await csat.ask(session, mention, NOW, by_agent=False) is False


async def test_a_rating_then_a_comment_late_or_not(sessions: SessionFactory) -> None:
    conversation_id = await started(sessions, "555", Channel.TELEGRAM)
    async with sessions.begin() as session:
        assert await csat.ask(session, conversation_id, NOW, by_agent=False)
        assert await csat.ask(session, conversation_id, NOW, by_agent=False) is False
    async with sessions.begin() as session:
        rated = await csat.answer(session, Channel.TELEGRAM, "555", '/csat{"rating":2}', NOW)
        assert rated is not None and rated.text == csat.COMMENT_QUESTION
        # Another customer has no question open.
        assert await csat.answer(session, Channel.TELEGRAM, "556", "2", NOW) is None
    later = NOW + timedelta(minutes=csat.COMMENT_MINUTES + 1)
    async with sessions.begin() as session:
        # Too late for a comment: a new question for the assistant.
        assert (
            await csat.answer(session, Channel.TELEGRAM, "555", "Where is my order?", later) is None
        )
        again = await csat.answer(session, Channel.TELEGRAM, "555", '/csat{"rating":5}', later)
        assert again is not None and again.text == csat.ALREADY_RATED
        row = await session.get(CsatRating, conversation_id)
        assert row is not None
        assert (row.rating, row.comment, row.state, row.rated_at) == (2, None, csat.DONE, NOW)


async def test_a_customer_who_says_they_are_under_13_after_the_question_is_not_heard(
    sessions: SessionFactory,
) -> None:
    rated = await started(sessions, "child", Channel.TELEGRAM)
    async with sessions.begin() as session:
        assert await csat.ask(session, rated, NOW, by_agent=False)
        # Their next conversation (after an agent's resolve) is where they say it.
        later = await session.get(Conversation, rated)
        assert later is not None
        session.add(
            Conversation(
                identity_id=later.identity_id, channel=Channel.TELEGRAM, minor_declared_at=NOW
            )
        )
    async with sessions.begin() as session:
        assert await csat.answer(session, Channel.TELEGRAM, "child", "My name is Tom", NOW) is None
        assert await csat.answer(session, Channel.TELEGRAM, "child", "4", NOW) is None
        row = await session.get(CsatRating, rated)
        assert row is not None and (row.rating, row.state) == (None, csat.ASKED)


async def test_a_number_typed_days_after_the_question_goes_to_the_assistant(
    sessions: SessionFactory,
) -> None:
    conversation_id = await started(sessions, "556", Channel.TELEGRAM)
    async with sessions.begin() as session:
        assert await csat.ask(session, conversation_id, NOW, by_agent=False)
    days_later = NOW + timedelta(hours=csat.ANSWER_HOURS + 1)
    async with sessions.begin() as session:
        assert await csat.answer(session, Channel.TELEGRAM, "556", "2", days_later) is None
        late = await csat.answer(session, Channel.TELEGRAM, "556", '/csat{"rating":2}', days_later)
        assert late is not None and late.text == csat.THANKS
        row = await session.get(CsatRating, conversation_id)
        assert row is not None and (row.rating, row.state) == (None, csat.LAPSED)
