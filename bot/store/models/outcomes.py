"""How each conversation went, recorded as it happens (bot/services/outcomes.py).

One row per conversation, written in the same transaction as the event it records (the
customer's message, the handoff, an agent's claim, first reply and resolve), and closed by
the idle-close job when nothing has happened for CONVERSATION_IDLE_CLOSE_MINUTES.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base, str_enum
from bot.store.models.contacts import Channel


class OutcomeKind(str, enum.Enum):
    OPEN = "open"  # still going
    ASSISTANT_RESOLVED = "assistant_resolved"  # closed without a handoff
    HANDED_OFF = "handed_off"  # a person had it, nobody marked it resolved
    ABANDONED = "abandoned"  # the customer stopped waiting before any agent answered
    AGENT_RESOLVED = "agent_resolved"


class ConversationOutcome(Base):
    __tablename__ = "conversation_outcomes"
    __table_args__ = (
        Index("ix_conversation_outcomes_started_at", "started_at"),
        Index("ix_conversation_outcomes_open", "closed_at", "last_activity_at"),
    )

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id"), primary_key=True
    )
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    outcome: Mapped[OutcomeKind] = mapped_column(
        str_enum(OutcomeKind, "outcome_kind"), default=OutcomeKind.OPEN
    )
    started_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    handoff_reason: Mapped[str | None] = mapped_column(String(64))
    handed_off_at: Mapped[datetime | None]
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    first_agent_reply_at: Mapped[datetime | None]
    first_response_seconds: Mapped[float | None]
    agent_messages: Mapped[int] = mapped_column(default=0)
    resolved_at: Mapped[datetime | None]
    resolution_seconds: Mapped[float | None]
    closed_at: Mapped[datetime | None]
    reopened: Mapped[bool] = mapped_column(default=False)
    # The intents Rasa recognised, oldest first, as the gateway learns them: Rasa sends the
    # session's intents with a handoff only (rasa_addons/gateway_input.py).
    intents: Mapped[list[str]] = mapped_column(JSON, default=list)


class CsatRating(Base):
    """The customer's rating of a conversation (bot/services/csat.py): one row per
    conversation, written when the question is asked, so it is never asked twice.
    `agent_id` is the agent who resolved it; None when the assistant resolved it alone."""

    __tablename__ = "csat_ratings"
    __table_args__ = (Index("ix_csat_ratings_identity_asked", "identity_id", "asked_at"),)

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id"), primary_key=True
    )
    identity_id: Mapped[int] = mapped_column(ForeignKey("channel_identities.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    asked_at: Mapped[datetime]
    # asked -> comment (rated, an optional comment awaited) -> done; or lapsed (the
    # customer wrote about something else instead of rating).
    state: Mapped[str] = mapped_column(String(16), default="asked")
    rating: Mapped[int | None]
    rated_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)
