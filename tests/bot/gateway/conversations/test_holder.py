"""Who holds a conversation: each change is conditional, so races have exactly one winner."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.gateway.conversations import holder
from bot.gateway.conversations import record as conversations
from bot.inbox.accounts import create_agent
from bot.settings import Settings
from bot.store.db import SessionFactory, create_engine, create_session_factory
from bot.store.models import AgentRole, Channel, Conversation, ConversationHolder, Message
from tests.fakes.rasa import FakeRasa

BOT, WAITING, AGENT, RESOLVED = (
    ConversationHolder.BOT,
    ConversationHolder.WAITING,
    ConversationHolder.AGENT,
    ConversationHolder.RESOLVED,
)


async def new_conversation(sessions: SessionFactory, external_id: str = "h-1") -> int:
    async with sessions.begin() as session:
        identity = await conversations.get_or_create_identity(session, Channel.WEBCHAT, external_id)
        return (await conversations.current_conversation(session, identity)).id


async def agents(sessions: SessionFactory, *names: str) -> list[int]:
    async with sessions.begin() as session:
        return [
            (
                await create_agent(
                    session, f"{n}@maison.example.com", n, "a long passphrase", AgentRole.AGENT
                )
            ).id
            for n in names
        ]


async def state(sessions: SessionFactory, conversation_id: int) -> tuple[Any, int | None]:
    async with sessions() as session:
        found = await session.get(Conversation, conversation_id)
        assert found is not None
        return found.holder, found.assignee_id


async def test_hand_off_puts_the_conversation_in_the_queue_once(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        identity = await conversations.get_or_create_identity(session, Channel.WEBCHAT, "s-3")
        conversation = await conversations.current_conversation(session, identity)
        assert await holder.hand_off(session, conversation.id, "customer_request")
        first_since = conversation.waiting_since
        assert first_since is not None, "the loaded conversation is refreshed"
        assert not await holder.hand_off(session, conversation.id, "complaint"), "already waiting"
    async with sessions() as session:
        stored = await session.get(Conversation, conversation.id)
        assert stored is not None
    assert stored.holder is ConversationHolder.WAITING
    assert stored.handoff_reason == "customer_request"
    assert stored.waiting_since == first_since


async def test_the_whole_cycle_and_each_wrong_step_refused(sessions: SessionFactory) -> None:
    claire, marc = await agents(sessions, "claire", "marc")
    cid = await new_conversation(sessions)
    async with sessions.begin() as s:
        assert not await holder.claim(s, cid, claire), "nothing to claim: the bot has it"
        assert not await holder.resolve(s, cid, claire, admin=False)
        assert await holder.hand_off(s, cid, "customer_request")
        assert not await holder.hand_off(s, cid, "complaint"), "already waiting"
        assert not await holder.keep_for_bot(s, cid), "the bot must not answer now"
        assert not await holder.keep_for_agent(s, cid, claire, admin=False), "claim first"
        assert await holder.claim(s, cid, claire)
        assert not await holder.claim(s, cid, marc)
        assert not await holder.hand_off(s, cid, "customer_request"), "a person has it"
        assert not await holder.assign(s, cid, marc, marc, admin=False), "not Marc's to give"
        assert not await holder.resolve(s, cid, marc, admin=False), "nor to resolve"
        assert await holder.assign(s, cid, marc, claire, admin=False)
        assert await holder.keep_for_agent(s, cid, marc, admin=False)
        assert not await holder.keep_for_agent(s, cid, claire, admin=False)
        assert await holder.keep_for_agent(s, cid, claire, admin=True), "admins may"
        assert await holder.resolve(s, cid, marc, admin=False)
        assert not await holder.keep_for_agent(s, cid, marc, admin=True), "resolved: nobody"
        assert not await holder.keep_for_bot(s, cid), "until the customer writes again"
    assert await state(sessions, cid) == (RESOLVED, marc)
    async with sessions.begin() as s:
        identity = await conversations.get_or_create_identity(s, Channel.WEBCHAT, "h-1")
        reopened = await conversations.current_conversation(s, identity)
        assert reopened.id == cid and reopened.holder is BOT
        assert await holder.keep_for_bot(s, cid)
    assert await state(sessions, cid) == (BOT, None)


async def test_concurrent_claims_in_separate_transactions_have_one_winner(
    sessions: SessionFactory,
) -> None:
    ids = await agents(sessions, *(f"agent{i}" for i in range(4)))
    cid = await new_conversation(sessions)
    async with sessions.begin() as s:
        await holder.hand_off(s, cid, "customer_request")

    async def claim(agent_id: int) -> bool:
        async with sessions.begin() as s:
            return await holder.claim(s, cid, agent_id)

    results = await asyncio.gather(*(claim(i) for i in ids))
    assert sorted(results) == [False, False, False, True]
    assert await state(sessions, cid) == (AGENT, ids[results.index(True)])


async def test_the_bot_stays_quiet_if_a_person_took_over_while_it_was_thinking(
    gateway: TestClient[Any, Any], fake_rasa: tuple[FakeRasa, str], gateway_settings: Settings
) -> None:
    """Another gateway hands off and an agent claims while Rasa is still answering here."""
    fake, _ = fake_rasa
    engine = create_engine(gateway_settings.database_url)
    sessions = create_session_factory(engine)
    (claire,) = await agents(sessions, "claire")

    async def slow_answer(body: dict[str, Any]) -> web.Response:
        cid = int(body["metadata"]["conversation_id"])
        async with sessions.begin() as s:
            assert await holder.hand_off(s, cid, "customer_request")
            assert await holder.claim(s, cid, claire)
        return web.json_response([{"recipient_id": body["sender"], "text": "Bot answer"}])

    fake.script = slow_answer
    try:
        response = await gateway.post("/api/chat", json={"session_id": "r-1", "text": "hello"})
        assert (await response.json()) == {"replies": []}
        async with sessions() as s:
            texts = list(await s.scalars(select(Message.text).order_by(Message.id)))
        assert texts == ["hello"], "the bot's answer was not recorded nor sent"
    finally:
        await engine.dispose()
