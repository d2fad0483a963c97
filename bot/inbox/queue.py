"""The queue as agents see it: waiting (oldest first), mine, colleagues', recently resolved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.store.models import (
    Agent,
    Channel,
    ChannelIdentity,
    Conversation,
    ConversationHolder,
    Message,
)

CHANNEL_NAMES = {Channel.WEBCHAT: "Web chat", Channel.TELEGRAM: "Telegram", Channel.X: "X"}
# Why the conversation needs a person, in words (the Rasa actions and the gateway's reasons).
REASONS = {
    "customer_request": "Asked for a person",
    "complaint": "Complaint",
    "needs_person": "A topic for a person (lost or stolen piece, authenticity, legal)",
    "assistant_unavailable": "The assistant could not answer (it was down or failed)",
    "not_understood": "The assistant did not understand",
}
PREVIEW_LENGTH = 140
RECENT_RESOLVED = 20


def reason_in_words(reason: str | None) -> str:
    if not reason:
        return ""
    return REASONS.get(reason, reason.replace("_", " ").capitalize())


@dataclass(frozen=True)
class QueueRow:
    id: int
    channel: str
    customer: str
    verified: bool
    reason: str
    preview: str
    preview_author: str
    waiting_since: datetime | None
    last_message_at: datetime
    assignee: str | None

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for key in ("waiting_since", "last_message_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


async def sections(session: AsyncSession, agent_id: int) -> dict[str, list[QueueRow]]:
    """Waiting (oldest first), mine, with colleagues, and recently resolved."""
    c = Conversation
    return {
        "waiting": await _rows(
            session, c.holder == ConversationHolder.WAITING, c.waiting_since.asc(), None
        ),
        "mine": await _rows(
            session,
            (c.holder == ConversationHolder.AGENT) & (c.assignee_id == agent_id),
            c.last_message_at.desc(),
            None,
        ),
        "colleagues": await _rows(
            session,
            (c.holder == ConversationHolder.AGENT) & (c.assignee_id != agent_id),
            c.last_message_at.desc(),
            None,
        ),
        "resolved": await _rows(
            session,
            c.holder == ConversationHolder.RESOLVED,
            c.last_message_at.desc(),
            RECENT_RESOLVED,
        ),
    }


async def _rows(
    session: AsyncSession, where: ColumnElement[bool], order: Any, limit: int | None
) -> list[QueueRow]:
    # The latest message that is not a private note, through the conversation_id index.
    latest = aliased(Message)
    last = (
        select(latest.id)
        .where(latest.conversation_id == Conversation.id, latest.is_private_note.is_(False))
        .order_by(latest.id.desc())
        .limit(1)
        .correlate(Conversation)
        .scalar_subquery()
    )
    query = (
        select(Conversation, ChannelIdentity, Message, Agent.display_name)
        .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
        .outerjoin(Message, Message.id == last)
        .outerjoin(Agent, Agent.id == Conversation.assignee_id)
        .where(where)
        .order_by(order, Conversation.id)
    )
    if limit:
        query = query.limit(limit)
    return [
        QueueRow(
            id=conversation.id,
            channel=CHANNEL_NAMES[conversation.channel],
            customer=customer_label(identity),
            verified=identity.contact_id is not None,
            reason=reason_in_words(conversation.handoff_reason),
            preview=_preview(message.text if message else ""),
            preview_author=message.author.value if message else "",
            waiting_since=conversation.waiting_since,
            last_message_at=conversation.last_message_at,
            assignee=assignee,
        )
        for conversation, identity, message, assignee in (await session.execute(query)).all()
    ]


def customer_label(identity: ChannelIdentity) -> str:
    return identity.display_name or f"{CHANNEL_NAMES[identity.channel]} visitor #{identity.id}"


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"
