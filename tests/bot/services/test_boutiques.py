"""Boutiques by city or state, their hours, and whether they are open now (local time)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.services import boutiques
from bot.store.db import SessionFactory
from bot.store.models import Boutique


@pytest.mark.parametrize(
    ("place", "city"),
    [("Chicago", "Chicago"), ("chicago", "Chicago"), ("NYC", "New York"),
     ("new york", "New York"), ("Las Vegas", "Las Vegas"), ("Texas", "Houston"),
     ("tx", "Houston")],
)  # fmt: skip
async def test_find_by_city_or_state(demo_sessions: SessionFactory, place: str, city: str) -> None:
    async with demo_sessions() as session:
        found = await boutiques.find_boutiques(session, place)
    assert [b.city for b in found] == [city]


async def test_a_state_with_several_boutiques_lists_them_all(demo_sessions: SessionFactory) -> None:
    async with demo_sessions() as session:
        found = await boutiques.find_boutiques(session, "California")
    assert len(found) >= 2 and {b.state for b in found} == {"CA"}


async def test_nowhere_finds_nothing(demo_sessions: SessionFactory) -> None:
    async with demo_sessions() as session:
        assert await boutiques.find_boutiques(session, "Anchorage") == []


async def test_open_now_follows_the_boutiques_own_time_zone(demo_sessions: SessionFactory) -> None:
    async with demo_sessions() as session:
        (chicago,) = await boutiques.find_boutiques(session, "Chicago")
    weekday_open = chicago.opening_hours["wed"]
    assert weekday_open, "the demo Chicago boutique opens on Wednesdays"
    # Wednesday 2026-11-25 at noon in Chicago is 18:00 UTC.
    noon = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)
    night = datetime(2026, 11, 26, 7, 0, tzinfo=timezone.utc)  # 1 am in Chicago
    assert boutiques.is_open(chicago, noon)
    assert boutiques.opening_status(chicago, noon).startswith("Open now")
    assert not boutiques.is_open(chicago, night)
    assert "opens today" in boutiques.opening_status(chicago, night)
    text = boutiques.describe_boutique(chicago, noon)
    assert chicago.phone in text and chicago.address_line in text


@pytest.mark.parametrize(
    ("place", "city"),
    [("New York City", "New York"), ("Brooklyn", "New York"), ("Miami Beach", "Bal Harbour"),
     ("Bal Harbor", "Bal Harbour"), ("Newport Beach", "Costa Mesa")],
)  # fmt: skip
async def test_more_names_people_use(demo_sessions: SessionFactory, place: str, city: str) -> None:
    async with demo_sessions() as session:
        found = await boutiques.find_boutiques(session, place)
    assert [b.city for b in found] == [city]


async def test_where_we_are_comes_from_the_store(demo_sessions: SessionFactory) -> None:
    async with demo_sessions() as session:
        everywhere = await boutiques.all_boutiques(session)
    text = boutiques.where_we_are(everywhere)
    assert text.startswith("California (Beverly Hills, Costa Mesa, San Francisco), Florida")
    assert "New York (New York)" in text and "Texas (Houston)" in text


@pytest.mark.parametrize(
    ("opening_hours", "said"),
    [
        ({"mon": ["10:00", "18:00"], "tue": ["10:00", "18:00"], "wed": ["10:00", "18:00"],
          "thu": ["10:00", "20:00"], "fri": ["10:00", "18:00"], "sat": ["11:00", "17:00"]},
         "Mon–Wed 10:00 am–6:00 pm, Thu 10:00 am–8:00 pm, Fri 10:00 am–6:00 pm, "
         "Sat 11:00 am–5:00 pm, Sun closed"),
        ({day: ["09:30", "12:00"] for day in boutiques.WEEKDAYS}, "Mon–Sun 9:30 am–12:00 pm"),
        ({}, "Mon–Sun closed"),
    ],
)  # fmt: skip
def test_weekly_hours_join_days_in_a_row_with_the_same_hours(
    opening_hours: dict[str, list[str]], said: str
) -> None:
    assert boutiques.weekly_hours(Boutique(opening_hours=opening_hours)) == said
