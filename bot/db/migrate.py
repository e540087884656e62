"""Apply Alembic migrations programmatically (at start, from the CLI and in tests)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration's revision (tests/test_migrations.py holds it to Alembic's head). A bot
# restarted on a database already there does not load Alembic, 11 MB it would keep for nothing.
SCHEMA_REVISION = "0016"
VERSION_TABLE = "alembic_version"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def schema_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at; None before the first migration."""

    def read(connection: Connection) -> str | None:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def upgrade_database(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema of the engine's database up to `revision`."""
    if revision == "head" and await schema_revision(engine) == SCHEMA_REVISION:
        return

    def run(connection: Connection) -> None:
        from alembic import command

        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)
