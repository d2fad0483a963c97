"""Retention on SQLite and PostgreSQL: exactly the expired conversations lose their text (and
their Rasa tracker events); fresh ones, ones with a person, and the outcomes stay."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select, text

from bot.app import purge_expired_conversations
from bot.gateway.scheduler import Job, Scheduler
from bot.services import retention
from bot.settings import Settings
from bot.store.db import SessionFactory, create_engine
from bot.store.models import (
    Author,
    Channel,
    ChannelIdentity,
    Conversation,
    ConversationHolder,
    ConversationOutcome,
    Direction,
    Handoff,
    InboundEvent,
    Message,
    OutcomeKind,
)

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=timezone.utc)
SECRET = "my engagement ring size is 52"


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


async def conversation(
    sessions: SessionFactory,
    external_id: str,
    last_days_ago: float,
    holder: ConversationHolder = ConversationHolder.RESOLVED,
    minor: bool = False,
) -> int:
    """A Telegram conversation with a customer message, a bot reply, a handoff digest, what
    Telegram sent, and its outcome."""
    last = days_ago(last_days_ago)
    async with sessions.begin() as session:
        identity = ChannelIdentity(channel=Channel.TELEGRAM, external_id=external_id)
        session.add(identity)
        await session.flush()
        record = Conversation(
            identity_id=identity.id,
            channel=Channel.TELEGRAM,
            holder=holder,
            last_message_at=last,
            created_at=last - timedelta(minutes=10),
            minor_declared_at=last - timedelta(minutes=5) if minor else None,
        )
        session.add(record)
        await session.flush()
        for direction, author in ((Direction.IN, Author.CUSTOMER), (Direction.OUT, Author.BOT)):
            session.add(
                Message(
                    conversation_id=record.id,
                    channel=Channel.TELEGRAM,
                    direction=direction,
                    author=author,
                    text=f"{SECRET} ({external_id})",
                    created_at=last,
                )
            )
        session.add(
            Handoff(
                conversation_id=record.id,
                reason="human_requested",
                queued_at=last,
                digest={"wants": SECRET},
            )
        )
        session.add(
            InboundEvent(
                channel=Channel.TELEGRAM,
                event_id=f"update-{external_id}",
                payload={"message": {"chat": {"id": external_id}, "text": SECRET}},
                created_at=last - timedelta(minutes=1),
            )
        )
        session.add(
            ConversationOutcome(
                conversation_id=record.id,
                channel=Channel.TELEGRAM,
                outcome=OutcomeKind.HANDED_OFF,
                started_at=last - timedelta(minutes=10),
                last_activity_at=last,
                handoff_reason="human_requested",
                agent_messages=3,
            )
        )
        return record.id


async def texts(sessions: SessionFactory, conversation_id: int) -> list[str]:
    async with sessions() as session:
        messages = list(
            await session.scalars(
                select(Message.text).where(Message.conversation_id == conversation_id)
            )
        )
        digests = list(
            await session.scalars(
                select(Handoff.digest).where(Handoff.conversation_id == conversation_id)
            )
        )
    return messages + [str(d) for d in digests if d]


async def outcomes(sessions: SessionFactory) -> list[tuple[object, ...]]:
    async with sessions() as session:
        rows = await session.execute(
            select(
                ConversationOutcome.conversation_id,
                ConversationOutcome.outcome,
                ConversationOutcome.last_activity_at,
                ConversationOutcome.handoff_reason,
                ConversationOutcome.agent_messages,
            ).order_by(ConversationOutcome.conversation_id)
        )
        return [tuple(r) for r in rows.all()]


async def tracker_store(path: Path, senders: list[str]) -> str:
    """A SQLite file with an `events` table like Rasa's; its URL as Rasa is given it."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)")
        )
        for sender in senders:
            await connection.execute(
                text("INSERT INTO events (sender_id, data) VALUES (:sender, :data)"),
                {"sender": sender, "data": f'{{"event": "user", "text": "{SECRET}"}}'},
            )
    await engine.dispose()
    return f"sqlite:///{path}"


async def tracker_senders(url: str) -> list[str]:
    engine = create_engine(url.replace("sqlite://", "sqlite+aiosqlite://"))
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT sender_id FROM events ORDER BY id"))).all()
    await engine.dispose()
    return [row[0] for row in rows]


