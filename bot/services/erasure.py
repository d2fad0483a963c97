"""Erasing a contact's personal data from our store (issue 16, item 1).

An administrator fulfils a deletion request, or erases a contact directly with a reason, from
the inbox. What identifies the person is removed or overwritten in place; what the house needs
as a business, and proof that it honoured an opt-out, stays, without name or address:

- contact: name, e-mail, phone, address, ZIP, date of birth cleared; the row stays (orders
  and repairs point to it), marked `erased_at`;
- channel identities: the platform's id (web chat session, Telegram chat, X account) and the
  display name overwritten, unlinked from the contact;
- their conversations: every message's text (the customer's, the bot's, the agents' and their
  private notes) and buttons cleared; the outbox's copies and recipients too; the handoff
  digests (what the customer was understood to want) emptied; what the platforms sent
  (inbound events naming the identity) emptied;
- one-time codes: deleted; lookup guards of the identities: deleted;
- consent: only the opt-out events stay, as proof of the opt-out (topic, value, source,
  date); opt-ins and language choices are deleted;
- privacy requests: reduced to reference, kind, dates and outcome (the details cleared);
- orders and repairs: e-mail and ZIP cleared; number, items, status, dates, boutique stay.

The conversation rows themselves stay (dates, channel, reason of a handoff), with no text.
Rasa's SQL tracker store, when there is one (RASA_TRACKER_STORE_URL), loses the
conversations' events after the commit (erase_tracker_events).
Erasing twice does nothing the second time. The caller records the audit entry: what was
erased and when, by whom and why, never the erased data (bot/inbox/views_privacy.py).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.store.db import create_engine
from bot.store.models import (
    ChannelIdentity,
    ConsentEvent,
    Contact,
    Conversation,
    CsatRating,
    Handoff,
    InboundEvent,
    LookupGuard,
    Message,
    Order,
    OutboxMessage,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    Repair,
    VerificationCode,
)
from bot.store.types import utcnow

ERASED_NAME = "Erased"
OPT_OUT = "opt_out"


class Reason(str, enum.Enum):
    """Why a contact is erased: a fixed list, so the audit log holds no free text about them."""

    DELETION_REQUEST = "deletion_request"
    ASKED_ANOTHER_WAY = "asked_another_way"
    LEGAL_OBLIGATION = "legal_obligation"
    DATA_NOT_NEEDED = "data_not_needed"


REASON_NAMES = {
    Reason.DELETION_REQUEST: "a deletion request filed in the chat",
    Reason.ASKED_ANOTHER_WAY: "the customer asked by e-mail, phone or in a boutique",
    Reason.LEGAL_OBLIGATION: "a legal or regulatory obligation",
    Reason.DATA_NOT_NEEDED: "the data is no longer needed",
}


@dataclass(frozen=True)
class Erased:
    """What one erasure did: counts only, for the audit log and the notice."""

    contact_id: int
    identities: int
    conversations: int
    messages: int
    consent_kept: int
    consent_deleted: int
    codes_deleted: int
    privacy_requests: int
    orders: int
    repairs: int
    # Rasa's names for the conversations, for its tracker store (erase_tracker_events).
    sender_ids: tuple[str, ...] = ()

    def summary(self) -> str:
        return (
            f"contact {self.contact_id}: {self.identities} channel identities, "
            f"{self.conversations} conversations ({self.messages} messages), "
            f"{self.codes_deleted} one-time codes, {self.consent_deleted} consent events "
            f"({self.consent_kept} opt-outs kept as proof), {self.privacy_requests} privacy "
            f"requests reduced, {self.orders} orders and {self.repairs} repairs without "
            "e-mail and ZIP"
        )


async def erase_contact(
    session: AsyncSession, contact_id: int, now: datetime | None = None
) -> Erased | None:
    """Erase the contact's personal data; None if it was erased already. LookupError if there
    is no such contact. The contact row is locked first, so two erasures run one after the
    other and the second finds it erased."""
    now = now or utcnow()
    contact = await session.scalar(
        select(Contact).where(Contact.id == contact_id).with_for_update()
    )
    if contact is None:
        raise LookupError(f"no contact {contact_id}")
    if contact.erased_at is not None:
        return None

    identities = list(
        await session.scalars(
            select(ChannelIdentity).where(ChannelIdentity.contact_id == contact_id)
        )
    )
    identity_ids = [i.id for i in identities]
    conversation_ids = list(
        await session.scalars(
            select(Conversation.id).where(Conversation.identity_id.in_(identity_ids))
        )
    )
    message_ids = list(
        await session.scalars(
            select(Message.id).where(Message.conversation_id.in_(conversation_ids))
        )
    )
    await _erase_inbound_events(session, identities)
    await session.execute(
        update(Message)
        .where(Message.id.in_(message_ids))
        .values(text="", buttons=None, platform_message_id=None)
    )
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.message_id.in_(message_ids))
        .values(recipient="erased", payload={}, last_error=None, platform_message_id=None)
    )
    await session.execute(
        update(Handoff).where(Handoff.conversation_id.in_(conversation_ids)).values(digest={})
    )
    # A rating is kept (a number, for the reports); the comment is the customer's words.
    await session.execute(
        update(CsatRating)
        .where(CsatRating.conversation_id.in_(conversation_ids))
        .values(comment=None)
    )
    sender_ids = [f"conversation-{c}" for c in conversation_ids]
    codes = await session.execute(
        delete(VerificationCode).where(
            (VerificationCode.contact_id == contact_id) | VerificationCode.sender_id.in_(sender_ids)
        )
    )
    await session.execute(
        delete(LookupGuard).where(
            LookupGuard.subject.in_(
                [f"identity:{i}" for i in identity_ids] + [f"sender:{s}" for s in sender_ids]
            )
        )
    )
    for identity in identities:
        identity.external_id = f"erased-{identity.id}"
        identity.display_name = None
        identity.contact_id = None
        identity.verified_at = None

    consent_deleted = await session.execute(
        delete(ConsentEvent).where(
            ConsentEvent.contact_id == contact_id, ConsentEvent.value != OPT_OUT
        )
    )
    consent_kept = await session.execute(
        update(ConsentEvent)
        .where(ConsentEvent.contact_id == contact_id)
        .values(channel=None, conversation_id=None)
    )
    requests = await session.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.contact_id == contact_id)
        .values(details="", conversation_id=None)
    )
    orders = await session.execute(
        update(Order).where(Order.contact_id == contact_id).values(email="", postcode="")
    )
    repairs = await session.execute(
        update(Repair).where(Repair.contact_id == contact_id).values(email="", postcode="")
    )

    contact.first_name = ERASED_NAME
    contact.last_name = ""
    contact.email = None
    contact.phone = None
    contact.address_line = None
    contact.city = None
    contact.state = None
    contact.postcode = None
    contact.date_of_birth = None
    contact.erased_at = now
    await session.flush()
    return Erased(
        contact_id=contact_id,
        identities=len(identities),
        conversations=len(conversation_ids),
        messages=len(message_ids),
        consent_kept=_count(consent_kept),
        consent_deleted=_count(consent_deleted),
        codes_deleted=_count(codes),
        privacy_requests=_count(requests),
        orders=_count(orders),
        repairs=_count(repairs),
        sender_ids=tuple(sender_ids),
    )


async def fulfil_deletion(
    session: AsyncSession, request_id: int, agent_id: int | None, now: datetime | None = None
) -> Erased | None:
    """Erase the contact of an open deletion request and close the request as done. None if
    the request is not an open deletion request (closed already, or another kind)."""
    now = now or utcnow()
    request = await session.scalar(
        select(PrivacyRequest)
        .where(
            PrivacyRequest.id == request_id,
            PrivacyRequest.kind == PrivacyRequestKind.DELETION,
            PrivacyRequest.status.in_(
                (PrivacyRequestStatus.OPEN, PrivacyRequestStatus.IN_PROGRESS)
            ),
        )
        .with_for_update()
    )
    if request is None:
        return None
    contact_id = request.contact_id
    erased = await erase_contact(session, contact_id, now)
    await session.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.id == request_id)
        .values(status=PrivacyRequestStatus.DONE, completed_at=now, completed_by_agent_id=agent_id)
    )
    if erased is None:  # erased directly before: the request is done all the same
        return Erased(contact_id, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    return erased


async def _erase_inbound_events(session: AsyncSession, identities: list[ChannelIdentity]) -> None:
    """What Telegram and X sent is kept as they sent it (JSON): the events that name one of
    the identities (its chat or user id) are emptied."""
    by_channel: dict[str, list[str]] = {}
    for identity in identities:
        by_channel.setdefault(identity.channel.value, []).append(identity.external_id)
    for channel, external_ids in by_channel.items():
        rows = await session.execute(
            select(InboundEvent.id, InboundEvent.payload).where(InboundEvent.channel == channel)
        )
        naming = [
            event_id
            for event_id, payload in rows.all()
            if names_any(json.dumps(payload, ensure_ascii=False), external_ids)
        ]
        if naming:
            await session.execute(
                update(InboundEvent).where(InboundEvent.id.in_(naming)).values(payload={})
            )


async def erase_tracker_events(tracker_store_url: str, sender_ids: tuple[str, ...]) -> int:
    """Delete the conversations' events from Rasa's SQL tracker store (its `events` table,
    keyed by sender id, "conversation-<id>"); how many rows. Called after the store's erasure
    is committed, with Rasa's own URL (RASA_TRACKER_STORE_URL, a sync driver URL)."""
    if not tracker_store_url or not sender_ids:
        return 0
    engine = _tracker_engine(tracker_store_url)
    try:
        async with engine.begin() as connection:
            statement = text("DELETE FROM events WHERE sender_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            )
            result = await connection.execute(statement, {"ids": list(sender_ids)})
            return _count(result)
    finally:
        await engine.dispose()


async def read_tracker_events(
    tracker_store_url: str, sender_ids: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The conversations' events in Rasa's SQL tracker store, in order, for an access export:
    each its sender id and the event as Rasa stored it (JSON, read back; or the raw text)."""
    if not tracker_store_url or not sender_ids:
        return []
    engine = _tracker_engine(tracker_store_url)
    try:
        async with engine.connect() as connection:
            statement = text(
                "SELECT sender_id, data FROM events WHERE sender_id IN :ids ORDER BY id"
            ).bindparams(bindparam("ids", expanding=True))
            rows = (await connection.execute(statement, {"ids": list(sender_ids)})).all()
    finally:
        await engine.dispose()
    events = []
    for sender_id, data in rows:
        try:
            event: Any = json.loads(data) if data else None
        except ValueError:
            event = data
        events.append({"sender_id": sender_id, "event": event})
    return events


def _tracker_engine(tracker_store_url: str) -> AsyncEngine:
    # Rasa is given a sync driver URL; the same database through our async drivers.
    url = make_url(tracker_store_url)
    driver = {"postgresql": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}
    url = url.set(drivername=driver.get(url.get_backend_name(), url.drivername))
    return create_engine(url.render_as_string(hide_password=False))


def names_any(text: str, external_ids: list[str]) -> bool:
    # As a JSON value: "id": 12345 or "id": "12345", not a longer number containing it.
    return any(
        f": {value}," in text or f": {value}}}" in text or f': "{value}"' in text
        for value in external_ids
    )


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
