"""The queue as agents see it: who waits and why, in the order they should be answered.

Waiting conversations come first, overdue ones (unclaimed past HANDOFF_ESCALATE_AFTER)
before the rest, then by the contact's priority (VIP, high, normal), then by age; an agent
with a team sees that team's queue first. Then the agent's own conversations, the snoozed
ones, colleagues' and the recently resolved. With a search or a filter, one list of results.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.gateway.inputs import DIGITS, MAX_ID
from bot.services import handoffs, routing
from bot.services.customers import CHANNEL_NAMES, customer_name
from bot.services.routing import reason_in_words
from bot.settings import Settings
from bot.store.models import (
    Agent,
    Author,
    Channel,
    ChannelIdentity,
    Contact,
    Conversation,
    ConversationHolder,
    ConversationLabel,
    ConversationProof,
    ConversationRead,
    Message,
    Priority,
    ProofMethod,
)
from bot.store.types import utcnow

__all__ = ["CHANNEL_NAMES", "Filters", "QueueRow", "reason_in_words", "sections"]

PREVIEW_LENGTH = 140
RECENT_RESOLVED = 20
RESULTS_LIMIT = 100
STATUSES = ("waiting", "mine", "agent", "snoozed", "resolved", "bot")
PRIORITY_WORDS = {Priority.VIP: "VIP", Priority.HIGH: "High priority", Priority.NORMAL: ""}


@dataclass(frozen=True)
class Filters:
    q: str = ""
    channel: str = ""
    label: str = ""
    status: str = ""
    assignee: str = ""  # "me", "none" or an agent id

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        def pick(name: str, allowed: Any = None) -> str:
            value = str(query.get(name, "")).strip()[:100]
            return value if allowed is None or value in allowed else ""

        assignee = pick("assignee")
        if assignee not in ("me", "none") and not DIGITS.fullmatch(assignee):
            assignee = ""
        elif assignee not in ("me", "none") and int(assignee) > MAX_ID:
            assignee = ""  # no such agent, and past what the store can compare
        return cls(
            q=pick("q"),
            channel=pick("channel", {c.value for c in Channel}),
            label=pick("label", routing.LABELS),
            status=pick("status", STATUSES),
            assignee=assignee,
        )

    @property
    def active(self) -> bool:
        return any((self.q, self.channel, self.label, self.status, self.assignee))


@dataclass(frozen=True)
class QueueRow:
    id: int
    holder: str
    channel: str
    customer: str
    proof: str  # "verified" (code), "order checked", or ""
    priority: str  # "vip" | "high" | "normal"
    reason: str
    topic: str
    labels: list[str]
    team: str
    preview: str  # the customer's own last message
    waiting_since: datetime | None
    last_message_at: datetime
    assignee: str | None
    escalated: bool
    unread: int
    snoozed: bool
    snoozed_until: datetime | None
    left: bool
    target_seconds: float
    wait_state: str = ""  # green | amber | red, for waiting rows
    waited: str = ""  # "12 min"

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for key in ("waiting_since", "last_message_at", "snoozed_until"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass
class Sections:
    lists: dict[str, list[QueueRow]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)


def waited(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h {minutes % 60} min" if hours < 48 else f"{hours // 24} days"


def wait_state(seconds: float, target: float) -> str:
    """Green under half the first-response target, amber up to it, red past it."""
    return "green" if seconds < target / 2 else "amber" if seconds < target else "red"


async def sections(
    session: AsyncSession, settings: Settings, agent_id: int, filters: Filters | None = None
) -> Sections:
    filters = filters or Filters()
    c = Conversation
    result = Sections()
    if filters.active:
        result.lists["results"] = await _rows(
            session, settings, agent_id, _filtered(filters, agent_id), RESULTS_LIMIT, results=True
        )
        result.titles["results"] = "Search results"
        return result
    team = await session.scalar(select(Agent.team).where(Agent.id == agent_id))
    waiting = c.holder == ConversationHolder.WAITING
    if team:
        mine = routing.TEAMS.get(team, team)
        result.titles["team"] = f"Waiting for your team ({mine})"
        result.lists["team"] = await _rows(session, settings, agent_id, waiting & (c.team == team))
        result.titles["waiting"] = "Waiting for other teams"
        others = waiting & or_(c.team.is_(None), c.team != team)
        result.lists["waiting"] = await _rows(session, settings, agent_id, others)
    else:
        result.titles["waiting"] = "Waiting for a person"
        result.lists["waiting"] = await _rows(session, settings, agent_id, waiting)
    held = (c.holder == ConversationHolder.AGENT) & c.snoozed_at.is_(None)
    result.titles["mine"] = "Mine"
    result.lists["mine"] = await _rows(
        session, settings, agent_id, held & (c.assignee_id == agent_id)
    )
    result.titles["snoozed"] = "Snoozed"
    result.lists["snoozed"] = await _rows(session, settings, agent_id, c.snoozed_at.is_not(None))
    result.titles["colleagues"] = "With colleagues"
    result.lists["colleagues"] = await _rows(
        session, settings, agent_id, held & (c.assignee_id != agent_id)
    )
    result.titles["resolved"] = "Recently resolved"
    result.lists["resolved"] = await _rows(
        session, settings, agent_id, c.holder == ConversationHolder.RESOLVED, RECENT_RESOLVED
    )
    return result


def _filtered(filters: Filters, agent_id: int) -> ColumnElement[bool]:
    c = Conversation
    where: list[ColumnElement[bool]] = []
    if filters.channel:
        where.append(c.channel == Channel(filters.channel))
    if filters.label:
        where.append(
            exists().where(
                ConversationLabel.conversation_id == c.id, ConversationLabel.label == filters.label
            )
        )
    status = {
        "waiting": c.holder == ConversationHolder.WAITING,
        "mine": (c.holder == ConversationHolder.AGENT) & (c.assignee_id == agent_id),
        "agent": c.holder == ConversationHolder.AGENT,
        "snoozed": c.snoozed_at.is_not(None),
        "resolved": c.holder == ConversationHolder.RESOLVED,
        "bot": c.holder == ConversationHolder.BOT,
    }.get(filters.status)
    if status is not None:
        where.append(status)
    if filters.assignee == "me":
        where.append(c.assignee_id == agent_id)
    elif filters.assignee == "none":
        where.append(c.assignee_id.is_(None))
    elif filters.assignee:
        where.append(c.assignee_id == int(filters.assignee))
    if filters.q:
        where.append(_search(filters.q))
    return and_(true(), *where)


def _search(q: str) -> ColumnElement[bool]:
    """Customers (name, e-mail, channel handle) and the text of every message."""
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"

    def like(column: Any) -> ColumnElement[bool]:
        return func.lower(column).like(pattern, escape="\\")

    searched = aliased(Message)
    return or_(
        like(Contact.first_name + " " + Contact.last_name),
        like(Contact.email),
        like(ChannelIdentity.display_name),
        exists().where(searched.conversation_id == Conversation.id, like(searched.text)),
    )


def _query(agent_id: int) -> Select[Any]:
    c = Conversation
    latest, counted = aliased(Message), aliased(Message)
    last_from_customer = (
        select(latest.id)
        .where(latest.conversation_id == c.id, latest.author == Author.CUSTOMER)
        .order_by(latest.id.desc())
        .limit(1)
        .correlate(c)
        .scalar_subquery()
    )
    read_up_to = (
        select(ConversationRead.last_read_message_id)
        .where(ConversationRead.agent_id == agent_id, ConversationRead.conversation_id == c.id)
        .correlate(c)
        .scalar_subquery()
    )
    unread = (
        select(func.count(counted.id))
        .where(
            counted.conversation_id == c.id,
            counted.author == Author.CUSTOMER,
            counted.id > func.coalesce(read_up_to, 0),
        )
        .correlate(c)
        .scalar_subquery()
    )
    return (
        select(c, ChannelIdentity, Contact, Message, Agent.display_name, unread)
        .join(ChannelIdentity, ChannelIdentity.id == c.identity_id)
        .outerjoin(Contact, Contact.id == ChannelIdentity.contact_id)
        .outerjoin(Message, Message.id == last_from_customer)
        .outerjoin(Agent, Agent.id == c.assignee_id)
    )


async def _rows(
    session: AsyncSession,
    settings: Settings,
    agent_id: int,
    where: ColumnElement[bool],
    limit: int | None = None,
    results: bool = False,
) -> list[QueueRow]:
    c = Conversation
    query = _query(agent_id).where(where)
    if results:
        waiting_first = case((c.holder == ConversationHolder.WAITING, 0), else_=1)
        query = query.order_by(waiting_first, *handoffs.queue_order()[:2], c.last_message_at.desc())  # type: ignore[arg-type]
    else:
        query = query.order_by(*handoffs.queue_order(), c.last_message_at.desc())  # type: ignore[arg-type]
    if limit:
        query = query.limit(limit)
    found = (await session.execute(query)).all()
    ids = [row[0].id for row in found]
    labels, checked = await _labels(session, ids), await _order_checks(session, ids)
    targets = settings.response_targets
    now = utcnow()
    rows = []
    for conversation, identity, contact, message, assignee, unread in found:
        priority = contact.priority if contact is not None else Priority.NORMAL
        name = customer_name(identity, contact)
        proof = "verified" if contact is not None else ""
        if not proof and conversation.id in checked:
            name, proof = checked[conversation.id], "order checked"
        row = QueueRow(
            id=conversation.id,
            holder=conversation.holder.value,
            channel=CHANNEL_NAMES[conversation.channel],
            customer=name,
            proof=proof,
            priority=priority.value,
            reason=reason_in_words(conversation.handoff_reason),
            topic=routing.intent_in_words(conversation.topic) if conversation.topic else "",
            labels=labels.get(conversation.id, []),
            team=routing.TEAMS.get(conversation.team or "", conversation.team or ""),
            preview=_preview(message.text if message else ""),
            waiting_since=conversation.waiting_since,
            last_message_at=conversation.last_message_at,
            assignee=assignee,
            escalated=conversation.escalated_at is not None,
            unread=int(unread or 0),
            snoozed=conversation.snoozed_at is not None,
            snoozed_until=conversation.snoozed_until,
            left=conversation.customer_left_at is not None,
            target_seconds=targets.get(priority.value, targets["normal"]),
        )
        if conversation.holder is ConversationHolder.WAITING and conversation.waiting_since:
            seconds = (now - conversation.waiting_since).total_seconds()
            row = _with_wait(row, seconds)
        rows.append(row)
    return rows


def _with_wait(row: QueueRow, seconds: float) -> QueueRow:
    return replace(row, wait_state=wait_state(seconds, row.target_seconds), waited=waited(seconds))


async def _labels(session: AsyncSession, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = await session.execute(
            select(ConversationLabel.conversation_id, ConversationLabel.label)
            .where(ConversationLabel.conversation_id.in_(ids))
            .order_by(ConversationLabel.label)
        )
        for conversation_id, label in rows.all():
            found[conversation_id].append(label)
    return found


async def _order_checks(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    """The name on the order or repair a customer proved in the conversation."""
    if not ids:
        return {}
    rows = await session.execute(
        select(ConversationProof.conversation_id, Contact)
        .join(Contact, Contact.id == ConversationProof.contact_id)
        .where(
            ConversationProof.conversation_id.in_(ids),
            ConversationProof.method != ProofMethod.CODE,
        )
    )
    return {conversation_id: contact.full_name for conversation_id, contact in rows.all()}


def customer_label(identity: ChannelIdentity) -> str:
    return customer_name(identity, identity.contact)


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"
