"""Alerting the agents on duty: who has the inbox open, and the alerts themselves.

An alert is a row with a unique key naming its event (the handoff of conversation 7 that
began at 14:02, its escalation): inserting it is how a gateway learns it is the one to
announce it, so an event is alerted once however many gateways see it. The e-mail to the
on-duty address goes out only when no agent has the inbox open (presence below) and, for
escalations, always; the row's mail status moves pending -> sending with a conditional
UPDATE, so of several senders one sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from bot.store.models import Alert, AlertKind, InboxPresence, MailStatus

# An open inbox page refreshes its presence this often; one not seen for PRESENCE_FRESH
# is gone (its gateway died, the network dropped it).
PRESENCE_BEAT = timedelta(seconds=30)
PRESENCE_FRESH = timedelta(seconds=90)


def _insert(session: AsyncSession, model: Any) -> Any:
    dialect = session.bind.dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


async def present(session: AsyncSession, token: str, agent_id: int, now: datetime) -> None:
    """This inbox page is open (called when its socket opens, then every PRESENCE_BEAT)."""
    statement = _insert(session, InboxPresence).values(token=token, agent_id=agent_id, seen_at=now)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["token"], set_={"seen_at": now})
    )


async def gone(session: AsyncSession, token: str) -> None:
    await session.execute(delete(InboxPresence).where(InboxPresence.token == token))


async def anyone_on_duty(session: AsyncSession, now: datetime) -> bool:
    fresh = InboxPresence.seen_at > now - PRESENCE_FRESH
    return bool(await session.scalar(select(exists().where(fresh))))


async def raise_alert(
    session: AsyncSession,
    settings: Settings,
    kind: AlertKind,
    conversation_id: int,
    key: str,
    now: datetime,
) -> int | None:
    """The new alert's id, or None if this event was alerted already."""
    mail = bool(settings.on_duty_email) and (
        kind is AlertKind.ESCALATION or not await anyone_on_duty(session, now)
    )
    statement = (
        _insert(session, Alert)
        .values(
            key=key,
            kind=kind,
            conversation_id=conversation_id,
            created_at=now,
            mail_to=settings.on_duty_email if mail else None,
            mail_status=MailStatus.PENDING if mail else MailStatus.NOT_NEEDED,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Alert.id)
    )
    found = (await session.execute(statement)).scalar_one_or_none()
    return int(found) if found is not None else None


@dataclass(frozen=True)
class MailToSend:
    alert_id: int
    kind: AlertKind
    conversation_id: int
    to: str
    created_at: datetime


async def take_mail(session: AsyncSession, alert_id: int) -> MailToSend | None:
    """Take the alert's pending e-mail to send it; None if there is none or another took it."""
    taken = await session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.mail_status == MailStatus.PENDING)
        .values(mail_status=MailStatus.SENDING)
        .returning(Alert.kind, Alert.conversation_id, Alert.mail_to, Alert.created_at)
    )
    row = taken.first()
    if row is None or not row[2]:
        return None
    return MailToSend(alert_id, row[0], row[1], row[2], row[3])


async def mail_done(session: AsyncSession, alert_id: int, error: str | None = None) -> None:
    await session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(
            mail_status=MailStatus.FAILED if error else MailStatus.SENT,
            mail_error=error[:500] if error else None,
        )
    )


async def pending_mail(session: AsyncSession, older_than: datetime) -> list[int]:
    """Alerts whose e-mail is still pending since before then (a gateway stopped first)."""
    rows = await session.scalars(
        select(Alert.id).where(
            Alert.mail_status == MailStatus.PENDING, Alert.created_at <= older_than
        )
    )
    return list(rows)


async def fail_interrupted(session: AsyncSession, older_than: datetime) -> int:
    """E-mails left "sending" by a gateway that stopped mid-send: marked failed, never sent
    again (at most once, as the outbox does: the server may have taken it)."""
    result = await session.execute(
        update(Alert)
        .where(Alert.mail_status == MailStatus.SENDING, Alert.created_at <= older_than)
        .values(mail_status=MailStatus.FAILED, mail_error="interrupted while sending")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def mail_text(
    kind: AlertKind,
    customer: str,
    channel: str,
    reason: str,
    topic: str | None,
    waiting_since: str,
    link: str,
) -> tuple[str, str]:
    """Subject and body. Who and why, never what the customer wrote (mail travels further
    than the inbox)."""
    if kind is AlertKind.ESCALATION:
        subject = f"Overdue: {customer} is still waiting for the concierge"
        opening = "A customer has waited longer than the set time and nobody has claimed them."
    else:
        subject = f"{customer} is waiting for the concierge"
        opening = "A customer is waiting for the concierge and no agent has the inbox open."
    lines = [
        opening,
        "",
        f"Who: {customer} ({channel})",
        f"Why: {reason}",
        *([f"Topic: {topic}"] if topic else []),
        f"Waiting since: {waiting_since}",
        "",
        f"Open the conversation: {link}",
    ]
    return subject, "\n".join(lines) + "\n"
