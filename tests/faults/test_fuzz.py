"""Fuzzing: hypothesis-made text, captions, callback data and update shapes fed into the real
dispatcher, by every kind of person and in the middle of every kind of conversation.

For each input: no handler fails (nothing logged at ERROR, where the error handler puts the
traceback of anything unexpected), a message gets an answer and a button press is answered,
and an input that must be refused changes nothing stored.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from bot.db.models import ReportDraft, SeizureReport
from tests.conftest import RunningBot
from tests.scenario import every_button_answered, tr
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_quick_log import start_quick_log


def en(text: str) -> str:
    return tr("en", text)


# --- found by fuzzing: each failed before its fix ------------------------------------------


def no_errors(caplog: pytest.LogCaptureFixture) -> None:
    failures = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert not failures, failures


async def stored_count(running_bot: RunningBot, model: type) -> int:
    async with running_bot.session_factory() as session:
        return await session.scalar(select(func.count()).select_from(model))


OUTDATED = "This button is outdated or not available to you. Nothing was changed."


async def test_buttons_with_numbers_beyond_the_databases_range_are_refused_calmly(
    running_bot: RunningBot, telegram, caplog
) -> None:
    """Found: "qp:…" with a 20-digit unit id failed in the database (SQLite's OverflowError,
    PostgreSQL's int4 range), "frs:…" with a far timestamp in datetime (OSError)."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_quick_log(officer)
    for data in ("qp:99999999999999999999", "qp:2147483648", "frs:99999999999999"):
        await officer.press_data(data)
    await every_button_answered(telegram, officer)
    assert [answer.get("text") for answer in officer.callback_answers()[-3:]] == [en(OUTDATED)] * 3
    no_errors(caplog)
    assert await stored_count(running_bot, SeizureReport) == 0
    assert await stored_count(running_bot, ReportDraft) == 0


async def test_a_procedure_category_that_does_not_exist_is_refused_calmly(
    running_bot: RunningBot, telegram, caplog
) -> None:
    """Found: "pm:done" made the catalogue fail on Category('done')."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.press_data("pm:done")
    await every_button_answered(telegram, officer)
    assert officer.callback_answers()[-1].get("text") == en(OUTDATED)
    no_errors(caplog)
