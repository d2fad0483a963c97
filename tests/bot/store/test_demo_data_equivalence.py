"""While both exist: the YAML demo data loads exactly the rows the old Python literals did.

Two fresh stores of the same kind, one loaded by the old module and one by the new loader, on
the same load day; every table of the schema must hold the same rows, ids and timestamps
included. The load days cover the calendar edge cases of the privacy requests (1 and 2 January,
a leap day, New Year's Eve). This test goes with the old module once it has passed.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.store import demo_data, demo_data_old
from bot.store.db import create_engine, create_session_factory
from bot.store.models import Base
from tests.conftest import POSTGRES_URL, _pg_execute

LOAD_DAYS = (
    date(2026, 1, 1),
    date(2026, 1, 2),
    date(2026, 1, 3),
    date(2026, 6, 15),
    date(2028, 2, 29),
    date(2030, 12, 31),
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_stores(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    if request.param == "sqlite":
        urls = []
        for name in ("old", "new"):
            shutil.copyfile(sqlite_template, tmp_path / f"{name}.db")
            urls.append(f"sqlite+aiosqlite:///{tmp_path / name}.db")
        yield urls[0], urls[1]
        return
    template = request.getfixturevalue("postgres_template")
    names = [f"concierge_test_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    for name in names:
        asyncio.run(_pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    old, new = (make_url(POSTGRES_URL).set(database=n).render_as_string(False) for n in names)
    yield old, new
    for name in names:
        asyncio.run(_pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def rows_after_loading(database_url: str, load: Any, today: date) -> dict[str, list[Any]]:
    engine = create_engine(database_url)
    try:
        sessions = create_session_factory(engine)
        async with sessions.begin() as session:
            assert await load(session, today=today) is True
        tables: dict[str, list[Any]] = {}
        async with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                query = select(table).order_by(*table.primary_key.columns)
                tables[table.name] = [tuple(row) for row in await connection.execute(query)]
        return tables
    finally:
        await engine.dispose()


@pytest.mark.parametrize("today", LOAD_DAYS, ids=str)
async def test_the_yaml_loads_the_same_rows(two_stores: tuple[str, str], today: date) -> None:
    old_url, new_url = two_stores
    old = await rows_after_loading(old_url, demo_data_old.load_demo_data, today)
    new = await rows_after_loading(new_url, demo_data.load_demo_data, today)
    assert sum(len(rows) for rows in old.values()) > 300
    assert list(new) == list(old)
    for table, rows in old.items():
        assert new[table] == rows, table


def test_the_privacy_request_dates_match_on_every_day_of_three_years() -> None:
    """Their dates follow the calendar year: compare them on every day, leap day included."""
    day = date(2027, 1, 1)
    while day < date(2030, 1, 1):
        old = demo_data_old.privacy_requests(day)
        new = demo_data.DEMO.privacy_requests
        for before, after in zip(old, new, strict=True):
            asked = after.asked_at(day)
            assert before["reference"] == after.reference.replace("{year}", str(asked.year))
            assert before["created_at"] == asked, day
            assert before["due_at"] == after.due.after(asked), day
            assert before["completed_at"] == after.answered_at(day), day
        day += timedelta(days=1)
