"""The conversation record: identities, de-duplication, turns, and what is said and queued."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from bot.gateway.conversations import holder
from bot.gateway.conversations import record as conversations
from bot.gateway.conversations.record import DuplicateMessage, InboundMessage
from bot.gateway.replies import Button, Reply
from bot.store.db import SessionFactory
from bot.store.models import (
    Author,
    Channel,
    Conversation,
    ConversationHolder,
    Direction,
    Message,
    OutboxMessage,
)
from bot.store.types import utcnow


def inbound(text: str = "hello", message_id: str | None = None) -> InboundMessage:
    return InboundMessage(
        channel=Channel.TELEGRAM, external_id="4242", text=text, platform_message_id=message_id
    )


async def test_identity_and_conversation_are_reused(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        first = await conversations.get_or_create_identity(session, Channel.WEBCHAT, "s-1")
        conversation = await conversations.current_conversation(session, first)
    async with sessions.begin() as session:
        again = await conversations.get_or_create_identity(session, Channel.WEBCHAT, "s-1")
        same = await conversations.current_conversation(session, again)
        other = await conversations.get_or_create_identity(session, Channel.TELEGRAM, "s-1")
    assert again.id == first.id
    assert same.id == conversation.id
    assert other.id != first.id, "identities are per channel"


async def test_a_retried_platform_message_is_recognised(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        identity = await conversations.get_or_create_identity(session, Channel.TELEGRAM, "4242")
        conversation = await conversations.current_conversation(session, identity)
        state = await conversations.conversation_state(session, conversation.id)
        await conversations.record_customer_message(session, state, inbound("hi", "update-1"))
    with pytest.raises(DuplicateMessage):
        async with sessions.begin() as session:
            await conversations.record_customer_message(session, state, inbound("hi", "update-1"))
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Message))
    assert count == 1


async def test_outbound_replies_keep_their_buttons(sessions: SessionFactory) -> None:
    reply = Reply("Shall I connect you?", (Button("Yes", "/request_human"),))
    async with sessions.begin() as session:
        identity = await conversations.get_or_create_identity(session, Channel.WEBCHAT, "s-2")
        conversation = await conversations.current_conversation(session, identity)
        state = await conversations.conversation_state(session, conversation.id)
        await conversations.record_replies(session, state, [reply])
    async with sessions() as session:
        message = await session.scalar(select(Message))
    assert message is not None
    assert (message.direction, message.author) == (Direction.OUT, Author.BOT)
    assert message.buttons == [{"title": "Yes", "payload": "/request_human"}]
    assert message.created_at.tzinfo is not None


async def test_a_resolved_conversation_goes_back_to_the_bot(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        identity = await conversations.get_or_create_identity(session, Channel.WEBCHAT, "s-4")
        conversation = await conversations.current_conversation(session, identity)
        conversation.holder = ConversationHolder.RESOLVED
    async with sessions.begin() as session:
        identity = await conversations.get_or_create_identity(session, Channel.WEBCHAT, "s-4")
        reopened = await conversations.current_conversation(session, identity)
    assert reopened.id == conversation.id
    assert reopened.holder is ConversationHolder.BOT


async def test_a_turn_opens_the_latest_conversation_or_a_new_one(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        first = await conversations.open_turn(session, inbound("hi"))
    async with sessions.begin() as session:
        again = await conversations.open_turn(session, inbound("still me"))
    assert (again.id, again.identity_id, again.holder) == (
        first.id,
        first.identity_id,
        ConversationHolder.BOT,
    )
    async with sessions.begin() as session:  # an agent resolves it
        assert await holder.hand_off(session, first.id, "customer_request")
        await session.execute(
            update(Conversation)
            .where(Conversation.id == first.id)
            .values(holder=ConversationHolder.RESOLVED)
        )
    async with sessions.begin() as session:
        reopened = await conversations.open_turn(session, inbound("one more thing"))
    assert (reopened.id, reopened.holder) == (first.id, ConversationHolder.BOT)
    async with sessions.begin() as session:
        stranger = await conversations.open_turn(
            session, InboundMessage(Channel.TELEGRAM, "9999", "hello")
        )
    assert stranger.id != first.id and stranger.identity_id != first.identity_id


async def test_bot_replies_are_recorded_in_order_and_queued_for_push_channels(
    sessions: SessionFactory,
) -> None:
    replies = [Reply("first"), Reply("second", (Button("Yes", "/affirm"),))]
    async with sessions.begin() as session:
        state = await conversations.open_turn(session, inbound("hi"))
        now = utcnow()
        assert await holder.keep_for_bot(session, state.id, last_message_at=now)
        ids = await conversations.record_replies(session, state, replies, now=now, stamped=True)
    async with sessions() as session:
        rows = (await session.scalars(select(Message).order_by(Message.id))).all()
        queued = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        conversation = await session.get(Conversation, state.id)
    assert [m.id for m in rows] == ids
    assert [(m.text, m.author, m.direction) for m in rows] == [
        ("first", Author.BOT, Direction.OUT),
        ("second", Author.BOT, Direction.OUT),
    ]
    assert rows[1].buttons == [{"title": "Yes", "payload": "/affirm"}]
    assert [(q.message_id, q.recipient) for q in queued] == [(ids[0], "4242"), (ids[1], "4242")]
    assert conversation is not None and conversation.last_message_at == now


async def test_an_agent_reply_is_queued_and_a_private_note_never_is(
    sessions: SessionFactory,
) -> None:
    async with sessions.begin() as session:
        state = await conversations.open_turn(session, inbound("hi"))
        [reply_id] = await conversations.record_replies(
            session, state, [Reply("Claire here.")], author=Author.AGENT, agent_id=None
        )
        [note_id] = await conversations.record_replies(
            session, state, [Reply("VIP, be quick")], author=Author.AGENT, private_note=True
        )
    async with sessions() as session:
        queued = (await session.scalars(select(OutboxMessage))).all()
        note = await session.get(Message, note_id)
        conversation = await session.get(Conversation, state.id)
    assert [q.message_id for q in queued] == [reply_id]
    assert note is not None and note.is_private_note
    assert conversation is not None and conversation.last_message_at is not None
