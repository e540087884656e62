"""The database benchmarks run on: PostgreSQL when BENCH_DATABASE_URL is set, else SQLite."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from benchmarks.updates import BOT_TOKEN
from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.migrate import upgrade_database


def database_url(workdir: Path, name: str = "bench.db") -> str:
    """BENCH_DATABASE_URL (its schema is wiped by `reset_database`), else a new SQLite file."""
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / name}"
    return bench_settings(url).database_url


def database_kind(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def bench_settings(url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": BOT_TOKEN,
        "database_url": url,
        "default_language": "en",
        "log_level": "WARNING",
        # A digest falling due mid-run would be work no officer asked for.
        "digest_time": None,
        **overrides,
    }
    return Settings(_env_file=None, **values)


async def reset_database(url: str) -> None:
    """Start from an empty schema, so every run measures the same amount of data."""
    if database_kind(url) == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.split("///", 1)[1] + suffix).unlink(missing_ok=True)  # noqa: ASYNC240
        return
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def _reset_and_migrate(url: str) -> None:
    await reset_database(url)
    engine = create_engine(url)
    try:
        await upgrade_database(engine)
    finally:
        await engine.dispose()


def migrate_in_child_process(url: str) -> None:
    """An empty schema, migrated by a process of its own, as a deployment does before the bot
    restarts: the process measured then starts on a current database, as in production."""
    subprocess.run([sys.executable, "-m", "benchmarks.database", url], check=True)


if __name__ == "__main__":
    asyncio.run(_reset_and_migrate(sys.argv[1]))
