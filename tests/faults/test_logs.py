"""Logs: no bot token and no personal data (names, passport numbers, serial numbers, typed text)
in any line at INFO or above, and every line written while an update is handled names the
update and its person — checked on the process's own log configuration (`configure_logging`)
over a realistic day: a full report with a name, a passport number, a serial number and a
photo, a supervisor's acknowledgement, and the faults that make the bot log."""

from __future__ import annotations

import logging
from typing import Any

from bot.app import BotApplication
from bot.log_context import HIDDEN
from bot.services.errors import AccessDenied, AlreadyDecided, InvalidInput, NotFound
from handlers.common.callbacks import ReportOpen
from handlers.common.errors import refusal
from tests.conftest import BOT_TOKEN, RunningBot, make_settings
from tests.fakes.bot_api import QUERY_TOO_OLD
from tests.faults.harness import (  # noqa: F401 (a fixture)
    WEBHOOK_SECRET,
    Captured,
    Harness,
    captured_logs,
)
from tests.scenario import every_button_answered
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_full_report import (
    FIREARM,
    INCIDENT,
    SUPERVISOR_ID,
    add_item,
    en,
    start_full_report,
    walk,
)
from tests.test_quick_log import add_supervisor

NAME, PASSPORT, SERIAL = "Rustam Nazarov", "AN 4412907", "TK 4417-B"
NARRATIVE = "Driver Rustam Nazarov hid a pistol under the rear seat; passport AN 4412907."
PERSONAL = [NAME, "Nazarov", PASSPORT, "4412907", SERIAL, "4417", NARRATIVE, "Bekov", "Chief"]
# Loggers that write only while an update is handled.
IN_UPDATES = ("handlers.", "bot.middlewares.callbacks", "bot.services.", "aiogram.event")


def _sender(update: dict[str, Any]) -> int | None:
    for kind in ("message", "edited_message", "callback_query"):
        if kind in update:
            return update[kind]["from"]["id"]
    return None


async def test_a_days_work_logs_no_token_no_personal_data_and_names_each_update(
    running_bot: RunningBot, telegram, captured: Captured
) -> None:
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, SUPERVISOR_ID, "KAINDA", "en")
    officer, supervisor = telegram.user(OFFICER_ID, "Bekov"), telegram.user(SUPERVISOR_ID, "Chief")

    await start_full_report(officer)
    review = await walk(officer, INCIDENT | {"Narrative": NARRATIVE})
    firearm = FIREARM | {"Serial number": SERIAL}
    review = await add_item(officer, review, "🔫 Firearm", firearm)
    await officer.press(en("➕ Person"), review)
    person = {
        "Role": ("press", "Driver"),
        "Name": NAME,
        "Identity document": ("press", "Passport"),
        "Document number": PASSPORT,
    }
    await officer.press(en("« Back to the report"), await walk(officer, person))
    review = await officer.receive()
    telegram.fail_next("sendMessage", 500, "Internal Server Error")
    await officer.send(NAME)  # typed under the review: failed once, then answered
    await officer.receive(timeout=10)
    # Faults that make the bot log: an old button (refused), a press answered too late and a
    # screen that could not be edited.
    await officer.press_data(ReportOpen(report=999).pack())
    await every_button_answered(telegram, officer)
    telegram.fail_next("answerCallbackQuery", 400, f"Bad Request: {QUERY_TOO_OLD}")
    telegram.fail_next("editMessageText", 400, "Bad Request: message to edit not found")
    await officer.press(en("✅ Submit"), review)
    done = await officer.receive_until(lambda message: "No." in message.text)

    notice = await supervisor.receive(timeout=10)
    [acknowledge] = [data for text, data, _ in notice.inline_buttons[0] if "✅" in text]
    await supervisor.press(en("✅ Acknowledge"), notice)
    await supervisor.receive()
    await supervisor.press_data(acknowledge)  # twice: "already acknowledged by …"
    await every_button_answered(telegram, supervisor)
    assert "No." in done.text

    text = captured.stream.getvalue()
    assert BOT_TOKEN not in text and BOT_TOKEN.split(":")[1] not in text
    for personal in PERSONAL:
        assert personal not in text, f"{personal!r} in the log:\n{text}"

    senders = {update["update_id"]: _sender(update) for update in telegram.pushed_updates}
    inside = [r for r in captured.records.records if r.name.startswith(IN_UPDATES)]
    assert {"refused", "not answered", "failed"} <= {
        word for r in inside for word in ("refused", "not answered", "failed") if word in r.msg
    }, [r.getMessage() for r in captured.records.records]
    for record in inside:
        assert record.update_id in senders, f"no update on: {record.getMessage()}"
        assert record.user_id == senders[record.update_id], record.getMessage()
        line = f"[update={record.update_id} user={record.user_id}] {record.getMessage()}"
        assert line in text


def test_a_refusal_is_logged_by_its_kind_never_by_the_name_it_carries() -> None:
    assert refusal(AlreadyDecided("Chief Kainda", approved=True)) == "AlreadyDecided"
    assert refusal(InvalidInput("place", "too_short")) == "InvalidInput(place: too_short)"
    assert refusal(NotFound("report")) == "NotFound(report)"
    assert refusal(AccessDenied()) == "AccessDenied"


def test_secrets_and_failed_statements_values_never_reach_a_line(captured: Captured) -> None:
    log = logging.getLogger("tests.secrets")
    log.info("GET https://api.telegram.org/bot%s/getMe", BOT_TOKEN)
    try:
        raise RuntimeError(
            "(sqlite3.IntegrityError) UNIQUE constraint failed\n"
            "[SQL: INSERT INTO users (full_name) VALUES (?)]\n"
            f"[parameters: ('{NAME}',)]\nwebhook secret: {WEBHOOK_SECRET}"
        )
    except RuntimeError:
        log.exception("update 7 failed")
    text = captured.stream.getvalue()
    assert BOT_TOKEN not in text and WEBHOOK_SECRET not in text and NAME not in text
    assert f"bot{HIDDEN}/getMe" in text and f"[parameters: {HIDDEN}]" in text
    assert "[update=- user=-]" in text


async def test_lines_of_the_dispatcher_and_its_error_handler_name_the_update_and_person(
    database_url, telegram, captured: Captured
) -> None:
    """Fed to the dispatcher directly (no `handle_update` around it): `LogContext` alone."""
    app = await BotApplication.create(make_settings(database_url, telegram.base_url))
    try:
        harness = Harness(app, telegram)
        await set_up_officer(app)
        officer = telegram.user(OFFICER_ID, "Bekov")
        await harness.press_data(officer, ReportOpen(report=999).pack())  # refused
        telegram.fail_next("sendMessage", 500, "Internal Server Error")
        await officer.send("/help")  # fails: the error handler logs it
        await harness.feed()
    finally:
        await app.close()
    ours = [r for r in captured.records.records if r.name.startswith("handlers.")]
    assert [r.getMessage().split(" ", 2)[2][:6] for r in ours] == ["refuse", "failed"]
    updates = [update["update_id"] for update in telegram.pushed_updates]
    assert [(r.update_id, r.user_id) for r in ours] == [(uid, OFFICER_ID) for uid in updates]
