"""The schema is migrated at start; a bot restarted on a current database skips Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import PROJECT_ROOT
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import SCHEMA_REVISION, alembic_config, schema_revision, upgrade_database
from bot.db.models import SeizureReport, Unit
from tests.test_report_numbering import officer_at, quick_log


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


async def downgrade_database(engine: AsyncEngine, revision: str) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def crossing_point_names(engine: AsyncEngine) -> dict[str, tuple[int, str, str | None]]:
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            select(Unit.code, Unit.id, Unit.name_ru, Unit.name_ky).where(
                Unit.code.in_(["KAINDA", "TOKMOK", "IRKESHTAM", "CHALDYBAR", "DOSTUK", "BS"])
            )
        )
        return {code: (unit_id, ru, ky) for code, unit_id, ru, ky in rows}


async def test_seeded_crossing_points_are_renamed_in_place_and_back(database_url):
    engine = create_engine(database_url)
    try:
        # Written with today's models, then taken back to 0007 with the rows kept.
        await upgrade_database(engine)
        factory = create_session_factory(engine)
        officer = await officer_at(factory, 1, "KAINDA")
        number = await quick_log(factory, officer)
        await downgrade_database(engine, "0007")
        before = await crossing_point_names(engine)
        assert before["KAINDA"][1:] == ("Кайынды", None)

        await upgrade_database(engine)
        after = await crossing_point_names(engine)
        assert {code: names for code, (_, *names) in after.items()} == {
            "KAINDA": ["Каинды", "Кайыңды"],
            "TOKMOK": ["Токмак", "Токмок"],
            "IRKESHTAM": ["Иркештам", "Эркечтам"],
            "CHALDYBAR": ["Чалдовар", "Чалдыбар"],
            "DOSTUK": ["Достук", None],  # no Kyrgyz name given: none guessed
            "BS": ["Пограничная служба ГКНБ", "УКМКнын Чек ара кызматы"],
        }
        assert {code: ids[0] for code, ids in after.items()} == {
            code: ids[0] for code, ids in before.items()
        }
        async with factory() as session:
            report = await session.scalar(
                select(SeizureReport).where(SeizureReport.number == number)
            )
            unit = await session.get(Unit, report.unit_id)
            assert (unit.code, unit.display_name("ru"), unit.display_name("ky")) == (
                "KAINDA",
                "Каинды",
                "Кайыңды",
            )

        await downgrade_database(engine, "0007")
        assert await crossing_point_names(engine) == before
    finally:
        await engine.dispose()


async def test_a_name_an_administrator_changed_is_left_as_it_is(database_url):
    engine = create_engine(database_url)
    try:
        await upgrade_database(engine, "0007")
        async with create_session_factory(engine).begin() as session:
            # Only the columns a database at 0007 has.
            await session.execute(
                update(Unit)
                .where(Unit.code == "KAINDA")
                .values(name_ru="ЖД КПП Каинды", name_ky="Кайыңды темир жол бекети")
            )
        await upgrade_database(engine)
        names = await crossing_point_names(engine)
        assert names["KAINDA"][1:] == ("ЖД КПП Каинды", "Кайыңды темир жол бекети")
        assert names["TOKMOK"][1:] == ("Токмак", "Токмок")
        await downgrade_database(engine, "0007")
        assert (await crossing_point_names(engine))["KAINDA"][1:] == (
            "ЖД КПП Каинды",
            "Кайыңды темир жол бекети",
        )
    finally:
        await engine.dispose()
