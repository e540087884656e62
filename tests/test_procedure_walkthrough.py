"""End to end: an officer finds a procedure, walks it on the phone, and nothing is lost."""

from __future__ import annotations

import asyncio
import hashlib
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.db.models import (
    AuditEntry,
    ProcedureRun,
    ProcedureStepEvent,
    ReportProcedureRun,
    Role,
    RunStatus,
    SeizureReport,
    StepOutcome,
)
from bot.media import MediaStore
from bot.services import units, users
from tests.conftest import RunningBot, make_settings
from tests.procedure_fixtures import write_library
from tests.scenario import eventually, every_button_answered, tr
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_cli import cli


@pytest.fixture
async def procedure_bot(database_url, telegram, tmp_path):
    settings = make_settings(
        database_url, telegram.base_url, procedures_dir=write_library(tmp_path / "procedures")
    )
    runner = RunningBot(settings)
    await runner.start()
    yield runner
    await runner.stop()


async def open_scene(officer):
    await officer.send(tr("en", "📋 Procedures"))
    await officer.press("🛑 " + tr("en", "First response and safety"), await officer.receive())
    await officer.receive()
    await officer.press("Check the scene")
    overview = await officer.receive()
    return overview


async def events_of(runner, run_id=None):
    async with runner.session_factory() as session:
        query = select(ProcedureStepEvent).order_by(ProcedureStepEvent.id)
        if run_id is not None:
            query = query.where(ProcedureStepEvent.run_id == run_id)
        return [
            (event.step_id, event.outcome, event.reason) for event in await session.scalars(query)
        ]


