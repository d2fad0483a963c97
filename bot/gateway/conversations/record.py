"""The conversation record: identities, conversations, messages, and who holds each one.

Every function takes the session of the caller's unit of work, so a turn's writes commit
together. The holder column is the single source of truth for who answers; it changes only
through bot/gateway/conversations/holder.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.gateway.conversations import holder
from bot.gateway.delivery import outbox
from bot.gateway.replies import Reply
from bot.store.models import (
    DISPLAY_NAME_LENGTH,
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
    """What a turn, an agent's action or a live event needs of a conversation.

    Read in one joined statement and written with plain INSERTs and UPDATEs: a customer's
    turn is recorded in five statements (bench: the ORM's unit of work and its extra
    statements were most of the gateway's CPU per turn)."""

    id: int
    identity_id: int
    channel: Channel
    customer: str  # the customer's id on the channel (web chat session, Telegram chat id…)
    holder: ConversationHolder
    minor: bool  # the customer said they are under 13 (minors.py)
    snoozed: bool = False  # put aside by its agent until a time or the customer's answer

    def held_by(self, holder: ConversationHolder) -> ConversationState:
        return replace(self, holder=holder)


_STATE_COLUMNS = (
    Conversation.id,
    Conversation.identity_id,
    Conversation.channel,
    ChannelIdentity.external_id,
    Conversation.holder,
    Conversation.minor_declared_at,
    Conversation.snoozed_at,
)


def _state(row: Any) -> ConversationState:
    id_, identity_id, channel, customer, holder_now, minor_declared_at, snoozed_at = row
    return ConversationState(
        id_, identity_id, channel, customer, holder_now, minor_declared_at is not None,
        snoozed_at is not None,
    )  # fmt: skip


async def conversation_state(session: AsyncSession, conversation_id: int) -> ConversationState:
    """The conversation as it is stored now; LookupError if there is no such conversation."""
    row = (
        await session.execute(
            select(*_STATE_COLUMNS)
            .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
            .where(Conversation.id == conversation_id)
        )
    ).first()
    if row is None:
        raise LookupError(f"conversation {conversation_id} does not exist")
    return _state(row)


async def open_turn(session: AsyncSession, inbound: InboundMessage) -> ConversationState:
    """The conversation a customer's message belongs to: their latest one, reopened for the
    bot if it was resolved, or a new one (and a new identity) for a first message."""
    row = (
        await session.execute(
            select(*_STATE_COLUMNS)
            .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
            .where(
                ChannelIdentity.channel == inbound.channel,
                ChannelIdentity.external_id == inbound.external_id,
            )
            .order_by(Conversation.id.desc())
            .limit(1)
        )
    ).first()
    if row is not None and row[4] is not ConversationHolder.RESOLVED:
        return _state(row)
    # A first message, or the first since an agent resolved the conversation.
    identity = await get_or_create_identity(
        session, inbound.channel, inbound.external_id, inbound.display_name
    )
    conversation = await current_conversation(session, identity)
    return ConversationState(
        conversation.id,
        identity.id,
        identity.channel,
        identity.external_id,
        conversation.holder,
        conversation.minor_declared_at is not None,
    )


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


async def record_replies(
    session: AsyncSession,
    conversation: ConversationState,
    replies: Sequence[Reply],
    *,
    author: Author = Author.BOT,
    agent_id: int | None = None,
    now: datetime | None = None,
    in_reply_to: str | None = None,
    private_note: bool = False,
    stamped: bool = False,
) -> list[int]:
    """The one way to record what is said to a customer, or noted about them: the messages
    in one INSERT (their ids, in order), queued in the outbox for the channels we push to,
    in the caller's transaction, so a reply is recorded and queued or neither.

    `in_reply_to` makes it a public reply to that post instead of a private message. A
    private note is recorded only: never queued, never sent. The conversation's
    last_message_at is set to `now` unless the caller's holder check `stamped` it already
    (holder.keep_for_bot) or this is a note."""
    if not replies:
        return []
    now = now or utcnow()
    rows = [
        {
            "conversation_id": conversation.id,
            "channel": conversation.channel,
            "direction": Direction.OUT,
            "author": author,
            "agent_id": agent_id,
            "text": reply.text,
            "buttons": reply.buttons_json(),
            "is_private_note": private_note,
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
    if private_note:
        return ids
    if not stamped:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation.id)
            .values(last_message_at=now)
            .execution_options(synchronize_session=False)
        )
    for message_id, reply in zip(ids, replies, strict=True):
        outbox.queue_reply(
            session, conversation.channel, conversation.customer, message_id, reply, in_reply_to
        )
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
            channel=channel,
            external_id=external_id,
            # A name longer than any channel allows is cut: a customer is never dropped for it.
            display_name=display_name[:DISPLAY_NAME_LENGTH] if display_name else display_name,
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


async def outbound_after(
    session: AsyncSession,
    channel: Channel,
    customer: str,
    after: int,
    authors: Sequence[Author],
    limit: int,
) -> list[Message]:
    """What was said to a customer after message `after` by these authors, oldest first,
    across their conversations on the channel; private notes never."""
    rows = await session.scalars(
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
        .where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.external_id == customer,
            Message.id > after,
            Message.direction == Direction.OUT,
            Message.author.in_(authors),
            Message.is_private_note.is_(False),
        )
        .order_by(Message.id)
        .limit(limit)
    )
    return list(rows)
