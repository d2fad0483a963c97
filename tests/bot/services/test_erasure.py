"""Erasure on SQLite and PostgreSQL: after it, no raw table holds the contact's name, e-mail,
phone, street, ZIP or anything they wrote; the business data and the proof of opt-out stay."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from bot.gateway.conversations import record as conversations
from bot.gateway.conversations.record import InboundMessage
from bot.services import erasure, privacy_requests, verification
from bot.settings import Settings
from bot.store.db import SessionFactory, create_engine
from bot.store.models import (
    Base,
    Channel,
    ChannelIdentity,
    ConsentEvent,
    Contact,
    CsatRating,
    InboundEvent,
    Order,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    Repair,
)
from bot.store.types import utcnow

EMAIL = "isabelle.moreau@example.com"
# What must be gone, as substrings of any value in any table...
ERASED_TEXT = (
    EMAIL,
    "Isabelle",
    "Moreau",
    "555 0101",
    "72nd Street",
    "my watch was a gift from my husband Jean",
    "please change my address",
    "tg-chat-424242",
    "isa_moreau",
)
# ... and as whole values (the ZIP is a substring of an order number).
ERASED_VALUES = ("10021",)


async def raw_rows(sessions: SessionFactory) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read with plain SQL (no model in between)."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with sessions() as session:
        for table in Base.metadata.sorted_tables:
            result = await session.execute(text(f'SELECT * FROM "{table.name}"'))
            found[table.name] = [tuple(row) for row in result.all()]
    return found


def leftovers(rows: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    left = []
    for table, table_rows in rows.items():
        for row in table_rows:
            for value in row:
                as_text = str(value)
                for erased in ERASED_TEXT:
                    if erased.casefold() in as_text.casefold():
                        left.append(f"{table}: {erased!r} in {as_text[:120]!r}")
                if as_text in ERASED_VALUES:
                    left.append(f"{table}: {as_text!r}")
    return left


async def isabelles_story(sessions: SessionFactory) -> tuple[int, int, int]:
    """Isabelle (demo) on Telegram: a verified identity, a conversation, a code, a deletion
    and a correction request; the contact, identity and deletion request ids."""
    inbound = InboundMessage(
        channel=Channel.TELEGRAM,
        external_id="tg-chat-424242",
        text="Hello, my watch was a gift from my husband Jean, please change my address",
        display_name="isa_moreau",
        platform_message_id="9001",
    )
    async with sessions.begin() as session:
        contact = await session.scalar(select(Contact).where(Contact.email == EMAIL))
        assert contact is not None
        conversation = await conversations.open_turn(session, inbound)
        await conversations.record_customer_message(session, conversation, inbound)
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_id == "tg-chat-424242")
        )
        assert identity is not None
        await verification.link_identity(session, identity.id, contact.id)
        session.add(
            InboundEvent(
                channel=Channel.TELEGRAM,
                event_id="update-1",
                payload={
                    "update_id": 1,
                    "message": {
                        "chat": {"id": "tg-chat-424242"},
                        "from": {"username": "isa_moreau"},
                        "text": inbound.text,
                    },
                },
            )
        )
        issued = await verification.issue_code(  # a code still waiting to be typed
            session, "secret", f"conversation-{conversation.id}", EMAIL
        )
        assert issued is not None
        session.add(  # a CSAT comment in the customer's own words
            CsatRating(
                conversation_id=conversation.id, identity_id=identity.id,
                channel=Channel.TELEGRAM, asked_at=utcnow(), state="done", rating=5,
                comment=inbound.text,
            )
        )  # fmt: skip
        deletion = await privacy_requests.file_request(
            session, contact, PrivacyRequestKind.DELETION, conversation_id=conversation.id
        )
        await privacy_requests.file_request(
            session, contact, PrivacyRequestKind.CORRECTION, details="please change my address"
        )
        assert isinstance(deletion, PrivacyRequest)
        return contact.id, identity.id, deletion.id


async def test_after_erasure_no_table_holds_the_contacts_personal_data(
    demo_sessions: SessionFactory, settings: Settings
) -> None:
    contact_id, identity_id, request_id = await isabelles_story(demo_sessions)
    assert leftovers(await raw_rows(demo_sessions)), "the story put the data in the store"
    async with demo_sessions.begin() as session:
        orders_before = [
            (o.number, o.status, o.placed_at)
            for o in await session.scalars(select(Order).where(Order.contact_id == contact_id))
        ]
        opt_outs_before = len(
            list(
                await session.scalars(
                    select(ConsentEvent).where(
                        ConsentEvent.contact_id == contact_id, ConsentEvent.value == "opt_out"
                    )
                )
            )
        )

    async with demo_sessions.begin() as session:
        erased = await erasure.fulfil_deletion(session, request_id, agent_id=None)
    assert erased is not None and erased.contact_id == contact_id
    assert erased.identities == 1 and erased.messages >= 1 and erased.codes_deleted == 1

    assert leftovers(await raw_rows(demo_sessions)) == []

    async with demo_sessions() as session:
        contact = await session.get(Contact, contact_id)
        assert contact is not None and contact.erased_at is not None
        orders = list(await session.scalars(select(Order).where(Order.contact_id == contact_id)))
        assert [(o.number, o.status, o.placed_at) for o in orders] == orders_before
        assert all(o.email == "" and o.postcode == "" for o in orders)
        repairs = list(await session.scalars(select(Repair).where(Repair.contact_id == contact_id)))
        assert repairs and all(r.number and r.email == "" for r in repairs)
        consent = list(
            await session.scalars(select(ConsentEvent).where(ConsentEvent.contact_id == contact_id))
        )
        assert opt_outs_before and len(consent) == opt_outs_before, "opt-outs kept as proof"
        assert {e.value for e in consent} == {"opt_out"}
        requests = await privacy_requests.requests_of(session, contact_id)
        assert {r.kind for r in requests} == {
            PrivacyRequestKind.DELETION,
            PrivacyRequestKind.CORRECTION,
        }
        assert all(r.reference and r.details == "" and r.due_at for r in requests)
        done = await session.get(PrivacyRequest, request_id)
        assert done is not None and done.status is PrivacyRequestStatus.DONE
        identity = await session.get(ChannelIdentity, identity_id)
        assert identity is not None and identity.contact_id is None

    # Idempotent: the second time finds nothing to do.
    async with demo_sessions.begin() as session:
        assert await erasure.erase_contact(session, contact_id) is None
        assert await erasure.fulfil_deletion(session, request_id, agent_id=1) is None


async def test_a_new_message_after_erasure_starts_a_stranger(
    demo_sessions: SessionFactory,
) -> None:
    contact_id, _, _ = await isabelles_story(demo_sessions)
    async with demo_sessions.begin() as session:
        assert await erasure.erase_contact(session, contact_id, utcnow()) is not None
    later = InboundMessage(
        channel=Channel.TELEGRAM,
        external_id="tg-chat-424242",
        text="hello again",
        platform_message_id="9002",
    )
    async with demo_sessions.begin() as session:
        state = await conversations.open_turn(session, later)
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_id == "tg-chat-424242")
        )
        assert identity is not None and identity.contact_id is None, "not linked to the erased"
        assert state.id is not None


async def test_the_conversations_events_leave_rasas_tracker_store(database_url: str) -> None:
    """Rasa's SQL tracker store (its `events` table), on SQLite and PostgreSQL, given as Rasa
    is given it: a sync driver URL."""
    tracker_url = database_url.replace("+aiosqlite", "").replace("+asyncpg", "")
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)")
        )
        for n, sender in enumerate(["conversation-7", "conversation-7", "conversation-8"], 1):
            await connection.execute(
                text("INSERT INTO events (id, sender_id, data) VALUES (:id, :sender, :data)"),
                {"id": n, "sender": sender, "data": f'{{"text": "{EMAIL}"}}'},
            )
    try:
        deleted = await erasure.erase_tracker_events(tracker_url, ("conversation-7",))
        assert deleted == 2
        async with engine.connect() as connection:
            left = (await connection.execute(text("SELECT sender_id FROM events"))).all()
        assert [row[0] for row in left] == ["conversation-8"], "another customer's stay"
        assert await erasure.erase_tracker_events("", ("conversation-8",)) == 0
    finally:
        await engine.dispose()
