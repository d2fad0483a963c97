"""Demo dates are relative to the day the data is loaded, and stay sensible on any day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from bot.store.demo_data import DEMO
from bot.store.models import PrivacyRequestKind

CALIFORNIA_1798_83 = PrivacyRequestKind.CALIFORNIA_1798_83


def test_privacy_requests_are_dated_sensibly_whatever_the_day() -> None:
    """Their dates follow the calendar year, so try the days where that could go wrong."""
    days = (date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3), date(2028, 2, 29))
    for today in (*days, date(2026, 11, 24), date(2030, 12, 31)):
        end_of_yesterday = datetime.combine(today, time(0, 0), tzinfo=timezone.utc)
        for request in DEMO.privacy_requests:
            asked, answered = request.asked_at(today), request.answered_at(today)
            assert asked <= end_of_yesterday, (today, request.email)
            assert asked < request.due.after(asked), (today, request.email)
            if answered is not None:
                assert asked <= answered <= end_of_yesterday + timedelta(days=1), today
        california = [r for r in DEMO.privacy_requests if r.kind is CALIFORNIA_1798_83]
        years = sorted(request.asked_at(today).year for request in california)
        assert years == [today.year - 1, today.year], today
