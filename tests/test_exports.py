"""Exports: a thousand reports through XLSX and CSV and back, who may export what, the chat
flow a supervisor uses, and the command headquarters runs."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.config import Settings
from bot.db.models import FoundCategory, ReportStatus, Role, SeizureReport, utcnow
from bot.documents.spreadsheet import CsvWriter, XlsxWriter
from bot.i18n import create_i18n
from bot.media import MediaStore
from bot.procedures.library import load_library
from bot.services import exports, units, users
from handlers.documents.export import export_files
from tests.conftest import RunningBot
from tests.scenario import tr
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_full_report import SUPERVISOR_ID
from tests.test_quick_log import add_supervisor
from tests.test_report_numbering import BISHKEK

REPORTS = 1_000


def today() -> date:
    """Asked when needed: a run started before midnight in Bishkek goes on after it."""
    return utcnow().astimezone(BISHKEK).date()


def settings() -> Settings:
    return Settings(_env_file=None, timezone="Asia/Bishkek")


async def person(session_factory, telegram_id: int, role: Role, unit_code: str):
    async with session_factory.begin() as session:
        unit = await units.get_unit_by_code(session, unit_code)
        return await users.upsert_user(session, telegram_id, role, unit.id, f"P{telegram_id}", "ru")


async def add_reports(session_factory, officer, count: int, start: int = 1) -> None:
    """Complete reports with two items each, written straight to the database."""
    async with session_factory.begin() as session:
        for number in range(start, start + count):
            session.add(
                SeizureReport(
                    number=f"TEST-{officer.unit_id}-{number:05d}",
                    unit_id=officer.unit_id,
                    officer_id=officer.id,
                    status=ReportStatus.SUBMITTED,
                    category=FoundCategory.FIREARMS,
                    occurred_at=utcnow() - timedelta(hours=number % 48),
                    place_text=f"Lane {number % 7}",
                    complete=True,
                    revision=1,
                    details={
                        "incident": {"direction": "entry", "narrative": f"Report {number}"},
                        "conveyance": {},
                        "items": [
                            {
                                "number": 1,
                                "kind": "firearm",
                                "firearm_type": "pistol",
                                "quantity": 1,
                                "serial_number": {"text": f"AB-{number}"},
                            },
                            {
                                "number": 2,
                                "kind": "ammunition",
                                "ammunition_type": "ball",
                                "quantity": 16,
                                "calibre": "9×18 mm",
                            },
                        ],
                        "persons": [],
                    },
                )
            )


async def export(session_factory, requester, file_format: str, language: str = "ru"):
    i18n = create_i18n("en")
    library = load_library(settings().procedures_dir)
    last = today()
    first = last - timedelta(days=5)
    async with session_factory() as session:
        with i18n.context(), i18n.use_locale(language):
            return await export_files(
                session,
                requester,
                first,
                last,
                file_format,
                language,
                settings(),
                library,
                MediaStore(settings().media_dir),
            )


async def test_a_thousand_reports_round_trip_through_xlsx_in_russian(session_factory):
    officer = await person(session_factory, 1, Role.OFFICER, "KAINDA")
    await add_reports(session_factory, officer, REPORTS)
    [file], total = await export(session_factory, None, "xlsx")

    workbook = load_workbook(io.BytesIO(file.content), read_only=True)
    reports_sheet, items_sheet = workbook[tr("ru", "Reports")], workbook[tr("ru", "Items")]
    rows = list(reports_sheet.iter_rows(values_only=True))
    assert total == REPORTS and len(rows) == REPORTS + 1
    header = rows[0]
    assert header[0] == tr("ru", "Report number")
    by_number = {row[0]: dict(zip(header, row, strict=False)) for row in rows[1:]}
    first = by_number[f"TEST-{officer.unit_id}-00001"]
    assert first[tr("ru", "Direction")] == tr("ru", "Entry")
    assert first[tr("ru", "What was found")] == tr("ru", "🔫 Firearms").removeprefix("🔫 ")
    assert first[tr("ru", "{label} (code)").format(label=tr("ru", "What was found"))] == "firearms"
    assert first[tr("ru", "Narrative")] == "Report 1"
    assert first[tr("ru", "Date and time of the seizure")].tzinfo is None  # local, as read
    items = list(items_sheet.iter_rows(values_only=True))
    assert len(items) == 2 * REPORTS + 1
    kinds = {row[2:4] for row in items[1:]}  # the first field of an item: its kind, and code
    assert kinds == {
        (tr("ru", "🔫 Firearm").removeprefix("🔫 "), "firearm"),
        (tr("ru", "🧰 Ammunition").removeprefix("🧰 "), "ammunition"),
    }
    assert any(f"AB-{REPORTS}" in row for row in items[1:])


async def test_a_thousand_reports_round_trip_through_csv_in_kyrgyz(session_factory):
    officer = await person(session_factory, 1, Role.OFFICER, "KAINDA")
    await add_reports(session_factory, officer, REPORTS)
    reports_file, items_file, *_others = (await export(session_factory, None, "csv", "ky"))[0]
    assert reports_file.content.startswith("\ufeff".encode())  # spreadsheet programs need it
    rows = list(csv.reader(io.StringIO(reports_file.content.decode("utf-8-sig"))))
    assert len(rows) == REPORTS + 1 and rows[0][0] == tr("ky", "Report number")
    assert {row[0] for row in rows[1:]} == {
        f"TEST-{officer.unit_id}-{n:05d}" for n in range(1, REPORTS + 1)
    }
    items = list(csv.reader(io.StringIO(items_file.content.decode("utf-8-sig"))))
    assert len(items) == 2 * REPORTS + 1


async def test_an_officer_exports_only_their_own_and_a_supervisor_only_their_units(
    session_factory,
):
    kainda = await person(session_factory, 1, Role.OFFICER, "KAINDA")
    colleague = await person(session_factory, 2, Role.OFFICER, "KAINDA")
    elsewhere = await person(session_factory, 3, Role.OFFICER, "DOSTUK")
    await add_reports(session_factory, kainda, 3)
    await add_reports(session_factory, colleague, 2, start=100)
    await add_reports(session_factory, elsewhere, 4, start=200)
    supervisor = await person(session_factory, 4, Role.SUPERVISOR, "KAINDA")

    async def numbers(requester) -> set[str]:
        [file], _total = await export(session_factory, requester, "xlsx")
        sheet = load_workbook(io.BytesIO(file.content), read_only=True).worksheets[0]
        return {row[0] for row in list(sheet.iter_rows(values_only=True))[1:]}

    own = await numbers(kainda)
    assert len(own) == 3 and all(number.startswith(f"TEST-{kainda.unit_id}-0000") for number in own)
    assert len(await numbers(supervisor)) == 5
    assert len(await numbers(None)) == 9  # headquarters


def test_a_period_must_be_in_order_and_not_endless():
    with pytest.raises(exports.InvalidInput):
        exports.period_bounds(date(2026, 11, 2), date(2026, 11, 1), BISHKEK)
    with pytest.raises(exports.InvalidInput):
        exports.period_bounds(date(2020, 1, 1), date(2026, 11, 1), BISHKEK)


async def test_a_supervisor_exports_this_months_reports_from_the_inbox(
    running_bot: RunningBot, telegram
):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, SUPERVISOR_ID, "KAINDA", "ru")
    chief = telegram.user(SUPERVISOR_ID, "Chief")
    async with running_bot.session_factory() as session:
        officer = await users.get_user(
            session,
            await session.scalar(select(users.User.id).where(users.User.telegram_id == OFFICER_ID)),
        )
    await add_reports(running_bot.session_factory, officer, 3)
    await chief.send(tr("ru", "📥 Inbox"))
    inbox = await chief.receive()
    await chief.press(tr("ru", "📤 Export"), inbox)
    await chief.press(tr("ru", "Last 30 days"), await chief.receive())
    await chief.press(tr("ru", "📊 Spreadsheet (XLSX)"), await chief.receive())
    document = await chief.receive_until(lambda message: message.kind == "document")
    assert document.kind == "document"
    done = await chief.receive_until(lambda message: message.text.startswith("✅"))
    assert "3" in done.text
    upload = telegram.calls_of("sendDocument")[0].params["document"]
    sheet = load_workbook(io.BytesIO(upload["content"]), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 4


async def test_an_officer_types_a_period_of_their_own_and_gets_csv_files(
    running_bot: RunningBot, telegram
):
    officer_id = await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    async with running_bot.session_factory() as session:
        me = await users.get_user(session, officer_id)
    await add_reports(running_bot.session_factory, me, 2)
    await officer.send(tr("en", "🗂 My reports"))
    await officer.press(tr("en", "📤 Export"), await officer.receive())
    await officer.press(tr("en", "📅 Other period"), await officer.receive())
    await officer.receive()
    await officer.send("last autumn")
    assert (await officer.receive()).text == tr(
        "en", "This period is not understood. Type two days, e.g. 01.10.2026 – 31.10.2026."
    )
    last = today()
    await officer.send(f"{last:%d.%m.%Y} – {last - timedelta(days=3):%d.%m.%Y}")
    assert (await officer.receive()).text == tr("en", "The period ends before it begins.")
    await officer.send(f"{last - timedelta(days=3):%d.%m.%Y} - {last:%d.%m.%Y}")
    formats = await officer.receive()
    await officer.press(tr("en", "📄 CSV files"), formats)
    await officer.receive_until(lambda message: message.text.startswith("✅"))
    names = [call.params["document"]["filename"] for call in telegram.calls_of("sendDocument")]
    assert [name.rsplit("-", 1)[1] for name in names] == [
        "reports.csv",
        "items.csv",
        "persons.csv",
        "notices.csv",
        "custody.csv",
        "tracing.csv",
    ]


def test_what_an_officer_typed_stays_text_in_the_spreadsheet():
    """A serial number or narrative starting with "=" is not run as a formula when the file is
    opened, and a typed address is not turned into a link."""
    writer = XlsxWriter()
    sheet = writer.sheet("Items", ["Serial number", "Narrative"])
    sheet.append(['=HYPERLINK("http://example.com","open")', "http://example.com"])
    sheet = load_workbook(io.BytesIO(writer.close()), read_only=True).worksheets[0]
    [serial, narrative] = next(sheet.iter_rows(min_row=2))
    assert serial.value == '=HYPERLINK("http://example.com","open")'
    assert serial.data_type == "s"  # a string, not "f" (formula)
    assert narrative.value == "http://example.com"


def test_what_an_officer_typed_is_not_a_formula_in_a_csv_file_either():
    """A spreadsheet program runs "=…", "+…", "-…", "@…", and a tab or carriage return first,
    typed in a CSV cell; an apostrophe in front keeps it text (and is not shown). A number
    field's negative number stays a number; "-3" typed as text is guarded like any text."""
    writer = CsvWriter()
    sheet = writer.sheet("Items", ["Serial number", "Narrative", "Quantity"])
    sheet.append(['=HYPERLINK("http://example.com","open")', "@SUM(A1)", -3])
    sheet.append(["AB-123", "- found under the seat", 16])
    sheet.append(["+7 700", "\t=1+1", "-3"])
    sheet.append(["\r=1+1", "|pipe", None])
    [rows] = writer.close().values()
    lines = list(csv.reader(io.StringIO(rows.decode("utf-8-sig"), newline="")))
    assert lines[1] == ['\'=HYPERLINK("http://example.com","open")', "'@SUM(A1)", "-3"]
    assert lines[2] == ["AB-123", "'- found under the seat", "16"]
    assert lines[3] == ["'+7 700", "'\t=1+1", "'-3"]
    assert lines[4] == ["'\r=1+1", "|pipe", ""]
