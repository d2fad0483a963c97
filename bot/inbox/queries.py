"""What a conversation page shows, read from the store: the transcript and the customer's
context (the queue is in bot/inbox/queue.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.inbox.queue import customer_label
from bot.services import handoffs, orders, preferences, privacy_requests, proofs, routing
from bot.services.customers import CHANNEL_NAMES
from bot.store.models import (
    Agent,
    Author,
    ChannelIdentity,
    Contact,
    Conversation,
    ConversationRead,
    Message,
    Order,
    OutboxMessage,
    PrivacyRequest,
    PrivacyRequestStatus,
    ProofMethod,
    Repair,
)

OPEN_REQUESTS = (PrivacyRequestStatus.OPEN, PrivacyRequestStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Line:
    """One message of a transcript, as the inbox shows it."""

    id: int
    author: str  # customer | bot | agent | system
    label: str
    text: str
    private: bool
    at: datetime
    buttons: list[str]
    delivery: str | None  # outbox status for Telegram/X replies, else None
    delivery_error: str | None

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "at": self.at.isoformat()}


AUTHOR_LABELS = {
    Author.CUSTOMER: "Customer",
    Author.BOT: "Assistant",
    Author.SYSTEM: "Automatic notice",
}


async def transcript(
    session: AsyncSession, conversation_id: int, after: int = 0, only: int | None = None
) -> list[Line]:
    """The conversation's messages after message `after` (or only message `only`)."""
    query = (
        select(Message, Agent.display_name, OutboxMessage.status, OutboxMessage.last_error)
        .outerjoin(Agent, Agent.id == Message.agent_id)
        .outerjoin(OutboxMessage, OutboxMessage.message_id == Message.id)
        .where(Message.conversation_id == conversation_id, Message.id > after)
        .order_by(Message.id)
    )
    if only is not None:
        query = query.where(Message.id == only)
    rows = await session.execute(query)
    return [
        Line(
            id=m.id,
            author=m.author.value,
            label=AUTHOR_LABELS.get(m.author) or f"{agent or 'Agent'} (concierge)",
            text=m.text,
            private=m.is_private_note,
            at=m.created_at,
            buttons=[str(b.get("title", "")) for b in m.buttons or []],
            delivery=status.value if status else None,
            delivery_error=error,
        )
        for m, agent, status, error in rows.all()
    ]


@dataclass(frozen=True)
class CustomerContext:
    conversation: Conversation
    identity: ChannelIdentity
    contact: Contact | None
    orders: list[Order]
    repairs: list[Repair]
    preferences: preferences.Preferences | None
    privacy_requests: list[PrivacyRequest]

    @property
    def customer(self) -> str:
        return customer_label(self.identity)


async def load_conversation(session: AsyncSession, conversation_id: int) -> Conversation | None:
    conversation: Conversation | None = await session.scalar(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .options(
            selectinload(Conversation.identity).selectinload(ChannelIdentity.contact),
            selectinload(Conversation.assignee),
        )
    )
    return conversation


async def context(session: AsyncSession, conversation: Conversation) -> CustomerContext:
    """Everything about the customer an agent needs beside the transcript. Only a verified
    identity (linked to a contact by a one-time code) shows a contact's data."""
    identity = conversation.identity
    contact = identity.contact
    if contact is None:
        return CustomerContext(conversation, identity, None, [], [], None, [])
    requests = [
        r
        for r in await privacy_requests.requests_of(session, contact.id)
        if r.status in OPEN_REQUESTS
    ]
    return CustomerContext(
        conversation,
        identity,
        contact,
        await orders.orders_of(session, contact.id),
        await orders.repairs_of(session, contact.id),
        await preferences.current(session, contact),
        requests,
    )


@dataclass(frozen=True)
class Earlier:
    id: int
    channel: str
    holder: str
    started: datetime
    last_message_at: datetime
    reason: str


async def earlier_conversations(
    session: AsyncSession, conversation: Conversation, limit: int = 20
) -> list[Earlier]:
    """The customer's other conversations, on every channel: those of this channel identity
    and, once they are verified, of every identity linked to the same contact."""
    identity = conversation.identity
    same_customer = (
        ChannelIdentity.contact_id == identity.contact_id
        if identity.contact_id is not None
        else ChannelIdentity.id == identity.id
    )
    rows = await session.scalars(
        select(Conversation)
        .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
        .where(same_customer, Conversation.id != conversation.id)
        .order_by(Conversation.id.desc())
        .limit(limit)
    )
    return [
        Earlier(
            c.id, CHANNEL_NAMES[c.channel], c.holder.value, c.created_at, c.last_message_at,
            routing.reason_in_words(c.handoff_reason),
        )
        for c in rows
    ]  # fmt: skip


async def mark_read(
    session: AsyncSession, agent_id: int, conversation_id: int, message_id: int
) -> None:
    """The agent has seen the conversation up to this message (never backwards)."""
    read = await session.get(ConversationRead, (agent_id, conversation_id))
    if read is None:
        session.add(
            ConversationRead(
                agent_id=agent_id, conversation_id=conversation_id, last_read_message_id=message_id
            )
        )
    elif read.last_read_message_id < message_id:
        read.last_read_message_id = message_id


@dataclass(frozen=True)
class Handed:
    """What the agent learns at a glance: the handoff's digest and what was proved."""

    digest: dict[str, Any]
    proofs: list[proofs.Proof]
    checked_orders: list[Order]
    checked_repairs: list[Repair]
    labels: list[str]


async def handed_over(session: AsyncSession, conversation: Conversation) -> Handed:
    handoff = await handoffs.latest(session, conversation.id)
    proved = await proofs.of_conversation(session, conversation.id)
    checked_orders, checked_repairs = [], []
    for proof in proved:
        if proof.method is ProofMethod.ORDER_CHECK and proof.subject:
            order = await orders.verified_order(session, proof.subject, proof.contact_id)
            checked_orders += [order] if order else []
        elif proof.method is ProofMethod.REPAIR_CHECK and proof.subject:
            repair = await orders.verified_repair(session, proof.subject, proof.contact_id)
            checked_repairs += [repair] if repair else []
    return Handed(
        handoff.digest if handoff else {},
        proved,
        checked_orders,
        checked_repairs,
        await routing.labels_of(session, conversation.id),
    )
