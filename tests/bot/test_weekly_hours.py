"""The weekly schedule language (CONCIERGE_HOURS): what it reads, and what it refuses."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest

from bot.weekly_hours import HoursError, WeeklyHours


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_the_schedule_language() -> None:
    parsed = WeeklyHours.parse(
        "mon,wed 08:00-12:00,13:00-17:30; sat-mon 10:00-24:00", "Europe/Paris"
    )
    monday, tuesday, wednesday, _, _, saturday, sunday = parsed.week
    assert monday == ((time(8), time(12)), (time(10), None), (time(13), time(17, 30)))
    assert tuesday == ()
    assert wednesday == ((time(8), time(12)), (time(13), time(17, 30)))
    assert saturday == sunday == ((time(10), None),)
    assert parsed.is_open(utc("2026-06-07 21:59"))  # Sunday 23:59 in Paris: until midnight
    assert not parsed.is_open(utc("2026-06-02 08:00"))  # Tuesday


@pytest.mark.parametrize(
    ("spec", "zone"),
    [
        ("mon-fri 9-17", "America/New_York"),
        ("someday 09:00-17:00", "America/New_York"),
        ("mon 19:00-09:00", "America/New_York"),
        ("mon 25:00-26:00", "America/New_York"),
        ("mon 09:00-24:30", "America/New_York"),
        ("mon 09:00-17:00", "Mars/Olympus_Mons"),
    ],
)
def test_malformed_schedules_are_refused(spec: str, zone: str) -> None:
    with pytest.raises(HoursError):
        WeeklyHours.parse(spec, zone)
