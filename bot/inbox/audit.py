"""The audit trail: which agent looked at or changed which customer's data, and when.

The privacy policy limits access to staff who need it; this is how that is checked later.
Entries are written in the same transaction as what they describe (or, for a view, before
the data is shown), and only admins can read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Agent, AuditEntry

# What is recorded, as the audit page shows it.
ACTIONS = {
    "login": "signed in",
    "login_failed": "tried to sign in, and failed",
    "logout": "signed out",
    "view_conversation": "opened the conversation",
    "watch_conversation": "followed the conversation live",
    "view_contact": "viewed the customer's details, orders, repairs and preferences",
    "view_privacy_requests": "listed the privacy requests",
    "export_contact": "exported all the customer's data",
    "complete_privacy_request": "completed a privacy request",
    "refuse_privacy_request": "refused a privacy request, with its reason",
    "ask_privacy_information": "asked the customer for more information on a privacy request",
    "claim": "claimed the conversation",
    "assign": "handed the conversation over",
    "reply": "replied to the customer",
    "note": "added a private note",
    "resolve": "resolved the conversation",
    "canned_save": "saved a canned reply",
    "canned_delete": "deleted a canned reply",
    "view_checked": "viewed the order or repair the customer proved in the chat",
    "labels": "changed the labels",
    "team": "handed the conversation to a team",
    "snooze": "snoozed the conversation",
    "wake": "woke a snoozed conversation",
}


def record(
    session: AsyncSession,
    agent_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | str,
    detail: str | None = None,
) -> None:
    session.add(
        AuditEntry(
            agent_id=agent_id,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            detail=detail,
        )
    )


async def viewed_since(
    session: AsyncSession, agent_id: int, conversation_id: int, since: datetime
) -> bool:
    """Whether the agent opened (or followed) the conversation since then: a poll of its new
    messages is part of that view, not another one."""
    found = await session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.agent_id == agent_id,
            AuditEntry.action.in_(["view_conversation", "watch_conversation"]),
            AuditEntry.subject_type == "conversation",
            AuditEntry.subject_id == str(conversation_id),
            AuditEntry.created_at >= since,
        )
        .limit(1)
    )
    return found is not None


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: datetime
    agent: str
    action: str
    subject: str
    detail: str


async def latest(
    session: AsyncSession, limit: int = 200, before: int | None = None
) -> list[AuditLine]:
    query = (
        select(AuditEntry, Agent.display_name)
        .outerjoin(Agent, Agent.id == AuditEntry.agent_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = (await session.execute(query)).all()
    return [
        AuditLine(
            id=entry.id,
            at=entry.created_at,
            agent=name or "—",
            action=ACTIONS.get(entry.action, entry.action),
            subject=f"{entry.subject_type} {entry.subject_id}",
            detail=entry.detail or "",
        )
        for entry, name in rows
    ]
