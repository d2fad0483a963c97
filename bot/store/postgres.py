"""Creating a PostgreSQL database when it is missing (`make run-scaled` on a fresh server)."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import make_url

# Every PostgreSQL server has it; CREATE DATABASE must run from some other database.
MAINTENANCE_DATABASE = "postgres"


async def create_database_if_missing(url: str) -> bool:
    """Create the database `url` names (any driver: postgresql+asyncpg://, postgresql://);
    True if it was created, False if it was already there."""
    parsed = make_url(url)
    name = parsed.database
    if not name:
        raise ValueError(f"no database name in {parsed!r}")
    maintenance = parsed.set(drivername="postgresql", database=MAINTENANCE_DATABASE)
    connection = await asyncpg.connect(maintenance.render_as_string(hide_password=False))
    try:
        if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        # An identifier cannot be a query parameter: quote it as PostgreSQL does.
        quoted = '"' + name.replace('"', '""') + '"'
        try:
            await connection.execute(f"CREATE DATABASE {quoted}")
        except asyncpg.DuplicateDatabaseError:
            return False  # created meanwhile by someone else: just as good
        return True
    finally:
        await connection.close()
