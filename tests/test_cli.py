"""The set-up commands work on a fresh database, with or without the bot running."""

from __future__ import annotations

import os
import subprocess
import sys


def cli(
    database_url: str, *args: str, media_dir: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    if media_dir is not None:
        env["MEDIA_DIR"] = media_dir
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_admin_sets_up_units_and_people_from_the_command_line(database_url):
    assert cli(database_url, "migrate").returncode == 0

    added = cli(
        database_url, "units", "add", "kainda-2", "--name", "Kainda post 2", "--parent", "KAINDA"
    )
    assert added.returncode == 0, added.stderr
    again = cli(database_url, "units", "add", "KAINDA-2", "--name", "Duplicate")
    assert again.returncode == 1 and "code" in again.stderr
    orphan = cli(database_url, "units", "add", "X-1", "--name", "Orphan", "--parent", "NOPE")
    assert orphan.returncode == 1 and "not found" in orphan.stderr

    listed = cli(database_url, "units", "list").stdout.splitlines()
    kainda_line = next(line for line in listed if line.strip().startswith("KAINDA\t"))
    child_line = next(line for line in listed if "KAINDA-2" in line)
    assert listed.index(child_line) == listed.index(kainda_line) + 1
    assert len(child_line) - len(child_line.lstrip()) > len(kainda_line) - len(kainda_line.lstrip())

    moved = cli(database_url, "units", "set", "BAYMAK", "--parent", "OSH", "--name", "Baymak BCP")
    assert moved.returncode == 0, moved.stderr
    cycle = cli(database_url, "units", "set", "CHUY", "--parent", "KAINDA")
    assert cycle.returncode == 1 and "parent" in cycle.stderr
    listed = cli(database_url, "units", "list").stdout.splitlines()
    osh_line = next(line for line in listed if line.strip().startswith("OSH\t"))
    assert "BAYMAK\tBaymak BCP" in listed[listed.index(osh_line) + 1]

    user = cli(
        database_url,
        "users",
        "add",
        "--telegram-id",
        "555",
        "--role",
        "supervisor",
        "--unit",
        "KAINDA-2",
        "--name",
        "Asanov Bakyt",
        "--language",
        "ky",
    )
    assert user.returncode == 0, user.stderr
    rows = [line.split("\t") for line in cli(database_url, "users", "list").stdout.splitlines()]
    assert ["555", "Asanov Bakyt", "supervisor", "active", "KAINDA-2", "ky"] in rows
