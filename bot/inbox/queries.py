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
from bot.services import orders, preferences, privacy_requests
from bot.store.models import (
    Agent,
    Author,
    ChannelIdentity,
    Contact,
    Conversation,
    Message,
    Order,
    OutboxMessage,
    PrivacyRequest,
    PrivacyRequestStatus,
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
    Author.SYSTEM: "Assistant (automatic notice)",
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
