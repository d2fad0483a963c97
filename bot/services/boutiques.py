"""The house's boutiques: finding one by city or state, and whether it is open now."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Boutique
from bot.store.types import utcnow

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)

US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA",
    "kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD",
    "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
    "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC",
    "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI",
    "wyoming": "WY", "district of columbia": "DC",
}  # fmt: skip

# How people name a city that differs from the boutique's postal city.
CITY_ALIASES = {
    "nyc": "new york", "manhattan": "new york", "la": "beverly hills",
    "los angeles": "beverly hills", "sf": "san francisco", "vegas": "las vegas",
    "miami": "bal harbour", "costa mesa": "costa mesa", "orange county": "costa mesa",
    "new york city": "new york", "brooklyn": "new york", "santa monica": "beverly hills",
    "miami beach": "bal harbour", "bal harbor": "bal harbour", "irvine": "costa mesa",
    "newport beach": "costa mesa",
}  # fmt: skip


async def all_boutiques(session: AsyncSession) -> list[Boutique]:
    return list(await session.scalars(select(Boutique).order_by(Boutique.state, Boutique.city)))


async def find_boutiques(session: AsyncSession, place: str) -> list[Boutique]:
    """Boutiques in a city or a state ("Chicago", "NY", "California"); [] when none."""
    wanted = " ".join(place.lower().replace(".", "").split())
    if not wanted:
        return []
    wanted = CITY_ALIASES.get(wanted, wanted)
    state = US_STATES.get(wanted) or (wanted.upper() if len(wanted) == 2 else None)
    by_city = await session.scalars(
        select(Boutique).where(func.lower(Boutique.city) == wanted).order_by(Boutique.name)
    )
    found = list(by_city)
    if not found and state:
        found = list(
            await session.scalars(
                select(Boutique).where(Boutique.state == state).order_by(Boutique.city)
            )
        )
    return found


STATE_NAMES = {code: name.title() for name, code in US_STATES.items()}


def where_we_are(boutiques: list[Boutique]) -> str:
    """Where the house has boutiques, by state: "California (Beverly Hills, Costa Mesa,
    San Francisco), Florida (Bal Harbour), ..." — from the store, never a fixed list."""
    cities: dict[str, list[str]] = {}
    for boutique in boutiques:
        state = STATE_NAMES.get(boutique.state, boutique.state)
        if boutique.city not in cities.setdefault(state, []):
            cities[state].append(boutique.city)
    return ", ".join(
        f"{state} ({', '.join(sorted(names))})" for state, names in sorted(cities.items())
    )


def _hours_on(boutique: Boutique, day: str) -> tuple[str, str] | None:
    hours = boutique.opening_hours.get(day)
    return (hours[0], hours[1]) if hours else None


def is_open(boutique: Boutique, now: datetime | None = None) -> bool:
    local = (now or utcnow()).astimezone(ZoneInfo(boutique.timezone))
    hours = _hours_on(boutique, WEEKDAYS[local.weekday()])
    return hours is not None and hours[0] <= f"{local:%H:%M}" < hours[1]


def opening_status(boutique: Boutique, now: datetime | None = None) -> str:
    """ "Open now, until 6:00 pm." or "Closed now; opens Monday at 10:00 am." (local time)."""
    local = (now or utcnow()).astimezone(ZoneInfo(boutique.timezone))
    today = WEEKDAYS[local.weekday()]
    hours = _hours_on(boutique, today)
    if is_open(boutique, now) and hours:
        return f"Open now, until {_clock(hours[1])} local time."
    if hours and f"{local:%H:%M}" < hours[0]:
        return f"Closed now; opens today at {_clock(hours[0])} local time."
    for ahead in range(1, 8):
        day = WEEKDAYS[(local + timedelta(days=ahead)).weekday()]
        if next_hours := _hours_on(boutique, day):
            when = "tomorrow" if ahead == 1 else DAY_NAMES[day]
            return f"Closed now; opens {when} at {_clock(next_hours[0])} local time."
    return "Closed now."


def weekly_hours(boutique: Boutique) -> str:
    """ "Mon–Fri 10:00 am–7:00 pm, Sat 10:00 am–6:00 pm, Sun closed": days in a row with
    the same hours are one range, so a customer reads three parts, not seven."""
    runs: list[tuple[str, str, str]] = []  # first day, last day, hours
    for day in WEEKDAYS:
        hours = _hours_on(boutique, day)
        text = f"{_clock(hours[0])}–{_clock(hours[1])}" if hours else "closed"
        if runs and runs[-1][2] == text:
            runs[-1] = (runs[-1][0], day, text)
        else:
            runs.append((day, day, text))
    return ", ".join(
        f"{_short(first)} {text}" if first == last else f"{_short(first)}–{_short(last)} {text}"
        for first, last, text in runs
    )


def _short(day: str) -> str:
    return DAY_NAMES[day][:3]


def describe_boutique(boutique: Boutique, now: datetime | None = None) -> str:
    return (
        f"{boutique.name}\n{boutique.address_line}, {boutique.city}, {boutique.state} "
        f"{boutique.postcode}\nPhone: {boutique.phone}\nHours: {weekly_hours(boutique)}\n"
        f"{opening_status(boutique, now)}"
    )


def _clock(hhmm: str) -> str:
    hour, minute = (int(part) for part in hhmm.split(":"))
    suffix = "am" if hour < 12 else "pm"
    return f"{(hour % 12) or 12}:{minute:02d} {suffix}"
