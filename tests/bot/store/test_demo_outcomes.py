"""The demo outcomes: four weeks from the recipe, loaded once, and a report reads them."""

from __future__ import annotations

from datetime import date, timedelta

from bot.services import outcomes
from bot.services.outcomes import Period
from bot.store.db import SessionFactory
from bot.store.demo_outcomes import WEEKDAYS, load_demo_outcomes, read_recipe

NY = "America/New_York"
TODAY = date(2026, 3, 2)


async def test_four_weeks_of_outcomes_load_once_and_are_reported(sessions: SessionFactory) -> None:
    recipe = read_recipe()
    expected = recipe["weeks"] * sum(recipe["per_weekday"][day] for day in WEEKDAYS)
    async with sessions.begin() as session:
        assert await load_demo_outcomes(session, TODAY, NY) == expected
    async with sessions.begin() as session:
        assert await load_demo_outcomes(session, TODAY, NY) == 0  # once
    period = Period(TODAY - timedelta(days=28), TODAY - timedelta(days=1), NY)
    async with sessions() as session:
        report = await outcomes.report(session, period)
    assert report.conversations == expected
    assert report.resolution_rate is not None and 0.5 < report.resolution_rate < 0.85
    assert report.frt_median is not None and report.handoffs_by_reason and report.topics
    assert report.not_understood
    assert [day.day for day in report.daily] == period.days()
