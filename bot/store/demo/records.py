"""One record per item of bot/store/demo/*.yml: its fields are the item's fields.

A field with a default may be left out of the YAML. Dates are relative to the load day
(bot/store/demo/dates.py). `NAMED_BY` is the field that names an item in error messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar

from bot.store.demo.dates import Asked, Day, Later, Moment
from bot.store.models import (
    Gender,
    OrderStatus,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    ProductCategory,
    RepairStatus,
)

record = dataclass(frozen=True, kw_only=True)
_HH_MM = "((?:[01][0-9]|2[0-3]):[0-5][0-9])"


@record
class DemoProduct:
    NAMED_BY: ClassVar[str] = "reference"
    reference: str
    name: str
    category: ProductCategory
    gender: Gender
    material: str
    stones: str | None = None
    price_usd: int
    description: str
    # Watches only.
    movement: str | None = None
    case_size_mm: float | None = None
    water_resistance_m: int | None = None


@record
class DemoCollection:
    NAMED_BY: ClassVar[str] = "slug"
    slug: str
    name: str
    warranty_years: int
    service_interval_years: int | None = None  # watches only
    description: str
    care_advice: str
    products: tuple[DemoProduct, ...]


@dataclass(frozen=True)
class DayHours:
    """`10:00-19:00` (local time), or `closed`."""

    hours: tuple[str, str] | None

    @classmethod
    def parse(cls, text: str) -> DayHours:
        if text == "closed":
            return cls(None)
        match = re.fullmatch(f"{_HH_MM}-{_HH_MM}", text)
        if not match or match[1] >= match[2]:
            raise ValueError(f"{text!r} is not opening hours such as 10:00-19:00, or closed")
        return cls((match[1], match[2]))


@record
class DemoBoutique:
    NAMED_BY: ClassVar[str] = "name"
    name: str
    address_line: str
    city: str
    state: str
    postcode: str
    phone: str
    timezone: str
    opening_hours: dict[str, DayHours]  # mon, tue, ... sun


@record
class DemoConsent:
    topic: str  # "marketing:email", "marketing:sms", ..., or "language"
    value: str  # "opt_in" / "opt_out", or a language code for "language"
    at: Moment


@record
class DemoContact:
    NAMED_BY: ClassVar[str] = "email"
    first_name: str
    last_name: str
    email: str
    phone: str
    address_line: str
    city: str
    state: str
    postcode: str
    date_of_birth: date
    preferred_language: str
    customer_since: Moment
    consent: tuple[DemoConsent, ...] = ()  # oldest first: the latest per topic is current


@record
class OrderStep:
    status: OrderStatus
    at: Moment
    note: str | None = None


@record
class DemoOrder:
    NAMED_BY: ClassVar[str] = "number"
    number: str
    email: str  # the customer's, also the verification answer
    status: OrderStatus
    items: dict[str, int]  # product reference: quantity
    history: tuple[OrderStep, ...]  # oldest first, ending in `status`
    estimated_delivery: Day | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    collection_boutique: str | None = None  # a boutique's name
    delivery_postcode: str | None = None  # when not the customer's home (a gift)


@record
class RepairStep:
    status: RepairStatus
    at: Moment
    note: str | None = None


@record
class DemoRepair:
    NAMED_BY: ClassVar[str] = "number"
    number: str
    email: str
    item_description: str
    product: str | None = None  # a product reference, when the piece is in the catalogue
    service: str
    boutique: str  # a boutique's name
    status: RepairStatus
    estimate_usd: int | None = None
    estimate_approved: bool = False
    estimated_completion: Day | None = None
    history: tuple[RepairStep, ...]  # oldest first, ending in `status`


@record
class DemoPrivacyRequest:
    NAMED_BY: ClassVar[str] = "email"
    reference: str  # {year} stands for the year it was asked
    email: str
    kind: PrivacyRequestKind
    status: PrivacyRequestStatus
    channel: str | None = None
    asked: Asked
    due: Later
    answered: Later | None = None  # never after the day before the load day
    details: str

    def asked_at(self, today: date) -> datetime:
        return self.asked.on(today)

    def answered_at(self, today: date) -> datetime | None:
        if self.answered is None:
            return None
        if self.asked.at_new_year(today):
            return self.asked_at(today)  # asked and answered at midnight on 1 January
        return self.answered.after(self.asked_at(today), not_after=today - timedelta(days=1))


@dataclass(frozen=True)
class DemoData:
    """Everything in bot/store/demo/*.yml, in the files' order."""

    collections: tuple[DemoCollection, ...]
    boutiques: tuple[DemoBoutique, ...]
    contacts: tuple[DemoContact, ...]
    orders: tuple[DemoOrder, ...]
    repairs: tuple[DemoRepair, ...]
    privacy_requests: tuple[DemoPrivacyRequest, ...]

    @property
    def products(self) -> tuple[DemoProduct, ...]:
        return tuple(product for collection in self.collections for product in collection.products)

    def contact(self, email: str) -> DemoContact:
        (contact,) = (contact for contact in self.contacts if contact.email == email)
        return contact

    def postcode(self, record: DemoOrder | DemoRepair) -> str:
        """The postcode a customer gives to check this order or repair."""
        if isinstance(record, DemoOrder) and record.delivery_postcode:
            return record.delivery_postcode
        return self.contact(record.email).postcode
