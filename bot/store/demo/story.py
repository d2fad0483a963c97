"""The demo data tells one consistent story: what `problems()` checks across the files.

Each problem names the file and the item: an unknown reference, an impossible history, a
shipped order without a parcel, an address that could reach a real person.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise

from bot.store.demo.dates import Moment
from bot.store.demo.records import DemoData, DemoOrder, DemoRepair
from bot.store.models import OrderStatus, ProductCategory, RepairStatus

# RFC 2606 reserves these for documentation and examples: mail to them goes nowhere.
DEMO_EMAIL_DOMAINS = ("example.com", "example.org")
FICTIONAL_PHONE = " 555 01"  # 555-0100 to 555-0199 are reserved for fiction
ORDER_NUMBER = re.compile(r"^PG-\d{6}$")
REPAIR_NUMBER = re.compile(r"^RP-\d{5}$")
PRODUCT_REFERENCE = re.compile(r"^G\d[A-Z0-9]{6}$")
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MARKETING_VALUES = ("opt_in", "opt_out")
CONSENT_TOPICS = ("marketing:email", "marketing:sms", "marketing:phone", "marketing:post")

ORD, REP = OrderStatus, RepairStatus
ORDER_PATHS: dict[OrderStatus, tuple[tuple[OrderStatus, ...], ...]] = {
    ORD.RECEIVED: ((ORD.RECEIVED,),),
    ORD.PREPARING: ((ORD.RECEIVED, ORD.PREPARING),),
    ORD.SHIPPED: ((ORD.RECEIVED, ORD.PREPARING, ORD.SHIPPED),),
    ORD.DELIVERED: ((ORD.RECEIVED, ORD.PREPARING, ORD.SHIPPED, ORD.DELIVERED),),
    ORD.READY_FOR_COLLECTION: ((ORD.RECEIVED, ORD.PREPARING, ORD.READY_FOR_COLLECTION),),
    ORD.CANCELLED: ((ORD.RECEIVED, ORD.CANCELLED), (ORD.RECEIVED, ORD.PREPARING, ORD.CANCELLED)),
    ORD.RETURNED: ((ORD.RECEIVED, ORD.PREPARING, ORD.SHIPPED, ORD.DELIVERED, ORD.RETURNED),),
}
SHIPPED = (ORD.SHIPPED, ORD.DELIVERED, ORD.RETURNED)  # these keep their outbound parcel
ORDERS_IN_FLIGHT = (ORD.RECEIVED, ORD.PREPARING, ORD.SHIPPED)
REPAIR_WORK = (REP.IN_PROGRESS, REP.QUALITY_CONTROL, REP.READY_FOR_COLLECTION, REP.COLLECTED)
OPEN_REPAIRS = (REP.RECEIVED, REP.AWAITING_ESTIMATE_APPROVAL, REP.IN_PROGRESS, REP.QUALITY_CONTROL)


class Problems(list[str]):
    def check(self, ok: object, where: str, problem: str) -> None:
        if not ok:
            self.append(f"{where}: {problem}")

    def unique(self, where: str, what: str, values: Iterable[str]) -> None:
        for value, count in Counter(values).items():
            self.check(count == 1, where, f"{what} {value} appears {count} times")


def problems(data: DemoData) -> list[str]:
    found = Problems()
    _catalogue(data, found)
    _people(data, found)
    for order in data.orders:
        _order(data, order, f"orders.yml > {order.number}", found)
    for repair in data.repairs:
        _repair(data, repair, f"repairs.yml > {repair.number}", found)
    emails = {contact.email for contact in data.contacts}
    for request in data.privacy_requests:
        where = f"privacy_requests.yml > {request.email}"
        found.check(request.email in emails, where, "no such customer in customers.yml")
    return found


def _catalogue(data: DemoData, found: Problems) -> None:
    found.unique("collections.yml", "slug", (c.slug for c in data.collections))
    found.unique("collections.yml", "product", (p.reference for p in data.products))
    for product in data.products:
        where = f"collections.yml > {product.reference}"
        found.check(PRODUCT_REFERENCE.match(product.reference), where, "not like G0A45201")
        watch_fields = (product.movement, product.case_size_mm, product.water_resistance_m)
        is_watch = product.category is ProductCategory.WATCH
        found.check(
            all(v is not None for v in watch_fields) if is_watch else watch_fields == (None,) * 3,
            where,
            "movement, case_size_mm and water_resistance_m are for watches, and all three",
        )


def _people(data: DemoData, found: Problems) -> None:
    found.unique("boutiques.yml", "boutique", (b.name for b in data.boutiques))
    for boutique in data.boutiques:
        where = f"boutiques.yml > {boutique.name}"
        found.check(FICTIONAL_PHONE in boutique.phone, where, "phone must be 555-01xx")
        found.check(tuple(boutique.opening_hours) == WEEK, where, "opening_hours: mon to sun")
    found.unique("customers.yml", "e-mail", (c.email for c in data.contacts))
    for contact in data.contacts:
        where = f"customers.yml > {contact.email}"
        domain = contact.email.rpartition("@")[2]
        found.check(domain in DEMO_EMAIL_DOMAINS, where, "e-mail not on example.com/.org")
        found.check(FICTIONAL_PHONE in contact.phone, where, "phone must be 555-01xx")
        for event in contact.consent:
            known = event.value in MARKETING_VALUES if event.topic in CONSENT_TOPICS else True
            found.check(
                known and event.topic in (*CONSENT_TOPICS, "language"),
                where,
                f"consent {event.topic}: {event.value} is not a known choice",
            )
        found.check(_in_order(e.at for e in contact.consent), where, "consent out of order")


def _in_order(moments: Iterable[Moment], strictly: bool = False) -> bool:
    keys = [(moment.days, moment.at) for moment in moments]
    return all(a < b if strictly else a <= b for a, b in pairwise(keys))


def _history(record: DemoOrder | DemoRepair, where: str, found: Problems) -> None:
    found.check(_in_order((s.at for s in record.history), True), where, "history out of order")
    found.check(record.history[-1].at.days <= -1, where, "history must end before the load day")
    found.check(record.history[-1].status is record.status, where, "history must end in status")


def _impossible(statuses: Iterable[OrderStatus | RepairStatus]) -> str:
    return "impossible history " + " > ".join(status.value for status in statuses)


def _order(data: DemoData, order: DemoOrder, where: str, found: Problems) -> None:
    found.check(ORDER_NUMBER.match(order.number), where, "number not like PG-100234")
    found.check(order.email in {c.email for c in data.contacts}, where, "no such customer")
    found.check(order.items, where, "no items")
    references = {p.reference for p in data.products}
    for reference, quantity in order.items.items():
        found.check(reference in references, where, f"items: no product {reference}")
        found.check(quantity >= 1, where, f"items: {reference}: quantity must be 1 or more")
    if not order.history:
        found.append(f"{where}: no history")
        return
    _history(order, where, found)
    statuses = tuple(step.status for step in order.history)
    found.check(statuses in ORDER_PATHS.get(order.status, ()), where, _impossible(statuses))
    has_parcel = bool(order.carrier and order.tracking_number)
    shipped = order.status in SHIPPED
    found.check(has_parcel == shipped, where, "carrier and tracking_number once shipped, only")
    boutiques = {b.name for b in data.boutiques}
    if order.status is ORD.READY_FOR_COLLECTION:
        found.check(order.collection_boutique in boutiques, where, "collection_boutique: none such")
    else:
        found.check(order.collection_boutique is None, where, "collection_boutique: not ready")
    if order.status in ORDERS_IN_FLIGHT:
        eta = order.estimated_delivery
        found.check(eta and eta.days >= 1, where, "estimated_delivery must be +1d or later")


def _repair_path_ok(statuses: tuple[RepairStatus, ...]) -> bool:
    """received, then perhaps awaiting approval, then declined or the work in order."""
    if statuses[:1] != (REP.RECEIVED,):
        return False
    rest = statuses[1:]
    if rest[:1] == (REP.AWAITING_ESTIMATE_APPROVAL,):
        rest = rest[1:]
        if rest == (REP.DECLINED,):
            return True
    return rest == REPAIR_WORK[: len(rest)]


def _repair(data: DemoData, repair: DemoRepair, where: str, found: Problems) -> None:
    found.check(REPAIR_NUMBER.match(repair.number), where, "number not like RP-20417")
    found.check(repair.email in {c.email for c in data.contacts}, where, "no such customer")
    found.check(repair.boutique in {b.name for b in data.boutiques}, where, "no such boutique")
    references = {p.reference for p in data.products}
    found.check(repair.product in (None, *references), where, f"no product {repair.product}")
    if not repair.history:
        found.append(f"{where}: no history")
        return
    _history(repair, where, found)
    statuses = tuple(step.status for step in repair.history)
    found.check(_repair_path_ok(statuses), where, _impossible(statuses))
    unapproved = repair.estimate_usd is not None and not repair.estimate_approved
    if repair.status in (REP.AWAITING_ESTIMATE_APPROVAL, REP.DECLINED):
        found.check(unapproved, where, f"{repair.status.value} needs an unapproved estimate")
    if REP.IN_PROGRESS in statuses:
        approved = repair.estimate_usd is not None and repair.estimate_approved
        found.check(approved, where, "work needs an approved estimate")
    if repair.status in OPEN_REPAIRS:
        eta = repair.estimated_completion
        found.check(eta and eta.days >= 1, where, "estimated_completion must be +1d or later")
