"""The conversation record: identities, de-duplication and who holds a conversation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot import conversations, holder
from bot.conversations import DuplicateMessage, InboundMessage
from bot.replies import Button, Reply
from bot.store.db import SessionFactory
from bot.store.models import Author, Channel, ConversationHolder, Direction, Message


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
        await conversations.record_inbound(session, conversation, inbound("hi", "update-1"))
    with pytest.raises(DuplicateMessage):
        async with sessions.begin() as session:
            conversation = await conversations.get_conversation(session, conversation.id)
            await conversations.record_inbound(session, conversation, inbound("hi", "update-1"))
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Message))
    assert count == 1


async def test_outbound_replies_keep_their_buttons(sessions: SessionFactory) -> None:
    reply = Reply("Shall I connect you?", (Button("Yes", "/request_human"),))
    async with sessions.begin() as session:
        identity = await conversations.get_or_create_identity(session, Channel.WEBCHAT, "s-2")
        conversation = await conversations.current_conversation(session, identity)
        await conversations.record_outbound(session, conversation, reply)
    async with sessions() as session:
        message = await session.scalar(select(Message))
    assert message is not None
    assert (message.direction, message.author) == (Direction.OUT, Author.BOT)
    assert message.buttons == [{"title": "Yes", "payload": "/request_human"}]
    assert message.created_at.tzinfo is not None


async def test_hand_off_puts_the_conversation_in_the_queue_once(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        identity = await conversations.get_or_create_identity(session, Channel.WEBCHAT, "s-3")
        conversation = await conversations.current_conversation(session, identity)
        assert await holder.hand_off(session, conversation.id, "customer_request")
        first_since = conversation.waiting_since
        assert first_since is not None, "the loaded conversation is refreshed"
        assert not await holder.hand_off(session, conversation.id, "complaint"), "already waiting"
    async with sessions() as session:
        stored = await conversations.get_conversation(session, conversation.id)
    assert stored.holder is ConversationHolder.WAITING
    assert stored.handoff_reason == "customer_request"
    assert stored.waiting_since == first_since


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
