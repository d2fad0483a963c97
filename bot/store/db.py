"""Engines and sessions. Built by whoever owns the process lifecycle, never at import time."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
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


async def check_database(database_url: str, timeout: float = 10.0) -> None:
    """Fail with a clear SettingsError unless DATABASE_URL names a migrated database that
    answers. Called before a gateway starts: a typo in the path or an unreachable server must
    stop it, not give it an empty SQLite file created on the spot or a bare 500 per request."""
    from bot.settings import SettingsError

    url = make_url(database_url)
    shown = url.render_as_string(hide_password=True)
    on_disk = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if on_disk and not await asyncio.to_thread(Path(str(url.database)).is_file):
        raise SettingsError(
            f"DATABASE_URL={shown}: there is no database at {url.database}; fix the path, "
            "or create it with `python -m bot migrate`"
        )
    engine = create_engine(database_url)

    async def migrated() -> bool:
        async with engine.connect() as connection:
            version = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return version.first() is not None

    try:
        if not await asyncio.wait_for(migrated(), timeout):
            raise SettingsError(f"DATABASE_URL={shown}: not migrated (`python -m bot migrate`)")
    except SettingsError:
        raise
    except asyncio.TimeoutError as error:
        raise SettingsError(f"DATABASE_URL={shown}: no answer in {timeout:g} s") from error
    except (OSError, DBAPIError) as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
        if "alembic_version" in reason:
            reason = "not migrated (`python -m bot migrate`)"
        raise SettingsError(f"DATABASE_URL={shown}: cannot use it: {reason}") from error
    finally:
        await engine.dispose()
