"""A weekly schedule of opening hours in one time zone: `"mon-fri 09:00-19:00; sat 10:00-18:00"`.

Each part is a day, a range of days or a comma list (`mon,wed`), then one or more intervals
(`09:00-13:00,14:00-19:00`); `24:00` ends at midnight; days not named are closed; an empty
schedule means never open. Pure: no store and no clock of its own. The settings check
CONCIERGE_HOURS with it at start-up; bot/services/concierge_hours.py says what it means for
a customer handed to the concierge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
INTERVAL = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")

Interval = tuple[time, time | None]  # end None: until midnight (24:00)


class HoursError(ValueError):
    """CONCIERGE_HOURS or CONCIERGE_TIMEZONE cannot be understood."""


@dataclass(frozen=True)
class WeeklyHours:
    zone: ZoneInfo
    week: tuple[tuple[Interval, ...], ...]  # Monday first, intervals sorted

    @classmethod
    def parse(cls, spec: str, zone_name: str) -> WeeklyHours:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise HoursError(f"unknown time zone {zone_name!r}") from error
        week: list[list[Interval]] = [[] for _ in DAYS]
        for part in filter(None, (p.strip() for p in spec.split(";"))):
            days_text, _, intervals_text = part.partition(" ")
            intervals = [_interval(text.strip()) for text in intervals_text.split(",")]
            for day in _days(days_text.lower()):
                week[day] += intervals
        return cls(zone, tuple(tuple(sorted(day)) for day in week))

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.zone)
        return any(
            start <= local.time() and (end is None or local.time() < end)
            for start, end in self.week[local.weekday()]
        )

    def next_opening(self, now: datetime) -> datetime | None:
        """The next time a person will be there, in the concierge's zone; None if never.

        Inside hours this is `now` itself."""
        if self.is_open(now):
            return now.astimezone(self.zone)
        local = now.astimezone(self.zone)
        for ahead in range(8):
            day = local.date() + timedelta(days=ahead)
            for start, _ in self.week[day.weekday()]:
                opening = _local(day, start, self.zone)
                if opening > local:
                    return opening
        return None


def _interval(text: str) -> Interval:
    match = INTERVAL.match(text)
    if not match:
        raise HoursError(f"expected an interval like 09:00-19:00, got {text!r}")
    start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
    if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24 or (end_h == 24 and end_m):
        raise HoursError(f"not a time of day in {text!r}")
    start = time(start_h, start_m)
    end = None if end_h == 24 else time(end_h, end_m)
    if end is not None and end <= start:
        raise HoursError(f"{text!r} ends before it starts (split a night across two days)")
    return start, end


def _days(text: str) -> list[int]:
    found: list[int] = []
    for item in text.split(","):
        first, _, last = item.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise HoursError(f"expected days like mon-fri or sat, got {text!r}")
        a, b = DAYS.index(first), DAYS.index(last or first)
        found += [d % 7 for d in range(a, b + 1 if b >= a else b + 8)]  # sat-mon wraps
    return found


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    # Through UTC and back: an opening in a DST gap lands on the real instant after it.
    naive = datetime.combine(day, at)
    return naive.replace(tzinfo=zone).astimezone(timezone.utc).astimezone(zone)
