"""Snoozing: an agent puts a conversation they hold aside until a time, or until the
customer answers; it comes back by itself (the customer's message, or the scheduled job).

A customer's message always wakes a snoozed conversation, whatever time was set.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Conversation, ConversationHolder


async def snooze(
    session: AsyncSession,
    conversation_id: int,
    agent_id: int,
    admin: bool,
    until: datetime | None,
    now: datetime,
) -> bool:
    """Only a conversation held by this agent (any, for an admin); `until` None: until the
    customer answers. False if it is not theirs to snooze."""
    where: list[ColumnElement[bool]] = [Conversation.holder == ConversationHolder.AGENT]
    if not admin:
        where.append(Conversation.assignee_id == agent_id)
    if until is not None and until <= now:
        return False
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, *where)
        .values(snoozed_at=now, snoozed_until=until)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def wake(session: AsyncSession, conversation_id: int) -> bool:
    """Back in the queue; False if it was not snoozed (woken already by someone else)."""
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.snoozed_at.is_not(None))
        .values(snoozed_at=None, snoozed_until=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def due(session: AsyncSession, now: datetime) -> list[int]:
    """Snoozed conversations whose time has come."""
    rows = await session.scalars(
        select(Conversation.id).where(
            Conversation.snoozed_at.is_not(None), Conversation.snoozed_until <= now
        )
    )
    return list(rows)
