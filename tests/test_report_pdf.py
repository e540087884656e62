"""The report's PDF as an official record a supervisor signs: the letterhead of the unit tree,
the report's number, the page count and who printed it on every page, each procedure step's
decision with its time and who confirmed it, stopped runs shown as stopped, photos beside their
step, dates as dd.mm.yyyy HH:MM, and text that is never justified. Reports are filed, procedures
walked and reports acknowledged through the real services; the PDF is read back with pypdf."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image as Picture
from pypdf import PdfReader
from sqlalchemy import select

from bot.config import Settings
from bot.db.models import Role, SeizureReport
from bot.documents.pdf import printable, render
from bot.i18n import create_i18n
from bot.media import MediaStore
from bot.procedures.library import ProcedureLibrary, load_library
from bot.services import procedure_runs, reports, units, users
from bot.services.report_fields import Section
from handlers.common.item_words import item_in_words
from handlers.common.report_texts import ENTRY_SECTIONS
from handlers.common.report_values import section_rows
from handlers.documents.report_pdf import report_document
from tests.procedure_fixtures import SCENE, write_library
from tests.procedure_fixtures import text as in_languages
from tests.record_fixtures import file_report_with_every_field
from tests.scenario import tr
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_full_report import open_own_report
from tests.test_report_numbering import BISHKEK, officer_at
from tests.test_report_rules import submit, write_complete_draft

RECORD_MOMENT = re.compile(r"\b\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}\b")
LANGUAGES = ("ky", "ru", "en")


def settings(media_dir: Path) -> Settings:
    return Settings(_env_file=None, timezone="Asia/Bishkek", media_dir=media_dir)


def photo_bytes() -> bytes:
    picture = Picture.new("RGB", (320, 240), (200, 180, 150))
    buffer = BytesIO()
    picture.save(buffer, format="JPEG")
    return buffer.getvalue()


async def walk_scene(session, officer, library: ProcedureLibrary, media: MediaStore) -> int:
    """`check-scene` to its end: a step done, the critical one confirmed, the question answered
    "No", a photo at the (critical) photo step, the last step done."""
    run = await procedure_runs.start_run(session, officer, library.get("check-scene"))
    view = await procedure_runs.open_run(session, officer, run.id, library)
    await procedure_runs.complete_step(session, view, 1)
    await procedure_runs.complete_step(session, view, 2, confirmed=True)
    await procedure_runs.answer_question(session, officer, view, 3, 1, library)
    sha256 = media.save(photo_bytes())
    await procedure_runs.add_photo(session, officer, view, "photo-file-1", sha256)
    await procedure_runs.complete_step(session, view, 4, confirmed=True)
    await procedure_runs.complete_step(session, view, 5)
    return run.id


async def stopped_bomb_run(session, officer, library: ProcedureLibrary) -> int:
    run = await procedure_runs.start_run(session, officer, library.get("bomb"))
    view = await procedure_runs.open_run(session, officer, run.id, library)
    await procedure_runs.stop_run(session, officer, view)
    return run.id


@pytest.fixture
def library(tmp_path) -> ProcedureLibrary:
    return load_library(write_library(tmp_path / "procedures"))


@pytest.fixture
def media(tmp_path) -> MediaStore:
    return MediaStore(tmp_path / "media")


async def acknowledged_report_with_runs(session_factory, library, media) -> tuple[int, str]:
    """A full report of an officer at Kainda, with a walked and a stopped procedure, the
    receipt acknowledged by the Kainda supervisor."""
    officer_id = await officer_at(session_factory, 6101, "KAINDA")
    number = await submit(
        session_factory, officer_id, await write_complete_draft(session_factory, officer_id)
    )
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        report = await session.scalar(select(SeizureReport).where(SeizureReport.number == number))
        for run_id in (
            await walk_scene(session, officer, library, media),
            await stopped_bomb_run(session, officer, library),
        ):
            await reports.attach_run(session, officer, report.id, run_id)
        unit = await units.get_unit_by_code(session, "KAINDA")
        chief = await users.upsert_user(session, 6102, Role.SUPERVISOR, unit.id, "Chief Asanov")
        await reports.acknowledge(session, chief, report.id)
        return report.id, number


async def printed(session_factory, report_id, language, library, media, reader_id=None):
    i18n = create_i18n("en")
    async with session_factory() as session:
        report = await session.get(SeizureReport, report_id)
        reader = await users.get_user(session, reader_id) if reader_id else None
        with i18n.context(), i18n.use_locale(language):
            document = await report_document(
                session, report, language, settings(media.root), library, media, reader
            )
            return PdfReader(BytesIO(render([document])))


def printed_by(language: str, name: str | None = None) -> str:
    """The pattern of the line saying when, and for whom, the PDF was printed."""
    line = (
        tr(language, "Printed {date} by {name}.", date="@", name=name)
        if name
        else tr(language, "Printed {date} by the command-line export.", date="@")
    )
    before, after = line.split("@")
    return re.escape(before) + RECORD_MOMENT.pattern + re.escape(after)


def page_texts(pdf: PdfReader) -> list[str]:
    return [page.extract_text() for page in pdf.pages]


def content_streams(pdf: PdfReader) -> str:
    return "\n".join(page.get_contents().get_data().decode("latin-1") for page in pdf.pages)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_page_names_the_report_its_page_count_and_who_printed_it(
    session_factory, library, media, language
):
    report_id, number = await acknowledged_report_with_runs(session_factory, library, media)
    pdf = await printed(session_factory, report_id, language, library, media)
    pages = page_texts(pdf)
    assert len(pages) >= 2
    for page_number, text in enumerate(pages, start=1):
        assert number in text, page_number
        assert tr(language, "Page {page} of {pages}", page=page_number, pages=len(pages)) in text
        assert re.search(printed_by(language), text)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_record_names_the_service_the_unit_and_the_acknowledging_supervisor(
    session_factory, library, media, language
):
    report_id, _number = await acknowledged_report_with_runs(session_factory, library, media)
    pdf = await printed(session_factory, report_id, language, library, media)
    first, text = page_texts(pdf)[0], "\n".join(page_texts(pdf))
    headquarters, detachment, kainda = {
        "ky": ("УКМКнын Чек ара кызматы", "Чүй чек ара отряды", "Кайыңды"),
        "ru": ("Пограничная служба ГКНБ", "Чуйский пограничный отряд", "Каинды"),
        "en": ("Border Service", "Chüy border detachment", "Kainda"),
    }[language]
    post = tr(language, "Border crossing point «{name}»", name=kainda)
    assert first.index(headquarters) < first.index(detachment) < first.index(post)
    for label in ("Rank", "Position", "Signature", "L.S.", "Time zone"):
        assert tr(language, label) in text, label
    assert "Chief Asanov" in text
    assert "UTC+6" in text and text.count("UTC+6") == 1
    # No date in the reader's own style («1 дек. 2026 г.», «2026-ж., 1-дек.», "5:33 PM").
    assert RECORD_MOMENT.search(text)
    assert not re.search(r"\d{4} ?г\.|\d{4}-ж\.|\d [AP]M\b", text)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_each_step_prints_its_decision_time_and_who_confirmed_it(
    session_factory, library, media, language
):
    report_id, _number = await acknowledged_report_with_runs(session_factory, library, media)
    pdf = await printed(session_factory, report_id, language, library, media)
    text = "\n".join(page_texts(pdf))
    flat = re.sub(r"\s+", " ", text)
    no = in_languages("No")[language]
    assert tr(language, "answered: {answer}", answer=no) in flat
    assert tr(language, "Confirmed by") in flat and f"Officer {6101}" in flat
    assert "(!)" in flat  # the critical steps
    assert tr(language, "stopped") in flat
    evacuate = in_languages("Evacuate to 366 m.")[language]
    stopped = tr(language, "Stopped at step {number}: it and the steps after it were not done.")
    assert stopped.format(number=1) in flat
    # The step it stopped at is in the table, as stopped, and marked critical.
    assert re.search(
        rf"1 \(!\) {re.escape(evacuate)} {tr(language, 'stopped')} {RECORD_MOMENT.pattern}", flat
    )
    # The photo step prints once, its photo after it with its SHA-256.
    assert flat.count("Photograph it as found.") == 1
    assert sum(len(page.images) for page in pdf.pages) == 1
    assert len(RECORD_MOMENT.findall(text)) >= 8


async def test_no_text_is_justified_and_no_font_subsetting_is_logged(
    session_factory, library, media, caplog
):
    report_id, _number = await acknowledged_report_with_runs(session_factory, library, media)
    caplog.set_level("INFO")
    pdf = await printed(session_factory, report_id, "ru", library, media)
    streams = content_streams(pdf)
    # fpdf2 justifies with word spacing (Tw) or, in a TrueType font, with TJ arrays that widen
    # each space: neither may appear.
    assert not re.search(r"(?<![\d.])-?\d*\.?\d+ Tw", streams.replace("0 Tw", ""))
    assert " TJ" not in streams
    assert not [record for record in caplog.records if record.name.startswith("fontTools")]


async def test_the_officer_who_asks_for_the_pdf_is_named_as_who_printed_it(running_bot, telegram):
    officer_id = await set_up_officer(running_bot, language="ru")
    officer = telegram.user(OFFICER_ID, "Bekov")
    number = await submit(
        running_bot.session_factory,
        officer_id,
        await write_complete_draft(running_bot.session_factory, officer_id),
    )
    details = await open_own_report(officer, "ru")
    await officer.press(tr("ru", "📄 PDF"), details)
    await officer.receive()
    [call] = telegram.calls_of("sendDocument")
    pdf = PdfReader(BytesIO(call.params["document"]["content"]))
    async with running_bot.session_factory() as session:
        name = (await users.get_user(session, officer_id)).full_name
    for page in page_texts(pdf):
        assert number in page
        assert re.search(printed_by("ru", name), page)


async def test_of_two_answers_leading_to_the_same_step_the_one_chosen_is_printed(
    session_factory, tmp_path, media
):
    """As «Firearm» and «Both» of `first-response`, which both lead to `firearm-safe`."""
    kind = {
        "id": "kind",
        "kind": "question",
        "text": in_languages("What is it?"),
        "answers": [
            {"label": in_languages("Firearm"), "goto": "pack"},
            {"label": in_languages("Both"), "goto": "pack"},
        ],
    }
    pack = {"id": "pack", "kind": "instruction", "text": in_languages("Pack it.")}
    which = {**SCENE, "id": "which", "steps": [kind, pack]}
    library = load_library(write_library(tmp_path / "which", which))
    officer_id = await officer_at(session_factory, 6201, "KAINDA")
    number = await submit(
        session_factory, officer_id, await write_complete_draft(session_factory, officer_id)
    )
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        report = await session.scalar(select(SeizureReport).where(SeizureReport.number == number))
        run = await procedure_runs.start_run(session, officer, library.get("which"))
        view = await procedure_runs.open_run(session, officer, run.id, library)
        await procedure_runs.answer_question(session, officer, view, 1, 1, library)
        await procedure_runs.complete_step(session, view, 2)
        await reports.attach_run(session, officer, report.id, run.id)
    pdf = await printed(session_factory, report.id, "en", library, media)
    flat = re.sub(r"\s+", " ", "\n".join(page_texts(pdf)))
    assert "answered: Both" in flat and "Firearm" not in flat


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_report_with_every_field_of_the_record_prints_each_of_them(
    session_factory, library, media, language
):
    report_id, number = await file_report_with_every_field(session_factory)
    pdf = await printed(session_factory, report_id, language, library, media)
    flat = re.sub(r"\s+", " ", "\n".join(page_texts(pdf)))
    async with session_factory() as session:
        details = (await session.get(SeizureReport, report_id)).details
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale(language):
        expected = [item_in_words(item, language) for item in details["items"]]
        for key, section in [("incident", Section.INCIDENT), ("conveyance", Section.CONVEYANCE)]:
            expected += _printed_rows(section, details[key], language)
        for key, section in ENTRY_SECTIONS.items():
            for entry in details[key]:
                expected += _printed_rows(section, entry, language)
    for words in expected:
        assert re.sub(r"\s+", " ", printable(words)) in flat, words
    assert number in flat and "❗" not in flat
    if language == "ru":
        assert "Патроны 9×18 mm, с обыкновенной пулей" in flat


def _printed_rows(section: Section, values: dict, language: str) -> list[str]:
    rows = section_rows(section, values, language, BISHKEK, {}, True, False, record=True)
    # The narrative is a paragraph of its own; the rest is a label and its value.
    return [part for label, value in rows for part in (label, value) if label != value]
