"""The schema is migrated at start; a bot restarted on a current database skips Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from bot import PROJECT_ROOT
from bot.db.engine import create_engine
from bot.db.migrate import SCHEMA_REVISION, alembic_config, schema_revision, upgrade_database


def test_the_schema_revision_is_alembics_newest_migration() -> None:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head == SCHEMA_REVISION


async def test_a_database_behind_is_brought_to_the_newest_revision(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        assert await schema_revision(engine) is None
        await upgrade_database(engine, "0005")
        assert await schema_revision(engine) == "0005"
        await upgrade_database(engine)
        assert await schema_revision(engine) == SCHEMA_REVISION
    finally:
        await engine.dispose()


def test_a_restart_on_a_current_database_does_not_load_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'current.db'}"
    script = (
        "import asyncio, sys\n"
        "from bot.db.engine import create_engine\n"
        "from bot.db.migrate import upgrade_database\n"
        "async def start():\n"
        f"    engine = create_engine({url!r})\n"
        "    await upgrade_database(engine)\n"
        "    await engine.dispose()\n"
        "asyncio.run(start())\n"
        "print('alembic' in sys.modules)\n"
    )

    def start_once() -> str:
        finished = subprocess.run(
            [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
        )
        assert finished.returncode == 0, finished.stderr
        return finished.stdout.strip()

    assert start_once() == "True"  # a new database: migrated
    assert start_once() == "False"  # the same database again: nothing to do
