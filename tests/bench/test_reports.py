"""The reports benchmark's generated store reads back as the report it times.
(The timings themselves come from `make bench-reports`.)"""

from __future__ import annotations

from bench.reports import measure


async def test_the_generated_store_is_reported_whole(sqlite_url: str) -> None:
    results = await measure(sqlite_url, 300, 10, "America/New_York")
    counts = {label: conversations for label, conversations, _ in results}
    assert 0 < counts["last 7 days"] < counts["all 10 days"] <= 300
    assert 0 < counts["all 10 days, web chat"] < counts["all 10 days"]
