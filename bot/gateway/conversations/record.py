"""The conversation record: identities, conversations, messages, and who holds each one.

Every function takes the session of the caller's unit of work, so a turn's writes commit
together. The holder column is the single source of truth for who answers; it changes only
through bot/gateway/conversations/holder.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.gateway.conversations import holder
from bot.gateway.delivery import outbox
from bot.gateway.replies import Reply
from bot.store.models import (
    Author,
    Channel,
    ChannelIdentity,
    Conversation,
    ConversationHolder,
    Direction,
    Message,
)
from bot.store.types import utcnow


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


@dataclass(frozen=True)
class ConversationState:
    """What a customer's turn needs to know of its conversation.

    The gateway's turn works with this rather than loaded ORM objects: it is read in one
    statement and written with plain INSERTs and UPDATEs, a turn's whole record in five
    statements (bench: the ORM's unit of work and its extra statements were most of the
    gateway's CPU per turn)."""

    id: int
    identity_id: int
    channel: Channel
    holder: ConversationHolder
    minor: bool  # the customer said they are under 13 (bot/gateway/conversations/minors.py)

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationState:
        return cls(
            id=conversation.id,
            identity_id=conversation.identity_id,
            channel=conversation.channel,
            holder=conversation.holder,
            minor=conversation.minor_declared_at is not None,
        )

    def held_by(self, holder: ConversationHolder) -> ConversationState:
        return replace(self, holder=holder)


async def open_turn(session: AsyncSession, inbound: InboundMessage) -> ConversationState:
    """The conversation a customer's message belongs to: their latest one, reopened for the
    bot if it was resolved, or a new one (and a new identity) for a first message."""
    row = (
        await session.execute(
            select(
                ChannelIdentity.id,
                Conversation.id,
                Conversation.holder,
                Conversation.minor_declared_at,
            )
            .join(Conversation, Conversation.identity_id == ChannelIdentity.id)
            .where(
                ChannelIdentity.channel == inbound.channel,
                ChannelIdentity.external_id == inbound.external_id,
            )
            .order_by(Conversation.id.desc())
            .limit(1)
        )
    ).first()
    if row is not None and row[2] is not ConversationHolder.RESOLVED:
        identity_id, conversation_id, holder_now, minor_declared_at = row
        return ConversationState(
            conversation_id, identity_id, inbound.channel, holder_now, minor_declared_at is not None
        )
    # A first message, or the first since an agent resolved the conversation.
    identity = await get_or_create_identity(
        session, inbound.channel, inbound.external_id, inbound.display_name
    )
    return ConversationState.of(await current_conversation(session, identity))


async def record_customer_message(
    session: AsyncSession, conversation: ConversationState, inbound: InboundMessage
) -> int:
    """Record the customer's message; its id. DuplicateMessage if the platform's id for it
    was recorded before (a retried delivery)."""
    now = utcnow()
    statement = (
        insert(Message)
        .values(
            conversation_id=conversation.id,
            channel=inbound.channel,
            direction=Direction.IN,
            author=Author.CUSTOMER,
            text=inbound.text,
            platform_message_id=inbound.platform_message_id,
            created_at=now,
        )
        .returning(Message.id)
    )
    if inbound.platform_message_id is None:  # the web chat's: nothing it could repeat
        message_id = (await session.execute(statement)).scalar_one()
    else:
        try:
            async with session.begin_nested():
                message_id = (await session.execute(statement)).scalar_one()
        except IntegrityError as error:
            raise DuplicateMessage(inbound.platform_message_id) from error
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(last_message_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(message_id)


async def record_bot_replies(
    session: AsyncSession,
    conversation: ConversationState,
    customer: str,
    replies: list[Reply],
    now: datetime,
    in_reply_to: str | None = None,
) -> list[int]:
    """Record the bot's replies in one INSERT (their ids, in order) and queue them for the
    channels we push to. The caller has stamped the conversation's last_message_at with
    `now` (holder.keep_for_bot)."""
    if not replies:
        return []
    rows = [
        {
            "conversation_id": conversation.id,
            "channel": conversation.channel,
            "direction": Direction.OUT,
            "author": Author.BOT,
            "text": reply.text,
            "buttons": reply.buttons_json(),
            "created_at": now,
        }
        for reply in replies
    ]
    ids = list(
        (
            await session.execute(
                insert(Message).returning(Message.id, sort_by_parameter_order=True), rows
            )
        ).scalars()
    )
    for message_id, reply in zip(ids, replies, strict=True):
        outbox.queue_reply(session, conversation.channel, customer, message_id, reply, in_reply_to)
    return ids


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
        # Conditional, like every holder change (holder.py); refreshes `conversation`.
        await holder.reopen_for_bot(session, conversation.id)
    return conversation


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
