"""A new operator's first run: `cp .env.example .env` leaves BOT_TOKEN empty, and still every
command that does not talk to Telegram works; the bot itself says in one line what to do, and
`python -m bot doctor` what is wrong and how to fix it. The tests read no `.env` and none of the
developer's settings, whatever the working directory holds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import PROJECT_ROOT
from bot.config import ENV_FILE_VARIABLE, Settings, load_settings
from bot.doctor import Verdict, check_clock, examine
from tests.conftest import make_settings

HOSTILE_SETTINGS = {
    "BOT_TOKEN": "garbage",
    "DATABASE_URL": "postgresql://nobody:wrong@127.0.0.1:1/nowhere",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "DEBUG",
    "DIGEST_TIME": "off",
    "MEDIA_DIR": "/nonexistent/media",
    "PROCEDURES_DIR": "/nonexistent/procedures",
}


def run(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_new_operator_follows_the_readme_without_a_token_yet(tmp_path):
    shutil.copy(PROJECT_ROOT / ".env.example", tmp_path / ".env")
    # As on the operator's machine: the .env of the working directory is read.
    env = {name: value for name, value in os.environ.items() if name != ENV_FILE_VARIABLE}

    for command in (["migrate"], ["audit", "verify"], ["procedures", "check"]):
        done = run(tmp_path, env, "-m", "bot", *command)
        assert done.returncode == 0, (command, done.stderr)
    assert (tmp_path / "data" / "seizure-assistant.db").exists()

    bot = run(tmp_path, env, "-m", "bot")
    assert bot.returncode == 2
    [line] = bot.stderr.strip().splitlines()
    assert "BOT_TOKEN is not set" in line and "@BotFather" in line and "doctor" in line

    doctor = run(tmp_path, env, "-m", "bot", "doctor")
    assert doctor.returncode == 1
    lines = doctor.stdout.splitlines()
    assert lines[0].startswith("PROBLEM  BOT_TOKEN: not set")
    assert "@BotFather" in lines[1] and "fix:" in lines[1]
    assert any(line.startswith("ok       DATABASE_URL: reachable") for line in lines)
    assert any(line.startswith("ok       migrations: current") for line in lines)
    assert lines[-1] == "1 problem(s)"


def test_tests_and_their_cli_processes_ignore_a_hostile_env_file_and_environment(
    tmp_path, monkeypatch
):
    (tmp_path / ".env").write_text(
        "".join(f"{name}={value}\n" for name, value in HOSTILE_SETTINGS.items())
    )
    monkeypatch.chdir(tmp_path)

    # This process: nothing of the file.
    settings = load_settings()
    defaults = Settings()
    for name in HOSTILE_SETTINGS:
        assert getattr(settings, name.lower()) == getattr(defaults, name.lower())

    # A CLI process started as the tests start them, from the same directory.
    database = f"sqlite:///{tmp_path / 'test.db'}"
    migrated = run(tmp_path, {**os.environ, "DATABASE_URL": database}, "-m", "bot", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "test.db").exists() and not migrated.stderr.startswith("{")

    # A test run started there, with the same settings in its environment too.
    tests = run(
        tmp_path,
        {**os.environ, **HOSTILE_SETTINGS},
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        str(PROJECT_ROOT / "tests" / "test_configuration.py"),
        str(PROJECT_ROOT / "tests" / "test_cli.py"),
        "-k",
        "sqlite or digest or empty_setting",
    )
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert " passed" in tests.stdout and "skipped" not in tests.stdout.splitlines()[-1]


async def test_doctor_finds_a_ready_set_up_ready(database_url, session_factory, telegram, tmp_path):
    settings = make_settings(database_url, telegram.base_url, media_dir=tmp_path / "media")
    (tmp_path / "media").mkdir()

    findings = {finding.subject: finding for finding in await examine(settings)}

    assert all(finding.verdict is Verdict.OK for finding in findings.values()), findings
    assert "@seizure_test_bot" in findings["BOT_TOKEN"].detail
    assert "Telegram" in findings["clock"].detail


async def test_doctor_names_what_is_wrong_and_how_to_fix_it(telegram, tmp_path):
    (tmp_path / "media").write_text("a file where the folder should be")
    settings = make_settings(
        "postgresql://nobody:wrong@127.0.0.1:1/nowhere",
        telegram.base_url,
        redis_url="redis://127.0.0.1:1/0",
        media_dir=tmp_path / "media",
    )
    telegram.fail_next("getMe", 401, "Unauthorized")

    findings = {finding.subject: finding for finding in await examine(settings)}

    assert {name: finding.verdict for name, finding in findings.items()} == {
        "BOT_TOKEN": Verdict.PROBLEM,
        "DATABASE_URL": Verdict.PROBLEM,
        "MEDIA_DIR": Verdict.PROBLEM,
        "REDIS_URL": Verdict.PROBLEM,
        "clock": Verdict.OK,
    }
    assert "refused" in findings["BOT_TOKEN"].detail and "@BotFather" in findings["BOT_TOKEN"].fix
    assert "createdb" in findings["DATABASE_URL"].fix
    assert "wrong" not in findings["DATABASE_URL"].detail  # the password
    assert "REDIS_URL" in findings["REDIS_URL"].fix
    assert "not a folder" in findings["MEDIA_DIR"].detail


def test_doctor_says_how_far_the_clock_is_off():
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    behind = check_clock({"Telegram": now + timedelta(minutes=2), "PostgreSQL": now}, now)
    assert behind.verdict is Verdict.PROBLEM
    assert behind.detail == "120 s behind Telegram's" and "ntp" in behind.fix
    nothing = check_clock({"Telegram": None, "PostgreSQL": None}, now)
    assert nothing.verdict is Verdict.NOTE