async def test_officer_walks_a_procedure_with_a_branch_a_photo_and_back(procedure_bot, telegram):
    await set_up_officer(procedure_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    overview = await open_scene(officer)
    assert "5 steps, 2 critical ⚠️" in overview.text and "First-responder practice" in overview.text

    await officer.press(tr("en", "▶️ Start"), overview)
    step = await officer.receive()
    assert tr("en", "Step {number} of {total}", number=1, total=5) in step.text
    await officer.press(tr("en", "✅ Done"), step)
    step = await officer.receive()
    assert "Keep people back." in step.text and step.message_id == overview.message_id

    await officer.press(tr("en", "⚠️ Confirm done"), step)
    question = await officer.receive()
    assert tr("en", "⚠️ Confirm that this critical step is done:") in question.text
    await officer.press(tr("en", "✅ Yes, it is done"), question)
    step = await officer.receive()
    await officer.press("No", step)
    photo_step = await officer.receive()
    assert "Photograph it as found." in photo_step.text

    await officer.press(tr("en", "⚠️ Confirm done"), photo_step)
    await officer.press(tr("en", "✅ Yes, it is done"), await officer.receive())
    refused = await officer.receive()
    assert refused.message_id == photo_step.message_id
    await every_button_answered(telegram, officer)
    assert officer.callback_answers()[-1]["text"] == tr(
        "en", "Send a photo first, or skip this step."
    )

    await officer.send_photo()
    assert (await officer.receive()).text == tr("en", "📷 Photo stored ({count}).", count=1)
    step = await officer.receive()
    await officer.press(tr("en", "⚠️ Confirm done"), step)
    await officer.press(tr("en", "✅ Yes, it is done"), await officer.receive())
    last = await officer.receive()
    assert "Note the time." in last.text
    await officer.press(tr("en", "◀️ Back"), last)
    again = await officer.receive()
    assert "Photograph it as found." in again.text
    await officer.press(tr("en", "⚠️ Confirm done"), again)
    await officer.press(tr("en", "✅ Yes, it is done"), await officer.receive())
    await officer.press(tr("en", "✅ Done"), await officer.receive())
    finished = await officer.receive()
    assert "Check the scene" in finished.text and "completed" in finished.text

    recorded = await events_of(procedure_bot)
    assert [(step_id, outcome) for step_id, outcome, _ in recorded] == [
        ("hands-off", StepOutcome.DONE),
        ("keep-back", StepOutcome.DONE),
        ("explosive", StepOutcome.ANSWERED),
        ("photo", StepOutcome.PHOTO),
        ("photo", StepOutcome.DONE),
        ("note-time", StepOutcome.BACK),
        ("photo", StepOutcome.DONE),
        ("note-time", StepOutcome.DONE),
    ]
    async with procedure_bot.session_factory() as session:
        run = await session.scalar(select(ProcedureRun))
        assert run.status is RunStatus.COMPLETED and len(run.content_hash) == 64


async def test_critical_step_is_skipped_only_with_a_reason(procedure_bot, telegram):
    await set_up_officer(procedure_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.press(tr("en", "▶️ Start"), await open_scene(officer))
    await officer.press(tr("en", "✅ Done"), await officer.receive())
    critical = await officer.receive()

    await officer.press(tr("en", "⏭ Skip, with a reason"), critical)
    prompt = await officer.receive()
    assert prompt.text == tr(
        "en", "Why is this critical step skipped? Type the reason; it is recorded."
    )
    await officer.send("ok")
    assert "too short" in (await officer.receive()).text
    await officer.send("Sappers already hold the cordon")
    after = await officer.receive()
    assert "Could it explode?" in after.text

    recorded = await events_of(procedure_bot)
    assert recorded[-1] == ("keep-back", StepOutcome.SKIPPED, "Sappers already hold the cordon")


async def test_a_reason_typed_before_its_question_arrived_is_not_recorded(procedure_bot, telegram):
    await set_up_officer(procedure_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.press(tr("en", "▶️ Start"), await open_scene(officer))
    await officer.press(tr("en", "✅ Done"), await officer.receive())
    critical = await officer.receive()
    # The question "why skipped?" never reaches the phone.
    telegram.fail_next("sendMessage", 502, "Bad Gateway")
    await officer.press(tr("en", "⏭ Skip, with a reason"), critical)
    await eventually(lambda: bool(officer.callback_answers()[-1].get("text")))

    await officer.send("Sappers already hold the cordon")
    assert (await officer.receive()).text == tr(
        "en",
        "Your answer was not saved: the question it would go to had not reached your screen. "
        "Here it is; please answer it.",
    )
    assert (await officer.receive()).text == tr(
        "en", "Why is this critical step skipped? Type the reason; it is recorded."
    )
    recorded = await events_of(procedure_bot)
    assert all(outcome is not StepOutcome.SKIPPED for _, outcome, _ in recorded)
    await officer.send("Sappers already hold the cordon")
    assert "Could it explode?" in (await officer.receive()).text
    recorded = await events_of(procedure_bot)
    assert recorded[-1] == ("keep-back", StepOutcome.SKIPPED, "Sappers already hold the cordon")


async def test_an_old_button_cannot_pass_a_step_twice(procedure_bot, telegram):
    await set_up_officer(procedure_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.press(tr("en", "▶️ Start"), await open_scene(officer))
    first = await officer.receive()
    done_button = next(
        data
        for row in first.inline_buttons
        for label, data, _ in row
        if label == tr("en", "✅ Done")
    )
    await officer.press_data(done_button, first.message_id)
    await officer.receive()
    await officer.press_data(done_button, first.message_id)
    await every_button_answered(telegram, officer)
    assert officer.callback_answers()[-1]["text"] == tr(
        "en", "This step has already been handled; here is where you are now."
    )
    assert "Keep people back." in officer.last.text
    assert [outcome for _, outcome, _ in await events_of(procedure_bot)] == [StepOutcome.DONE]


async def test_answer_leading_to_another_procedure_continues_there(procedure_bot, telegram):
    await set_up_officer(procedure_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.press(tr("en", "▶️ Start"), await open_scene(officer))
    await officer.press(tr("en", "✅ Done"), await officer.receive())
    await officer.press(tr("en", "⚠️ Confirm done"), await officer.receive())
    await officer.press(tr("en", "✅ Yes, it is done"), await officer.receive())
    await officer.press("Yes", await officer.receive())
    bomb = await officer.receive()
    assert "Suspected bomb" in bomb.text and "Evacuate to 366 m." in bomb.text

    async with procedure_bot.session_factory() as session:
        first, second = (
            await session.scalars(select(ProcedureRun).order_by(ProcedureRun.id))
        ).all()
        assert first.status is RunStatus.REDIRECTED and first.continued_in_id == second.id
        assert (second.procedure_id, second.procedure_version) == ("bomb", 2)


async def test_officer_loses_signal_and_continues_after_a_restart(procedure_bot, telegram):
    await set_up_officer(procedure_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.press(tr("en", "▶️ Start"), await open_scene(officer))
    await officer.press(tr("en", "✅ Done"), await officer.receive())
    await officer.receive()

    await procedure_bot.restart()

    await officer.send(tr("en", "📋 Procedures"))
    menu = await officer.receive()
    resume = tr("en", "▶️ Continue: {title}, step {number}", title="Check the scene", number=2)
    await officer.press(resume, menu)
    step = await officer.receive()
    assert "Keep people back." in step.text


@pytest.mark.parametrize(
    ("language", "query"), [("ru", "БОМБА"), ("ky", "жарылгыч"), ("en", "Bomb")]
)
async def test_officer_finds_a_procedure_by_typing_a_word(procedure_bot, telegram, language, query):
    await set_up_officer(procedure_bot, language=language)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.send(query)
    found = await officer.receive()
    assert found.button_texts()[0].startswith("Suspected bomb")
    await officer.send("zzzz")
    assert "zzzz" in (await officer.receive()).text


async def test_reference_view_shows_every_step_without_a_run(procedure_bot, telegram):
    await set_up_officer(procedure_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.press(tr("en", "📖 All steps"), await open_scene(officer))
    reading = await officer.receive()
    for line in ("Keep hands off.", "⚠️ Keep people back.", "Note the time.", "Suspected bomb"):
        assert line in reading.text
    async with procedure_bot.session_factory() as session:
        assert (await session.scalars(select(ProcedureRun))).all() == []


async def test_supervisor_sees_which_steps_were_done_skipped_and_when(procedure_bot, telegram):
    await set_up_officer(procedure_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.press(tr("en", "▶️ Start"), await open_scene(officer))
    await officer.press(tr("en", "✅ Done"), await officer.receive())
    await officer.press(tr("en", "⏭ Skip, with a reason"), await officer.receive())
    await officer.receive()
    await officer.send("Sappers already hold the cordon")
    await officer.receive()

    async with procedure_bot.session_factory.begin() as session:
        kainda = await units.get_unit_by_code(session, "KAINDA")
        chuy = await units.get_unit_by_code(session, "CHUY")
        osh = await units.get_unit_by_code(session, "OSH")
        await users.upsert_user(session, 7001, Role.SUPERVISOR, chuy.id, "Chief Chuy", "en")
        await users.upsert_user(session, 7002, Role.SUPERVISOR, osh.id, "Chief Osh", "en")
        assert kainda.parent_id == chuy.id
    chief = telegram.user(7001, "Chief Chuy")
    await chief.send("/runs")
    listing = await chief.receive()
    assert "Check the scene" in listing.button_texts()[0]
    await chief.press(listing.button_texts()[0], listing)
    details = await chief.receive()
    for expected in (
        "Officer Bekov",
        "1. Keep hands off. — done",
        "2. Keep people back. — skipped",
        "Reason: Sappers already hold the cordon",
    ):
        assert expected in details.text

    other_chief = telegram.user(7002, "Chief Osh")
    await other_chief.send("/runs")
    assert (await other_chief.receive()).text == tr("en", "No procedure runs yet in your units.")
    run_button = listing.inline_buttons[0][0][1]
    await other_chief.press_data(run_button)
    await every_button_answered(telegram, other_chief)
    assert other_chief.callback_answers()[-1]["text"] == tr(
        "en", "You are not allowed to do this. Nothing was changed."
    )


async def quick_log_of_explosives(officer, place: str) -> None:
    """The quick log's questions, once "New report" has been asked for."""
    await officer.press(tr("en", "💣 Explosives"), await officer.receive())
    await officer.receive()
    await officer.receive()
    await officer.send(place)
    await officer.receive()
    await officer.press("1", await officer.receive())
    await officer.press(tr("en", "✅ Nobody in danger"), await officer.receive())
    await officer.receive()


async def finish_bomb_procedure(officer):
    await officer.send(tr("en", "📋 Procedures"))
    await officer.press("💣 " + tr("en", "Explosives"), await officer.receive())
    await officer.press("Suspected bomb", await officer.receive())
    await officer.press(tr("en", "▶️ Start"), await officer.receive())
    await officer.press(tr("en", "⚠️ Confirm done"), await officer.receive())
    await officer.press(tr("en", "✅ Yes, it is done"), await officer.receive())
    await officer.press(tr("en", "✅ Done"), await officer.receive())
    return await officer.receive()


async def test_a_finished_run_joins_an_open_report_and_starts_a_new_one(procedure_bot, telegram):
    await set_up_officer(procedure_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.send(tr("en", "📝 New report"))
    await quick_log_of_explosives(officer, "Lane 3, truck")
    async with procedure_bot.session_factory() as session:
        first_report = await session.scalar(select(SeizureReport))

    finished = await finish_bomb_procedure(officer)
    add = tr("en", "📎 Add to No. {number}", number=first_report.number)
    await officer.press(add, finished)
    await every_button_answered(telegram, officer)
    assert first_report.number in officer.callback_answers()[-1]["text"]

    await officer.press(tr("en", "⚡ Quick log with this"), finished)
    await quick_log_of_explosives(officer, "Lane 3, second truck")

    async with procedure_bot.session_factory() as session:
        run = await session.scalar(select(ProcedureRun).where(ProcedureRun.procedure_id == "bomb"))
        links = (await session.scalars(select(ReportProcedureRun))).all()
        assert sorted(link.report_id for link in links if link.run_id == run.id) == [
            first_report.id,
            first_report.id + 1,
        ]

    await officer.send(tr("en", "🗂 My reports"))
    listing = await officer.receive()
    await officer.press(listing.button_texts()[0], listing)
    details = await officer.receive()
    assert "Suspected bomb" in details.text


async def test_a_photo_taken_at_a_step_is_evidence_like_a_reports_photo(
    procedure_bot, telegram, database_url
):
    """Kept under its SHA-256 as it arrives, printed with the report the run joins, and a
    changed file is named by the verify command."""
    await set_up_officer(procedure_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.send(tr("en", "📝 New report"))
    await quick_log_of_explosives(officer, "Lane 1")
    await officer.press(tr("en", "▶️ Start"), await open_scene(officer))
    await officer.press(tr("en", "✅ Done"), await officer.receive())
    await officer.press(tr("en", "⚠️ Confirm done"), await officer.receive())
    await officer.press(tr("en", "✅ Yes, it is done"), await officer.receive())
    await officer.press("No", await officer.receive())
    await officer.receive()
    await officer.send_photo()
    await officer.receive()
    await officer.press(tr("en", "⚠️ Confirm done"), await officer.receive())
    await officer.press(tr("en", "✅ Yes, it is done"), await officer.receive())
    await officer.press(tr("en", "✅ Done"), await officer.receive())
    finished = await officer.receive()
    async with procedure_bot.session_factory() as session:
        report = await session.scalar(select(SeizureReport))
    await officer.press(tr("en", "📎 Add to No. {number}", number=report.number), finished)
    await every_button_answered(telegram, officer)

    async with procedure_bot.session_factory() as session:
        photo = await session.scalar(
            select(ProcedureStepEvent).where(ProcedureStepEvent.outcome == StepOutcome.PHOTO)
        )
    media = MediaStore(procedure_bot.settings.media_dir)
    kept = media.read(photo.photo_sha256)
    assert kept == telegram.file_content(photo.photo_file_id)
    assert hashlib.sha256(kept).hexdigest() == photo.photo_sha256
    async with procedure_bot.session_factory() as session:
        logged = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "procedure.photo")
        )
    assert (logged.object_id, logged.details["sha256"]) == (photo.run_id, photo.photo_sha256)

    await officer.send(tr("en", "🗂 My reports"))
    listing = await officer.receive_until(lambda message: message.has_button(tr("en", "📤 Export")))
    await officer.press(listing.button_texts()[0], listing)
    details = await officer.receive_until(lambda message: message.has_button(tr("en", "📄 PDF")))
    await officer.press(tr("en", "📄 PDF"), details)
    await officer.receive_until(lambda message: message.kind == "document")
    pdf = PdfReader(BytesIO(telegram.calls_of("sendDocument")[0].params["document"]["content"]))
    text = "".join(page.extract_text() for page in pdf.pages).replace("\n", "")
    assert tr("en", "Procedure followed: {title}", title="Check the scene") in text
    assert photo.photo_sha256 in text
    assert sum(len(page.images) for page in pdf.pages) == 1

    path = media.path_of(photo.photo_sha256)
    path.write_bytes(path.read_bytes()[:-1])
    media_dir = str(procedure_bot.settings.media_dir)
    # In a thread: the bot runs on this event loop and must go on while the command waits.
    verify = await asyncio.to_thread(cli, database_url, "audit", "verify", media_dir=media_dir)
    assert verify.returncode == 1
    assert f"photo {photo.id} of procedure run {photo.run_id}: altered" in verify.stderr
