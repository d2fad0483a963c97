"""SQLite through the single-trip cursor behaves as SQLAlchemy's own aiosqlite dialect does."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.db import create_engine
from bot.store.sqlite_connection import SingleTripConnection


async def test_rows_ids_counts_and_errors_come_back_as_from_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    try:
        async with engine.begin() as connection:
            raw = await connection.get_raw_connection()
            assert isinstance(raw.driver_connection, SingleTripConnection)
            await connection.execute(
                text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE)")
            )
            inserted = await connection.execute(
                text("INSERT INTO notes (body) VALUES (:body)"), {"body": "first"}
            )
            assert inserted.lastrowid == 1
            many = await connection.execute(
                text("INSERT INTO notes (body) VALUES (:body)"),
                [{"body": "second"}, {"body": "third"}],
            )
            assert many.rowcount == 2
            returned = await connection.execute(
                text("INSERT INTO notes (body) VALUES ('fourth') RETURNING id, body")
            )
            assert returned.all() == [(4, "fourth")]
            updated = await connection.execute(text("UPDATE notes SET body = body || '!'"))
            assert updated.rowcount == 4
            rows = await connection.execute(text("SELECT body FROM notes ORDER BY id"))
            assert rows.fetchone() == ("first!",)
            assert rows.fetchmany(2) == [("second!",), ("third!",)]
            assert rows.fetchall() == [("fourth!",)]
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO notes (body) VALUES ('first!')"))
        with pytest.raises(OperationalError, match="no such table"):
            async with engine.begin() as connection:
                await connection.execute(text("SELECT * FROM missing"))
        async with engine.connect() as connection:  # the failed ones changed nothing
            count = await connection.scalar(text("SELECT count(*) FROM notes"))
            assert count == 4
    finally:
        await engine.dispose()


async def test_a_writer_waits_for_another_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    first = create_engine(f"sqlite+aiosqlite:///{path}")
    second = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with first.begin() as connection:
            await connection.execute(text("CREATE TABLE counter (n INTEGER)"))
            await connection.execute(text("INSERT INTO counter VALUES (0)"))

        async def bump(engine: AsyncEngine, times: int) -> None:
            for _ in range(times):
                async with engine.begin() as connection:
                    await connection.execute(text("UPDATE counter SET n = n + 1"))

        await asyncio.gather(bump(first, 50), bump(second, 50))
        async with first.connect() as connection:
            assert await connection.scalar(text("SELECT n FROM counter")) == 100
    finally:
        await first.dispose()
        await second.dispose()
