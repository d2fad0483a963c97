"""Order and repair lookups: only for the owner, never a hint for anyone else, with lockout."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import lookup_guard, orders
from bot.services.order_messages import describe_order, describe_repair
from bot.services.orders import Outcome
from bot.store.db import SessionFactory
from bot.store.models import OrderStatus, RepairStatus
from bot.store.types import utcnow

SUBJECTS = ["sender:test-conversation", "identity:1"]


@pytest.mark.parametrize(
    ("text", "number"),
    [("PG-100234", "PG-100234"), ("my order is pg 100234!", "PG-100234"),
     ("pg100234", "PG-100234"), ("100234", None), ("PG-12345", None), ("PG-1002345", None)],
)  # fmt: skip
def test_order_numbers_are_checked_for_shape(text: str, number: str | None) -> None:
    assert orders.normalise_order_number(text) == number


@pytest.mark.parametrize(
    ("text", "answer"),
    [(" Isabelle.Moreau@Example.com ", "isabelle.moreau@example.com"), ("10021", "10021"),
     ("10021-4410", "10021"), ("1002", None), ("isabelle", None)],
)  # fmt: skip
def test_verification_answers_are_normalised(text: str, answer: str | None) -> None:
    assert orders.normalise_answer(text) == answer


@pytest.mark.parametrize("answer", ["isabelle.moreau@example.com", "10021"])
async def test_the_owner_gets_their_order_with_email_or_postcode(
    demo_sessions: SessionFactory, answer: str
) -> None:
    async with demo_sessions.begin() as session:
        result = await orders.look_up_order(session, "PG-100234", answer, SUBJECTS)
        assert result.outcome is Outcome.FOUND and result.order is not None
        assert result.order.status is OrderStatus.SHIPPED
        text = describe_order(result.order)
    assert "PG-100234" in text and "shipped" in text
    assert result.order.tracking_number and result.order.tracking_number in text


async def test_unknown_number_and_wrong_answer_look_the_same(demo_sessions: SessionFactory) -> None:
    async with demo_sessions.begin() as session:
        unknown = await orders.look_up_order(session, "PG-999999", "10021", ["sender:a"])
        wrong = await orders.look_up_order(session, "PG-100234", "90210", ["sender:b"])
    assert unknown == wrong == orders.LookupResult(Outcome.NOT_VERIFIED)


async def test_three_wrong_answers_lock_lookups_even_for_the_right_answer(
    demo_sessions: SessionFactory,
) -> None:
    async with demo_sessions.begin() as session:
        first = await orders.look_up_order(session, "PG-100234", "00000", SUBJECTS)
        second = await orders.look_up_order(session, "PG-100234", "00001", SUBJECTS)
        third = await orders.look_up_order(session, "PG-100234", "00002", SUBJECTS)
        right = await orders.look_up_order(session, "PG-100234", "10021", SUBJECTS)
        repair = await orders.look_up_repair(session, "RP-20417", "x@example.com", SUBJECTS)
    assert [first.outcome, second.outcome] == [Outcome.NOT_VERIFIED] * 2
    assert third.outcome is Outcome.LOCKED and third.locked_until is not None
    assert right.outcome is Outcome.LOCKED and right.order is None
    assert repair.outcome is Outcome.LOCKED


async def test_the_channel_identity_stays_locked_in_a_new_conversation(
    demo_sessions: SessionFactory,
) -> None:
    async with demo_sessions.begin() as session:
        for wrong in ("00000", "00001", "00002"):
            await orders.look_up_order(session, "PG-100234", wrong, ["sender:one", "identity:7"])
        fresh = await orders.look_up_order(
            session, "PG-100234", "10021", ["sender:two", "identity:7"]
        )
    assert fresh.outcome is Outcome.LOCKED


async def test_a_lockout_ends_and_success_resets_the_count(demo_sessions: SessionFactory) -> None:
    async with demo_sessions.begin() as session:
        for wrong in ("00000", "00001", "00002"):
            await orders.look_up_order(session, "PG-100234", wrong, SUBJECTS)
        later = utcnow() + lookup_guard.LOCKOUT + timedelta(seconds=1)
        assert await lookup_guard.locked_until(session, SUBJECTS, now=later) is None
        assert await lookup_guard.locked_until(session, SUBJECTS) is not None


async def test_a_verified_customer_sees_all_their_orders_and_repairs(
    demo_sessions: SessionFactory,
) -> None:
    async with demo_sessions.begin() as session:
        result = await orders.look_up_order(session, "PG-100234", "10021", SUBJECTS)
        assert result.contact_id is not None
        mine = await orders.orders_of(session, result.contact_id)
    assert {o.number for o in mine} == {"PG-100234", "PG-100211"}
    assert all(o.email == "isabelle.moreau@example.com" for o in mine)


@pytest.mark.parametrize("status", list(RepairStatus))
async def test_every_repair_status_says_what_happens_next(
    demo_sessions: SessionFactory, status: RepairStatus
) -> None:
    from sqlalchemy import select

    from bot.store.models import Repair

    async with demo_sessions() as session:
        repair = await session.scalar(select(Repair).where(Repair.status == status).limit(1))
        assert repair is not None
        result = await orders.look_up_repair(session, repair.number, repair.postcode, ["s:r"])
        assert result.repair is not None
        text = describe_repair(result.repair)
    assert repair.number in text
    if status is RepairStatus.AWAITING_ESTIMATE_APPROVAL:
        assert f"${repair.estimate_usd:,}" in text and "approve" in text
    if status is RepairStatus.READY_FOR_COLLECTION:
        assert "collect" in text and repair.boutique.name in text


async def test_verified_order_and_repair_only_for_their_owner(
    demo_sessions: SessionFactory,
) -> None:
    async with demo_sessions() as session:
        result = await orders.look_up_order(session, "PG-100234", "10021", ["sender:own"])
        isabelle = result.contact_id
        assert isabelle is not None
        own = await orders.verified_order(session, "PG-100211", isabelle)
        other = await orders.verified_order(session, "PG-100131", isabelle)
        repair = await orders.verified_repair(session, "RP-20417", isabelle)
        other_repair = await orders.verified_repair(session, "RP-20371", isabelle)
        assert own is not None and own.items and own.items[0].product.name  # loaded for describe
        assert repair is not None and describe_repair(repair)
    assert other is None and other_repair is None
