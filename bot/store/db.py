"""Engines and sessions. Built by whoever owns the process lifecycle, never at import time."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.store.sqlite_connection import single_trip_connector

SessionFactory = async_sessionmaker[AsyncSession]

# aiosqlite logs every statement with its parameters at DEBUG: customers' messages, e-mail
# addresses, one-time codes. It stays at INFO whatever level the process logs at.
QUIET_DRIVER_LOGGERS = ("aiosqlite",)


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for DATABASE_URL, with SQLite tuned for several processes at once.

    Statement parameters are never written into logs or error messages (hide_parameters):
    they hold what customers typed."""
    for name in QUIET_DRIVER_LOGGERS:
        driver_logger = logging.getLogger(name)
        if driver_logger.level < logging.INFO:  # NOTSET too: it would follow the root
            driver_logger.setLevel(logging.INFO)
    kwargs.setdefault("hide_parameters", True)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # The gateway and the action server write to the same file: wait for the lock
        # instead of failing, and let readers run beside the writer (WAL).
        connect_args = {"timeout": 30, **kwargs.pop("connect_args", {})}
        database, sqlite_args = _sqlite_connect_args(url, connect_args)
        # Each statement in one trip to aiosqlite's thread (bot/store/sqlite_connection.py).
        kwargs["async_creator"] = single_trip_connector(database, **sqlite_args)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _sqlite_connect_args(url: URL, connect_args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """What SQLAlchemy's own aiosqlite dialect would pass to sqlite3.connect for `url`."""
    arguments, options = SQLiteDialect_aiosqlite().create_connect_args(url)
    return str(arguments[0]), {**options, **connect_args}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)
