"""Who holds a conversation: every change is a conditional UPDATE on the stored holder.

    bot ──handoff──▶ waiting ──claim──▶ agent ──assign──▶ agent (a colleague)
     ▲                  │                 │
     └── next message ─ resolved ◀─resolve┘

Each function changes the row only if it is still in the state the change starts from
(`UPDATE … WHERE id = :id AND holder = 'waiting'`) and says whether it did. Two agents
claiming at once, a resolve racing a reply, a second gateway, a restart: the database
decides, one wins, and the loser is told. The UPDATE also locks the row until the caller's
transaction ends, so whatever is recorded in that transaction (the bot's reply, an agent's
reply) is recorded under the holder that was checked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Conversation, ConversationHolder
from bot.store.types import utcnow

BOT = ConversationHolder.BOT
WAITING = ConversationHolder.WAITING
AGENT = ConversationHolder.AGENT
RESOLVED = ConversationHolder.RESOLVED


async def _change(
    session: AsyncSession,
    conversation_id: int,
    where: list[ColumnElement[bool]],
    values: dict[str, Any],
) -> bool:
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    # A loaded instance is refreshed in place, so callers see what the database holds.
    await session.get(Conversation, conversation_id, populate_existing=True)
    return True


async def hand_off(
    session: AsyncSession, conversation_id: int, reason: str, now: datetime | None = None
) -> bool:
    """Into the concierge queue. False if a person already has it (or it is waiting)."""
    return await _change(
        session,
        conversation_id,
        [Conversation.holder.in_([BOT, RESOLVED])],
        {
            "holder": WAITING,
            "waiting_since": now or utcnow(),
            "handoff_reason": reason[:64],
            "assignee_id": None,
            "snoozed_at": None,
            "snoozed_until": None,
        },
    )


async def reopen_for_bot(session: AsyncSession, conversation_id: int) -> bool:
    """A resolved conversation goes back to the bot when the customer writes again."""
    return await _change(
        session,
        conversation_id,
        [Conversation.holder == RESOLVED],
        {"holder": BOT, "assignee_id": None, "waiting_since": None},
    )


async def keep_for_bot(
    session: AsyncSession, conversation_id: int, *, last_message_at: datetime | None = None
) -> bool:
    """Before recording the bot's answer: True (and the row locked) only while the bot holds
    it. The assistant is asked outside any transaction; meanwhile a person may have taken
    over, and then the bot's answer must not go out.

    `last_message_at`, when given, is stamped by the same statement (the time of the answer
    about to be recorded). The holder does not change, so nothing loaded is refreshed: one
    statement on every turn of the bot."""
    values: dict[str, Any] = (
        {"holder": Conversation.holder}
        if last_message_at is None
        else {"last_message_at": last_message_at}
    )
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.holder == BOT)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def claim(session: AsyncSession, conversation_id: int, agent_id: int) -> bool:
    """waiting -> agent. Of two agents claiming at once, exactly one gets True."""
    return await _change(
        session,
        conversation_id,
        [Conversation.holder == WAITING],
        {"holder": AGENT, "assignee_id": agent_id},
    )


async def assign(
    session: AsyncSession, conversation_id: int, to_agent_id: int, by_agent_id: int, admin: bool
) -> bool:
    """To a colleague: by its assignee handing over, or by an admin (also from the queue)."""
    where: list[ColumnElement[bool]] = (
        [Conversation.holder.in_([WAITING, AGENT])]
        if admin
        else [Conversation.holder == AGENT, Conversation.assignee_id == by_agent_id]
    )
    return await _change(
        session, conversation_id, where, {"holder": AGENT, "assignee_id": to_agent_id}
    )


async def keep_for_agent(
    session: AsyncSession, conversation_id: int, agent_id: int, admin: bool
) -> bool:
    """Before recording an agent's reply: True (and the row locked) only while the
    conversation is held by an agent, and by this one unless they are an admin."""
    where: list[ColumnElement[bool]] = [Conversation.holder == AGENT]
    if not admin:
        where.append(Conversation.assignee_id == agent_id)
    return await _change(session, conversation_id, where, {"holder": Conversation.holder})


async def resolve(session: AsyncSession, conversation_id: int, agent_id: int, admin: bool) -> bool:
    """agent/waiting -> resolved: by the assignee, by anyone from the queue, or an admin.
    The assignee is kept, to show who handled it; the next customer message reopens it."""
    where: list[ColumnElement[bool]] = (
        [Conversation.holder.in_([WAITING, AGENT])]
        if admin
        else [
            or_(
                Conversation.holder == WAITING,
                (Conversation.holder == AGENT) & (Conversation.assignee_id == agent_id),
            )
        ]
    )
    values: dict[str, Any] = {
        "holder": RESOLVED, "waiting_since": None, "snoozed_at": None, "snoozed_until": None
    }  # fmt: skip
    if not admin:
        values["assignee_id"] = agent_id
    return await _change(session, conversation_id, where, values)


async def customer_left(session: AsyncSession, conversation_id: int, now: datetime) -> bool:
    """waiting/agent -> resolved: the customer left (a new web chat conversation), so
    nobody would read an answer here. The assignee is kept, to show who had it."""
    return await _change(
        session,
        conversation_id,
        [Conversation.holder.in_([WAITING, AGENT])],
        {
            "holder": RESOLVED,
            "waiting_since": None,
            "snoozed_at": None,
            "snoozed_until": None,
            "customer_left_at": now,
        },
    )


async def set_team(session: AsyncSession, conversation_id: int, team: str) -> bool:
    """A waiting conversation moves to another team's queue (its place in it is kept)."""
    return await _change(session, conversation_id, [Conversation.holder == WAITING], {"team": team})


async def requeue(
    session: AsyncSession, conversation_id: int, agent_id: int, admin: bool, now: datetime
) -> bool:
    """agent -> waiting: its agent (or an admin) hands it back to the queue, for another team."""
    where: list[ColumnElement[bool]] = [Conversation.holder == AGENT]
    if not admin:
        where.append(Conversation.assignee_id == agent_id)
    return await _change(
        session,
        conversation_id,
        where,
        {"holder": WAITING, "waiting_since": now, "assignee_id": None},
    )
