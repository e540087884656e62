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

from bot.db.models import FsmRecord, ReportDraft, SeizureReport, utcnow
from bot.services.errors import InvalidInput
from bot.services.report_fields import check_year, field_of
from handlers.common import callbacks
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


async def test_text_that_shows_nothing_is_refused_and_control_characters_are_not_stored(
    running_bot: RunningBot, telegram, caplog
) -> None:
    """Found: a place of format characters alone ('\\x81\\u070f\\u0891\\u0604') was stored in
    a draft; on PostgreSQL a NUL in a place failed the update (text columns refuse it)."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_quick_log(officer)
    await officer.send("\u200b\u2060\u200f\u202e")
    assert (await officer.receive()).text == en("The place is too short. Please type it again.")
    await officer.send("Post\x00 7\x07")
    assert (await officer.receive()).text == en("📍 Place noted.")
    await officer.press(en("1"), await officer.receive())
    await officer.press(en("✅ Nobody in danger"), await officer.receive())
    await officer.receive()
    async with running_bot.session_factory() as session:
        report = await session.scalar(select(SeizureReport))
    assert report.place_text == "Post 7"

    await officer.send(en("📝 New report"))
    await officer.press(en("📝 Full report instead"), await officer.receive())
    await officer.receive()
    async with running_bot.session_factory() as session:
        draft = await session.scalar(select(ReportDraft))
    narrative = callbacks.DraftAsk(
        draft=draft.id, section=callbacks.Section.INCIDENT, key="narrative"
    )
    await officer.press_data(narrative.pack())
    await officer.receive()
    await officer.send("\u200b" * 12)
    too_short = en("Too short: at least {limit} characters. Please type it again.")
    assert (await officer.receive()).text == too_short.format(limit=10)
    async with running_bot.session_factory() as session:
        assert (await session.get(ReportDraft, draft.id)).content == draft.content
    no_errors(caplog)


async def test_numbers_in_other_scripts_and_of_any_length_are_explained_not_failed(
    running_bot: RunningBot, telegram, caplog
) -> None:
    """Found: "²" and "--5" passed str.isdigit() and failed in int(); 5,000 digits passed
    Python's limit for int(); a year "²⁰²⁰" failed the same way."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.send(en("📝 New report"))
    await officer.press(en("📝 Full report instead"), await officer.receive())
    await officer.receive()
    async with running_bot.session_factory() as session:
        draft = await session.scalar(select(ReportDraft))
    count = callbacks.DraftAsk(
        draft=draft.id, section=callbacks.Section.INCIDENT, key="persons_count"
    )
    await officer.press_data(count.pack())
    await officer.receive()
    for typed, problem in (
        ("²", "Please type a whole number, e.g. 3."),
        ("--5", "Please type a whole number, e.g. 3."),
        ("7" * 5000, "This number is too large. Please check it."),
    ):
        await officer.send(typed)
        assert (await officer.receive()).text == en(problem)
        await officer.receive()  # the question again
    await officer.send("٣")  # Arabic-Indic three is a decimal digit: read as 3
    await officer.receive()
    async with running_bot.session_factory() as session:
        draft = await session.get(ReportDraft, draft.id)
    assert draft.content["incident"]["persons_count"] == 3
    no_errors(caplog)

    year = field_of(callbacks.Section.ITEM, "import_marking_year")
    with pytest.raises(InvalidInput):
        check_year(year, "²⁰²⁰", utcnow())
    assert check_year(year, "٢٠٢٠", utcnow()) == 2020


GROUP = {"id": -1001234567890, "type": "supergroup", "title": "Kainda post"}


async def test_nothing_is_answered_or_started_in_a_group(
    running_bot: RunningBot, telegram, caplog
) -> None:
    """Found: in a group the bot greeted an officer by name, role and unit and ran a quick log
    there, where everyone in the group reads it; it answers in private chats only."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    for number, text in enumerate(("/start", en("📝 New report"), "Kainda"), start=1):
        message = {"message_id": number, "date": 0, "chat": GROUP, "from": officer.as_dict()}
        entities = [{"type": "bot_command", "offset": 0, "length": 6}] if number == 1 else []
        telegram.push_update({"message": message | {"text": text, "entities": entities}})
    query = {"id": "77", "from": officer.as_dict(), "chat_instance": "-1", "data": "pm:"}
    message = {"message_id": 9, "date": 0, "chat": GROUP, "text": "…"}
    telegram.push_raw_update({"update_id": 50, "callback_query": query | {"message": message}})
    await every_button_answered(telegram, officer)
    assert officer.callback_answers()[-1].get("text") == en(OUTDATED)
    await officer.no_more_messages()
    sent_to_group = [call for call in telegram.calls if call.params.get("chat_id") == GROUP["id"]]
    assert not sent_to_group
    async with running_bot.session_factory() as session:
        assert not (await session.scalars(select(FsmRecord.state))).all()
    no_errors(caplog)


async def test_an_edited_answer_is_answered_and_changes_nothing(
    running_bot: RunningBot, telegram, caplog
) -> None:
    """Found: an edit of a sent answer (an officer correcting a typo the Telegram way) got no
    answer, so the officer believed the record corrected while it kept the first text."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_quick_log(officer)
    await officer.send("Post 7")
    await officer.receive()
    await officer.receive()
    edited = {"message_id": 1, "date": 0, "edit_date": 1, "from": officer.as_dict()}
    telegram.push_update({"edited_message": edited | {"chat": officer.chat(), "text": "Post 8"}})
    note = en(
        "✏️ Editing a sent message changes nothing: what was sent first is kept. To change "
        "an answer, choose the field again in the report."
    )
    assert (await officer.receive()).text == note
    # A live location is edited as it moves, and an edit in a group is not for the bot.
    live = {"latitude": 42.8, "longitude": 74.6, "live_period": 900}
    telegram.push_update({"edited_message": edited | {"chat": officer.chat(), "location": live}})
    telegram.push_update({"edited_message": edited | {"chat": GROUP, "text": "Post 9"}})
    await officer.no_more_messages()
    async with running_bot.session_factory() as session:
        state = await session.scalar(select(FsmRecord.data))
    assert state["place_text"] == "Post 7"
    no_errors(caplog)
