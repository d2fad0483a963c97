"""Dates in the demo data, written relative to the day the data is loaded. Times are UTC.

No date in bot/store/demo/*.yml is absolute, so that right after loading a shipment was always
"shipped 2 days ago" and an estimated delivery always lies ahead:

- `+3d`, `-48d` (a Day): 3 days after, 48 days before the load day.
- `-52d 15:05` (a Moment): 52 days before the load day, at 15:05.

Privacy requests follow the calendar year as well (California allows one 1798.83 request a
year), so when one was asked (an Asked) is a Moment or one of
- `last year 05-06 17:30`: 6 May of the year before the load day's, at 17:30;
- `earlier this year 16:40`: a third of the way from 1 January to the load day, at 16:40; on
  1 and 2 January, with no earlier day of the year to use, midnight on 1 January;
and when it was due or answered (a Later) counts from when it was asked:
- `+30d`: 30 days later at the same time; `+11d 18:05`: 11 days later, at 18:05.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

_DAYS = r"([+-]\d+)d"
_TIME = r"(\d\d:\d\d)"


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))  # ValueError past 23:59


def _moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Day:
    days: int

    @classmethod
    def parse(cls, text: str) -> Day:
        match = re.fullmatch(_DAYS, text)
        if not match:
            raise ValueError(f"{text!r} is not a day such as +3d or -48d")
        return cls(int(match[1]))

    def on(self, today: date) -> date:
        return today + timedelta(days=self.days)


@dataclass(frozen=True)
class Moment:
    days: int
    at: time

    @classmethod
    def parse(cls, text: str) -> Moment:
        match = re.fullmatch(f"{_DAYS} {_TIME}", text)
        if not match:
            raise ValueError(f"{text!r} is not a moment such as -52d 15:05")
        return cls(int(match[1]), _time(match[2]))

    def on(self, today: date) -> datetime:
        return _moment(today + timedelta(days=self.days), self.at)


@dataclass(frozen=True)
class Asked:
    """A Moment, `last year MM-DD HH:MM` or `earlier this year HH:MM`."""

    at: time
    moment: Moment | None = None
    last_year_on: tuple[int, int] | None = None  # (month, day)

    @classmethod
    def parse(cls, text: str) -> Asked:
        if match := re.fullmatch(rf"last year (\d\d)-(\d\d) {_TIME}", text):
            month, day = int(match[1]), int(match[2])
            date(2001, month, day)  # ValueError if some years lack that day
            return cls(_time(match[3]), last_year_on=(month, day))
        if match := re.fullmatch(f"earlier this year {_TIME}", text):
            return cls(_time(match[1]))
        try:
            moment = Moment.parse(text)
        except ValueError:
            raise ValueError(
                f"{text!r} is not -10d 15:20, last year 05-06 17:30 or earlier this year 16:40"
            ) from None
        return cls(moment.at, moment=moment)

    def at_new_year(self, today: date) -> bool:
        """True when `earlier this year` falls back to midnight on 1 January."""
        is_earlier_this_year = self.moment is None and self.last_year_on is None
        return is_earlier_this_year and (today - date(today.year, 1, 1)).days < 2

    def on(self, today: date) -> datetime:
        if self.moment is not None:
            return self.moment.on(today)
        if self.last_year_on is not None:
            return _moment(date(today.year - 1, *self.last_year_on), self.at)
        new_year = date(today.year, 1, 1)
        if self.at_new_year(today):
            return _moment(new_year, time(0, 0))
        return _moment(new_year + timedelta(days=(today - new_year).days // 3), self.at)


@dataclass(frozen=True)
class Later:
    """`+30d` (at the same time) or `+11d 18:05`, counted from an earlier moment."""

    days: int
    at: time | None = None

    @classmethod
    def parse(cls, text: str) -> Later:
        match = re.fullmatch(rf"\+(\d+)d(?: {_TIME})?", text)
        if not match:
            raise ValueError(f"{text!r} is not a delay such as +30d or +11d 18:05")
        return cls(int(match[1]), _time(match[2]) if match[2] else None)

    def after(self, start: datetime, not_after: date | None = None) -> datetime:
        day = start.date() + timedelta(days=self.days)
        if not_after is not None:
            day = min(day, not_after)
        return _moment(day, start.time() if self.at is None else self.at)
