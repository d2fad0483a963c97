"""The demo data loads once, into a real migrated database, and tells a consistent story."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.store.db import SessionFactory
from bot.store.demo.story import DEMO_EMAIL_DOMAINS, ORDER_NUMBER, REPAIR_NUMBER
from bot.store.demo_data import DEMO, load_demo_data
from bot.store.models import (
    Boutique,
    Collection,
    ConsentEvent,
    Contact,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusEvent,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    Product,
    ProductCategory,
    Repair,
    RepairStatus,
    RepairStatusEvent,
)

COUNTED = (
    Collection,
    Product,
    Boutique,
    Contact,
    Order,
    OrderItem,
    OrderStatusEvent,
    Repair,
    RepairStatusEvent,
    ConsentEvent,
    PrivacyRequest,
)
IN_FLIGHT_ORDERS = {OrderStatus.RECEIVED, OrderStatus.PREPARING, OrderStatus.SHIPPED}
OPEN_REPAIRS = {
    RepairStatus.RECEIVED,
    RepairStatus.AWAITING_ESTIMATE_APPROVAL,
    RepairStatus.IN_PROGRESS,
    RepairStatus.QUALITY_CONTROL,
}


async def load(sessions: SessionFactory, today: date | None = None) -> bool:
    async with sessions.begin() as session:
        return await load_demo_data(session, today=today)


async def counts(sessions: SessionFactory) -> dict[str, int]:
    async with sessions() as session:
        return {
            model.__tablename__: int(await session.scalar(select(func.count()).select_from(model)))
            for model in COUNTED
        }


async def all_orders(sessions: SessionFactory) -> list[Order]:
    async with sessions() as session:
        result = await session.scalars(
            select(Order)
            .options(
                selectinload(Order.history),
                selectinload(Order.items).selectinload(OrderItem.product),
                selectinload(Order.contact),
                selectinload(Order.collection_boutique),
            )
            .order_by(Order.number)
        )
        return list(result)


async def all_repairs(sessions: SessionFactory) -> list[Repair]:
    async with sessions() as session:
        result = await session.scalars(
            select(Repair)
            .options(selectinload(Repair.history), selectinload(Repair.contact))
            .order_by(Repair.number)
        )
        return list(result)


async def all_of(sessions: SessionFactory, model: Any) -> list[Any]:
    async with sessions() as session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def test_loading_twice_inserts_once(sessions: SessionFactory) -> None:
    assert await load(sessions) is True
    first = await counts(sessions)
    assert await load(sessions) is False
    assert await counts(sessions) == first

    assert first["collections"] == len(DEMO.collections)
    assert first["products"] == len(DEMO.products)
    assert first["boutiques"] == len(DEMO.boutiques)
    assert first["contacts"] == len(DEMO.contacts)
    assert first["orders"] == len(DEMO.orders)
    assert first["repairs"] == len(DEMO.repairs)
    assert first["consent_events"] >= len(DEMO.contacts)
    assert first["privacy_requests"] >= 1
    for model in (Collection, Product, Boutique, Contact, Order, Repair):
        assert all(row.is_demo for row in await all_of(sessions, model)), model.__name__


async def test_every_order_and_repair_status_occurs(sessions: SessionFactory) -> None:
    await load(sessions)
    assert {order.status for order in await all_orders(sessions)} == set(OrderStatus)
    assert {repair.status for repair in await all_repairs(sessions)} == set(RepairStatus)


async def test_order_history_ends_in_the_current_status(sessions: SessionFactory) -> None:
    await load(sessions)
    now = datetime.now(timezone.utc)
    for order in await all_orders(sessions):
        times = [event.at for event in order.history]
        assert order.history[0].status is OrderStatus.RECEIVED, order.number
        assert order.history[-1].status is order.status, order.number
        assert all(a < b for a, b in pairwise(times)), order.number
        assert order.placed_at == times[0], order.number
        assert times[-1] < now, order.number
        if order.status is OrderStatus.DELIVERED:
            assert [e.status for e in order.history] == [
                OrderStatus.RECEIVED,
                OrderStatus.PREPARING,
                OrderStatus.SHIPPED,
                OrderStatus.DELIVERED,
            ]


async def test_only_orders_that_left_have_a_carrier(sessions: SessionFactory) -> None:
    await load(sessions)
    for order in await all_orders(sessions):
        if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            assert order.carrier in ("FedEx", "UPS"), order.number
            assert order.tracking_number, order.number
        elif order.status is OrderStatus.RETURNED:
            # A returned order was shipped and delivered first: it keeps its outbound parcel.
            assert order.carrier and order.tracking_number, order.number
        else:
            assert order.carrier is None and order.tracking_number is None, order.number


async def test_orders_are_believable(sessions: SessionFactory) -> None:
    await load(sessions)
    today = datetime.now(timezone.utc).date()
    gifts = 0
    for order in await all_orders(sessions):
        assert ORDER_NUMBER.match(order.number), order.number
        assert 1 <= len(order.items) <= 2, order.number
        for item in order.items:
            assert item.unit_price_usd == item.product.price_usd, order.number
        assert order.email == order.contact.email, order.number
        gifts += order.postcode != order.contact.postcode
        if order.status in IN_FLIGHT_ORDERS:
            assert order.estimated_delivery is not None, order.number
            assert order.estimated_delivery > today, order.number
        if order.status is OrderStatus.READY_FOR_COLLECTION:
            assert order.collection_boutique is not None, order.number
        else:
            assert order.collection_boutique is None, order.number
        if order.status is OrderStatus.SHIPPED:
            shipped = order.history[-1].at.date()
            assert timedelta(days=1) <= today - shipped <= timedelta(days=3), order.number
    assert 1 <= gifts <= 2


async def test_repairs_are_believable(sessions: SessionFactory) -> None:
    await load(sessions)
    today = datetime.now(timezone.utc).date()
    for repair in await all_repairs(sessions):
        times = [event.at for event in repair.history]
        assert REPAIR_NUMBER.match(repair.number), repair.number
        assert repair.history[0].status is RepairStatus.RECEIVED, repair.number
        assert repair.history[-1].status is repair.status, repair.number
        assert all(a < b for a, b in pairwise(times)), repair.number
        assert repair.received_at == times[0], repair.number
        assert (repair.email, repair.postcode) == (repair.contact.email, repair.contact.postcode)
        if repair.status is RepairStatus.AWAITING_ESTIMATE_APPROVAL:
            assert repair.estimate_usd is not None and repair.estimate_usd > 0, repair.number
            assert repair.estimate_approved is False, repair.number
        if repair.status in OPEN_REPAIRS:
            assert repair.estimated_completion is not None, repair.number
            assert repair.estimated_completion > today, repair.number


async def test_dates_follow_the_load_day(sessions: SessionFactory) -> None:
    today = date(2031, 3, 15)
    await load(sessions, today=today)
    orders = {order.number: order for order in await all_orders(sessions)}
    shipped = orders["PG-100234"]
    assert shipped.status is OrderStatus.SHIPPED
    assert shipped.history[-1].at == datetime(2031, 3, 13, 21, 45, tzinfo=timezone.utc)
    assert shipped.estimated_delivery == date(2031, 3, 16)
    requests = await all_of(sessions, PrivacyRequest)
    assert any(request.created_at.year == 2031 for request in requests)


async def test_everyone_is_on_a_reserved_domain(sessions: SessionFactory) -> None:
    await load(sessions)
    emails = [c.email for c in await all_of(sessions, Contact)]
    emails += [o.email for o in await all_of(sessions, Order)]
    emails += [r.email for r in await all_of(sessions, Repair)]
    assert emails
    for email in emails:
        assert email.rsplit("@", 1)[1] in DEMO_EMAIL_DOMAINS, email
        assert email.rsplit("@", 1)[1] in ("example.com", "example.org"), email
    phones = [c.phone for c in await all_of(sessions, Contact)]
    phones += [b.phone for b in await all_of(sessions, Boutique)]
    for phone in phones:
        assert phone.startswith("+1 ") and " 555 01" in phone, phone


async def test_catalogue_answers_material_questions(sessions: SessionFactory) -> None:
    await load(sessions)
    products = await all_of(sessions, Product)
    references = [p.reference for p in products]
    assert len(set(references)) == len(references)
    assert all(len(reference) == 8 for reference in references)
    for product in products:
        watch_fields = (product.movement, product.case_size_mm, product.water_resistance_m)
        if product.category is ProductCategory.WATCH:
            assert None not in watch_fields, product.reference
        else:
            assert watch_fields == (None, None, None), product.reference
    rings = {(p.material, p.stones) for p in products if p.name == "Possession ring"}
    for gold in ("18K rose gold", "18K white gold"):
        assert (gold, None) in rings
        assert (gold, "diamonds") in rings
    collections = await all_of(sessions, Collection)
    for collection in collections:
        assert collection.care_advice and collection.warranty_years > 0, collection.slug


async def test_consent_is_varied_and_latest_by_id(sessions: SessionFactory) -> None:
    await load(sessions)
    events = await all_of(sessions, ConsentEvent)
    assert {event.source for event in events} == {"import"}
    times = [event.created_at for event in events]
    assert times == sorted(times), "ids must follow time: the latest event per topic wins"
    current: dict[tuple[int, str], str] = {}
    for event in events:
        current[(event.contact_id, event.topic)] = event.value
    email = Counter(value for (_, topic), value in current.items() if topic == "marketing:email")
    assert email["opt_in"] >= 3 and email["opt_out"] >= 3


async def test_a_california_customer_already_asked_this_year(sessions: SessionFactory) -> None:
    await load(sessions)
    now = datetime.now(timezone.utc)
    async with sessions() as session:
        requests = list(
            await session.scalars(
                select(PrivacyRequest)
                .options(selectinload(PrivacyRequest.contact))
                .where(PrivacyRequest.kind == PrivacyRequestKind.CALIFORNIA_1798_83)
            )
        )
    this_year = [r for r in requests if r.created_at.year == now.year]
    assert this_year
    for request in this_year:
        assert request.contact.state == "CA"
        assert request.status is PrivacyRequestStatus.DONE
        assert request.completed_at is not None
        assert request.created_at <= request.completed_at <= now


def test_the_gift_orders_go_to_another_postcode() -> None:
    gifts = {o.number: DEMO.postcode(o) for o in DEMO.orders if o.delivery_postcode}
    assert gifts == {"PG-100173": "10128", "PG-100245": "85016"}
    assert DEMO.contact("alexander.novak@example.com").postcode == "10007"
