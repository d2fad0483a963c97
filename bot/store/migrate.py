"""Run the Alembic migrations programmatically (the CLI, `make run` and the tests use this)."""

from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from bot.settings import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


class _AppliedCounter(logging.Handler):
    """Counts Alembic's "Running upgrade a -> b" records: how many migrations ran."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.applied = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Running upgrade"):
            self.applied += 1


def upgrade_to_head(database_url: str) -> int:
    """Migrate the database to the newest revision; how many migrations that took. Synchronous:
    call it outside an event loop (or through asyncio.to_thread), because the migration
    environment runs its own loop."""
    logger = logging.getLogger("alembic.runtime.migration")
    counter, level = _AppliedCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)
    try:
        command.upgrade(alembic_config(database_url), "head")
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
    return counter.applied


def describe_database(database_url: str) -> str:
    """Where the store is, without its password: var/concierge.db, or postgresql host/db."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = PROJECT_ROOT / (url.database or "")
        inside = path.resolve().is_relative_to(PROJECT_ROOT)
        return str(path.resolve().relative_to(PROJECT_ROOT)) if inside else str(path)
    return f"{url.get_backend_name()} {url.host or 'localhost'}/{url.database}"
