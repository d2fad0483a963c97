"""The migrations build the same schema as the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from bot.store.db import create_engine
from bot.store.models import Base


async def test_migrated_schema_has_every_table_and_column(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            schema = await connection.run_sync(
                lambda sync: {
                    table: {column["name"] for column in inspect(sync).get_columns(table)}
                    for table in inspect(sync).get_table_names()
                }
            )
    finally:
        await engine.dispose()
    for table in Base.metadata.sorted_tables:
        assert table.name in schema, f"migrations do not create {table.name}"
        assert schema[table.name] == {c.name for c in table.columns}, table.name


async def test_models_and_migrations_do_not_drift(database_url: str) -> None:
    """Autogenerate against the migrated database finds nothing left to migrate."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []
