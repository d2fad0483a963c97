"""Concierge hours: open or not, the next opening, and what the customer is told at a handoff."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from bot.services.concierge_hours import INSIDE_HOURS, handoff_message, hours
from bot.settings import Settings

SETTINGS = Settings()  # mon-fri 09:00-19:00; sat 10:00-18:00, America/New_York
NY = hours(SETTINGS)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        ("2026-06-01 13:00", True),  # Monday 09:00 EDT: opening minute
        ("2026-06-01 12:59", False),  # Monday 08:59
        ("2026-06-01 22:59", True),  # Monday 18:59
        ("2026-06-01 23:00", False),  # Monday 19:00: closing is exclusive
        ("2026-06-06 21:59", True),  # Saturday 17:59
        ("2026-06-06 22:00", False),  # Saturday 18:00
        ("2026-06-07 16:00", False),  # Sunday
        ("2026-01-05 14:00", True),  # Monday 09:00 EST (winter: UTC-5)
        ("2026-01-05 13:30", False),  # Monday 08:30 EST, though 09:30 by summer time
    ],
)
def test_is_open_in_the_concierges_own_time_zone(at: str, open_: bool) -> None:
    assert NY.is_open(utc(at)) is open_


@pytest.mark.parametrize(
    ("at", "opening"),
    [
        ("2026-06-01 11:00", "2026-06-01 09:00-04:00"),  # Monday before hours: today
        ("2026-06-05 23:45", "2026-06-06 10:00-04:00"),  # Friday night: Saturday 10:00
        ("2026-06-06 22:30", "2026-06-08 09:00-04:00"),  # Saturday evening: Monday
        ("2026-03-07 23:30", "2026-03-09 09:00-04:00"),  # across the switch to summer time
        ("2026-06-01 14:00", "2026-06-01 10:00-04:00"),  # inside hours: now
    ],
)
def test_next_opening(at: str, opening: str) -> None:
    found = NY.next_opening(utc(at))
    assert found is not None
    assert found == datetime.fromisoformat(opening)
    assert found.tzinfo is not None and str(found.tzinfo) == "America/New_York"


def test_inside_hours_the_customer_is_told_a_person_joins_here() -> None:
    assert handoff_message(SETTINGS, utc("2026-06-01 14:00")) == INSIDE_HOURS


@pytest.mark.parametrize(
    ("at", "when"),
    [
        ("2026-06-01 11:00", "today at 9:00 am EDT (New York time)"),
        ("2026-06-05 23:45", "tomorrow at 10:00 am EDT (New York time)"),
        ("2026-06-06 22:30", "on Monday, June 8 at 9:00 am EDT (New York time)"),
        ("2026-03-07 23:30", "on Monday, March 9 at 9:00 am EDT (New York time)"),
        ("2026-01-03 23:30", "on Monday, January 5 at 9:00 am EST (New York time)"),
    ],
)
def test_outside_hours_the_customer_is_told_when_and_how_else(at: str, when: str) -> None:
    text = handoff_message(SETTINGS, utc(at))
    assert f"answer you right here {when}." in text
    assert SETTINGS.concierge_phone in text and SETTINGS.concierge_email in text


def test_a_schedule_that_is_never_open_gives_only_the_contacts() -> None:
    never = replace(SETTINGS, concierge_hours="")
    text = handoff_message(never, utc("2026-06-01 14:00"))
    assert "right here" not in text
    assert SETTINGS.concierge_phone in text and SETTINGS.concierge_email in text
