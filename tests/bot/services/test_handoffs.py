"""The queue's domain rules on SQLite and PostgreSQL: order, wait estimate, escalation,
alerts unique by key, snooze, proofs, and the digest."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.gateway.alerting import Alerter
from bot.gateway.conversations import holder
from bot.gateway.conversations import record as conversations
from bot.gateway.conversations.record import InboundMessage
from bot.gateway.live.broadcast import LocalBroadcaster
from bot.services import alerts, handoff_digest, handoffs, proofs, routing, snooze
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import (
    Agent,
    Alert,
    AlertKind,
    Author,
    Channel,
    ChannelIdentity,
    Contact,
    Conversation,
    ConversationHolder,
    Message,
    Priority,
    ProofMethod,
)
from bot.store.types import utcnow


@pytest.fixture
def queue_settings(settings: Settings) -> Settings:
    return replace(settings, handoff_escalate_after_seconds=600.0, on_duty_email="")


async def waiting(sessions: SessionFactory, who: str, at: datetime, reason: str = "x") -> int:
    async with sessions.begin() as session:
        inbound = InboundMessage(Channel.WEBCHAT, who, "a person please")
        state = await conversations.open_turn(session, inbound)
        await conversations.record_customer_message(session, state, inbound)
        assert await holder.hand_off(session, state.id, reason, at)
        return state.id


async def vip(sessions: SessionFactory, conversation_id: int) -> None:
    async with sessions.begin() as session:
        contact = Contact(first_name="Ada", last_name="Vip", priority=Priority.VIP)
        session.add(contact)
        await session.flush()
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        identity = await session.get(ChannelIdentity, conversation.identity_id)
        assert identity is not None
        identity.contact_id = contact.id


async def test_the_queue_puts_overdue_then_priority_then_age(sessions: SessionFactory) -> None:
    now = utcnow()
    old = await waiting(sessions, "old", now - timedelta(minutes=9))
    newer = await waiting(sessions, "newer", now - timedelta(minutes=5))
    late_vip = await waiting(sessions, "vip", now - timedelta(minutes=1))
    await vip(sessions, late_vip)
    async with sessions() as session:
        assert [await handoffs.ahead_of(session, c) for c in (late_vip, old, newer)] == [0, 1, 2]
    async with sessions.begin() as session:
        await session.execute(
            update(Conversation).where(Conversation.id == newer).values(escalated_at=now)
        )
    async with sessions() as session:
        assert [await handoffs.ahead_of(session, c) for c in (newer, late_vip, old)] == [0, 1, 2]


async def test_the_usual_wait_is_the_median_of_recent_claims_and_needs_three(
    sessions: SessionFactory, queue_settings: Settings
) -> None:
    now = utcnow()
    for n, minutes in enumerate((2, 4, 30)):
        queued_at = now - timedelta(hours=1, minutes=n)
        conversation_id = await waiting(sessions, f"c{n}", queued_at)
        async with sessions.begin() as session:
            await handoffs.enter_queue(session, queue_settings, conversation_id, "x", queued_at)
            if n < 2:
                assert await handoffs.usual_wait(session, now) is None
            await handoffs.claimed(
                session,
                conversation_id,
                await _agent(session),
                queued_at + timedelta(minutes=minutes),
            )
    async with sessions() as session:
        assert await handoffs.usual_wait(session, now) == 4 * 60


async def _agent(session: AsyncSession) -> int:
    agent = Agent(email=f"a{utcnow().timestamp()}@x.example", display_name="A", password_hash="-")
    session.add(agent)
    await session.flush()
    return agent.id


async def test_an_escalation_is_raised_once_however_many_run_it(
    sessions: SessionFactory, queue_settings: Settings
) -> None:
    now = utcnow()
    overdue = await waiting(sessions, "late", now - timedelta(minutes=11))
    await waiting(sessions, "fresh", now - timedelta(minutes=2))

    async def escalate() -> list[int]:
        async with sessions.begin() as session:
            return await handoffs.escalate_due(session, queue_settings, now)

    results = await asyncio.gather(*(escalate() for _ in range(3)), return_exceptions=True)
    raised = [r for r in results if isinstance(r, list)]
    assert sum(len(r) for r in raised) == 1, results
    async with sessions() as session:
        rows = list(await session.scalars(select(Alert)))
        assert [(a.kind, a.conversation_id) for a in rows] == [(AlertKind.ESCALATION, overdue)]
        assert (await session.get(Conversation, overdue)).escalated_at == now  # type: ignore[union-attr]


async def test_an_alert_key_is_used_once_and_mail_is_taken_once(
    sessions: SessionFactory, queue_settings: Settings
) -> None:
    mailing = replace(queue_settings, on_duty_email="duty@example.com")
    now = utcnow()
    conversation_id = await waiting(sessions, "k", now)
    key = handoffs.alert_key(AlertKind.HANDOFF, conversation_id, now)
    async with sessions.begin() as session:
        first = await alerts.raise_alert(
            session, mailing, AlertKind.HANDOFF, conversation_id, key, now
        )
        again = await alerts.raise_alert(
            session, mailing, AlertKind.HANDOFF, conversation_id, key, now
        )
    assert first is not None and again is None

    async def take() -> bool:
        async with sessions.begin() as session:
            return await alerts.take_mail(session, first) is not None

    assert sorted(await asyncio.gather(take(), take())) == [False, True]
    # Its sender stopped mid-send: later it is marked failed, never sent a second time.
    async with sessions.begin() as session:
        assert await alerts.fail_interrupted(session, now - timedelta(minutes=1)) == 0
        assert await alerts.fail_interrupted(session, now) == 1
    assert not await take()


async def test_an_open_inbox_page_counts_as_on_duty_until_it_goes_quiet(
    sessions: SessionFactory,
) -> None:
    now = utcnow()
    async with sessions.begin() as session:
        agent_id = await _agent(session)
        await alerts.present(session, "page-1", agent_id, now)
        assert await alerts.anyone_on_duty(session, now)
        assert not await alerts.anyone_on_duty(session, now + alerts.PRESENCE_FRESH)
        await alerts.gone(session, "page-1")
        assert not await alerts.anyone_on_duty(session, now)


async def test_a_snooze_comes_back_when_its_time_comes(
    sessions: SessionFactory, queue_settings: Settings
) -> None:
    now = utcnow()
    conversation_id = await waiting(sessions, "s", now)
    async with sessions.begin() as session:
        agent_id = await _agent(session)
        assert await holder.claim(session, conversation_id, agent_id)
        assert not await snooze.snooze(session, conversation_id, agent_id + 1, False, None, now)
        assert await snooze.snooze(
            session, conversation_id, agent_id, False, now + timedelta(hours=1), now
        )
    alerter = Alerter(queue_settings, sessions, LocalBroadcaster())
    assert await alerter.wake_snoozed(sessions, now + timedelta(minutes=59)) == {"woken": 0}
    assert await alerter.wake_snoozed(sessions, now + timedelta(hours=1)) == {"woken": 1}
    async with sessions() as session:
        found = await session.get(Conversation, conversation_id)
        assert found is not None and found.snoozed_at is None
        assert found.holder is ConversationHolder.AGENT, "still theirs, back in Mine"
        note = await session.scalar(select(Message).order_by(Message.id.desc()).limit(1))
        assert note is not None and note.is_private_note and note.author is Author.SYSTEM


async def test_proofs_are_kept_once_and_say_what_they_prove(sessions: SessionFactory) -> None:
    conversation_id = await waiting(sessions, "p", utcnow())
    async with sessions.begin() as session:
        contact = Contact(first_name="Isabelle", last_name="Moreau")
        session.add(contact)
        await session.flush()
        for _ in range(2):
            await proofs.record(
                session, conversation_id, ProofMethod.ORDER_CHECK, contact.id, "PG-1"
            )
        await proofs.record(session, conversation_id, ProofMethod.CODE, contact.id)
        await proofs.record(session, 999_999, ProofMethod.CODE, contact.id)  # no such one
    async with sessions() as session:
        found = await proofs.of_conversation(session, conversation_id)
        assert [(p.method, p.subject) for p in found] == [
            (ProofMethod.ORDER_CHECK, "PG-1"),
            (ProofMethod.CODE, None),
        ]
        assert found[0].proves.startswith("this order only")
        assert found[1].proves.startswith("this contact")
        count = await session.scalar(select(func.count()).select_from(proofs.ConversationProof))
        assert count == 2


async def test_the_digest_quotes_the_conversation_and_nothing_else(
    sessions: SessionFactory, queue_settings: Settings
) -> None:
    now = utcnow()
    async with sessions.begin() as session:
        inbound = InboundMessage(Channel.WEBCHAT, "d", "Where is pg 100234? and RP-10023")
        state = await conversations.open_turn(session, inbound)
        await conversations.record_customer_message(session, state, inbound)
        from bot.gateway.replies import Reply

        await conversations.record_replies(session, state, [Reply("Your order PG-100234 shipped.")])
        digest = await handoff_digest.build(
            session, state.id, ["greet", "check_order_status", "request_human"]
        )
        assert await holder.hand_off(session, state.id, "customer_request", now)
        await handoffs.enter_queue(
            session, queue_settings, state.id, "customer_request", now,
            ["greet", "check_order_status", "request_human"],
        )  # fmt: skip
    assert digest == {
        "intents": ["greet", "check_order_status", "request_human"],
        "path": "Greeting → Order status → Asked for a person",
        "orders": ["PG-100234"],
        "repairs": ["RP-10023"],
        "answered": ["Your order PG-100234 shipped."],
    }
    async with sessions() as session:
        conversation = await session.get(Conversation, state.id)
        assert conversation is not None
        assert (conversation.topic, conversation.team) == ("check_order_status", "after-sales")
        assert await routing.labels_of(session, state.id) == ["after-sales"]
