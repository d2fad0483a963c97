"""Believable demo data: the house's catalogue and boutiques, invented customers, orders, repairs.

Everything here is plain, deterministic Python: no randomness and no Faker. Dates are written as
"days ago" / "in N days" and turned into real timestamps relative to the day the data is loaded,
so a shipment is always "shipped 2 days ago" and an estimated delivery always lies ahead.

Nobody real can be reached through it: e-mail addresses use the domains reserved for examples
(RFC 2606: example.com, example.org) and phone numbers use 555-01xx, reserved for fiction.

`load_demo_data(session)` inserts it all once (`python -m bot load-demo-data`); it flushes and
leaves committing to the caller. docs/demo-data.md is generated from the same structures:
`python -m bot.store.demo_data > docs/demo-data.md`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import pairwise
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import (
    Boutique,
    Collection,
    ConsentEvent,
    Contact,
    Gender,
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

DEMO_NOTICE = "Demo data: all customers, orders and repairs are invented."

# RFC 2606 reserves these for documentation and examples: mail to them goes nowhere.
DEMO_EMAIL_DOMAINS = ("example.com", "example.org")

ORDER_NUMBER = re.compile(r"^PG-\d{6}$")
REPAIR_NUMBER = re.compile(r"^RP-\d{5}$")
REFERENCE = re.compile(r"^G\d[A-Z0-9]{6}$")

WATCH = ProductCategory.WATCH
RING = ProductCategory.RING
NECKLACE = ProductCategory.NECKLACE
BRACELET = ProductCategory.BRACELET
EARRINGS = ProductCategory.EARRINGS
LADIES = Gender.LADIES
MEN = Gender.MEN
UNISEX = Gender.UNISEX

WHITE_GOLD = "18K white gold"
ROSE_GOLD = "18K rose gold"
YELLOW_GOLD = "18K yellow gold"
STEEL = "stainless steel"
TITANIUM = "titanium"


# --------------------------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCollection:
    slug: str
    name: str
    description: str
    warranty_years: int
    service_interval_years: int | None  # watches only
    care_advice: str


@dataclass(frozen=True)
class DemoProduct:
    reference: str
    name: str
    collection: str  # DemoCollection.slug
    category: ProductCategory
    gender: Gender
    material: str
    stones: str | None
    price_usd: int
    description: str
    # Watches only.
    movement: str | None = None
    case_size_mm: float | None = None
    water_resistance_m: int | None = None


@dataclass(frozen=True)
class DemoBoutique:
    name: str
    address_line: str
    city: str
    state: str
    postcode: str
    phone: str
    timezone: str
    opening_hours: dict[str, list[str] | None]


@dataclass(frozen=True)
class DemoContact:
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
    customer_since_days: int  # how long ago the contact was created


StatusT = TypeVar("StatusT", OrderStatus, RepairStatus)


@dataclass(frozen=True)
class Step(Generic[StatusT]):
    """One status change: `days_ago` days before the load day, at `at` (HH:MM, UTC)."""

    status: StatusT
    days_ago: int
    at: str
    note: str | None = None

    def timestamp(self, today: date) -> datetime:
        hours, minutes = (int(part) for part in self.at.split(":"))
        day = today - timedelta(days=self.days_ago)
        return datetime.combine(day, time(hours, minutes), tzinfo=timezone.utc)


@dataclass(frozen=True)
class DemoOrder:
    number: str
    email: str  # the contact's e-mail, also the verification answer
    items: tuple[tuple[str, int], ...]  # (product reference, quantity)
    status: OrderStatus
    history: tuple[Step[OrderStatus], ...]
    estimated_delivery_in_days: int | None = None  # negative: in the past
    carrier: str | None = None
    tracking_number: str | None = None
    collection_boutique: str | None = None  # DemoBoutique.name
    gift_postcode: str | None = None  # delivered somewhere other than the contact's home

    @property
    def postcode(self) -> str:
        return self.gift_postcode or CONTACTS_BY_EMAIL[self.email].postcode


@dataclass(frozen=True)
class DemoRepair:
    number: str
    email: str
    item_description: str
    service: str
    boutique: str  # DemoBoutique.name
    status: RepairStatus
    history: tuple[Step[RepairStatus], ...]
    product: str | None = None  # product reference, when the piece is in the catalogue
    estimate_usd: int | None = None
    estimate_approved: bool = False
    estimated_completion_in_days: int | None = None  # negative: in the past

    @property
    def postcode(self) -> str:
        return CONTACTS_BY_EMAIL[self.email].postcode


@dataclass(frozen=True)
class DemoConsent:
    topic: str  # "marketing:email", "marketing:sms", ..., or "language"
    value: str  # "opt_in" / "opt_out", or a language code for "language"
    days_ago: int


# --------------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------------

_JEWELLERY_CARE = (
    "Put jewellery on last, after perfume, lotion and hairspray, and take it off before "
    "swimming, sport, gardening or cleaning. Gold and diamonds can be washed in lukewarm soapy "
    "water with a soft brush, rinsed and patted dry. Ornamental stones such as malachite and "
    "turquoise are porous: never soak them, just wipe with a soft dry cloth. Store each piece "
    "on its own in its pouch or case so stones do not scratch gold. Bring your pieces to a "
    "boutique once a year so the settings can be checked and the gold professionally polished."
)

COLLECTIONS: tuple[DemoCollection, ...] = (
    DemoCollection(
        slug="altiplano",
        name="Altiplano",
        description=(
            "The house's ultra-thin watches. Piaget has made some of the slimmest movements in "
            "watchmaking since the late 1950s, and Altiplano shows them off in pure round cases, "
            "uncluttered dials and, on some models, dials cut from ornamental stones."
        ),
        warranty_years=5,
        service_interval_years=6,
        care_advice=(
            "Water-resistant to 30 m: fine for rain and hand-washing, not for swimming, showers "
            "or the sauna. Manual-winding models (calibre 430P) need winding every day or two: "
            "turn the crown gently until you feel resistance, and never while the watch is on "
            "your wrist. An ultra-thin case is precious: avoid knocks and keep it away from "
            "strong magnets such as speakers and phone cases. Wipe with a soft dry cloth; keep "
            "alligator straps away from water and perfume. A complete service is recommended "
            "every 6 years."
        ),
    ),
    DemoCollection(
        slug="polo",
        name="Polo",
        description=(
            "Sporty, elegant watches born in 1979: a cushion-shaped dial inside a round case, "
            "horizontal gadroons and an integrated bracelet, in steel, titanium or gold, made "
            "for everyday life."
        ),
        warranty_years=5,
        service_interval_years=5,
        care_advice=(
            "Water-resistant to 100 m: you can swim with it, but do not use the crown or pushers "
            "under water and make sure the crown is pushed fully home. After seawater or a pool, "
            "rinse it in fresh water and dry it with a soft cloth. The steel bracelet can be "
            "cleaned with a soft toothbrush and mild soapy water. Have the water resistance "
            "checked every two years and a complete service every 5 years."
        ),
    ),
    DemoCollection(
        slug="limelight-gala",
        name="Limelight Gala",
        description=(
            "Ladies' watches with a round case and long, asymmetric lugs set with diamonds, a "
            "glamorous nod to the 1970s; from a pure steel version to fully set high jewellery "
            "models."
        ),
        warranty_years=5,
        service_interval_years=6,
        care_advice=(
            "Water-resistant to 30 m: rain and hand-washing only, no swimming. Diamond-set lugs "
            "and bezels are best cleaned with a soft brush and lukewarm soapy water, then dried "
            "with a lint-free cloth; keep the strap dry. Quartz models need a new battery every "
            "2 to 3 years: have it changed in a boutique, where the seals and water resistance "
            "are checked at the same time. A complete service is recommended every 6 years."
        ),
    ),
    DemoCollection(
        slug="black-tie",
        name="Black Tie",
        description=(
            "Evening watches revived from the house's 1970s archives: a softly cushion-shaped "
            "gold case, a clean dial and a slim automatic movement, made to slip under a cuff."
        ),
        warranty_years=5,
        service_interval_years=6,
        care_advice=(
            "Water-resistant to 30 m: rain and hand-washing only, no swimming. The automatic "
            "movement winds itself as you wear it; if it has stopped, a few turns of the crown "
            "restart it. Wipe the gold case with a soft dry cloth and keep the leather strap "
            "away from water and perfume. A complete service is recommended every 6 years."
        ),
    ),
    DemoCollection(
        slug="possession",
        name="Possession",
        description=(
            "Jewellery made to move: rings, pendants, bracelets and earrings whose band turns "
            "freely around its core, a playful gesture that has become a signature of the house."
        ),
        warranty_years=2,
        service_interval_years=None,
        care_advice=(
            _JEWELLERY_CARE
            + " The turning band should spin freely: if it sticks or clicks, do not force it, "
            "bring it to a boutique."
        ),
    ),
    DemoCollection(
        slug="sunlight",
        name="Sunlight",
        description=(
            "Jewellery that catches the light like the sun: radiating rays of gold around a "
            "brilliant centre, in rose or yellow gold with diamonds."
        ),
        warranty_years=2,
        service_interval_years=None,
        care_advice=_JEWELLERY_CARE,
    ),
    DemoCollection(
        slug="piaget-rose",
        name="Piaget Rose",
        description=(
            "Rings, pendants, earrings and bracelets shaped like the rose, the flower Yves "
            "Piaget loved so much that a variety bears his name; finely sculpted gold petals, "
            "often with a diamond at their heart."
        ),
        warranty_years=2,
        service_interval_years=None,
        care_advice=_JEWELLERY_CARE
        + " Sculpted petals hold dust: a very soft brush reaches between them without harm.",
    ),
    DemoCollection(
        slug="limelight",
        name="Limelight",
        description=(
            "Evening jewellery in the spirit of the Limelight Gala watches: bold curves and "
            "cascades of diamonds in white or rose gold."
        ),
        warranty_years=2,
        service_interval_years=None,
        care_advice=_JEWELLERY_CARE,
    ),
    DemoCollection(
        slug="extremely-piaget",
        name="Extremely Piaget",
        description=(
            "High jewellery: unique and very limited pieces made in the house's own workshops, "
            "pairing exceptional gemstones with ornamental stones and gold craftsmanship such "
            "as hand engraving. Shown by appointment in boutiques."
        ),
        warranty_years=2,
        service_interval_years=None,
        care_advice=(
            "High jewellery deserves professional care: bring it to a boutique once a year for "
            "cleaning and a check of every setting, and never clean it with ultrasonic or steam "
            "devices at home. Wear it last and take it off first; store it in its original case, "
            "away from other pieces. Ornamental stones are porous and sensitive to perfume, heat "
            "and water: wipe them only with a soft dry cloth."
        ),
    ),
)


def _watch(
    reference: str,
    name: str,
    collection: str,
    gender: Gender,
    material: str,
    stones: str | None,
    price_usd: int,
    movement: str,
    case_size_mm: float,
    water_resistance_m: int,
    description: str,
) -> DemoProduct:
    return DemoProduct(
        reference=reference,
        name=name,
        collection=collection,
        category=WATCH,
        gender=gender,
        material=material,
        stones=stones,
        price_usd=price_usd,
        description=description,
        movement=movement,
        case_size_mm=case_size_mm,
        water_resistance_m=water_resistance_m,
    )


# fmt: off
PRODUCTS: tuple[DemoProduct, ...] = (
    # Altiplano: ultra-thin, 30 m.
    _watch("G0A45201", "Altiplano Origin 40 mm", "altiplano", MEN, WHITE_GOLD, None, 24_500,
           "manual-winding 430P", 40.0, 30,
           "Silvered sunburst dial, black alligator strap, a case barely 6.5 mm thick."),
    _watch("G0A45202", "Altiplano Origin 40 mm", "altiplano", MEN, ROSE_GOLD, None, 24_500,
           "manual-winding 430P", 40.0, 30,
           "Silvered sunburst dial, brown alligator strap, a case barely 6.5 mm thick."),
    _watch("G0A45213", "Altiplano Origin 38 mm", "altiplano", UNISEX, ROSE_GOLD, "diamonds",
           33_200, "manual-winding 430P", 38.0, 30,
           "Bezel set with 72 brilliant-cut diamonds, white dial, grey alligator strap."),
    _watch("G0A45305", "Altiplano Automatic 41 mm", "altiplano", MEN, WHITE_GOLD, None, 33_500,
           "automatic 1200P1", 41.0, 30,
           "Blue dial, micro-rotor automatic movement visible through the case back."),
    _watch("G0A45411", "Altiplano Origin 34 mm Malachite", "altiplano", UNISEX, ROSE_GOLD,
           "malachite", 28_900, "manual-winding 430P", 34.0, 30,
           "Dial cut from a single slice of malachite, so no two are alike."),
    _watch("G0A45412", "Altiplano Origin 34 mm Turquoise", "altiplano", LADIES, YELLOW_GOLD,
           "turquoise", 27_800, "manual-winding 430P", 34.0, 30,
           "Turquoise dial, yellow gold case, satin strap in matching blue."),
    # Polo: sporty, 100 m.
    _watch("G0A46001", "Polo Date 42 mm", "polo", MEN, STEEL, None, 12_700,
           "automatic 1110P", 42.0, 100,
           "Blue gadrooned dial, steel bracelet plus an interchangeable rubber strap."),
    _watch("G0A46002", "Polo Date 42 mm", "polo", MEN, ROSE_GOLD, None, 39_000,
           "automatic 1110P", 42.0, 100,
           "Brown gadrooned dial on a rose gold case with a brown rubber strap."),
    _watch("G0A46018", "Polo Date 36 mm", "polo", UNISEX, STEEL, "diamonds", 16_400,
           "automatic 500P1", 36.0, 100,
           "Diamond-set bezel, silvered dial, integrated steel bracelet."),
    _watch("G0A46105", "Polo Skeleton 42 mm", "polo", MEN, STEEL, None, 29_900,
           "automatic 1200S1", 42.0, 100,
           "Ultra-thin openworked movement in the Polo's cushion-shaped frame."),
    _watch("G0A46210", "Polo Chronograph 42 mm", "polo", MEN, TITANIUM, None, 17_600,
           "automatic 1160P", 42.0, 100,
           "Light titanium case, grey dial, chronograph counters and a rubber strap."),
    # Limelight Gala: ladies' watches, 30 m.
    _watch("G0A47101", "Limelight Gala 32 mm", "limelight-gala", LADIES, WHITE_GOLD, "diamonds",
           34_500, "quartz 690P", 32.0, 30,
           "Diamond-set lugs and bezel, white mother-of-pearl dial, white gold milanese bracelet."),
    _watch("G0A47102", "Limelight Gala 32 mm", "limelight-gala", LADIES, ROSE_GOLD, "diamonds",
           32_000, "quartz 690P", 32.0, 30,
           "Diamond-set lugs and bezel, silvered dial, pink satin strap."),
    _watch("G0A47115", "Limelight Gala 32 mm", "limelight-gala", LADIES, STEEL, "diamonds",
           15_900, "quartz 690P", 32.0, 30,
           "Steel case with diamond-set lugs, silvered dial, steel bracelet."),
    _watch("G0A47220", "Limelight Gala Precious 32 mm Malachite", "limelight-gala", LADIES,
           ROSE_GOLD, "diamonds, malachite", 46_000, "automatic 501P1", 32.0, 30,
           "Malachite dial framed by diamond-set lugs and bezel, green alligator strap."),
    _watch("G0A47305", "Limelight Gala 26 mm High Jewellery", "limelight-gala", LADIES,
           WHITE_GOLD, "diamonds, sapphires", 68_000, "quartz 690P", 26.0, 30,
           "Case and bracelet fully set with diamonds, a ring of blue sapphires on the bezel."),
    # Black Tie: evening watches, 30 m.
    _watch("G0A48001", "Black Tie", "black-tie", UNISEX, YELLOW_GOLD, None, 26_800,
           "automatic 501P1", 35.5, 30,
           "Cushion-shaped yellow gold case, black dial, black alligator strap."),
    _watch("G0A48002", "Black Tie", "black-tie", UNISEX, WHITE_GOLD, None, 28_400,
           "automatic 501P1", 35.5, 30,
           "Cushion-shaped white gold case, black dial, black alligator strap."),
    # Possession: turning jewellery. The ring exists in rose and white gold, with or without
    # a diamond, and with malachite, so "does it come in...?" has real answers.
    DemoProduct("G34P1001", "Possession ring", "possession", RING, UNISEX, ROSE_GOLD, None,
                1_650, "Thin band that turns freely around the ring."),
    DemoProduct("G34P1002", "Possession ring", "possession", RING, UNISEX, WHITE_GOLD, None,
                1_650, "Thin band that turns freely around the ring."),
    DemoProduct("G34P1011", "Possession ring", "possession", RING, LADIES, ROSE_GOLD,
                "diamonds", 2_450, "Turning band set with one brilliant-cut diamond."),
    DemoProduct("G34P1012", "Possession ring", "possession", RING, LADIES, WHITE_GOLD,
                "diamonds", 2_450, "Turning band set with one brilliant-cut diamond."),
    DemoProduct("G34P1020", "Possession wide ring", "possession", RING, LADIES, ROSE_GOLD,
                "diamonds", 7_900, "Wide turning band fully paved with diamonds."),
    DemoProduct("G34P1031", "Possession ring", "possession", RING, LADIES, ROSE_GOLD,
                "malachite", 2_950, "Turning band inlaid with malachite."),
    DemoProduct("G33P2001", "Possession pendant", "possession", NECKLACE, LADIES, ROSE_GOLD,
                "diamonds", 2_650, "Turning circle pendant with a diamond, on a 42 cm chain."),
    DemoProduct("G33P2012", "Possession pendant", "possession", NECKLACE, LADIES, ROSE_GOLD,
                "turquoise", 3_200, "Turning turquoise disc on a rose gold chain."),
    DemoProduct("G36P3001", "Possession bracelet", "possession", BRACELET, LADIES, ROSE_GOLD,
                "diamonds", 6_900, "Rigid bracelet with a turning diamond-set band."),
    DemoProduct("G38P4001", "Possession hoop earrings", "possession", EARRINGS, LADIES,
                ROSE_GOLD, "diamonds", 4_100, "Small hoops with a turning diamond-set band."),
    # Sunlight.
    DemoProduct("G34S1001", "Sunlight ring", "sunlight", RING, LADIES, YELLOW_GOLD, "diamonds",
                3_800, "Gold rays around a brilliant-cut diamond."),
    DemoProduct("G33S2001", "Sunlight pendant", "sunlight", NECKLACE, LADIES, ROSE_GOLD,
                "diamonds", 2_950, "Sun-shaped pendant with a diamond centre."),
    DemoProduct("G38S4001", "Sunlight earrings", "sunlight", EARRINGS, LADIES, YELLOW_GOLD,
                "diamonds", 4_650, "Sun-ray studs with a diamond at their heart."),
    DemoProduct("G36S3001", "Sunlight bracelet", "sunlight", BRACELET, LADIES, ROSE_GOLD, None,
                3_400, "Fine chain bracelet with a gold sun charm."),
    # Piaget Rose.
    DemoProduct("G34R1001", "Piaget Rose ring", "piaget-rose", RING, LADIES, ROSE_GOLD,
                "diamonds", 5_200, "Sculpted rose with a diamond in the centre."),
    DemoProduct("G33R2001", "Piaget Rose pendant", "piaget-rose", NECKLACE, LADIES, ROSE_GOLD,
                "diamonds", 3_600, "Rose pendant with a diamond heart, on a fine chain."),
    DemoProduct("G38R4001", "Piaget Rose earrings", "piaget-rose", EARRINGS, LADIES, WHITE_GOLD,
                "diamonds", 6_300, "Rose studs with diamond-set petals."),
    DemoProduct("G36R3001", "Piaget Rose bracelet", "piaget-rose", BRACELET, LADIES, ROSE_GOLD,
                "diamonds", 8_400, "Chain of sculpted roses, each with a diamond."),
    # Limelight jewellery.
    DemoProduct("G34L1001", "Limelight ring", "limelight", RING, LADIES, WHITE_GOLD, "diamonds",
                9_600, "Curving band set with brilliant-cut diamonds."),
    DemoProduct("G38L4001", "Limelight earrings", "limelight", EARRINGS, LADIES, ROSE_GOLD,
                "diamonds", 12_800, "Cascading earrings of pear and brilliant-cut diamonds."),
    DemoProduct("G36L3001", "Limelight cuff bracelet", "limelight", BRACELET, LADIES, WHITE_GOLD,
                "diamonds", 24_500, "Open cuff with two diamond-paved curves."),
    # Extremely Piaget: high jewellery.
    DemoProduct("G33X2001", "Extremely Piaget sapphire necklace", "extremely-piaget", NECKLACE,
                LADIES, WHITE_GOLD, "diamonds, sapphires", 285_000,
                "Unique piece: a cascade of diamonds holding a 12-carat cushion sapphire."),
    DemoProduct("G38X4001", "Extremely Piaget turquoise earrings", "extremely-piaget", EARRINGS,
                LADIES, WHITE_GOLD, "diamonds, turquoise", 96_000,
                "Turquoise drops framed by diamonds, one of five pairs made."),
    DemoProduct("G34X1001", "Extremely Piaget sapphire cocktail ring", "extremely-piaget", RING,
                LADIES, WHITE_GOLD, "diamonds, sapphires", 68_000,
                "Oval blue sapphire surrounded by two rows of diamonds."),
    DemoProduct("G36X3001", "Extremely Piaget malachite cuff", "extremely-piaget", BRACELET,
                LADIES, ROSE_GOLD, "diamonds, malachite", 142_000,
                "Malachite cuff with hand-engraved gold and diamond edges, a unique piece."),
)
# fmt: on

PRODUCTS_BY_REFERENCE = {product.reference: product for product in PRODUCTS}

# --------------------------------------------------------------------------------------------
# Boutiques (invented street numbers; 555-01xx phone numbers are reserved for fiction)
# --------------------------------------------------------------------------------------------


def _hours(
    weekdays: tuple[str, str],
    saturday: tuple[str, str] | None = None,
    sunday: tuple[str, str] | None = None,
) -> dict[str, list[str] | None]:
    hours: dict[str, list[str] | None] = {
        day: list(weekdays) for day in ("mon", "tue", "wed", "thu", "fri")
    }
    hours["sat"] = list(saturday or weekdays)
    hours["sun"] = list(sunday) if sunday else None
    return hours


FIFTH_AVENUE = "Piaget Fifth Avenue"
RODEO_DRIVE = "Piaget Rodeo Drive"
LAS_VEGAS = "Piaget Las Vegas Crystals"
BAL_HARBOUR = "Piaget Bal Harbour"
CHICAGO = "Piaget Chicago Michigan Avenue"
HOUSTON = "Piaget Houston Galleria"
SAN_FRANCISCO = "Piaget San Francisco Union Square"
SOUTH_COAST_PLAZA = "Piaget South Coast Plaza"

# fmt: off
BOUTIQUES: tuple[DemoBoutique, ...] = (
    DemoBoutique(FIFTH_AVENUE, "715 Fifth Avenue", "New York", "NY", "10022",
                 "+1 212 555 0180", "America/New_York",
                 _hours(("10:00", "19:00"), sunday=("12:00", "18:00"))),
    DemoBoutique(RODEO_DRIVE, "370 North Rodeo Drive", "Beverly Hills", "CA", "90210",
                 "+1 310 555 0181", "America/Los_Angeles",
                 _hours(("10:00", "18:00"), sunday=("12:00", "17:00"))),
    DemoBoutique(LAS_VEGAS, "3720 South Las Vegas Boulevard, The Shops at Crystals",
                 "Las Vegas", "NV", "89158", "+1 702 555 0182", "America/Los_Angeles",
                 _hours(("10:00", "22:00"), ("10:00", "23:00"), ("11:00", "21:00"))),
    DemoBoutique(BAL_HARBOUR, "9700 Collins Avenue, Bal Harbour Shops", "Bal Harbour", "FL",
                 "33154", "+1 305 555 0183", "America/New_York",
                 _hours(("10:00", "20:00"), sunday=("12:00", "18:00"))),
    DemoBoutique(CHICAGO, "845 North Michigan Avenue", "Chicago", "IL", "60611",
                 "+1 312 555 0184", "America/Chicago",
                 _hours(("10:00", "19:00"), ("10:00", "18:00"))),
    DemoBoutique(HOUSTON, "5085 Westheimer Road, The Galleria", "Houston", "TX", "77056",
                 "+1 713 555 0185", "America/Chicago",
                 _hours(("10:00", "20:00"), sunday=("12:00", "18:00"))),
    DemoBoutique(SAN_FRANCISCO, "250 Post Street", "San Francisco", "CA", "94108",
                 "+1 415 555 0186", "America/Los_Angeles",
                 _hours(("10:00", "18:00"), ("10:00", "18:00"))),
    DemoBoutique(SOUTH_COAST_PLAZA, "3333 Bristol Street, South Coast Plaza", "Costa Mesa",
                 "CA", "92626", "+1 714 555 0187", "America/Los_Angeles",
                 _hours(("10:00", "21:00"), sunday=("11:00", "18:00"))),
)
# fmt: on

BOUTIQUES_BY_NAME = {boutique.name: boutique for boutique in BOUTIQUES}

# --------------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------------

# fmt: off
CONTACTS: tuple[DemoContact, ...] = (
    DemoContact("Isabelle", "Moreau", "isabelle.moreau@example.com", "+1 212 555 0101",
                "245 East 72nd Street, Apt 9B", "New York", "NY", "10021",
                date(1984, 3, 14), "fr", 1460),
    DemoContact("James", "Whitaker", "james.whitaker@example.com", "+1 310 555 0102",
                "1120 Benedict Canyon Drive", "Beverly Hills", "CA", "90210",
                date(1971, 8, 2), "en", 2190),
    DemoContact("Sofia", "Alvarez", "sofia.alvarez@example.org", "+1 305 555 0103",
                "1500 Brickell Avenue, Unit 2204", "Miami", "FL", "33129",
                date(1990, 11, 23), "es", 820),
    DemoContact("Emily", "Chen", "emily.chen@example.com", "+1 415 555 0104",
                "2201 Pacific Avenue", "San Francisco", "CA", "94115",
                date(1988, 5, 30), "en", 1095),
    DemoContact("Michael", "Okafor", "michael.okafor@example.com", "+1 312 555 0105",
                "1340 North Astor Street", "Chicago", "IL", "60610",
                date(1979, 1, 17), "en", 640),
    DemoContact("Charlotte", "Dubois", "charlotte.dubois@example.org", "+1 617 555 0106",
                "88 Beacon Street", "Boston", "MA", "02108",
                date(1965, 9, 9), "fr", 3100),
    DemoContact("Daniel", "Reyes", "daniel.reyes@example.com", "+1 713 555 0107",
                "3711 Inwood Drive", "Houston", "TX", "77019",
                date(1982, 12, 5), "es", 1250),
    DemoContact("Olivia", "Bennett", "olivia.bennett@example.com", "+1 702 555 0108",
                "9 Summit Ridge Court", "Las Vegas", "NV", "89135",
                date(1993, 4, 18), "en", 410),
    DemoContact("William", "Hartley", "william.hartley@example.com", "+1 203 555 0109",
                "14 Round Hill Road", "Greenwich", "CT", "06831",
                date(1958, 7, 26), "en", 3650),
    DemoContact("Grace", "Kim", "grace.kim@example.org", "+1 949 555 0110",
                "410 Via Lido Nord", "Newport Beach", "CA", "92663",
                date(1986, 2, 11), "en", 980),
    DemoContact("Alexander", "Novak", "alexander.novak@example.com", "+1 646 555 0111",
                "30 Park Place, Apt 52A", "New York", "NY", "10007",
                date(1975, 6, 21), "en", 1720),
    DemoContact("Camila", "Torres", "camila.torres@example.com", "+1 786 555 0112",
                "10201 Collins Avenue, Apt 1805", "Bal Harbour", "FL", "33154",
                date(1995, 10, 3), "es", 300),
    DemoContact("Henry", "Lawson", "henry.lawson@example.org", "+1 206 555 0113",
                "1600 Lake Washington Boulevard", "Seattle", "WA", "98122",
                date(1969, 3, 28), "en", 560),
    DemoContact("Amelia", "Foster", "amelia.foster@example.com", "+1 404 555 0114",
                "3200 Habersham Road NW", "Atlanta", "GA", "30305",
                date(1991, 8, 15), "en", 150),
    DemoContact("Lucas", "Martin", "lucas.martin@example.com", "+1 858 555 0115",
                "7960 Prospect Place", "La Jolla", "CA", "92037",
                date(1980, 10, 30), "en", 1880),
    DemoContact("Victoria", "Hughes", "victoria.hughes@example.com", "+1 214 555 0116",
                "4500 Beverly Drive", "Dallas", "TX", "75205",
                date(1977, 1, 8), "en", 2400),
    DemoContact("Nathan", "Brooks", "nathan.brooks@example.org", "+1 303 555 0117",
                "250 Columbine Street", "Denver", "CO", "80206",
                date(1987, 7, 19), "en", 95),
    DemoContact("Sophie", "Laurent", "sophie.laurent@example.com", "+1 323 555 0118",
                "2140 Laurel Canyon Boulevard", "Los Angeles", "CA", "90046",
                date(1992, 12, 12), "fr", 700),
    DemoContact("Ethan", "Wallace", "ethan.wallace@example.com", "+1 480 555 0119",
                "6010 East Cheney Drive", "Paradise Valley", "AZ", "85253",
                date(1973, 4, 4), "en", 1330),
    DemoContact("Hannah", "Schultz", "hannah.schultz@example.org", "+1 773 555 0120",
                "2020 North Lincoln Park West", "Chicago", "IL", "60614",
                date(1998, 9, 27), "en", 60),
)
# fmt: on

CONTACTS_BY_EMAIL = {contact.email: contact for contact in CONTACTS}

# --------------------------------------------------------------------------------------------
# Orders, oldest first. Days are counted back from the load day; times are UTC.
# --------------------------------------------------------------------------------------------

ORD = OrderStatus
PLACED_ONLINE = "Order placed online."
GIFT_WRAPPED = "Piece inspected, polished and gift-wrapped."

# fmt: off
ORDERS: tuple[DemoOrder, ...] = (
    DemoOrder(
        "PG-100118", "william.hartley@example.com", (("G0A46001", 1),), ORD.RETURNED,
        (
            Step(ORD.RECEIVED, 52, "15:05", PLACED_ONLINE),
            Step(ORD.PREPARING, 51, "13:20", GIFT_WRAPPED),
            Step(ORD.SHIPPED, 50, "21:40", "Handed to UPS; adult signature required."),
            Step(ORD.DELIVERED, 48, "17:05", "Delivered; signed for by W. Hartley."),
            Step(ORD.RETURNED, 35, "16:30",
                 "Returned unworn within 30 days; full refund issued."),
        ),
        estimated_delivery_in_days=-48, carrier="UPS", tracking_number="1Z4E89W70392451178",
    ),
    DemoOrder(
        "PG-100131", "james.whitaker@example.com", (("G0A45201", 1),), ORD.DELIVERED,
        (
            Step(ORD.RECEIVED, 40, "04:12", PLACED_ONLINE),
            Step(ORD.PREPARING, 39, "15:30", GIFT_WRAPPED),
            Step(ORD.SHIPPED, 37, "22:10", "Handed to FedEx; adult signature required."),
            Step(ORD.DELIVERED, 35, "19:45", "Delivered; signed for by J. Whitaker."),
        ),
        estimated_delivery_in_days=-35, carrier="FedEx", tracking_number="774912305581",
    ),
    DemoOrder(
        "PG-100146", "olivia.bennett@example.com", (("G38S4001", 1),), ORD.RETURNED,
        (
            Step(ORD.RECEIVED, 38, "02:55", PLACED_ONLINE),
            Step(ORD.PREPARING, 37, "16:05", GIFT_WRAPPED),
            Step(ORD.SHIPPED, 36, "23:20", "Handed to UPS; adult signature required."),
            Step(ORD.DELIVERED, 34, "20:10", "Delivered; signed for by O. Bennett."),
            Step(ORD.RETURNED, 22, "18:45",
                 "Returned within 30 days (changed her mind); full refund issued."),
        ),
        estimated_delivery_in_days=-34, carrier="UPS", tracking_number="1Z4E89W70394402861",
    ),
    DemoOrder(
        "PG-100152", "emily.chen@example.com", (("G34P1011", 1), ("G33P2001", 1)),
        ORD.DELIVERED,
        (
            Step(ORD.RECEIVED, 31, "05:40", PLACED_ONLINE),
            Step(ORD.PREPARING, 30, "17:15", GIFT_WRAPPED),
            Step(ORD.SHIPPED, 29, "22:50", "Handed to FedEx; adult signature required."),
            Step(ORD.DELIVERED, 27, "19:05", "Delivered; signed for by E. Chen."),
        ),
        estimated_delivery_in_days=-27, carrier="FedEx", tracking_number="775038114620",
    ),
    DemoOrder(
        "PG-100167", "michael.okafor@example.com", (("G0A46210", 1),), ORD.CANCELLED,
        (
            Step(ORD.RECEIVED, 27, "01:25", PLACED_ONLINE),
            Step(ORD.PREPARING, 26, "14:40", GIFT_WRAPPED),
            Step(ORD.CANCELLED, 26, "18:05",
                 "Cancelled at the customer's request before dispatch; full refund issued."),
        ),
    ),
    DemoOrder(
        "PG-100173", "alexander.novak@example.com", (("G33R2001", 1),), ORD.DELIVERED,
        (
            Step(ORD.RECEIVED, 24, "16:20", "Gift order placed online, with a card."),
            Step(ORD.PREPARING, 23, "15:00", GIFT_WRAPPED),
            Step(ORD.SHIPPED, 22, "21:35", "Handed to FedEx; adult signature required."),
            Step(ORD.DELIVERED, 20, "17:50", "Delivered to the gift address; signed for."),
        ),
        estimated_delivery_in_days=-20, carrier="FedEx", tracking_number="775120947736",
        gift_postcode="10128",
    ),
    DemoOrder(
        "PG-100189", "grace.kim@example.org", (("G0A47102", 1),), ORD.DELIVERED,
        (
            Step(ORD.RECEIVED, 18, "03:10", PLACED_ONLINE),
            Step(ORD.PREPARING, 17, "16:45", "Strap fitted to the wrist size given."),
            Step(ORD.SHIPPED, 16, "23:05", "Handed to UPS; adult signature required."),
            Step(ORD.DELIVERED, 14, "21:30", "Delivered; signed for by G. Kim."),
        ),
        estimated_delivery_in_days=-14, carrier="UPS", tracking_number="1Z4E89W70396107734",
    ),
    DemoOrder(
        "PG-100194", "sophie.laurent@example.com", (("G34P1012", 1),),
        ORD.READY_FOR_COLLECTION,
        (
            Step(ORD.RECEIVED, 14, "19:35", "Order placed online for collection in boutique."),
            Step(ORD.PREPARING, 13, "17:00", "Engraving of the initials S.L. in progress."),
            Step(ORD.READY_FOR_COLLECTION, 9, "22:15",
                 "Ready to collect at Piaget Rodeo Drive; please bring photo ID."),
        ),
        collection_boutique=RODEO_DRIVE,
    ),
    DemoOrder(
        "PG-100206", "victoria.hughes@example.com", (("G33S2001", 1), ("G36P3001", 1)),
        ORD.DELIVERED,
        (
            Step(ORD.RECEIVED, 12, "18:25", PLACED_ONLINE),
            Step(ORD.PREPARING, 11, "16:10", GIFT_WRAPPED),
            Step(ORD.SHIPPED, 10, "22:40", "Handed to FedEx; adult signature required."),
            Step(ORD.DELIVERED, 8, "18:55", "Delivered; signed for by V. Hughes."),
        ),
        estimated_delivery_in_days=-8, carrier="FedEx", tracking_number="775236018842",
    ),
    DemoOrder(
        "PG-100211", "isabelle.moreau@example.com", (("G34P1001", 1),), ORD.DELIVERED,
        (
            Step(ORD.RECEIVED, 9, "13:50", PLACED_ONLINE),
            Step(ORD.PREPARING, 8, "15:25", GIFT_WRAPPED),
            Step(ORD.SHIPPED, 7, "21:15", "Handed to FedEx; adult signature required."),
            Step(ORD.DELIVERED, 6, "16:40", "Delivered; signed for by the building concierge."),
        ),
        estimated_delivery_in_days=-6, carrier="FedEx", tracking_number="775301274495",
    ),
    DemoOrder(
        "PG-100223", "daniel.reyes@example.com", (("G0A46002", 1),),
        ORD.READY_FOR_COLLECTION,
        (
            Step(ORD.RECEIVED, 8, "00:30", "Order placed online for collection in boutique."),
            Step(ORD.PREPARING, 7, "15:50", "Rubber strap sized; watch set and checked."),
            Step(ORD.READY_FOR_COLLECTION, 3, "19:20",
                 "Ready to collect at Piaget Houston Galleria; please bring photo ID."),
        ),
        collection_boutique=HOUSTON,
    ),
    DemoOrder(
        "PG-100229", "hannah.schultz@example.org", (("G34P1002", 1),), ORD.SHIPPED,
        (
            Step(ORD.RECEIVED, 7, "02:05", PLACED_ONLINE),
            Step(ORD.PREPARING, 6, "14:35", GIFT_WRAPPED),
            Step(ORD.SHIPPED, 3, "22:25", "Handed to FedEx; adult signature required."),
        ),
        estimated_delivery_in_days=1, carrier="FedEx", tracking_number="775388410527",
    ),
    DemoOrder(
        "PG-100234", "isabelle.moreau@example.com", (("G0A47101", 1),), ORD.SHIPPED,
        (
            Step(ORD.RECEIVED, 6, "14:12", PLACED_ONLINE),
            Step(ORD.PREPARING, 5, "16:30", "Bracelet sized; watch set and checked; gift-wrapped."),
            Step(ORD.SHIPPED, 2, "21:45", "Handed to FedEx; adult signature required."),
        ),
        estimated_delivery_in_days=1, carrier="FedEx", tracking_number="775402963318",
    ),
    DemoOrder(
        "PG-100238", "lucas.martin@example.com", (("G0A46105", 1),), ORD.SHIPPED,
        (
            Step(ORD.RECEIVED, 5, "04:45", PLACED_ONLINE),
            Step(ORD.PREPARING, 4, "17:20", GIFT_WRAPPED),
            Step(ORD.SHIPPED, 2, "23:30", "Handed to UPS; adult signature required."),
        ),
        estimated_delivery_in_days=2, carrier="UPS", tracking_number="1Z4E89W70398812265",
    ),
    DemoOrder(
        "PG-100241", "camila.torres@example.com", (("G34R1001", 1),),
        ORD.READY_FOR_COLLECTION,
        (
            Step(ORD.RECEIVED, 5, "20:05", "Order placed online for collection in boutique."),
            Step(ORD.PREPARING, 4, "15:15", "Ring resized to 52."),
            Step(ORD.READY_FOR_COLLECTION, 1, "18:40",
                 "Ready to collect at Piaget Bal Harbour; please bring photo ID."),
        ),
        collection_boutique=BAL_HARBOUR,
    ),
    DemoOrder(
        "PG-100245", "ethan.wallace@example.com", (("G38P4001", 1),), ORD.SHIPPED,
        (
            Step(ORD.RECEIVED, 4, "03:30", "Gift order placed online, with a card."),
            Step(ORD.PREPARING, 3, "16:55", GIFT_WRAPPED),
            Step(ORD.SHIPPED, 1, "22:05", "Handed to UPS; adult signature required."),
        ),
        estimated_delivery_in_days=2, carrier="UPS", tracking_number="1Z4E89W70399034418",
        gift_postcode="85016",
    ),
    DemoOrder(
        "PG-100247", "nathan.brooks@example.org", (("G34P1031", 1),), ORD.CANCELLED,
        (
            Step(ORD.RECEIVED, 4, "05:15", PLACED_ONLINE),
            Step(ORD.CANCELLED, 3, "15:35",
                 "Cancelled at the customer's request (wrong size); full refund issued."),
        ),
    ),
    DemoOrder(
        "PG-100250", "charlotte.dubois@example.org", (("G34S1001", 1),), ORD.PREPARING,
        (
            Step(ORD.RECEIVED, 4, "13:40", "Order placed by phone with the concierge."),
            Step(ORD.PREPARING, 3, "17:45", "Ring being resized to 54 in the workshop."),
        ),
        estimated_delivery_in_days=3,
    ),
    DemoOrder(
        "PG-100252", "henry.lawson@example.org", (("G0A45305", 1),), ORD.SHIPPED,
        (
            Step(ORD.RECEIVED, 3, "06:20", PLACED_ONLINE),
            Step(ORD.PREPARING, 2, "15:10", GIFT_WRAPPED),
            Step(ORD.SHIPPED, 1, "23:15", "Handed to FedEx; adult signature required."),
        ),
        estimated_delivery_in_days=1, carrier="FedEx", tracking_number="775419520076",
    ),
    DemoOrder(
        "PG-100255", "amelia.foster@example.com", (("G38L4001", 1),), ORD.PREPARING,
        (
            Step(ORD.RECEIVED, 3, "19:05", PLACED_ONLINE),
            Step(ORD.PREPARING, 2, "16:20", GIFT_WRAPPED),
        ),
        estimated_delivery_in_days=4,
    ),
    DemoOrder(
        "PG-100258", "james.whitaker@example.com", (("G0A48001", 1),), ORD.PREPARING,
        (
            Step(ORD.RECEIVED, 2, "01:50", PLACED_ONLINE),
            Step(ORD.PREPARING, 1, "15:40", "Watch set, checked and gift-wrapped."),
        ),
        estimated_delivery_in_days=4,
    ),
    DemoOrder(
        "PG-100260", "emily.chen@example.com", (("G34P1002", 1),), ORD.PREPARING,
        (
            Step(ORD.RECEIVED, 2, "04:25", PLACED_ONLINE),
            Step(ORD.PREPARING, 1, "17:30", "Engraving of a date inside the band in progress."),
        ),
        estimated_delivery_in_days=5,
    ),
    DemoOrder(
        "PG-100263", "grace.kim@example.org", (("G38R4001", 1),), ORD.RECEIVED,
        (Step(ORD.RECEIVED, 2, "22:35", PLACED_ONLINE),),
        estimated_delivery_in_days=5,
    ),
    DemoOrder(
        "PG-100266", "olivia.bennett@example.com", (("G0A47115", 1),), ORD.RECEIVED,
        (Step(ORD.RECEIVED, 1, "05:05", PLACED_ONLINE),),
        estimated_delivery_in_days=6,
    ),
    DemoOrder(
        "PG-100268", "michael.okafor@example.com", (("G0A46018", 1), ("G36S3001", 1)),
        ORD.RECEIVED,
        (Step(ORD.RECEIVED, 1, "20:50", "Order placed by phone with the concierge."),),
        estimated_delivery_in_days=6,
    ),
)
# fmt: on


# --------------------------------------------------------------------------------------------
# Repairs and services, oldest first.
# --------------------------------------------------------------------------------------------

REP = RepairStatus
DROPPED_OFF = "Received at the boutique; condition report signed by the client."

# fmt: off
REPAIRS: tuple[DemoRepair, ...] = (
    DemoRepair(
        "RP-20362", "william.hartley@example.com",
        "Vintage Piaget dress watch, 18K yellow gold, manual-winding calibre 9P, about 1970",
        "complete service", FIFTH_AVENUE, REP.COLLECTED,
        (
            Step(REP.RECEIVED, 75, "16:10", DROPPED_OFF),
            Step(REP.AWAITING_ESTIMATE_APPROVAL, 70, "19:30", "Estimate of $1,850 sent."),
            Step(REP.IN_PROGRESS, 66, "15:05", "Approved; movement dismantled and cleaned."),
            Step(REP.QUALITY_CONTROL, 30, "18:20", "Timekeeping checked over 7 days."),
            Step(REP.READY_FOR_COLLECTION, 26, "20:40", "Ready to collect at Piaget Fifth Avenue."),
            Step(REP.COLLECTED, 21, "17:15", "Collected by the client."),
        ),
        estimate_usd=1_850, estimate_approved=True, estimated_completion_in_days=-26,
    ),
    DemoRepair(
        "RP-20371", "alexander.novak@example.com", "Polo Date 42 mm, stainless steel",
        "complete service", FIFTH_AVENUE, REP.READY_FOR_COLLECTION,
        (
            Step(REP.RECEIVED, 58, "17:40", DROPPED_OFF),
            Step(REP.AWAITING_ESTIMATE_APPROVAL, 54, "20:05", "Estimate of $1,250 sent."),
            Step(REP.IN_PROGRESS, 50, "14:50", "Estimate approved; work started."),
            Step(REP.QUALITY_CONTROL, 6, "19:10", "Water-resistance (100 m) and timing checks."),
            Step(REP.READY_FOR_COLLECTION, 2, "21:25", "Ready to collect at Piaget Fifth Avenue."),
        ),
        product="G0A46001", estimate_usd=1_250, estimate_approved=True,
        estimated_completion_in_days=-2,
    ),
    DemoRepair(
        "RP-20378", "lucas.martin@example.com", "Altiplano Origin 40 mm, 18K rose gold",
        "complete service", SOUTH_COAST_PLAZA, REP.QUALITY_CONTROL,
        (
            Step(REP.RECEIVED, 48, "22:15", DROPPED_OFF),
            Step(REP.AWAITING_ESTIMATE_APPROVAL, 44, "18:35", "Estimate of $1,450 sent."),
            Step(REP.IN_PROGRESS, 41, "16:00", "Estimate approved; work started."),
            Step(REP.QUALITY_CONTROL, 2, "20:30", "Timekeeping and water-resistance checks."),
        ),
        product="G0A45202", estimate_usd=1_450, estimate_approved=True,
        estimated_completion_in_days=4,
    ),
    DemoRepair(
        "RP-20386", "victoria.hughes@example.com", "Possession ring, 18K rose gold with diamond",
        "ring resizing", HOUSTON, REP.COLLECTED,
        (
            Step(REP.RECEIVED, 40, "19:20", "Received at the boutique: resize from 52 to 55."),
            Step(REP.AWAITING_ESTIMATE_APPROVAL, 38, "21:00", "Estimate of $280 sent."),
            Step(REP.IN_PROGRESS, 36, "15:45", "Estimate approved; work started."),
            Step(REP.QUALITY_CONTROL, 30, "17:30", "Turning band checked: spins freely."),
            Step(REP.READY_FOR_COLLECTION, 29, "22:10", "Ready to collect at the boutique."),
            Step(REP.COLLECTED, 27, "20:35", "Collected by the client."),
        ),
        product="G34P1011", estimate_usd=280, estimate_approved=True,
        estimated_completion_in_days=-29,
    ),
    DemoRepair(
        "RP-20393", "daniel.reyes@example.com", "Polo Date 42 mm, stainless steel",
        "crown and stem replacement", HOUSTON, REP.IN_PROGRESS,
        (
            Step(REP.RECEIVED, 30, "18:05", "Dropped off: the crown no longer screws in."),
            Step(REP.AWAITING_ESTIMATE_APPROVAL, 26, "20:45", "Estimate of $680 sent."),
            Step(REP.IN_PROGRESS, 23, "16:25", "Approved; parts ordered from the manufacture."),
        ),
        product="G0A46001", estimate_usd=680, estimate_approved=True,
        estimated_completion_in_days=9,
    ),
    DemoRepair(
        "RP-20398", "ethan.wallace@example.com",
        "Vintage Piaget ladies' watch, 18K white gold, lapis lazuli dial, about 1975",
        "complete service and dial restoration", LAS_VEGAS, REP.DECLINED,
        (
            Step(REP.RECEIVED, 25, "23:10", DROPPED_OFF),
            Step(REP.AWAITING_ESTIMATE_APPROVAL, 20, "22:30", "Estimate of $4,200 sent."),
            Step(REP.DECLINED, 15, "19:55",
                 "The client declined the estimate; the watch is returned unrepaired."),
        ),
        estimate_usd=4_200, estimate_approved=False,
    ),
    DemoRepair(
        "RP-20404", "emily.chen@example.com", "Possession ring, 18K rose gold with diamond",
        "stone re-setting", SAN_FRANCISCO, REP.IN_PROGRESS,
        (
            Step(REP.RECEIVED, 20, "21:50", "Dropped off: the diamond moves in its setting."),
            Step(REP.IN_PROGRESS, 18, "17:10", "Covered by the warranty: no charge. Work started."),
        ),
        product="G34P1011", estimate_usd=0, estimate_approved=True,
        estimated_completion_in_days=6,
    ),
    DemoRepair(
        "RP-20409", "sofia.alvarez@example.org", "Limelight Gala 32 mm, 18K white gold",
        "battery replacement and water-resistance test", BAL_HARBOUR, REP.READY_FOR_COLLECTION,
        (
            Step(REP.RECEIVED, 12, "16:35", "Dropped off; fixed-price service accepted."),
            Step(REP.IN_PROGRESS, 11, "15:20", "Battery replaced; seals changed."),
            Step(REP.QUALITY_CONTROL, 5, "18:50", "Water-resistance test passed."),
            Step(REP.READY_FOR_COLLECTION, 4, "20:15", "Ready to collect at Piaget Bal Harbour."),
        ),
        product="G0A47101", estimate_usd=250, estimate_approved=True,
        estimated_completion_in_days=-4,
    ),
    DemoRepair(
        "RP-20417", "isabelle.moreau@example.com", "Altiplano Origin 38 mm, 18K rose gold",
        "complete service", FIFTH_AVENUE, REP.AWAITING_ESTIMATE_APPROVAL,
        (
            Step(REP.RECEIVED, 9, "19:45", DROPPED_OFF),
            Step(REP.AWAITING_ESTIMATE_APPROVAL, 3, "21:05", "Estimate of $1,450 sent."),
        ),
        product="G0A45213", estimate_usd=1_450, estimate_approved=False,
        estimated_completion_in_days=45,
    ),
    DemoRepair(
        "RP-20420", "camila.torres@example.com", "Limelight Gala 32 mm, 18K rose gold",
        "stone re-setting", BAL_HARBOUR, REP.AWAITING_ESTIMATE_APPROVAL,
        (
            Step(REP.RECEIVED, 7, "17:25", "Dropped off: one diamond missing on a lug."),
            Step(REP.AWAITING_ESTIMATE_APPROVAL, 2, "19:40", "Estimate of $890 sent."),
        ),
        product="G0A47102", estimate_usd=890, estimate_approved=False,
        estimated_completion_in_days=28,
    ),
    DemoRepair(
        "RP-20426", "charlotte.dubois@example.org", "Piaget Rose pendant, 18K rose gold",
        "chain repair", FIFTH_AVENUE, REP.RECEIVED,
        (Step(REP.RECEIVED, 3, "18:30", "Received by insured mail from Boston; broken chain."),),
        product="G33R2001", estimated_completion_in_days=21,
    ),
    DemoRepair(
        "RP-20429", "hannah.schultz@example.org", "Possession ring, 18K white gold",
        "ring resizing", CHICAGO, REP.RECEIVED,
        (Step(REP.RECEIVED, 1, "20:55", "Received at the boutique: resize from 50 to 52."),),
        product="G34P1002", estimated_completion_in_days=14,
    ),
)
# fmt: on


# --------------------------------------------------------------------------------------------
# Consent: marketing preferences as imported from the previous CRM, oldest first per contact.
# The current preference for a topic is the latest event.
# --------------------------------------------------------------------------------------------

# fmt: off
EMAIL, SMS, PHONE, POST, LANGUAGE = (
    "marketing:email", "marketing:sms", "marketing:phone", "marketing:post", "language"
)
IN, OUT = "opt_in", "opt_out"

CONSENT_HISTORY: dict[str, tuple[DemoConsent, ...]] = {
    "isabelle.moreau@example.com": (
        DemoConsent(EMAIL, IN, 1460), DemoConsent(SMS, OUT, 1460),
        DemoConsent(LANGUAGE, "fr", 1460), DemoConsent(POST, IN, 300),
    ),
    "james.whitaker@example.com": (
        DemoConsent(EMAIL, IN, 2190), DemoConsent(PHONE, IN, 2190),
        DemoConsent(EMAIL, OUT, 45),
    ),
    "sofia.alvarez@example.org": (
        DemoConsent(EMAIL, IN, 820), DemoConsent(SMS, IN, 820), DemoConsent(LANGUAGE, "es", 820),
    ),
    "emily.chen@example.com": (
        DemoConsent(EMAIL, OUT, 1095), DemoConsent(SMS, OUT, 1095), DemoConsent(POST, OUT, 1095),
    ),
    "michael.okafor@example.com": (
        DemoConsent(EMAIL, IN, 640), DemoConsent(SMS, IN, 640), DemoConsent(SMS, OUT, 120),
    ),
    "charlotte.dubois@example.org": (
        DemoConsent(EMAIL, IN, 3100), DemoConsent(POST, IN, 3100),
        DemoConsent(LANGUAGE, "fr", 3100), DemoConsent(PHONE, OUT, 3100),
    ),
    "daniel.reyes@example.com": (
        DemoConsent(EMAIL, IN, 1250), DemoConsent(LANGUAGE, "es", 1250),
        DemoConsent(SMS, IN, 400),
    ),
    "olivia.bennett@example.com": (
        DemoConsent(EMAIL, IN, 410), DemoConsent(SMS, IN, 410),
    ),
    "william.hartley@example.com": (
        DemoConsent(EMAIL, OUT, 3650), DemoConsent(POST, IN, 3650), DemoConsent(PHONE, IN, 3650),
    ),
    "grace.kim@example.org": (
        DemoConsent(EMAIL, IN, 980), DemoConsent(EMAIL, OUT, 500), DemoConsent(EMAIL, IN, 90),
    ),
    "alexander.novak@example.com": (
        DemoConsent(EMAIL, IN, 1720), DemoConsent(SMS, OUT, 1720),
    ),
    "camila.torres@example.com": (
        DemoConsent(EMAIL, IN, 300), DemoConsent(SMS, IN, 300), DemoConsent(LANGUAGE, "es", 300),
    ),
    "henry.lawson@example.org": (
        DemoConsent(EMAIL, OUT, 560),
    ),
    "amelia.foster@example.com": (
        DemoConsent(EMAIL, IN, 150), DemoConsent(SMS, OUT, 150), DemoConsent(POST, IN, 150),
    ),
    "lucas.martin@example.com": (
        DemoConsent(EMAIL, IN, 1880), DemoConsent(PHONE, OUT, 1880), DemoConsent(EMAIL, OUT, 200),
    ),
    "victoria.hughes@example.com": (
        DemoConsent(EMAIL, IN, 2400), DemoConsent(SMS, IN, 2400), DemoConsent(POST, IN, 2400),
        DemoConsent(PHONE, IN, 2400),
    ),
    "nathan.brooks@example.org": (
        DemoConsent(EMAIL, OUT, 95), DemoConsent(SMS, OUT, 95),
    ),
    "sophie.laurent@example.com": (
        DemoConsent(EMAIL, IN, 700), DemoConsent(LANGUAGE, "fr", 700), DemoConsent(SMS, IN, 30),
    ),
    "ethan.wallace@example.com": (
        DemoConsent(EMAIL, IN, 1330), DemoConsent(POST, OUT, 1330),
    ),
    "hannah.schultz@example.org": (
        DemoConsent(EMAIL, IN, 60), DemoConsent(SMS, IN, 60),
    ),
}
# fmt: on

del EMAIL, SMS, PHONE, POST, LANGUAGE, IN, OUT

# --------------------------------------------------------------------------------------------
# Privacy requests. California Civil Code 1798.83 ("Shine the Light") allows one request per
# calendar year: Emily Chen (San Francisco) already made hers this year, Grace Kim (Newport
# Beach) made hers last year, so the rule can be tried both ways.
# --------------------------------------------------------------------------------------------

CALIFORNIA_1798_83_THIS_YEAR = "emily.chen@example.com"
CALIFORNIA_1798_83_LAST_YEAR = "grace.kim@example.org"


def privacy_requests(today: date) -> list[dict[str, Any]]:
    """The demo privacy requests, dated relative to `today` (they depend on the calendar year)."""
    midnight = datetime.combine(today, time(0, 0), tzinfo=timezone.utc)
    days_into_year = (today - date(today.year, 1, 1)).days
    if days_into_year >= 2:
        # Asked a third of the way into this year, answered within 11 days, before today.
        asked_on = date(today.year, 1, 1) + timedelta(days=days_into_year // 3)
        answered_on = min(asked_on + timedelta(days=11), today - timedelta(days=1))
        this_year = datetime.combine(asked_on, time(16, 40), tzinfo=timezone.utc)
        this_year_done = datetime.combine(answered_on, time(18, 5), tzinfo=timezone.utc)
    else:  # 1 or 2 January: there is hardly any "earlier this year"; midnight on 1 January.
        this_year = this_year_done = datetime(today.year, 1, 1, tzinfo=timezone.utc)
    last_year = datetime(today.year - 1, 5, 6, 17, 30, tzinfo=timezone.utc)
    access_opened = midnight - timedelta(days=10) + timedelta(hours=15, minutes=20)
    return [
        {
            "reference": f"DEMO-{last_year.year}-001",
            "email": CALIFORNIA_1798_83_LAST_YEAR,
            "kind": PrivacyRequestKind.CALIFORNIA_1798_83,
            "status": PrivacyRequestStatus.DONE,
            "details": "Asked which third parties received her personal information for "
            "their own direct marketing. Answer sent: none.",
            "created_at": last_year,
            "due_at": last_year + timedelta(days=30),
            "completed_at": last_year + timedelta(days=8),
            "channel": None,
        },
        {
            "reference": f"DEMO-{this_year.year}-001",
            "email": CALIFORNIA_1798_83_THIS_YEAR,
            "kind": PrivacyRequestKind.CALIFORNIA_1798_83,
            "status": PrivacyRequestStatus.DONE,
            "details": "Asked which third parties received her personal information for "
            "their own direct marketing. Answer sent: none.",
            "created_at": this_year,
            "due_at": this_year + timedelta(days=30),
            "completed_at": this_year_done,
            "channel": "webchat",
        },
        {
            "reference": f"DEMO-{access_opened.year}-002",
            "email": "charlotte.dubois@example.org",
            "kind": PrivacyRequestKind.ACCESS,
            "status": PrivacyRequestStatus.IN_PROGRESS,
            "details": "Asked for a copy of the personal information the house holds about her.",
            "created_at": access_opened,
            "due_at": access_opened + timedelta(days=45),
            "completed_at": None,
            "channel": None,
        },
    ]


# --------------------------------------------------------------------------------------------
# Consistency checks (run before loading, and by the tests)
# --------------------------------------------------------------------------------------------

ORDER_PATHS: dict[OrderStatus, tuple[tuple[OrderStatus, ...], ...]] = {
    OrderStatus.RECEIVED: ((OrderStatus.RECEIVED,),),
    OrderStatus.PREPARING: ((OrderStatus.RECEIVED, OrderStatus.PREPARING),),
    OrderStatus.SHIPPED: ((OrderStatus.RECEIVED, OrderStatus.PREPARING, OrderStatus.SHIPPED),),
    OrderStatus.DELIVERED: (
        (OrderStatus.RECEIVED, OrderStatus.PREPARING, OrderStatus.SHIPPED, OrderStatus.DELIVERED),
    ),
    OrderStatus.READY_FOR_COLLECTION: (
        (OrderStatus.RECEIVED, OrderStatus.PREPARING, OrderStatus.READY_FOR_COLLECTION),
    ),
    OrderStatus.CANCELLED: (
        (OrderStatus.RECEIVED, OrderStatus.CANCELLED),
        (OrderStatus.RECEIVED, OrderStatus.PREPARING, OrderStatus.CANCELLED),
    ),
    OrderStatus.RETURNED: (
        (
            OrderStatus.RECEIVED,
            OrderStatus.PREPARING,
            OrderStatus.SHIPPED,
            OrderStatus.DELIVERED,
            OrderStatus.RETURNED,
        ),
    ),
}

_REPAIR_WORK = (
    RepairStatus.IN_PROGRESS,
    RepairStatus.QUALITY_CONTROL,
    RepairStatus.READY_FOR_COLLECTION,
    RepairStatus.COLLECTED,
)


def _repair_path_ok(statuses: tuple[RepairStatus, ...]) -> bool:
    """received, then (optionally) awaiting approval, then declined or the work in order."""
    if not statuses or statuses[0] is not RepairStatus.RECEIVED:
        return False
    rest = statuses[1:]
    if rest[:1] == (RepairStatus.AWAITING_ESTIMATE_APPROVAL,):
        rest = rest[1:]
        if rest == (RepairStatus.DECLINED,):
            return True
    return rest == _REPAIR_WORK[: len(rest)]


def _email_ok(email: str) -> bool:
    return email.rsplit("@", 1)[-1] in DEMO_EMAIL_DOMAINS


def validate_demo_data(today: date | None = None) -> None:
    """Raise ValueError listing every inconsistency in the demo data."""
    today = today or datetime.now(timezone.utc).date()
    problems: list[str] = []

    def check(condition: object, problem: str) -> None:
        if not condition:
            problems.append(problem)

    collections = {c.slug for c in COLLECTIONS}
    check(len(collections) == len(COLLECTIONS), "duplicate collection slug")
    check(len(PRODUCTS_BY_REFERENCE) == len(PRODUCTS), "duplicate product reference")
    for product in PRODUCTS:
        ref = product.reference
        check(REFERENCE.match(ref), f"{ref}: reference must look like G0A45201")
        check(product.collection in collections, f"{ref}: unknown collection")
        is_watch = product.category is WATCH
        watch_fields = (product.movement, product.case_size_mm, product.water_resistance_m)
        check(
            all(v is not None for v in watch_fields)
            if is_watch
            else all(v is None for v in watch_fields),
            f"{ref}: movement/case size/water resistance are for watches only",
        )
    check(len(BOUTIQUES_BY_NAME) == len(BOUTIQUES), "duplicate boutique name")
    check(len(CONTACTS_BY_EMAIL) == len(CONTACTS), "duplicate contact e-mail")
    for contact in CONTACTS:
        check(_email_ok(contact.email), f"{contact.email}: not a reserved demo domain")
        check(" 555 01" in contact.phone, f"{contact.email}: phone must be 555-01xx")
    for email, events in CONSENT_HISTORY.items():
        check(email in CONTACTS_BY_EMAIL, f"consent for unknown contact {email}")
        days = [event.days_ago for event in events]
        check(days == sorted(days, reverse=True), f"{email}: consent events out of order")

    numbers = [order.number for order in ORDERS]
    check(len(set(numbers)) == len(numbers), "duplicate order number")
    for order in ORDERS:
        n = order.number
        check(ORDER_NUMBER.match(n), f"{n}: order number must look like PG-100234")
        check(order.email in CONTACTS_BY_EMAIL, f"{n}: unknown contact {order.email}")
        check(order.items, f"{n}: no items")
        for reference, quantity in order.items:
            check(reference in PRODUCTS_BY_REFERENCE, f"{n}: unknown product {reference}")
            check(quantity >= 1, f"{n}: quantity must be positive")
        statuses = tuple(step.status for step in order.history)
        check(statuses in ORDER_PATHS[order.status], f"{n}: history {statuses} vs {order.status}")
        times = [step.timestamp(today) for step in order.history]
        check(all(a < b for a, b in pairwise(times)), f"{n}: history times not increasing")
        check(order.history and order.history[-1].days_ago >= 1, f"{n}: events must be past")
        shipped = order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED)
        check(
            bool(order.carrier and order.tracking_number) == shipped,
            f"{n}: carrier and tracking number only once shipped",
        )
        collecting = order.status is OrderStatus.READY_FOR_COLLECTION
        check(
            (order.collection_boutique in BOUTIQUES_BY_NAME)
            if collecting
            else order.collection_boutique is None,
            f"{n}: collection boutique only when ready for collection",
        )
        in_flight = order.status in (
            OrderStatus.RECEIVED,
            OrderStatus.PREPARING,
            OrderStatus.SHIPPED,
        )
        eta = order.estimated_delivery_in_days
        if in_flight:
            check(eta is not None and eta >= 1, f"{n}: needs a future estimated delivery")

    numbers = [repair.number for repair in REPAIRS]
    check(len(set(numbers)) == len(numbers), "duplicate repair number")
    for repair in REPAIRS:
        n = repair.number
        check(REPAIR_NUMBER.match(n), f"{n}: repair number must look like RP-20417")
        check(repair.email in CONTACTS_BY_EMAIL, f"{n}: unknown contact {repair.email}")
        check(repair.boutique in BOUTIQUES_BY_NAME, f"{n}: unknown boutique")
        check(
            repair.product is None or repair.product in PRODUCTS_BY_REFERENCE,
            f"{n}: unknown product {repair.product}",
        )
        repair_statuses = tuple(step.status for step in repair.history)
        check(_repair_path_ok(repair_statuses), f"{n}: impossible history {repair_statuses}")
        check(
            repair_statuses and repair_statuses[-1] is repair.status,
            f"{n}: history must end in status",
        )
        times = [step.timestamp(today) for step in repair.history]
        check(all(a < b for a, b in pairwise(times)), f"{n}: history times not increasing")
        check(repair.history and repair.history[-1].days_ago >= 1, f"{n}: events must be past")
        if repair.status is RepairStatus.AWAITING_ESTIMATE_APPROVAL:
            check(
                repair.estimate_usd is not None and not repair.estimate_approved,
                f"{n}: awaiting approval needs an unapproved estimate",
            )
        if repair.status is RepairStatus.DECLINED:
            check(
                repair.estimate_usd is not None and not repair.estimate_approved,
                f"{n}: a declined repair has an unapproved estimate",
            )
        if RepairStatus.IN_PROGRESS in repair_statuses:
            check(
                repair.estimate_usd is not None and repair.estimate_approved,
                f"{n}: work needs an approved estimate",
            )
        if repair.status in (
            RepairStatus.RECEIVED,
            RepairStatus.AWAITING_ESTIMATE_APPROVAL,
            RepairStatus.IN_PROGRESS,
            RepairStatus.QUALITY_CONTROL,
        ):
            eta = repair.estimated_completion_in_days
            check(eta is not None and eta >= 1, f"{n}: needs a future estimated completion")

    if problems:
        raise ValueError("inconsistent demo data:\n  " + "\n  ".join(problems))


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

_DEMO_FLAGGED = (Collection, Product, Boutique, Contact, Order, Repair)


async def demo_data_present(session: AsyncSession) -> bool:
    """True when any demo row is already in the database."""
    for model in _DEMO_FLAGGED:
        found = await session.scalar(select(model.id).where(model.is_demo.is_(True)).limit(1))
        if found is not None:
            return True
    return False


def _day(today: date, in_days: int | None) -> date | None:
    return None if in_days is None else today + timedelta(days=in_days)


def _days_ago(today: date, days: int, at: time = time(15, 0)) -> datetime:
    return datetime.combine(today - timedelta(days=days), at, tzinfo=timezone.utc)


async def load_demo_data(session: AsyncSession, *, today: date | None = None) -> bool:
    """Insert all the demo data and return True, or return False (changing nothing) if present.

    Dates are relative to `today` (default: today's UTC date). The session is flushed, not
    committed: the caller owns the transaction (e.g. `async with factory.begin() as session`).
    """
    if await demo_data_present(session):
        return False
    today = today or datetime.now(timezone.utc).date()
    validate_demo_data(today)

    collections = {
        c.slug: Collection(
            slug=c.slug,
            name=c.name,
            description=c.description,
            warranty_years=c.warranty_years,
            service_interval_years=c.service_interval_years,
            care_advice=c.care_advice,
            is_demo=True,
        )
        for c in COLLECTIONS
    }
    products = {
        p.reference: Product(
            reference=p.reference,
            name=p.name,
            collection=collections[p.collection],
            category=p.category,
            gender=p.gender,
            material=p.material,
            stones=p.stones,
            price_usd=p.price_usd,
            movement=p.movement,
            case_size_mm=p.case_size_mm,
            water_resistance_m=p.water_resistance_m,
            description=p.description,
            is_demo=True,
        )
        for p in PRODUCTS
    }
    boutiques = {
        b.name: Boutique(
            name=b.name,
            address_line=b.address_line,
            city=b.city,
            state=b.state,
            postcode=b.postcode,
            phone=b.phone,
            timezone=b.timezone,
            opening_hours={
                day: list(hours) if hours else None for day, hours in b.opening_hours.items()
            },
            is_demo=True,
        )
        for b in BOUTIQUES
    }
    contacts = {
        c.email: Contact(
            first_name=c.first_name,
            last_name=c.last_name,
            email=c.email,
            phone=c.phone,
            address_line=c.address_line,
            city=c.city,
            state=c.state,
            postcode=c.postcode,
            date_of_birth=c.date_of_birth,
            preferred_language=c.preferred_language,
            is_demo=True,
            created_at=_days_ago(today, c.customer_since_days),
        )
        for c in CONTACTS
    }
    session.add_all([*collections.values(), *products.values(), *boutiques.values()])
    session.add_all(contacts.values())

    for o in ORDERS:
        placed_at = o.history[0].timestamp(today)
        order = Order(
            number=o.number,
            contact=contacts[o.email],
            email=o.email,
            postcode=o.postcode,
            status=o.status,
            placed_at=placed_at,
            created_at=placed_at,
            estimated_delivery=_day(today, o.estimated_delivery_in_days),
            carrier=o.carrier,
            tracking_number=o.tracking_number,
            collection_boutique=boutiques[o.collection_boutique] if o.collection_boutique else None,
            is_demo=True,
        )
        order.items = [
            OrderItem(
                product=products[reference],
                quantity=quantity,
                unit_price_usd=PRODUCTS_BY_REFERENCE[reference].price_usd,
            )
            for reference, quantity in o.items
        ]
        order.history = [
            OrderStatusEvent(status=step.status, at=step.timestamp(today), note=step.note)
            for step in o.history
        ]
        session.add(order)

    for r in REPAIRS:
        received_at = r.history[0].timestamp(today)
        repair = Repair(
            number=r.number,
            contact=contacts[r.email],
            email=r.email,
            postcode=r.postcode,
            product=products[r.product] if r.product else None,
            item_description=r.item_description,
            service=r.service,
            boutique=boutiques[r.boutique],
            status=r.status,
            received_at=received_at,
            created_at=received_at,
            estimate_usd=r.estimate_usd,
            estimate_approved=r.estimate_approved,
            estimated_completion=_day(today, r.estimated_completion_in_days),
            is_demo=True,
        )
        repair.history = [
            RepairStatusEvent(status=step.status, at=step.timestamp(today), note=step.note)
            for step in r.history
        ]
        session.add(repair)

    for request in privacy_requests(today):
        fields = {key: value for key, value in request.items() if key != "email"}
        session.add(PrivacyRequest(contact=contacts[request["email"]], **fields))

    await session.flush()  # contact ids for the consent events

    # Oldest first, so that ids follow time and "latest event per topic" is the latest by id.
    consents = sorted(
        (
            (_days_ago(today, event.days_ago, time(14, 0)), position, email, event)
            for email, events in CONSENT_HISTORY.items()
            for position, event in enumerate(events)
        ),
        key=lambda row: (row[0], row[2], row[1]),
    )
    for at, _, email, event in consents:
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


# --------------------------------------------------------------------------------------------
# Documentation
# --------------------------------------------------------------------------------------------


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    header = list(header)
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def demo_orders_markdown_table() -> str:
    """The demo orders a tester can ask about: number, e-mail, postcode and status."""
    return _table(
        ("Order", "Email", "Postcode", "Status"),
        (
            (o.number, o.email, o.postcode, f"`{o.status.value}`")
            for o in sorted(ORDERS, key=lambda o: o.number)
        ),
    )


def demo_repairs_markdown_table() -> str:
    """The demo repairs a tester can ask about: number, e-mail, postcode and status."""
    return _table(
        ("Repair", "Email", "Postcode", "Status"),
        (
            (r.number, r.email, r.postcode, f"`{r.status.value}`")
            for r in sorted(REPAIRS, key=lambda r: r.number)
        ),
    )


def demo_data_markdown() -> str:
    """The whole of docs/demo-data.md."""
    gifts = ", ".join(
        f"{o.number} (home {CONTACTS_BY_EMAIL[o.email].postcode}, delivered to {o.postcode})"
        for o in ORDERS
        if o.gift_postcode
    )
    this_year = CONTACTS_BY_EMAIL[CALIFORNIA_1798_83_THIS_YEAR]
    last_year = CONTACTS_BY_EMAIL[CALIFORNIA_1798_83_LAST_YEAR]
    contacts = _table(
        ("Name", "Email", "City", "State", "Postcode", "Language"),
        (
            (
                c.first_name + " " + c.last_name,
                c.email,
                c.city,
                c.state,
                c.postcode,
                c.preferred_language,
            )
            for c in CONTACTS
        ),
    )
    return f"""# Demo data

<!-- Generated from bot/store/demo_data.py: python -m bot.store.demo_data > docs/demo-data.md -->

**{DEMO_NOTICE}**

Any resemblance to real people is coincidental. E-mail addresses use the domains reserved for
examples (example.com, example.org, RFC 2606) and phone numbers use 555-01xx, reserved for
fiction, so nobody real can be contacted. The catalogue is inspired by the house's collections,
but references, prices and specifications are made up.

Load it once with `python -m bot load-demo-data` (a second run changes nothing). Dates are
computed from the day it is loaded, so right after loading an order was "shipped 2 days ago"
and estimated deliveries and completions lie a few days ahead.

## Orders

To check an order, give its number, then the e-mail address or the delivery postcode on it.

{demo_orders_markdown_table()}
Gift deliveries, where the delivery postcode is not the customer's home postcode:
{gifts}.

## Repairs

To check a repair, give its number, the e-mail address and the postcode.

{demo_repairs_markdown_table()}
## Customers

{contacts}
Handy cases:

- Marketing preferences vary: some customers are opted in to e-mail, some out, some changed
  their minds (Grace Kim: in, out, in again).
- California "Shine the Light" (Civil Code 1798.83) requests, once per calendar year:
  {this_year.first_name} {this_year.last_name} ({this_year.email}) already made one this year;
  {last_year.first_name} {last_year.last_name} ({last_year.email}) made hers last year.
- The Possession ring exists in rose gold and white gold, with and without a diamond, and with
  malachite.
"""


if __name__ == "__main__":
    print(demo_data_markdown(), end="")
