"""LOG_FORMAT=json: each line one JSON object a log collector reads, naming the update, the
person's Telegram id, their unit and the replica, and holding no name, typed text or secret;
plain text stays the default."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.db.models import User
from bot.log_context import HIDDEN, configure_logging
from tests.conftest import BOT_TOKEN, RunningBot
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_evidence import quick_log_with_photo


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The process's log configuration in JSON at INFO, writing to a buffer; restored after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging(
        "INFO", secrets=(BOT_TOKEN,), stream=stream, force=True, log_format="json", replica="osh-1"
    )
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


async def test_a_quick_log_writes_json_lines_with_ids_and_nothing_personal(
    running_bot: RunningBot, telegram, json_lines
):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await quick_log_with_photo(officer, "en")
    logging.getLogger("tests.json").info("token in a URL: bot%s/getMe", BOT_TOKEN)
    try:
        raise RuntimeError(f"failed at {BOT_TOKEN}")
    except RuntimeError:
        logging.getLogger("tests.json").exception("update 7 failed")

    text = json_lines.getvalue()
    entries = [json.loads(line) for line in text.splitlines()]
    assert BOT_TOKEN not in text and "Bekov" not in text
    assert {entry["replica"] for entry in entries} == {"osh-1"}
    assert all(
        set(entry) >= {"time", "level", "logger", "message", "update_id", "user_id", "unit_id"}
        for entry in entries
    )
    async with running_bot.session_factory() as session:
        unit_id = await session.scalar(select(User.unit_id).where(User.telegram_id == OFFICER_ID))
    of_the_officer = [entry for entry in entries if entry["user_id"] == OFFICER_ID]
    assert of_the_officer and all(entry["update_id"] is not None for entry in of_the_officer)
    assert any(entry["unit_id"] == unit_id for entry in of_the_officer)
    failed = entries[-1]
    assert failed["message"] == "update 7 failed" and failed["update_id"] is None
    assert "RuntimeError" in failed["exception"] and HIDDEN in failed["exception"]
    assert entries[-2]["message"] == f"token in a URL: bot{HIDDEN}/getMe"


def test_the_command_line_logs_json_when_asked_and_text_by_default(tmp_path):
    def migrate(database: str, **env: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "migrate"],
            env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / database}", **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stderr.splitlines()

    as_json = [json.loads(line) for line in migrate("a.db", LOG_FORMAT="json", REPLICA_ID="chuy-3")]
    assert as_json and all(entry["replica"] == "chuy-3" for entry in as_json)
    assert any(entry["logger"].startswith("alembic") for entry in as_json)
    as_text = migrate("b.db")
    assert "INFO alembic.runtime.migration [update=- user=-] Running upgrade" in "\n".join(as_text)
    assert not any(line.startswith("{") for line in as_text)
