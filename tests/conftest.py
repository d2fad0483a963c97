"""Shared fixtures: real databases (SQLite always, PostgreSQL when the server is there)."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.settings import Settings
from bot.store.db import SessionFactory, create_engine, create_session_factory
from bot.store.migrate import upgrade_to_head
from tests.helpers import POSTGRES_URL, pg_execute, skip_or_fail

pytest_plugins = [
    "tests.fakes.rasa",
    "tests.fakes.smtp",
    "tests.fakes.telegram_api",
    "tests.fakes.x_api",
    "tests.assistant",
]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy, which is much faster."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_to_head(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated once, used as the template of each test's database."""
    name = f"concierge_template_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(pg_execute(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError) as error:
        skip_or_fail(f"PostgreSQL not reachable at {POSTGRES_URL}: {error!r}")
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(url)
    yield name
    asyncio.run(pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "concierge.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def postgres_url(postgres_template: str) -> Iterator[str]:
    name = f"concierge_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[SessionFactory]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


ALWAYS_STAFFED = "mon-sun 00:00-24:00"


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    return Settings(
        database_url=sqlite_url,
        rasa_auth_token="test-rasa-token",
        secret_key="test-secret-key",
        rasa_timeout_seconds=3.0,
        # A Rasa that refuses is down, not starting: the tests of start-up set their own.
        rasa_startup_grace_seconds=0.0,
        # Always staffed, so what a test sees never depends on the wall clock; the tests of
        # out-of-hours wording set their own hours and clock.
        concierge_hours=ALWAYS_STAFFED,
    )


@pytest.fixture
async def demo_sessions(sessions: SessionFactory) -> SessionFactory:
    """A store holding the demo catalogue, customers, orders and repairs."""
    from bot.store.demo_data import load_demo_data

    async with sessions.begin() as session:
        await load_demo_data(session)
    return sessions
