"""Exercise mode and drills: what an officer files in exercise is numbered apart, marked for
the supervisors and left out of the digest, the national export and links between seizures; a
supervisor's drill is sent, started, walked and debriefed, and one sent to an officer writing a
report leaves that report as it was."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, update

from bot.db.exercise_models import DrillParticipant
from bot.db.models import ProcedureRun, ReportDraft, Role, SeizureReport, SerialLink, utcnow
from bot.services import exercise, notifications, users
from tests.conftest import RunningBot, make_settings
from tests.procedure_fixtures import write_library
from tests.scenario import every_button_answered, tr
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_cli import cli
from tests.test_exports import add_detailed_report, export, person, today
from tests.test_iafq_export import iafq_rows
from tests.test_procedure_walkthrough import open_scene
from tests.test_quick_log import add_supervisor, answer_up_to_danger, start_quick_log
from tests.test_report_numbering import BISHKEK, officer_at
from tests.test_serial_links import file_firearm

CHIEF_ID = 7001
SCENARIO = "Explosive found in a train at Kainda"


def exercise_marked(language: str, text: str) -> str:
    return f"🎯 {tr(language, 'EXERCISE')} · {text}"


def year() -> int:
    return utcnow().astimezone(BISHKEK).year


async def switch_mode(person, label: str) -> None:
    await person.send("/exercise")
    await person.press(tr("en", label), await person.receive())
    await person.receive()


async def file_log(officer):
    await officer.press(tr("en", "✅ Nobody in danger"), await answer_up_to_danger(officer))
    return await officer.receive()


async def stored(running_bot: RunningBot, model) -> list:
    async with running_bot.session_factory() as session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def test_an_exercise_is_numbered_apart_marked_for_supervisors_and_not_in_the_digest(
    running_bot, telegram
):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, CHIEF_ID, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(CHIEF_ID, "Chief")

    await officer.send("/exercise")
    screen = await officer.receive()
    assert tr("en", "✅ You are working for real: what you start now is real work.") in screen.text
    await officer.press(tr("en", "🎯 Switch to exercise"), screen)
    switched = await officer.receive()
    assert tr("en", "You are in exercise mode ({why}).", why=tr("en", "you switched to it")) in (
        switched.text
    )
    filed = await file_log(officer)
    number = f"KAINDA-EX-{year()}-0001"
    assert filed.text.startswith(
        exercise_marked("en", tr("en", "⚡ Quick log No. {number} filed.", number=number))
    )
    news = await chief.receive()
    assert exercise_marked("en", tr("en", "⚡ Quick log No. {number}", number=number)) in news.text

    await switch_mode(officer, "✅ Back to real work")
    real = await file_log(officer)
    assert (
        tr("en", "⚡ Quick log No. {number} filed.", number=f"KAINDA-{year()}-0001") in (real.text)
        and tr("en", "EXERCISE") not in real.text
    )
    await chief.receive()
    await every_button_answered(telegram, officer)

    bishkek = ZoneInfo("Asia/Bishkek")
    async with running_bot.session_factory.begin() as session:
        moment = datetime.combine(utcnow().astimezone(bishkek).date(), time(23, 59), bishkek)
        assert await notifications.enqueue_digests(session, moment, bishkek, time(0, 0)) == 1
    running_bot.app.dispatcher["delivery"].wake()
    digest = await chief.receive(timeout=10)
    assert tr("en", "Awaiting acknowledgement: {count}", count=1) in digest.text
    assert "🔫" in digest.text and ": 1" in digest.text and ": 2" not in digest.text


async def test_a_draft_begun_for_real_stays_real_after_the_switch(running_bot, telegram):
    officer_id = await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.send(tr("en", "📝 New report"))
    await officer.press(tr("en", "📝 Full report instead"), await officer.receive())
    await officer.receive()
    [draft] = await stored(running_bot, ReportDraft)
    assert not draft.exercise

    await switch_mode(officer, "🎯 Switch to exercise")
    switched = officer.last
    assert (
        tr(
            "en",
            "A report or procedure already begun keeps the mode it was begun in: a real draft "
            "stays real, an exercise stays an exercise.",
        )
        in switched.text
    )
    [draft] = await stored(running_bot, ReportDraft)
    assert not draft.exercise and draft.officer_id == officer_id


async def test_the_national_export_leaves_exercises_out_unless_asked_and_spreadsheets_mark_them(
    session_factory,
):
    officer = await person(session_factory, 1, Role.OFFICER, "KAINDA")
    headquarters = await person(session_factory, 2, Role.SUPERVISOR, "BS")
    number = await add_detailed_report(session_factory, officer)
    async with session_factory.begin() as session:
        report = await session.scalar(select(SeizureReport).where(SeizureReport.number == number))
        report.exercise = True

    [file], total = await export(session_factory, headquarters, "iafq", "en")
    assert total == 0 and iafq_rows(file.content) == []
    [file], total = await export(
        session_factory, headquarters, "iafq", "en", include_exercises=True
    )
    rows = iafq_rows(file.content)
    assert total == 1 and {row["Exercise"].value for row in rows} == {"Yes"}

    [file], total = await export(session_factory, headquarters, "xlsx", "en")
    workbook = load_workbook(io.BytesIO(file.content))
    for sheet in workbook.worksheets:
        header, *cells = list(sheet.iter_rows(values_only=True))
        assert header[-1] == "Exercise", sheet.title
        assert all(row[-1] == "Yes" for row in cells), sheet.title
    assert total == 1 and today()


async def test_the_command_line_writes_exercises_into_the_national_sheet_only_when_asked(
    session_factory, database_url, tmp_path
):
    officer = await person(session_factory, 1, Role.OFFICER, "KAINDA")
    await add_detailed_report(session_factory, officer)
    async with session_factory.begin() as session:
        await session.execute(update(SeizureReport).values(exercise=True))
    out = tmp_path / "iafq.xlsx"
    first = (today() - timedelta(days=1)).isoformat()
    period = ["--from", first, "--to", today().isoformat(), "--format", "iafq"]
    written = ["export", *period, "--out", str(out), "--language", "en"]
    done = cli(database_url, *written)
    assert done.returncode == 0 and "0 report(s) exported" in done.stdout
    done = cli(database_url, *written, "--include-exercises")
    assert done.returncode == 0 and "1 report(s) exported" in done.stdout
    assert {row["Exercise"].value for row in iafq_rows(out.read_bytes())} == {"Yes"}


async def test_exercise_serials_neither_raise_links_nor_are_linked_to(session_factory):
    trainee = await officer_at(session_factory, 8701, "KAINDA")
    async with session_factory.begin() as session:
        await exercise.switch(session, await users.get_user(session, trainee), True)
    _exercise_report, exercise_number = await file_firearm(session_factory, 8701, "KAINDA", "KA 1")
    await file_firearm(session_factory, 8702, "DOSTUK", "KA 1")
    await file_firearm(session_factory, 8701, "KAINDA", "KA 1")
    async with session_factory() as session:
        assert list(await session.scalars(select(SerialLink))) == []
    assert exercise_number == f"KAINDA-EX-{year()}-0001"


@pytest.fixture
async def drill_bot(database_url, telegram, tmp_path):
    settings = make_settings(
        database_url, telegram.base_url, procedures_dir=write_library(tmp_path / "procedures")
    )
    runner = RunningBot(settings)
    await runner.start()
    yield runner
    await runner.stop()


async def send_drill(chief) -> None:
    """The supervisor types the scenario and sends it to Officer Bekov."""
    await chief.send("/exercise")
    await chief.press(tr("en", "🎯 New drill"), await chief.receive())
    await chief.receive()
    await chief.send(SCENARIO)
    picker = await chief.receive()
    assert SCENARIO in picker.text
    await chief.press("▫️ Officer Bekov", picker)
    picked = await chief.receive()
    await chief.press(tr("en", "📨 Send to the officers chosen: {count}").format(count=1), picked)
    return await chief.receive()


async def test_a_drill_is_sent_started_walked_and_debriefed(drill_bot, telegram):
    await set_up_officer(drill_bot)
    await add_supervisor(drill_bot, CHIEF_ID, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(CHIEF_ID, "Chief")
    screen = await send_drill(chief)
    assert tr("en", "not started") in screen.text

    drill_message = await officer.receive()
    assert SCENARIO in drill_message.text and tr("en", "EXERCISE") in drill_message.text
    await officer.press(tr("en", "▶️ Start the drill"), drill_message)
    started = await officer.receive()
    assert tr("en", "🏁 End the drill") in started.button_texts()

    await officer.press(tr("en", "▶️ Start"), await open_scene(officer))
    await officer.press(tr("en", "✅ Done"), await officer.receive())
    await officer.press(tr("en", "⏭ Skip, with a reason"), await officer.receive())
    await officer.receive()
    await officer.send("Sappers already hold the cordon")
    await officer.receive()
    await start_quick_log(officer)
    await officer.press("Kainda")
    await officer.receive()
    await officer.press("1", await officer.receive())
    await officer.press(tr("en", "✅ Nobody in danger"), await officer.receive())
    filed = await officer.receive()
    number = f"KAINDA-EX-{year()}-0001"
    assert number in filed.text
    await chief.receive()  # the news of the exercise report

    await chief.press(tr("en", "🔄 Refresh"), screen)
    screen = await chief.receive()
    assert (
        tr("en", "steps done: {done}; critical steps skipped: {skipped}", done=1, skipped=1)
        in (screen.text)
        and number in screen.text
    )
    await chief.press(tr("en", "📄 Debrief PDF"), screen)
    await every_button_answered(telegram, chief)
    [call] = telegram.calls_of("sendDocument")
    pdf = PdfReader(io.BytesIO(call.params["document"]["content"]))
    pages = [page.extract_text() for page in pdf.pages]
    assert all(tr("en", "EXERCISE") in page for page in pages)
    text = "\n".join(pages)
    for expected in ("Officer Bekov", SCENARIO, "Sappers already hold the cordon", number):
        assert expected in text
    [run] = await stored(drill_bot, ProcedureRun)
    assert run.exercise and run.drill_id is not None


async def test_a_drill_sent_to_an_officer_writing_a_report_leaves_the_report_real(
    running_bot, telegram
):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, CHIEF_ID, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(CHIEF_ID, "Chief")
    where = await start_quick_log(officer)
    await send_drill(chief)
    drill_message = await officer.receive()

    await officer.press(tr("en", "▶️ Start the drill"), drill_message)
    await every_button_answered(telegram, officer)
    refusal = officer.callback_answers()[-1]
    assert refusal["show_alert"] and "/cancel" in refusal["text"]
    [participant] = await stored(running_bot, DrillParticipant)
    assert participant.accepted_at is None

    await officer.press("Kainda", where)
    await officer.receive()
    await officer.press("1", await officer.receive())
    await officer.press(tr("en", "✅ Nobody in danger"), await officer.receive())
    filed = await officer.receive()
    assert f"KAINDA-{year()}-0001" in filed.text
    [report] = await stored(running_bot, SeizureReport)
    assert not report.exercise and report.drill_id is None

    await officer.press(tr("en", "▶️ Start the drill"), drill_message)
    assert tr("en", "🏁 End the drill") in (await officer.receive()).button_texts()
    [participant] = await stored(running_bot, DrillParticipant)
    assert participant.accepted_at is not None


async def test_a_safety_alert_from_an_exercise_says_it_is_an_exercise(running_bot, telegram):
    """A drill's "need help" reaches the supervisors as urgently as a real one, and says first
    that it comes from an exercise."""
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, CHIEF_ID, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(CHIEF_ID, "Chief")
    await switch_mode(officer, "🎯 Switch to exercise")
    await officer.press(tr("en", "⚠️ Someone in danger or hurt"), await answer_up_to_danger(officer))
    await officer.receive()
    await chief.receive()
    await officer.send(tr("en", "🗂 My reports"))
    listing = await officer.receive()
    assert "🎯 KAINDA-EX-" in listing.button_texts()[0]
    await officer.press(listing.button_texts()[0], listing)
    await officer.press(tr("en", "🆘 Need help"), await officer.receive())
    await officer.receive()
    alert = await chief.receive()
    assert alert.text.startswith(
        exercise_marked("en", tr("en", "🆘 URGENT: {name} asks for help.", name="Officer Bekov"))
    )
