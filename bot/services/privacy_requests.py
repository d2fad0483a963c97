"""Privacy requests filed from the chat: access, correction, deletion, California 1798.83.

Each gets a reference and a due date and waits for a person in the inbox. The due date is the
privacy team's own target, set per kind in the settings (PRIVACY_DUE_DAYS_*), except for
California 1798.83, which is always 30 days; the customer is never told it (the policy gives no
reply time). A request still open after its due date is highlighted in the queue and alerted to
the on-duty address once (`take_overdue`). The California request can be made once per
calendar year (privacy policy, "Your California Privacy Rights").
"""

from __future__ import annotations

import enum
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.services import erasure
from bot.settings import Settings
from bot.store.models import (
    Agent,
    Channel,
    ChannelIdentity,
    ConsentEvent,
    Contact,
    Conversation,
    Message,
    Order,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    Repair,
)
from bot.store.types import utcnow

# Civil Code 1798.83 gives the business 30 days to answer; not configurable.
CALIFORNIA_DUE = timedelta(days=30)
OPEN = (PrivacyRequestStatus.OPEN, PrivacyRequestStatus.IN_PROGRESS)
KIND_NAMES = {
    # The policy grants access to what we hold, not a copy ("How to edit, delete or access...").
    PrivacyRequestKind.ACCESS: "access to your personal information",
    PrivacyRequestKind.CORRECTION: "a correction of your personal information",
    PrivacyRequestKind.DELETION: "the deletion of your personal information",
    PrivacyRequestKind.CALIFORNIA_1798_83: "California Privacy Information (Civil Code 1798.83)",
}
STATUS_NAMES = {
    PrivacyRequestStatus.OPEN: "received, waiting for our privacy team",
    PrivacyRequestStatus.IN_PROGRESS: "being handled by our privacy team",
    PrivacyRequestStatus.DONE: "completed",
    PrivacyRequestStatus.REFUSED: "closed",
}


@dataclass(frozen=True)
class AlreadyOpen:
    """The same kind of request is already open for this contact: the new one is linked to
    it (its details added, `times_asked` counted) rather than filed a second time."""

    request: PrivacyRequest


@dataclass(frozen=True)
class AlreadyAskedThisYear:
    """The 1798.83 request was already made this calendar year."""

    previous: PrivacyRequest
    next_allowed: date


def new_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
    return "PR-" + "".join(secrets.choice(alphabet) for _ in range(8))


async def california_this_year(
    session: AsyncSession, contact_id: int, now: datetime | None = None
) -> AlreadyAskedThisYear | None:
    """The 1798.83 request this contact already made this calendar year, if any."""
    now = now or utcnow()
    start_of_year = datetime(now.year, 1, 1, tzinfo=timezone.utc)
    previous = await session.scalar(
        select(PrivacyRequest).where(
            PrivacyRequest.contact_id == contact_id,
            PrivacyRequest.kind == PrivacyRequestKind.CALIFORNIA_1798_83,
            PrivacyRequest.created_at >= start_of_year,
            PrivacyRequest.status != PrivacyRequestStatus.REFUSED,
        )
    )
    if previous is None:
        return None
    return AlreadyAskedThisYear(previous, date(now.year + 1, 1, 1))


def due_after(kind: PrivacyRequestKind, settings: Settings) -> timedelta:
    """How long the privacy team has for a request of this kind: the one place it is set."""
    if kind is PrivacyRequestKind.CALIFORNIA_1798_83:
        return CALIFORNIA_DUE
    days = {
        PrivacyRequestKind.ACCESS: settings.privacy_due_days_access,
        PrivacyRequestKind.CORRECTION: settings.privacy_due_days_correction,
        PrivacyRequestKind.DELETION: settings.privacy_due_days_deletion,
    }[kind]
    return timedelta(days=days)


