"""Backups: a database with filed reports and their photos goes into one archive while the bot
runs, comes back into a fresh database (SQLite, or PostgreSQL through pg_dump and pg_restore),
and there the audit chain, the photos and every report's digest still verify."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import ReportRevision
from bot.services.reports import canonical_digest
from tests.conftest import RunningBot
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_cli import cli
from tests.test_evidence import quick_log_with_photo


async def revision_digests(database_url: str) -> dict[tuple[int, int], str]:
    """Each report revision's digest, after checking it against the revision's content."""
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            revisions = list(await session.scalars(select(ReportRevision)))
    finally:
        await engine.dispose()
    assert all(canonical_digest(revision.content) == revision.digest for revision in revisions)
    return {(revision.report_id, revision.revision): revision.digest for revision in revisions}


@asynccontextmanager
async def fresh_database_like(database_url: str, tmp_path: Path):
    """A new, empty database of the same kind: a SQLite file, or a PostgreSQL database created
    beside the test's and dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
        return
    url = make_url(database_url)
    name = f"restored_{uuid.uuid4().hex[:12]}"
    server = url.set(drivername="postgresql", database="postgres")
    admin = await asyncpg.connect(server.render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_a_backup_restores_into_a_fresh_database_that_verifies(
    running_bot: RunningBot, telegram, database_url, tmp_path
):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await quick_log_with_photo(officer, "en")
    await quick_log_with_photo(officer, "en")
    media_dir = str(running_bot.settings.media_dir)
    archive = tmp_path / "backups" / "nightly.tar.gz"

    # In a thread: the bot runs on this event loop and goes on while the command works.
    made = await asyncio.to_thread(
        cli, database_url, "backup", "--out", str(archive), media_dir=media_dir
    )
    assert made.returncode == 0, made.stderr
    assert f"wrote {archive}" in made.stdout and "2 photo(s)" in made.stdout
    original = await revision_digests(database_url)
    assert len(original) == 2

    restored_media = str(tmp_path / "restored-media")
    async with fresh_database_like(database_url, tmp_path) as restored_url:
        loaded = await asyncio.to_thread(
            cli, restored_url, "restore", str(archive), media_dir=restored_media
        )
        assert loaded.returncode == 0, loaded.stderr
        assert "2 photo(s)" in loaded.stdout

        verified = await asyncio.to_thread(
            cli, restored_url, "audit", "verify", media_dir=restored_media
        )
        assert verified.returncode == 0, verified.stderr
        assert "audit chain intact" in verified.stdout
        assert "evidence photos intact: 2" in verified.stdout
        assert await revision_digests(restored_url) == original

        # Never over a database in use: the restored one now holds data.
        again = await asyncio.to_thread(
            cli, restored_url, "restore", str(archive), media_dir=restored_media
        )
        assert again.returncode == 1 and "restore into a new" in again.stderr


def test_what_is_not_a_backup_is_refused_with_a_reason(tmp_path):
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_text("shopping list")
    database = f"sqlite:///{tmp_path / 'fresh.db'}"

    refused = cli(database, "restore", str(not_a_backup))
    assert refused.returncode == 1 and "is not a backup" in refused.stderr
    missing = cli(database, "restore", str(tmp_path / "nowhere.tar.gz"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert not (tmp_path / "fresh.db").exists()


def test_without_the_postgresql_client_tools_the_backup_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump there
    refused = cli("postgresql://postgres@127.0.0.1:5432/seizure", "backup", "--out", "b.tar.gz")
    assert refused.returncode == 1
    assert "pg_dump not found" in refused.stderr and "postgresql-client" in refused.stderr
