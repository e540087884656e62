"""`python -m bot backup` and `python -m bot restore`: the database and the evidence photos in one
archive, and back into a fresh database.

The archive is a tar file: `manifest.json`, the database (SQLite copied through its online backup
API, consistent while the bot writes; PostgreSQL as `pg_dump --format=custom`), and `media/`, the
photos of MEDIA_DIR (a report's digest covers their hashes, so a restore without them would fail
`audit verify`). A restore goes only into an empty database, never over one in use.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# The media store writes a photo aside under this prefix and renames it when complete.
INCOMPLETE_PHOTO_PREFIX = ".incoming-"
# A dump restored under another role or on another server: owners and grants are not carried.
PORTABLE = ("--no-owner", "--no-privileges")


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Archived:
    database: str
    photos: int
    created_at: str


def _kind(url: URL) -> str:
    return url.get_backend_name()


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("DATABASE_URL names no SQLite file")
    return Path(url.database).expanduser()


def _postgresql_tool(name: str, url: URL) -> tuple[list[str], dict[str, str]]:
    """The client tool's command line and environment: the password goes in the environment,
    where other users of the machine cannot read it (a command line they can)."""
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools of the server's version "
            "(Debian/Ubuntu: apt install postgresql-client)"
        )
    arguments = [tool]
    for option, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            arguments.append(f"{option}={value}")
    environment = {**os.environ, "PGPASSWORD": url.password} if url.password else dict(os.environ)
    return arguments, environment


def _run(arguments: list[str], environment: dict[str, str]) -> None:
    done = subprocess.run(arguments, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(arguments[0]).name} failed: {done.stderr.strip()}")


def _dump_database(url: URL, destination: Path) -> None:
    if _kind(url) == "sqlite":
        source_path = _sqlite_path(url)
        if not source_path.exists():
            raise BackupError(f"{source_path} does not exist: nothing to back up")
        with sqlite3.connect(source_path) as source, sqlite3.connect(destination) as copy:
            source.backup(copy)
        return
    arguments, environment = _postgresql_tool("pg_dump", url)
    arguments += [*PORTABLE, "--format=custom", f"--file={destination}", url.database or ""]
    _run(arguments, environment)


def backup(database_url: str, media_dir: Path, out: Path) -> Archived:
    """Write the archive to `out` (whole or not at all)."""
    url = make_url(database_url)
    kind = _kind(url)
    photos = sorted(
        path
        for path in media_dir.glob("*/*")
        if path.is_file() and not path.name.startswith(INCOMPLETE_PHOTO_PREFIX)
    )
    archived = Archived(kind, len(photos), datetime.now(UTC).isoformat(timespec="seconds"))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="seizure-backup-") as work:
        dump = Path(work) / DATABASE_MEMBERS[kind]
        _dump_database(url, dump)
        manifest = Path(work) / MANIFEST
        manifest.write_text(json.dumps({"format": ARCHIVE_FORMAT, **archived.__dict__}))
        partial = out.with_name(f".{out.name}.partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest, MANIFEST)
            archive.add(dump, dump.name)
            for photo in photos:
                archive.add(photo, f"{MEDIA}/{photo.relative_to(media_dir).as_posix()}")
        os.replace(partial, out)
    return archived


def _read_manifest(archive: tarfile.TarFile) -> Archived:
    try:
        member = archive.extractfile(MANIFEST)
        manifest = json.loads(member.read()) if member else None
    except (KeyError, json.JSONDecodeError):
        manifest = None
    if not manifest or manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError("not a backup made by `python -m bot backup`")
    return Archived(manifest["database"], manifest["photos"], manifest["created_at"])


def _ensure_empty(url: URL) -> None:
    """A restore never writes over a database: only into a new SQLite file or an empty
    PostgreSQL database."""
    if _kind(url) == "sqlite":
        target = _sqlite_path(url)
        if target.exists() and target.stat().st_size > 0:
            raise BackupError(f"{target} exists: restore into a new file (set DATABASE_URL)")
        return
    arguments, environment = _postgresql_tool("psql", url)
    query = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    done = subprocess.run(
        [*arguments, "--no-psqlrc", "--tuples-only", "--command", query, url.database or ""],
        env=environment,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"psql failed: {done.stderr.strip()}")
    if int(done.stdout.strip() or 0):
        raise BackupError(
            f"database {url.database} is not empty: restore into a new one "
            f"(createdb NAME, then set DATABASE_URL to it)"
        )


def _load_database(url: URL, dump: Path) -> None:
    if _kind(url) == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(dump) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return
    arguments, environment = _postgresql_tool("pg_restore", url)
    arguments += [*PORTABLE, "--exit-on-error", f"--dbname={url.database}", str(dump)]
    _run(arguments, environment)


def restore(archive_path: Path, database_url: str, media_dir: Path) -> Archived:
    """Load the archive's database into the empty one of `database_url`, and its photos into
    `media_dir` (a photo already there is the same photo: it is named by its content)."""
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} does not exist")
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            return _restore_from(archive, make_url(database_url), media_dir)
    except tarfile.ReadError as error:
        raise BackupError(f"{archive_path} is not a backup ({error})") from None


def _restore_from(archive: tarfile.TarFile, url: URL, media_dir: Path) -> Archived:
    archived = _read_manifest(archive)
    if archived.database != _kind(url):
        raise BackupError(
            f"the backup is of a {archived.database} database and DATABASE_URL names a "
            f"{_kind(url)} one: restore into a {archived.database} database"
        )
    _ensure_empty(url)
    with tempfile.TemporaryDirectory(prefix="seizure-restore-") as work:
        name = DATABASE_MEMBERS[archived.database]
        archive.extract(name, work, filter="data")
        _load_database(url, Path(work) / name)
    for member in archive.getmembers():
        if not member.name.startswith(f"{MEDIA}/"):
            continue
        member.name = member.name.removeprefix(f"{MEDIA}/")
        if not (media_dir / member.name).exists():
            archive.extract(member, media_dir, filter="data")
    return archived