async def file_request(
    session: AsyncSession,
    contact: Contact,
    kind: PrivacyRequestKind,
    *,
    details: str = "",
    channel: str | None = None,
    conversation_id: int | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> PrivacyRequest | AlreadyOpen | AlreadyAskedThisYear:
    """File a request, due after the kind's time in `settings` (the defaults if None)."""
    now = now or utcnow()
    if kind is PrivacyRequestKind.CALIFORNIA_1798_83:
        already = await california_this_year(session, contact.id, now)
        if already is not None:
            return already
    # (A California request is about one calendar year: the rule above, not this one.)
    already_open = (
        None
        if kind is PrivacyRequestKind.CALIFORNIA_1798_83
        else await session.scalar(
            select(PrivacyRequest)
            .where(
                PrivacyRequest.contact_id == contact.id,
                PrivacyRequest.kind == kind,
                PrivacyRequest.status.in_(OPEN),
            )
            .order_by(PrivacyRequest.id)
            .with_for_update()
        )
    )
    if already_open is not None:
        already_open.times_asked += 1
        if details and details not in already_open.details:
            stamp = f"[{now:%Y-%m-%d}] "
            already_open.details = "\n".join(filter(None, [already_open.details, stamp + details]))
        await session.flush()
        return AlreadyOpen(already_open)
    request = PrivacyRequest(
        reference=new_reference(),
        contact_id=contact.id,
        kind=kind,
        details=details,
        due_at=now + due_after(kind, settings or Settings()),
        channel=channel,
        conversation_id=conversation_id,
        created_at=now,
    )
    session.add(request)
    await session.flush()
    return request


async def requests_of(session: AsyncSession, contact_id: int) -> list[PrivacyRequest]:
    rows = await session.scalars(
        select(PrivacyRequest)
        .where(PrivacyRequest.contact_id == contact_id)
        .order_by(PrivacyRequest.created_at.desc())
    )
    return list(rows)


def describe_request(request: PrivacyRequest) -> str:
    text = (
        f"{request.reference}: {KIND_NAMES[request.kind]}, made on "
        f"{request.created_at:%B} {request.created_at.day}, {request.created_at.year} — "
        f"{STATUS_NAMES[request.status]}"
    )
    # No due date: the customer reads this, and the policy promises no reply time.
    return text + "."


async def open_requests(session: AsyncSession) -> list[PrivacyRequest]:
    """The privacy team's queue: due soonest first."""
    return list(
        await session.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.status.in_(OPEN))
            .options(selectinload(PrivacyRequest.contact))
            .order_by(PrivacyRequest.due_at, PrivacyRequest.id)
        )
    )


async def recently_closed(
    session: AsyncSession, limit: int
) -> list[tuple[PrivacyRequest, str | None]]:
    """The latest closed requests, with the name of the agent who closed each."""
    rows = await session.execute(
        select(PrivacyRequest, Agent.display_name)
        .outerjoin(Agent, Agent.id == PrivacyRequest.completed_by_agent_id)
        .where(PrivacyRequest.status.not_in(OPEN))
        .options(selectinload(PrivacyRequest.contact))
        .order_by(PrivacyRequest.completed_at.desc().nulls_last(), PrivacyRequest.id.desc())
        .limit(limit)
    )
    return [(request, name) for request, name in rows.all()]


class Resolution(str, enum.Enum):
    """What the privacy team does with an open request."""

    COMPLETE = "complete"
    REFUSE = "refuse"
    ASK = "ask"  # for more information; the request stays open


MAX_NOTE = 2000


async def resolve(
    session: AsyncSession,
    request_id: int,
    agent_id: int,
    resolution: Resolution,
    note: str = "",
    now: datetime | None = None,
) -> PrivacyRequest | None:
    """Complete, refuse (a reason is required) or ask for more information (a question is
    required); None if the request was not open. Conditional: of two agents acting on the
    same request, one outcome is recorded."""
    note = note.strip()
    if resolution is not Resolution.COMPLETE and not note:
        raise ValueError("a refusal needs its reason, and a request for information its question")
    if len(note) > MAX_NOTE:
        raise ValueError(f"at most {MAX_NOTE} characters")
    now = now or utcnow()
    values: dict[str, Any] = {"resolution_note": note or None}
    if resolution is Resolution.ASK:
        values |= {"status": PrivacyRequestStatus.IN_PROGRESS, "information_requested_at": now}
    else:
        values |= {
            "status": PrivacyRequestStatus.DONE
            if resolution is Resolution.COMPLETE
            else PrivacyRequestStatus.REFUSED,
            "completed_at": now,
            "completed_by_agent_id": agent_id,
        }
    result = await session.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.id == request_id, PrivacyRequest.status.in_(OPEN))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    request = await session.scalar(
        select(PrivacyRequest)
        .where(PrivacyRequest.id == request_id)
        .options(selectinload(PrivacyRequest.contact))
        .execution_options(populate_existing=True)
    )
    return request


