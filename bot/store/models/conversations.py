"""Conversations and their messages: the gateway's record of everything said."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models.agents import Agent
from bot.store.models.base import Base, CreatedAtMixin, str_enum
from bot.store.models.contacts import Channel, ChannelIdentity
from bot.store.types import utcnow


class ConversationHolder(str, enum.Enum):
    """Who answers the customer right now. Exactly one of bot or agent, or nobody yet."""

    BOT = "bot"
    WAITING = "waiting"  # handed off, waiting for an agent to claim it
    AGENT = "agent"
    RESOLVED = "resolved"


class Conversation(CreatedAtMixin, Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_holder_waiting_since", "holder", "waiting_since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("channel_identities.id"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    holder: Mapped[ConversationHolder] = mapped_column(
        str_enum(ConversationHolder, "conversation_holder"), default=ConversationHolder.BOT
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    waiting_since: Mapped[datetime | None]
    handoff_reason: Mapped[str | None] = mapped_column(String(64))
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the customer says they are under 13: from then on no personal data is
    # collected or kept in this conversation (privacy policy, "Children").
    minor_declared_at: Mapped[datetime | None]
    # The concierge queue (bot/services/queue_*, handoffs.py): unclaimed past
    # HANDOFF_ESCALATE_AFTER; the team whose queue it is in; the topic the assistant last
    # understood; snoozed by its agent until a time (or, with no time, the customer's next
    # message); and when the customer left it (a new web chat conversation).
    escalated_at: Mapped[datetime | None]
    team: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(64))
    snoozed_at: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]
    customer_left_at: Mapped[datetime | None]
    # When the retention job purged its text (bot/services/retention.py); a conversation the
    # customer wrote in again after that is purged again once it has been closed long enough.
    purged_at: Mapped[datetime | None]

    identity: Mapped[ChannelIdentity] = relationship()
    assignee: Mapped[Agent | None] = relationship()
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.id"
    )


class Direction(str, enum.Enum):
    IN = "in"
    OUT = "out"


class Author(str, enum.Enum):
    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


class Message(CreatedAtMixin, Base):
    __tablename__ = "messages"
    # A platform's own message id is unique per channel: a retried delivery is recognised.
    __table_args__ = (UniqueConstraint("channel", "platform_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "direction"))
    author: Mapped[Author] = mapped_column(str_enum(Author, "author"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    buttons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    is_private_note: Mapped[bool] = mapped_column(default=False)
    platform_message_id: Mapped[str | None] = mapped_column(String(128))

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
