"""When the human concierge answers, and what the customer is told at a handoff.

CONCIERGE_HOURS is a weekly schedule (bot/weekly_hours.py) in the concierge's own time zone
(CONCIERGE_TIMEZONE); an empty schedule means never staffed.

Everything here is pure (no store, no clock of its own): the gateway and the Rasa action
that hands off both call `handoff_message(settings, now)`, so the customer reads the same
words whoever hands the conversation over.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.settings import Settings
from bot.weekly_hours import WeeklyHours

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

INSIDE_HOURS = (
    "A member of our concierge will join this conversation shortly; they will answer right here."
)


@lru_cache(maxsize=8)
def _parsed(spec: str, zone_name: str) -> WeeklyHours:
    return WeeklyHours.parse(spec, zone_name)


def hours(settings: Settings) -> WeeklyHours:
    """The concierge's schedule from the settings (parsed once per distinct value)."""
    return _parsed(settings.concierge_hours, settings.concierge_timezone)


def handoff_message(settings: Settings, now: datetime) -> str:
    """What the customer is told when a person takes over from the assistant."""
    schedule = hours(settings)
    if schedule.is_open(now):
        return INSIDE_HOURS
    contacts = (
        f"If you would rather not wait, call {settings.concierge_phone} "
        f"or write to {settings.concierge_email}."
    )
    opening = schedule.next_opening(now)
    if opening is None:
        return f"Our concierge cannot join this conversation live. {contacts}"
    return (
        "Our concierge is away just now. A member of the team will answer you right here "
        f"{describe_opening(opening, now, schedule.zone)}. {contacts}"
    )


def describe_opening(opening: datetime, now: datetime, zone: ZoneInfo) -> str:
    """ "today at 9:00 am EDT (New York time)", "tomorrow at …", "on Monday, June 2 at …"."""
    ahead = (opening.date() - now.astimezone(zone).date()).days
    if ahead == 0:
        day = "today"
    elif ahead == 1:
        day = "tomorrow"
    else:
        day = f"on {DAY_NAMES[opening.weekday()]}, {opening:%B} {opening.day}"
    suffix = "am" if opening.hour < 12 else "pm"
    clock = f"{(opening.hour % 12) or 12}:{opening.minute:02d} {suffix}"
    city = zone.key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{day} at {clock} {opening:%Z} ({city} time)"
