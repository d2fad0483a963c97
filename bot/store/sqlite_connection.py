"""aiosqlite connections that run each statement in one trip to their thread, not four.

aiosqlite runs every sqlite3 call on a thread of its own and SQLAlchemy's aiosqlite dialect
makes four such calls per statement (open a cursor, execute, fetch the rows, close the
cursor). Each trip hands the GIL over twice and wakes the event loop through its self-pipe;
measured on a customer's turn in the gateway (about a dozen statements), the trips were most
of the gateway's CPU: 9.3 ms a turn. Here the cursor is a plain object on the event loop's
side and its `execute` does all four steps in the one trip, keeping the rows; fetching and
closing then need no trip at all. Everything else (the thread, transactions, the busy
timeout, errors) is aiosqlite's own.

Used for every SQLite engine (bot/store/db.py); PostgreSQL's asyncpg has no such threads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

import aiosqlite

SQLITE_ITER_CHUNK_SIZE = 64  # aiosqlite's default


class SingleTripCursor:
    """The subset of aiosqlite's Cursor that SQLAlchemy's dialect uses, one trip per call."""

    def __init__(self, connection: SingleTripConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.lastrowid: int | None = None
        self.rowcount = -1
        self.arraysize = 1

    async def execute(self, sql: str, parameters: Any = None) -> SingleTripCursor:
        await self._connection.run_in_thread(self._execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> SingleTripCursor:
        await self._connection.run_in_thread(self._executemany, sql, parameters)
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        size = size or self.arraysize
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def close(self) -> None:
        self._rows = []

    # Run on aiosqlite's thread.

    def _execute(self, sql: str, parameters: Any) -> None:
        cursor = self._connection.sqlite.cursor()
        try:
            cursor.execute(sql) if parameters is None else cursor.execute(sql, parameters)
            self._keep(cursor, cursor.fetchall() if cursor.description else [])
        finally:
            cursor.close()

    def _executemany(self, sql: str, parameters: Iterable[Any]) -> None:
        cursor = self._connection.sqlite.cursor()
        try:
            cursor.executemany(sql, parameters)
            self._keep(cursor, [])
        finally:
            cursor.close()

    def _keep(self, cursor: sqlite3.Cursor, rows: list[Any]) -> None:
        self._rows = rows
        self.description = cursor.description
        self.lastrowid = cursor.lastrowid
        self.rowcount = cursor.rowcount


class SingleTripConnection(aiosqlite.Connection):
    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        # As SQLAlchemy's dialect does for the connections it makes itself: a connection
        # nobody closed must not keep the process alive at exit.
        self._thread.daemon = True

    async def cursor(self) -> SingleTripCursor:  # type: ignore[override]
        return SingleTripCursor(self)

    @property
    def sqlite(self) -> sqlite3.Connection:
        return self._conn

    async def run_in_thread(self, function: Callable[..., Any], *args: Any) -> Any:
        return await self._execute(function, *args)  # type: ignore[no-untyped-call]


def single_trip_connector(database: str, **kwargs: Any) -> Callable[[], SingleTripConnection]:
    """An `async_creator` for SQLAlchemy: connects to `database` with sqlite3's `kwargs`."""

    def connect() -> SingleTripConnection:
        return SingleTripConnection(
            lambda: sqlite3.connect(database, **kwargs), SQLITE_ITER_CHUNK_SIZE
        )

    return connect