@dataclass(frozen=True)
class Overdue:
    """An open request past its due date, taken to be alerted (once)."""

    request_id: int
    reference: str
    kind: PrivacyRequestKind
    created_at: datetime
    due_at: datetime


async def take_overdue(session: AsyncSession, now: datetime) -> list[Overdue]:
    """The open requests past their due date not alerted yet, marked alerted in the same
    conditional UPDATE: of gateways running this at once, each request goes to one."""
    taken = await session.execute(
        update(PrivacyRequest)
        .where(
            PrivacyRequest.status.in_(OPEN),
            PrivacyRequest.due_at <= now,
            PrivacyRequest.overdue_alerted_at.is_(None),
        )
        .values(overdue_alerted_at=now)
        .returning(
            PrivacyRequest.id,
            PrivacyRequest.reference,
            PrivacyRequest.kind,
            PrivacyRequest.created_at,
            PrivacyRequest.due_at,
        )
    )
    found = [Overdue(*row) for row in taken.all()]
    return sorted(found, key=lambda o: (o.due_at, o.request_id))


def overdue_mail_text(overdue: Overdue, link: str) -> tuple[str, str]:
    """Subject and body of the on-duty e-mail: the reference, kind and dates, never who the
    customer is or what they asked (mail travels further than the inbox)."""
    kind = KIND_NAMES[overdue.kind]
    subject = f"Overdue privacy request {overdue.reference}"
    lines = [
        "A privacy request is past the privacy team's due date and still open.",
        "",
        f"Reference: {overdue.reference}",
        f"Request: {kind.removeprefix('the ').removeprefix('a ')}",
        f"Filed: {overdue.created_at:%Y-%m-%d %H:%M} UTC",
        f"Due: {overdue.due_at:%Y-%m-%d %H:%M} UTC",
        "",
        f"Open the privacy queue: {link}",
    ]
    return subject, "\n".join(lines) + "\n"


def outcome_message(request: PrivacyRequest, resolution: Resolution) -> str:
    """What the customer is told, on their channel or by e-mail.

    Worded within the privacy policy: it grants access to and correction of what we hold
    ("How to edit, delete or access..."), no right to deletion and no reply time, so a
    completed deletion says what was done and nothing is promised about when or more."""
    kind = KIND_NAMES[request.kind]
    if resolution is Resolution.ASK:
        return (
            f"About your request {request.reference} for {kind}: our privacy team needs a "
            f"little more information. {request.resolution_note} "
            "You can simply answer here."
        )
    if resolution is Resolution.REFUSE:
        return (
            f"About your request {request.reference} for {kind}: our privacy team has "
            f"closed it without acting on it, for this reason: {request.resolution_note} "
            "If you have any question, our concierge is here to help."
        )
    done = f"Your request {request.reference} for {kind} has been completed by our privacy team."
    if request.resolution_note:
        done += f" {request.resolution_note}"
    return done


async def access_request_open(session: AsyncSession, contact_id: int) -> bool:
    """Whether the contact has an access request waiting to be fulfilled."""
    found = await session.scalar(
        select(PrivacyRequest.id).where(
            PrivacyRequest.contact_id == contact_id,
            PrivacyRequest.kind == PrivacyRequestKind.ACCESS,
            PrivacyRequest.status.in_(OPEN),
        )
    )
    return found is not None


