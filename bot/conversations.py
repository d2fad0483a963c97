"""The conversation record: identities, conversations, messages, and who holds each one.

Every function takes the session of the caller's unit of work, so a turn's writes commit
together. The holder column is the single source of truth for who answers; it changes only
through bot/holder.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import holder, outbox
from bot.replies import Reply
from bot.store.models import (
    Author,
    Channel,
    ChannelIdentity,
    Conversation,
    ConversationHolder,
    Direction,
    Message,
)


@dataclass(frozen=True)
class InboundMessage:
    """A customer's message as a connector hands it to the pipeline."""

    channel: Channel
    external_id: str  # who wrote: web chat session, Telegram chat id, X user id
    text: str
    platform_message_id: str | None = None
    display_name: str | None = None
    public: bool = False  # a public post (an X mention) rather than a private chat
    # What the assistant is sent when it differs from what the customer saw and the record
    # keeps: a button's payload (text = its title), "/greet" for Telegram's /start.
    payload: str | None = None


class DuplicateMessage(Exception):
    """The platform delivered a message we already recorded (a retry)."""


async def get_or_create_identity(
    session: AsyncSession, channel: Channel, external_id: str, display_name: str | None = None
) -> ChannelIdentity:
    identity = await session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
        )
    )
    if identity is None:
        identity = ChannelIdentity(
            channel=channel, external_id=external_id, display_name=display_name
        )
        try:
            async with session.begin_nested():
                session.add(identity)
        except IntegrityError:  # created by a concurrent request a moment ago
            identity = await session.scalar(
                select(ChannelIdentity).where(
                    ChannelIdentity.channel == channel,
                    ChannelIdentity.external_id == external_id,
                )
            )
            assert identity is not None
    return identity


async def current_conversation(session: AsyncSession, identity: ChannelIdentity) -> Conversation:
    """The identity's latest conversation, reopened for the bot if it was resolved."""
    conversation = await session.scalar(
        select(Conversation)
        .where(Conversation.identity_id == identity.id)
        .order_by(Conversation.id.desc())
        .limit(1)
    )
    if conversation is None:
        conversation = Conversation(identity_id=identity.id, channel=identity.channel)
        session.add(conversation)
        await session.flush()
    elif conversation.holder is ConversationHolder.RESOLVED:
        # Conditional, like every holder change (bot/holder.py); refreshes `conversation`.
        await holder.reopen_for_bot(session, conversation.id)
    return conversation


async def record_inbound(
    session: AsyncSession, conversation: Conversation, inbound: InboundMessage
) -> Message:
    message = Message(
        conversation_id=conversation.id,
        channel=inbound.channel,
        direction=Direction.IN,
        author=Author.CUSTOMER,
        text=inbound.text,
        platform_message_id=inbound.platform_message_id,
    )
    try:
        async with session.begin_nested():
            session.add(message)
    except IntegrityError as error:
        raise DuplicateMessage(inbound.platform_message_id) from error
    conversation.last_message_at = message.created_at
    return message


async def record_outbound(
    session: AsyncSession,
    conversation: Conversation,
    reply: Reply,
    author: Author = Author.BOT,
    agent_id: int | None = None,
    in_reply_to: str | None = None,
) -> Message:
    """Record a reply; on Telegram and X also queue it in the outbox, in the same transaction.

    `in_reply_to` makes it a public reply to that post instead of a private message.
    """
    message = Message(
        conversation_id=conversation.id,
        channel=conversation.channel,
        direction=Direction.OUT,
        author=author,
        agent_id=agent_id,
        text=reply.text,
        buttons=reply.buttons_json(),
    )
    session.add(message)
    await session.flush()
    conversation.last_message_at = message.created_at
    await outbox.enqueue(session, conversation, message, reply, in_reply_to)
    return message


async def get_conversation(session: AsyncSession, conversation_id: int) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise LookupError(f"conversation {conversation_id} does not exist")
    return conversation
