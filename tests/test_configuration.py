"""Start-up refuses bad settings with one line naming the variable and exit status 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import time

import pytest

from bot import PROJECT_ROOT
from bot.config import DEFAULT_DATABASE_URL, ConfigError, Settings, load_settings

VALID = {"BOT_TOKEN": "123456:TEST-token"}


def run_bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # The test environment holds none of the developer's settings (tests/conftest.py).
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
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


def test_an_empty_setting_counts_as_unset(monkeypatch):
    for name in ("BOT_TOKEN", "DATABASE_URL", "TIMEZONE", "REDIS_URL", "WEBHOOK_PORT"):
        monkeypatch.setenv(name, "")
    settings = load_settings()
    assert settings.bot_token is None and settings.redis_url is None
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.timezone, settings.webhook_port) == ("Asia/Bishkek", 8080)


def test_the_daily_digest_is_turned_off_by_name(monkeypatch):
    assert load_settings().digest_time == time(20, 0)
    monkeypatch.setenv("DIGEST_TIME", "off")
    assert load_settings().digest_time is None


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


def test_every_setting_is_documented_in_the_example_file():
    example = (PROJECT_ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    assert {name.upper() for name in Settings.model_fields} <= documented
