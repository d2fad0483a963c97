"""Order and repair status for their owners only.

A lookup needs the order (or repair) number and a verification answer: the e-mail address
or the postcode on it. Unknown numbers and wrong answers get the same outcome, so nobody
can probe which orders exist; repeated wrong answers lock lookups (bot/services/lookup_guard.py).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.services import lookup_guard
from bot.store.models import Order, OrderItem, Repair

ORDER_NUMBER = re.compile(r"\bPG[\s-]?(\d{6})\b", re.IGNORECASE)
REPAIR_NUMBER = re.compile(r"\bRP[\s-]?(\d{5})\b", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
US_POSTCODE = re.compile(r"^(\d{5})(?:-\d{4})?$")


def normalise_order_number(text: str) -> str | None:
    """ "pg 100234", "PG-100234" -> "PG-100234"; anything else -> None (no lookup made)."""
    match = ORDER_NUMBER.search(text or "")
    return f"PG-{match.group(1)}" if match else None


def normalise_repair_number(text: str) -> str | None:
    match = REPAIR_NUMBER.search(text or "")
    return f"RP-{match.group(1)}" if match else None


def normalise_answer(text: str) -> str | None:
    """A verification answer as compared: lower-case e-mail, or a 5-digit ZIP code."""
    answer = (text or "").strip().strip(".").strip()
    if EMAIL.match(answer):
        return answer.lower()
    match = US_POSTCODE.match(answer)
    return match.group(1) if match else None


class Outcome(str, enum.Enum):
    FOUND = "found"
    NOT_VERIFIED = "not_verified"  # unknown number or wrong answer: deliberately the same
    LOCKED = "locked"


@dataclass(frozen=True)
class LookupResult:
    outcome: Outcome
    order: Order | None = None
    repair: Repair | None = None
    contact_id: int | None = None
    locked_until: datetime | None = None


def _answer_matches(answer: str | None, email: str, postcode: str) -> bool:
    return answer is not None and answer in {email.lower(), postcode[:5]}


# What an unknown number's answer is compared against, so that both paths do the same work
# (issue 17: a 2-3 ms difference told whether an order exists). No answer ever matches it.
_NOBODY = ("nobody@invalid.invalid", "-----")


async def look_up_order(
    session: AsyncSession,
    number: str,
    answer: str,
    subjects: list[str],
    policy: lookup_guard.Policy = lookup_guard.DEFAULT,
) -> LookupResult:
    """Check `answer` for order `number`, asked by `subjects` (lookup_guard.subjects_for).

    An unknown number and a wrong answer run the same queries and the same comparison; the
    order itself is loaded only once the answer is right."""
    if until := await lookup_guard.locked_until(session, subjects):
        return LookupResult(Outcome.LOCKED, locked_until=until)
    owner = (
        await session.execute(
            select(Order.contact_id, Order.email, Order.postcode).where(Order.number == number)
        )
    ).first()
    if not await _checked(session, number, answer, owner, subjects):
        return await _failed(session, number, subjects, policy)
    order = await _order(session, number)
    assert order is not None and owner is not None
    return LookupResult(Outcome.FOUND, order=order, contact_id=owner[0])


async def look_up_repair(
    session: AsyncSession,
    number: str,
    answer: str,
    subjects: list[str],
    policy: lookup_guard.Policy = lookup_guard.DEFAULT,
) -> LookupResult:
    if until := await lookup_guard.locked_until(session, subjects):
        return LookupResult(Outcome.LOCKED, locked_until=until)
    owner = (
        await session.execute(
            select(Repair.contact_id, Repair.email, Repair.postcode).where(Repair.number == number)
        )
    ).first()
    if not await _checked(session, number, answer, owner, subjects):
        return await _failed(session, number, subjects, policy)
    repair = await _repair(session, number)
    assert repair is not None and owner is not None
    return LookupResult(Outcome.FOUND, repair=repair, contact_id=owner[0])


async def _checked(
    session: AsyncSession,
    number: str,
    answer: str,
    owner: Row[tuple[int, str, str]] | None,
    subjects: list[str],
) -> bool:
    """Whether the answer is right for this number and the number is not locked.

    A locked number fails every answer, right or wrong: nobody learns from a new
    conversation whether their guess was right (issue 17). An unknown number is compared
    against a dummy owner, so it costs what a wrong answer costs."""
    number_locked = await lookup_guard.locked_until(session, [lookup_guard.number_subject(number)])
    email, postcode = (owner[1], owner[2]) if owner is not None else _NOBODY
    matches = _answer_matches(normalise_answer(answer), email, postcode)
    if matches and owner is not None and not number_locked:
        await lookup_guard.record_success(session, [*subjects, lookup_guard.number_subject(number)])
        return True
    return False


async def _failed(
    session: AsyncSession, number: str, subjects: list[str], policy: lookup_guard.Policy
) -> LookupResult:
    """Count the failure against who asked and the number; LOCKED only when the asker is
    locked now (a locked number alone answers as a wrong answer would)."""
    await lookup_guard.record_failure(
        session, [*subjects, lookup_guard.number_subject(number)], policy=policy
    )
    until = await lookup_guard.locked_until(session, subjects)
    return LookupResult(Outcome.LOCKED if until else Outcome.NOT_VERIFIED, locked_until=until)


async def orders_of(session: AsyncSession, contact_id: int) -> list[Order]:
    """A verified customer's orders, newest first."""
    rows = await session.scalars(
        _order_query().where(Order.contact_id == contact_id).order_by(Order.placed_at.desc())
    )
    return list(rows)


async def repairs_of(session: AsyncSession, contact_id: int) -> list[Repair]:
    rows = await session.scalars(
        _repair_query().where(Repair.contact_id == contact_id).order_by(Repair.received_at.desc())
    )
    return list(rows)


async def verified_order(session: AsyncSession, number: str, contact_id: int) -> Order | None:
    """The order with this number if it belongs to the already verified contact, else None.

    For a customer verified earlier in the conversation: their other orders need no new
    answer, while anyone else's order number still goes through `look_up_order`.
    """
    order: Order | None = await session.scalar(
        _order_query().where(Order.number == number, Order.contact_id == contact_id)
    )
    return order


async def verified_repair(session: AsyncSession, number: str, contact_id: int) -> Repair | None:
    """The repair with this number if it belongs to the already verified contact, else None."""
    repair: Repair | None = await session.scalar(
        _repair_query().where(Repair.number == number, Repair.contact_id == contact_id)
    )
    return repair


def _order_query() -> Select[tuple[Order]]:
    return select(Order).options(
        selectinload(Order.items).selectinload(OrderItem.product),
        selectinload(Order.history),
        selectinload(Order.collection_boutique),
    )


def _repair_query() -> Select[tuple[Repair]]:
    return select(Repair).options(
        selectinload(Repair.history), selectinload(Repair.boutique), selectinload(Repair.product)
    )


async def _order(session: AsyncSession, number: str) -> Order | None:
    order: Order | None = await session.scalar(_order_query().where(Order.number == number))
    return order


async def _repair(session: AsyncSession, number: str) -> Repair | None:
    repair: Repair | None = await session.scalar(_repair_query().where(Repair.number == number))
    return repair