async def export_contact(
    session: AsyncSession, contact_id: int, tracker_store_url: str = ""
) -> dict[str, Any]:
    """Everything held about a contact, for an access request (JSON-ready): our store and,
    when there is one (RASA_TRACKER_STORE_URL), Rasa's tracker store (the events of the
    contact's conversations), with a short summary in plain words first.

    Never a credential: a web chat identity's external id is that chat's session id, the
    only key to the conversation and its verified state, so it is left out (and masked
    should the tracker store hold it)."""
    contact = await session.get(Contact, contact_id)
    if contact is None:
        raise LookupError(f"no contact {contact_id}")

    def row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        values = {}
        for column in obj.__table__.columns:
            if column.key in skip:
                continue
            value = getattr(obj, column.key)
            if isinstance(value, datetime | date):
                value = value.isoformat()
            elif hasattr(value, "value"):
                value = value.value
            values[column.key] = value
        return values

    identities = list(
        await session.scalars(
            select(ChannelIdentity).where(ChannelIdentity.contact_id == contact_id)
        )
    )
    conversations = list(
        await session.scalars(
            select(Conversation).where(Conversation.identity_id.in_([i.id for i in identities]))
        )
    )
    messages = list(
        await session.scalars(
            select(Message)
            .where(
                Message.conversation_id.in_([c.id for c in conversations]),
                Message.is_private_note.is_(False),  # staff notes are not the customer's data
            )
            .order_by(Message.id)
        )
    )
    orders = list(await session.scalars(select(Order).where(Order.contact_id == contact_id)))
    repairs = list(await session.scalars(select(Repair).where(Repair.contact_id == contact_id)))
    consent = list(
        await session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.contact_id == contact_id)
            .order_by(ConsentEvent.id)
        )
    )
    requests = await requests_of(session, contact_id)
    tracker_events = await erasure.read_tracker_events(
        tracker_store_url, tuple(f"conversation-{c.id}" for c in conversations)
    )
    session_ids = [i.external_id for i in identities if i.channel is Channel.WEBCHAT]
    tracker_events = [_masked(event, session_ids) for event in tracker_events]
    data: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "summary": "",
        "contact": row(contact),
        "channel_identities": [
            row(i, skip=("external_id",) if i.channel is Channel.WEBCHAT else ())
            for i in identities
        ],
        "messages": [row(m, skip=("agent_id",)) for m in messages],
        "orders": [row(o) for o in orders],
        "repairs": [row(r) for r in repairs],
        "consent_events": [row(e, skip=("agent_id",)) for e in consent],
        "privacy_requests": [row(r, skip=("completed_by_agent_id",)) for r in requests],
        "tracker_events": tracker_events,
    }
    data["summary"] = export_summary(data, len(conversations), bool(tracker_store_url))
    return data


EXPORT_SECTIONS = (
    ("channel_identities", "channel account", "channel accounts"),
    ("messages", "message", "messages"),
    ("orders", "order", "orders"),
    ("repairs", "repair", "repairs"),
    ("consent_events", "consent choice", "consent choices"),
    ("privacy_requests", "privacy request", "privacy requests"),
)


def export_summary(data: dict[str, Any], conversations: int, tracker_store: bool) -> str:
    """What the export holds, counted per section, in plain words."""

    def counted(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    parts = [counted(len(data[key]), one, many) for key, one, many in EXPORT_SECTIONS]
    parts[1] += f" in {counted(conversations, 'conversation', 'conversations')}"
    text = "This export holds your contact record, " + ", ".join(parts[:-1])
    text += f" and {parts[-1]}."
    if tracker_store:
        events = counted(len(data["tracker_events"]), "event", "events")
        text += f" Our assistant's conversation memory holds {events} of your conversations."
    return text


def _masked(event: dict[str, Any], session_ids: list[str]) -> dict[str, Any]:
    """A tracker event without any web chat session id in it."""
    as_text = json.dumps(event, ensure_ascii=False)
    if not any(s and s in as_text for s in session_ids):
        return event
    for session_id in session_ids:
        if session_id:
            as_text = as_text.replace(session_id, "[web chat session]")
    masked: dict[str, Any] = json.loads(as_text)
    return masked
