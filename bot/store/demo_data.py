"""Loading the demo data (bot/store/demo/*.yml) into the store: `python -m bot load-demo-data`.

`load_demo_data(session)` inserts it all once, every row marked is_demo; it flushes and leaves
committing to the caller. Dates become real timestamps relative to the day it is loaded, so a
shipment is always "shipped 2 days ago" and an estimated delivery always lies ahead.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.demo import read_demo_data
from bot.store.demo.records import (
    DemoBoutique,
    DemoCollection,
    DemoContact,
    DemoOrder,
    DemoPrivacyRequest,
    DemoProduct,
    DemoRepair,
)
from bot.store.models import (
    Boutique,
    Collection,
    ConsentEvent,
    Contact,
    Order,
    OrderItem,
    OrderStatusEvent,
    PrivacyRequest,
    Product,
    Repair,
    RepairStatusEvent,
)

DEMO = read_demo_data()
# tests/system/test_lookup_tables.py keeps the NLU lookup tables in step with these.
COLLECTIONS, PRODUCTS, BOUTIQUES = DEMO.collections, DEMO.products, DEMO.boutiques

_DEMO_FLAGGED = (Collection, Product, Boutique, Contact, Order, Repair)


async def demo_data_present(session: AsyncSession) -> bool:
    """True when any demo row is already in the database."""
    for model in _DEMO_FLAGGED:
        found = await session.scalar(select(model.id).where(model.is_demo.is_(True)).limit(1))
        if found is not None:
            return True
    return False


async def load_demo_data(session: AsyncSession, *, today: date | None = None) -> bool:
    """Insert all the demo data and return True, or return False (changing nothing) if present.

    Dates are relative to `today` (default: today's UTC date). The session is flushed, not
    committed: the caller owns the transaction (e.g. `async with factory.begin() as session`).
    """
    if await demo_data_present(session):
        return False
    today = today or datetime.now(timezone.utc).date()
    collections = {c.slug: _collection(c) for c in DEMO.collections}
    products = {
        p.reference: _product(p, collections[c.slug]) for c in DEMO.collections for p in c.products
    }
    boutiques = {b.name: _boutique(b) for b in DEMO.boutiques}
    contacts = {c.email: _contact(c, today) for c in DEMO.contacts}
    # Added in the files' order, so that ids follow the files.
    session.add_all([*collections.values(), *products.values(), *boutiques.values()])
    session.add_all(contacts.values())
    for o in DEMO.orders:
        order = _order(o, today, contacts[o.email])
        if o.collection_boutique:
            order.collection_boutique = boutiques[o.collection_boutique]
        order.items = [
            OrderItem(
                product=products[reference],
                quantity=quantity,
                unit_price_usd=products[reference].price_usd,
            )
            for reference, quantity in o.items.items()
        ]
        session.add(order)
    for r in DEMO.repairs:
        repair = _repair(r, today, contacts[r.email], boutiques[r.boutique])
        repair.product = products[r.product] if r.product else None
        session.add(repair)
    for request in DEMO.privacy_requests:
        session.add(_privacy_request(request, today, contacts[request.email]))
    await session.flush()  # contact ids for the consent events

    # Oldest first, so that ids follow time and "latest event per topic" is the latest by id.
    consents = sorted(
        (event.at.on(today), contact.email, position, event)
        for contact in DEMO.contacts
        for position, event in enumerate(contact.consent)
    )
    for at, email, _, event in consents:
        session.add(
            ConsentEvent(
                contact_id=contacts[email].id,
                topic=event.topic,
                value=event.value,
                source="import",
                created_at=at,
            )
        )
    await session.flush()
    return True


def _columns(record: Any, *leave_out: str) -> dict[str, Any]:
    """A record's fields, which are named after the columns they fill."""
    return {
        field.name: getattr(record, field.name)
        for field in dataclasses.fields(record)
        if field.name not in leave_out
    }


def _collection(c: DemoCollection) -> Collection:
    return Collection(**_columns(c, "products"), is_demo=True)


def _product(p: DemoProduct, collection: Collection) -> Product:
    return Product(**_columns(p), collection=collection, is_demo=True)


def _boutique(b: DemoBoutique) -> Boutique:
    opening_hours = {day: list(h.hours) if h.hours else None for day, h in b.opening_hours.items()}
    return Boutique(**_columns(b, "opening_hours"), opening_hours=opening_hours, is_demo=True)


def _contact(c: DemoContact, today: date) -> Contact:
    created_at = c.customer_since.on(today)
    return Contact(**_columns(c, "customer_since", "consent"), created_at=created_at, is_demo=True)


def _order(o: DemoOrder, today: date, contact: Contact) -> Order:
    placed_at = o.history[0].at.on(today)
    return Order(
        number=o.number,
        contact=contact,
        email=o.email,
        postcode=DEMO.postcode(o),
        status=o.status,
        placed_at=placed_at,
        created_at=placed_at,
        estimated_delivery=o.estimated_delivery.on(today) if o.estimated_delivery else None,
        carrier=o.carrier,
        tracking_number=o.tracking_number,
        is_demo=True,
        history=[
            OrderStatusEvent(status=step.status, at=step.at.on(today), note=step.note)
            for step in o.history
        ],
    )


def _repair(r: DemoRepair, today: date, contact: Contact, boutique: Boutique) -> Repair:
    received_at = r.history[0].at.on(today)
    return Repair(
        number=r.number,
        contact=contact,
        email=r.email,
        postcode=DEMO.postcode(r),
        item_description=r.item_description,
        service=r.service,
        boutique=boutique,
        status=r.status,
        received_at=received_at,
        created_at=received_at,
        estimate_usd=r.estimate_usd,
        estimate_approved=r.estimate_approved,
        estimated_completion=(r.estimated_completion.on(today) if r.estimated_completion else None),
        is_demo=True,
        history=[
            RepairStatusEvent(status=step.status, at=step.at.on(today), note=step.note)
            for step in r.history
        ],
    )


def _privacy_request(request: DemoPrivacyRequest, today: date, contact: Contact) -> PrivacyRequest:
    asked = request.asked_at(today)
    return PrivacyRequest(
        reference=request.reference.replace("{year}", str(asked.year)),
        contact=contact,
        kind=request.kind,
        status=request.status,
        details=request.details,
        created_at=asked,
        due_at=request.due.after(asked),
        completed_at=request.answered_at(today),
        channel=request.channel,
    )
