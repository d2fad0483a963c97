"""Order and repair lookups: only for the owner, never a hint for anyone else, with lockout."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.services import lookup_guard, orders
from bot.services.order_messages import describe_order, describe_repair
from bot.services.orders import Outcome
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import OrderStatus, RepairStatus
from bot.store.types import utcnow
from tests import helpers

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


def sessions_of_an_attacker(count: int) -> list[list[str]]:
    """What each new web chat session brings: a new conversation and a new channel identity."""
    return [[f"sender:attack-{n}", f"identity:{1000 + n}"] for n in range(count)]


async def test_guesses_at_one_order_are_counted_across_conversations(
    demo_sessions: SessionFactory,
) -> None:
    """Security review (issue 17): three wrong ZIPs per session, twelve sessions, found the
    demo order's ZIP. Now the order itself is locked after three wrong answers in all."""
    guesses = [f"{zip_code:05d}" for zip_code in range(10012, 10048)]  # 10021 is right
    results = []
    async with demo_sessions.begin() as session:
        for n, subjects in enumerate(sessions_of_an_attacker(12)):
            for guess in guesses[n * 3 : n * 3 + 3]:
                results.append(await orders.look_up_order(session, "PG-100234", guess, subjects))
    assert all(result.outcome is not Outcome.FOUND for result in results)
    assert all(result.order is None and result.contact_id is None for result in results)
    # The right answer was the first guess of session 4: refused like a wrong one.
    assert results[guesses.index("10021")].outcome is Outcome.NOT_VERIFIED


async def test_a_locked_number_answers_exactly_as_an_unknown_number(
    demo_sessions: SessionFactory,
) -> None:
    attacker, owner, other = sessions_of_an_attacker(3)
    async with demo_sessions.begin() as session:
        for wrong in ("00000", "00001", "00002"):
            await orders.look_up_order(session, "PG-100234", wrong, attacker)
        locked = await orders.look_up_order(session, "PG-100234", "10021", owner)
        unknown = await orders.look_up_order(session, "PG-999999", "10021", other)
        later = utcnow() + lookup_guard.LOCKOUT + timedelta(seconds=1)
        assert await lookup_guard.locked_until(session, owner, now=later) is None
    assert locked == unknown
    assert locked.outcome is Outcome.NOT_VERIFIED and locked.locked_until is None


async def test_an_unknown_number_is_locked_the_same_way(demo_sessions: SessionFactory) -> None:
    subject = [lookup_guard.number_subject("PG-999999")]
    async with demo_sessions.begin() as session:
        for n, subjects in enumerate(sessions_of_an_attacker(3)):
            await orders.look_up_order(session, "PG-999999", f"0000{n}", subjects)
        assert await lookup_guard.locked_until(session, subject) is not None


async def test_failures_older_than_the_window_do_not_count(demo_sessions: SessionFactory) -> None:
    policy = lookup_guard.Policy(attempts=3, window=timedelta(minutes=30))
    number = [lookup_guard.number_subject("PG-100234")]
    old = utcnow() - timedelta(minutes=31)
    async with demo_sessions.begin() as session:
        for seconds in range(2):
            at = old + timedelta(seconds=seconds)
            await lookup_guard.record_failure(session, number, now=at, policy=policy)
        assert await lookup_guard.record_failure(session, number, policy=policy) is None
        assert await lookup_guard.locked_until(session, number) is None


async def test_the_number_of_attempts_comes_from_the_settings(
    demo_sessions: SessionFactory, settings: Settings
) -> None:
    policy = lookup_guard.Policy.from_settings(
        replace(settings, lookup_lockout_attempts=5, lookup_lockout_window_seconds=60)
    )
    assert policy == lookup_guard.Policy(attempts=5, window=timedelta(seconds=60))
    subjects = sessions_of_an_attacker(1)[0]
    async with demo_sessions.begin() as session:
        for wrong in ("00000", "00001", "00002", "00003"):
            result = await orders.look_up_order(session, "PG-100234", wrong, subjects, policy)
            assert result.outcome is Outcome.NOT_VERIFIED
        result = await orders.look_up_order(session, "PG-100234", "00004", subjects, policy)
    assert result.outcome is Outcome.LOCKED


async def test_one_lockout_handoff_per_number_within_the_window(
    demo_sessions: SessionFactory,
) -> None:
    async with demo_sessions.begin() as session:
        claims = [await lookup_guard.claim_handoff(session, "PG-100234") for _ in range(5)]
        other = await lookup_guard.claim_handoff(session, "PG-100211")
        later = utcnow() + lookup_guard.LOCKOUT + timedelta(seconds=1)
        again = await lookup_guard.claim_handoff(session, "PG-100234", now=later)
    assert claims == [True, False, False, False, False]
    assert other is True and again is True


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


@pytest.mark.parametrize("look_up", [orders.look_up_order, orders.look_up_repair])
async def test_an_unknown_number_costs_the_same_work_as_a_wrong_answer(
    demo_sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch, look_up: Any
) -> None:
    """Security review (issue 17): 2-3 ms told whether an order exists. Not timed here: both
    paths must run the same statements and the same answer comparison."""
    compared: list[tuple[str | None, str, str]] = []
    real = orders._answer_matches

    def spy(answer: str | None, email: str, postcode: str) -> bool:
        compared.append((answer, email, postcode))
        return real(answer, email, postcode)

    monkeypatch.setattr(orders, "_answer_matches", spy)
    known = "PG-100234" if look_up is orders.look_up_order else "RP-20417"
    unknown = "PG-999999" if look_up is orders.look_up_order else "RP-99999"
    async with demo_sessions.begin() as session:
        with helpers.statements(demo_sessions) as wrong_answer:
            await look_up(session, known, "00000", ["sender:a"])
        with helpers.statements(demo_sessions) as unknown_number:
            await look_up(session, unknown, "00000", ["sender:b"])
    assert [len(compared), compared[0][0], compared[1][0]] == [2, "00000", "00000"]
    # Fresh subjects on both: each failure inserts its guard rows, so the SQL matches exactly.
    assert wrong_answer == unknown_number
