"""Start-up refuses bad settings with one line naming the variable and exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.config import ConfigError, load_settings

VALID = {"BOT_TOKEN": "123456:TEST-token"}


def run_bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key.isupper()}
    for name in ("BOT_TOKEN", "DATABASE_URL", "ADMIN_IDS", "TIMEZONE", "WEBHOOK_URL", "REDIS_URL"):
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=os.environ.get("TMPDIR", "/tmp"),
    )


@pytest.mark.parametrize(
    ("env", "args", "variable"),
    [
        ({}, (), "BOT_TOKEN"),
        ({"BOT_TOKEN": "not a token"}, (), "BOT_TOKEN"),
        ({**VALID, "ADMIN_IDS": "12,abc"}, (), "ADMIN_IDS"),
        ({**VALID, "TIMEZONE": "Mars/Olympus"}, (), "TIMEZONE"),
        ({**VALID, "FULL_REPORT_DEADLINE_HOURS": "0"}, (), "FULL_REPORT_DEADLINE_HOURS"),
        ({**VALID, "FULL_REPORT_DEADLINE_HOURS": "1.5"}, (), "FULL_REPORT_DEADLINE_HOURS"),
        ({**VALID, "DEFAULT_LANGUAGE": "de"}, (), "DEFAULT_LANGUAGE"),
        ({**VALID, "DATABASE_URL": "mysql://x/y"}, (), "DATABASE_URL"),
        ({**VALID, "WEBHOOK_PORT": "99999"}, ("webhook",), "WEBHOOK_PORT"),
        ({**VALID, "WEBHOOK_URL": "https://bot.example.org/tg"}, ("webhook",), "WEBHOOK_SECRET"),
    ],
)
def test_bad_setting_is_named_in_one_line_and_exits_2(env, args, variable):
    result = run_bot(env, *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0]
    assert "Traceback" not in result.stderr


def test_admin_ids_are_comma_separated(monkeypatch):
    monkeypatch.setenv("BOT_TOKEN", "1:x")
    monkeypatch.setenv("ADMIN_IDS", " 11, 22 ,33")
    assert load_settings(_env_file=None).admin_ids == {11, 22, 33}


def test_plain_database_urls_get_the_async_driver():
    settings = load_settings(_env_file=None, database_url="postgresql://u@h/db")
    assert settings.database_url == "postgresql+asyncpg://u@h/db"


def test_secret_token_must_be_what_telegram_accepts():
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        load_settings(_env_file=None, webhook_secret="has spaces")