async def test_exactly_the_expired_conversations_are_purged(
    sessions: SessionFactory, settings: Settings, tmp_path: Path
) -> None:
    old = await conversation(sessions, "tg-old", 400)
    old_minor = await conversation(sessions, "tg-minor-old", 40, minor=True)
    fresh = await conversation(sessions, "tg-fresh", 10)
    fresh_minor = await conversation(sessions, "tg-minor-fresh", 20, minor=True)
    adult_40 = await conversation(sessions, "tg-adult-40", 40)
    with_agent = await conversation(sessions, "tg-agent", 400, ConversationHolder.AGENT)
    waiting = await conversation(sessions, "tg-waiting", 400, ConversationHolder.WAITING)
    all_ids = [old, old_minor, fresh, fresh_minor, adult_40, with_agent, waiting]
    tracker_url = await tracker_store(
        tmp_path / "tracker.db", [f"conversation-{c}" for c in all_ids]
    )
    settings = replace(
        settings, retention_days=365, retention_days_minors=30, rasa_tracker_store_url=tracker_url
    )
    outcomes_before = await outcomes(sessions)

    purged = await retention.purge_expired(sessions, settings, NOW, batch=1)

    assert purged.conversations == 2 and purged.messages == 4 and purged.handoff_digests == 2
    assert purged.inbound_events == 2 and purged.tracker_events == 2
    assert purged.batches == 2 and not purged.more
    for gone in (old, old_minor):
        assert await texts(sessions, gone) == ["", ""]
    for kept in (fresh, fresh_minor, adult_40, with_agent, waiting):
        found = await texts(sessions, kept)
        assert len(found) == 3 and all(SECRET in t for t in found), kept
    async with sessions() as session:
        payloads = dict(
            (await session.execute(select(InboundEvent.event_id, InboundEvent.payload))).all()
        )
        rows = await session.execute(select(Conversation.id, Conversation.purged_at))
        marked = {c for c, at in rows.all() if at is not None}
    assert payloads["update-tg-old"] == {} and payloads["update-tg-minor-old"] == {}
    assert SECRET in str(payloads["update-tg-fresh"]) and SECRET in str(payloads["update-tg-agent"])
    assert marked == {old, old_minor}
    assert await outcomes(sessions) == outcomes_before, "the reports' figures stay"
    assert await tracker_senders(tracker_url) == [
        f"conversation-{c}" for c in (fresh, fresh_minor, adult_40, with_agent, waiting)
    ]

    again = await retention.purge_expired(sessions, settings, NOW + timedelta(hours=1))
    assert again.conversations == 0, "a purged conversation is not taken again"


async def test_a_conversation_written_in_after_its_purge_is_purged_again_later(
    sessions: SessionFactory, settings: Settings
) -> None:
    settings = replace(settings, retention_days=365)
    old = await conversation(sessions, "tg-old", 400)
    assert (await retention.purge_expired(sessions, settings, NOW)).conversations == 1
    async with sessions.begin() as session:
        record = await session.get(Conversation, old)
        assert record is not None
        record.last_message_at = NOW + timedelta(days=1)
        session.add(
            Message(
                conversation_id=old,
                channel=Channel.TELEGRAM,
                direction=Direction.IN,
                author=Author.CUSTOMER,
                text=SECRET,
            )
        )
    assert (
        await retention.purge_expired(sessions, settings, NOW + timedelta(days=2))
    ).messages == 0
    later = NOW + timedelta(days=367)
    assert (await retention.purge_expired(sessions, settings, later)).messages == 3


async def test_windows_of_zero_turn_it_off(sessions: SessionFactory, settings: Settings) -> None:
    old = await conversation(sessions, "tg-old", 4000)
    minor = await conversation(sessions, "tg-minor", 4000, minor=True)
    off = replace(settings, retention_days=0, retention_days_minors=0)
    assert (await retention.purge_expired(sessions, off, NOW)).conversations == 0
    minors_only = replace(settings, retention_days=0, retention_days_minors=30)
    assert (await retention.purge_expired(sessions, minors_only, NOW)).conversations == 1
    assert await texts(sessions, minor) == ["", ""]
    assert len(await texts(sessions, old)) == 3


async def test_two_gateways_running_the_job_at_once_purge_once(
    sessions: SessionFactory, settings: Settings
) -> None:
    settings = replace(settings, retention_days=365)
    ids = [await conversation(sessions, f"tg-{n}", 400 + n) for n in range(3)]
    job = Job(
        "purge_expired_conversations", timedelta(hours=1), purge_expired_conversations(settings)
    )
    gateways = [Scheduler(sessions, [job], holder=f"gateway-{n}") for n in (1, 2)]

    reports = await asyncio.gather(*(g.run_due(NOW) for g in gateways))

    ran = [r["purge_expired_conversations"] for r in reports if r]
    assert len(ran) == 1
    assert ran[0]["conversations"] == 3 and ran[0]["messages"] == 6
    for c in ids:
        assert await texts(sessions, c) == ["", ""]
