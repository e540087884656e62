"""Exports: a thousand reports through XLSX and CSV and back, who may export what, the chat
flow a supervisor uses, and the command headquarters runs."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.config import Settings
from bot.db.custody_models import CustodyTransfer, TransferStatus
from bot.db.models import FoundCategory, ReportStatus, Role, SeizureReport, utcnow
from bot.documents.spreadsheet import CsvWriter, XlsxWriter
from bot.i18n import create_i18n
from bot.media import MediaStore
from bot.procedures.library import load_library
from bot.services import exports, units, users
from bot.services.report_fields import FIELDS, Kind, Section
from handlers.common import report_texts, texts
from handlers.documents.export import export_files
from tests.conftest import RunningBot
from tests.record_fixtures import file_report_with_every_field
from tests.scenario import tr
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_full_report import SUPERVISOR_ID
from tests.test_quick_log import add_supervisor
from tests.test_report_numbering import BISHKEK

REPORTS = 1_000
FORMULA = '=HYPERLINK("http://example.com","open")'
# Pictographs, dingbats, arrows and symbols, variation selectors, joiners: none belongs in data.
EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2190-\u21ff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]"
)


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


async def add_detailed_report(session_factory, officer) -> str:
    """A report answering the fields a data export has to get right: countries (one unknown),
    dates and moments, yes/no, a serial's state, persons, agencies notified, four weapons items
    and an explosive; an officer typed a formula into the narrative and a person's name."""
    seized_at = utcnow() - timedelta(hours=2)
    number = f"DATA-{officer.unit_id}-00001"
    async with session_factory.begin() as session:
        session.add(
            SeizureReport(
                number=number,
                unit_id=officer.unit_id,
                officer_id=officer.id,
                status=ReportStatus.SUBMITTED,
                category=FoundCategory.MIXED,
                occurred_at=seized_at,
                place_text="Kara-Suu station",
                anyone_in_danger=False,
                complete=True,
                revision=1,
                submitted_at=seized_at + timedelta(hours=1),
                details={
                    "incident": {
                        "direction": "entry",
                        "context": "trafficking",
                        "route_departure": "TJ",
                        "route_transit": ["UZ", "KZ"],
                        "route_destination": "unknown",
                        "seizure_protocol_date": "2026-11-30",
                        "narrative": FORMULA,
                    },
                    "conveyance": {"conveyance_type": "car", "registration_country": "KZ"},
                    "items": [
                        {
                            "number": 1,
                            "kind": "firearm",
                            "firearm_type": "assault_rifle",
                            "quantity": 1,
                            "make": "Kalashnikov",
                            "model": "AKM",
                            "calibre": "7.62×39 mm",
                            "serial_number": {"text": "ХТ 4417"},
                            "country_of_manufacture": "RU",
                            "year_of_manufacture": 1975,
                            "marking_status": "marked",
                            "tracing": "answered",
                            "tracing_date": "2026-10-01",
                            "tracing_outcome": "origin_established",
                            "last_legal_import_country": "TJ",
                            "storage_location": "Evidence room",
                        },
                        {
                            "number": 2,
                            "kind": "part",
                            "part_type": "suppressor",
                            "quantity": 1,
                            "make": "unknown",
                            "calibre": "7.62×39 mm",
                            "serial_number": {"state": "obliterated"},
                            "country_of_manufacture": "unknown",
                        },
                        {
                            "number": 3,
                            "kind": "ammunition",
                            "ammunition_type": "ball",
                            "quantity": 30,
                            "calibre": "7.62×39 mm",
                            "headstamp_country": "RU",
                        },
                        {
                            "number": 4,
                            "kind": "ammunition",
                            "ammunition_type": "tracer",
                            "quantity": 10,
                            "calibre": "7.62×39 mm",
                        },
                        {
                            "number": 5,
                            "kind": "explosive",
                            "explosive_kind": "hand_grenade",
                            "quantity": 1,
                            "disposal_team": "Sappers",
                            "disposal_time": (seized_at + timedelta(minutes=50)).isoformat(),
                            "destroyed_in_place": False,
                        },
                    ],
                    "persons": [
                        {
                            "number": 1,
                            "role": "driver",
                            "name": "@Petrov",
                            "birth_date": "1991-03-14",
                            "nationality": "TJ",
                            "detained": True,
                        }
                    ],
                    "notices": [
                        {
                            "number": 1,
                            "agency": "prosecutor",
                            "notified_at": (seized_at + timedelta(minutes=30)).isoformat(),
                            "notified_by": {"user_id": officer.id, "name": "P1"},
                        }
                    ],
                },
            )
        )
    return number


async def export(session_factory, requester, file_format: str, language: str = "ru", **options):
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
                **options,
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
    # Six files and the summary go at Telegram's pace in one chat: three in any three seconds.
    await officer.receive_until(lambda message: message.text.startswith("✅"), timeout=15)
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


def rows_of(workbook, title: str, language: str = "ru") -> list[dict]:
    """A sheet's rows as {header: cell}."""
    sheet = workbook[tr(language, title)]
    header, *rows = list(sheet.iter_rows())
    return [{head.value: cell for head, cell in zip(header, row, strict=True)} for row in rows]


def code(label: str) -> str:
    return tr("ru", "{label} (code)").format(label=tr("ru", label))


def iso(label: str) -> str:
    return tr("ru", "{label} (ISO 3166 code)").format(label=tr("ru", label))


async def test_each_reports_hand_overs_stay_with_it_across_batches(session_factory):
    """Hand-overs are read for a batch of reports at once: in an export longer than a batch,
    each report's hand-over still follows its own seizure rows, in the first batch and after."""
    officer = await person(session_factory, 1, Role.OFFICER, "KAINDA")
    receiver = await person(session_factory, 2, Role.OFFICER, "KAINDA")
    await add_reports(session_factory, officer, exports.BATCH + 20)
    async with session_factory.begin() as session:
        in_order = (await session.scalars(select(SeizureReport).order_by("occurred_at"))).all()
        # The export's first report and its last, in another batch.
        handed = {in_order[0].number: "S-FIRST", in_order[-1].number: "S-LAST"}
        for report in (in_order[0], in_order[-1]):
            session.add(
                CustodyTransfer(
                    report_id=report.id,
                    items=[2],
                    giver_id=officer.id,
                    receiver_id=receiver.id,
                    purpose="Examination",
                    seal_number=handed[report.number],
                    seal_photo_file_id="seal",
                    seal_photo_sha256="0" * 64,
                    seal_intact=True,
                    status=TransferStatus.CONFIRMED,
                    decided_at=utcnow(),
                )
            )
    [file], _total = await export(session_factory, None, "xlsx")

    workbook = load_workbook(io.BytesIO(file.content), read_only=True)
    rows = rows_of(workbook, "Custody")
    assert len(rows) == 2 * (exports.BATCH + 20) + len(handed)
    hand_overs = [
        (row[tr("ru", "Report number")].value, row[tr("ru", "Item number")].value, row[seal].value)
        for row in rows
        if row[code("Purpose")].value == "handover"
        for seal in [tr("ru", "Seal or package number")]
    ]
    assert hand_overs == [(number, 2, seal) for number, seal in handed.items()]
    for index, row in enumerate(rows):
        if row[code("Purpose")].value == "handover":  # right after its report's seizure rows
            assert rows[index - 1][tr("ru", "Report number")].value == (
                row[tr("ru", "Report number")].value
            )


async def test_a_spreadsheet_is_data_words_beside_codes_real_dates_and_no_emoji(session_factory):
    officer = await person(session_factory, 1, Role.OFFICER, "KAINDA")
    number = await add_detailed_report(session_factory, officer)
    [file], _total = await export(session_factory, None, "xlsx")
    workbook = load_workbook(io.BytesIO(file.content))

    titles = ["Reports", "Items", "Persons", "Agencies notified", "Custody", "Tracing"]
    assert workbook.sheetnames == [tr("ru", title) for title in titles]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        last = sheet.cell(sheet.max_row, sheet.max_column).coordinate
        assert sheet.auto_filter.ref == f"A1:{last}"
        # Fitted to content within 6 to 60 characters (Excel adds its padding of 0.71).
        widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
        assert all(6 <= width <= 61 for width in widths) and len(set(widths)) > 1
        assert next(sheet.iter_rows(values_only=True))[0] == tr("ru", "Report number")
        for row in sheet.iter_rows(values_only=True):
            assert not any(EMOJI.search(str(value)) for value in row if value), row

    [report] = rows_of(workbook, "Reports")
    assert report[tr("ru", "Report number")].value == number
    assert report[tr("ru", "What was found")].value == tr("ru", "🔀 Mixed").removeprefix("🔀 ")
    assert report[code("What was found")].value == "mixed"
    assert report[code("Status")].value == "submitted"
    assert report[tr("ru", "Status")].value == tr("ru", "submitted").capitalize()
    moment = report[tr("ru", "Date and time of the seizure")]
    assert moment.is_date and moment.value.tzinfo is None and moment.number_format.endswith("hh:mm")
    assert report[tr("ru", "Submitted")].is_date
    assert report[tr("ru", "Seizure protocol date")].is_date
    assert report[tr("ru", "Anyone in danger or hurt")].value == tr("ru", "No")
    assert report[iso("Country of departure")].value == "TJ"
    assert report[iso("Transit countries")].value == "UZ, KZ"
    assert report[tr("ru", "Intended destination")].value == tr("ru", "Unknown")
    assert report[iso("Intended destination")].value is None
    assert report[iso("Country of registration")].value == "KZ"

    items = {row[tr("ru", "Item number")].value: row for row in rows_of(workbook, "Items")}
    assert items[1][code("Type of weapon")].value == "assault_rifle"
    assert items[1][iso("Country of manufacture")].value == "RU"
    assert items[1][tr("ru", "Quantity")].data_type == "n"
    assert items[2][tr("ru", "Serial number")].value == tr("ru", "Obliterated")
    assert items[2][code("Serial number")].value == "obliterated"
    assert items[5][tr("ru", "Sappers arrived at")].is_date  # was text
    assert items[5][tr("ru", "Destroyed in place")].value == tr("ru", "No")

    [person_row] = rows_of(workbook, "Persons")
    born = person_row[tr("ru", "Date of birth")]
    assert born.is_date and born.value.date() == date(1991, 3, 14)
    assert born.number_format == "dd.mm.yyyy"
    assert person_row[iso("Nationality")].value == "TJ"
    assert person_row[code("Role")].value == "driver"
    assert person_row[tr("ru", "Detained")].value == tr("ru", "Yes")

    [notice] = rows_of(workbook, "Agencies notified")
    assert notice[code("Agency notified")].value == "prosecutor"
    assert notice[tr("ru", "Notified at")].is_date
    assert notice[tr("ru", "Notified by")].value == "P1"

    custody = rows_of(workbook, "Custody")
    assert [row[tr("ru", "Item number")].value for row in custody] == [1, 2, 3, 4, 5]
    assert {row[code("Purpose")].value for row in custody} == {"seizure"}
    assert custody[0][tr("ru", "Received by")].value == "P1"
    assert custody[0][tr("ru", "When")].value == moment.value
    assert custody[0][tr("ru", "Storage location after hand-over")].value == "Evidence room"

    [traced] = rows_of(workbook, "Tracing")
    assert traced[tr("ru", "Item number")].value == 1
    assert traced[code("Tracing outcome")].value == "origin_established"
    assert traced[iso("Traced: country of last legal import")].value == "TJ"


async def test_a_formula_an_officer_typed_is_neutralised_in_the_csv_files(session_factory):
    officer = await person(session_factory, 1, Role.OFFICER, "KAINDA")
    await add_detailed_report(session_factory, officer)
    files, _total = await export(session_factory, None, "csv")
    by_name = {file.name.rsplit("-", 1)[1]: file.content.decode("utf-8-sig") for file in files}
    [_header, report] = list(csv.reader(io.StringIO(by_name["reports.csv"])))
    assert "'" + FORMULA in report and FORMULA not in report
    [_header, person_row] = list(csv.reader(io.StringIO(by_name["persons.csv"])))
    assert "'@Petrov" in person_row and "1991-03-14" in person_row and "TJ" in person_row
    [_header, *items] = list(csv.reader(io.StringIO(by_name["items.csv"])))
    assert [row[1] for row in items] == ["1", "2", "3", "4", "5"]


def expected_cells(spec, value) -> list[tuple[str, object]]:
    """What a field's columns hold for `value` in Russian: (header, value), or (header, datetime)
    for a date cell."""
    label = report_texts.field_label(spec.key)
    code_column = tr("ru", "{label} (code)", label=label)
    iso_column = tr("ru", "{label} (ISO 3166 code)", label=label)
    match spec.kind:
        case Kind.CHOICE:
            name = texts.plain_name(report_texts.choice_name(value))
            return [(label, name[:1].upper() + name[1:]), (code_column, value)]
        case Kind.SERIAL if "state" in value:
            return [(code_column, value["state"])]
        case Kind.SERIAL:
            return [(label, value["text"])]
        case Kind.YES_NO:
            return [(label, tr("ru", "Yes" if value else "No"))]
        case Kind.COUNTRY:
            return [(iso_column, None if value == "unknown" else value)]
        case Kind.COUNTRIES:
            return [(iso_column, ", ".join(value))]
        case Kind.DATE | Kind.DATETIME:
            return [(label, datetime)]
        case Kind.OFFICER:
            return [(label, value["name"])]
    return [(label, value)]  # text as typed, numbers as numbers


async def test_the_report_with_every_field_exports_each_as_data(session_factory):
    """Every answered field of the official record, in its sheet: names beside codes, ISO codes
    beside countries, dates and moments as date cells, numbers as numbers."""
    _id, number = await file_report_with_every_field(session_factory)
    [file], _total = await export(session_factory, None, "xlsx")
    workbook = load_workbook(io.BytesIO(file.content))
    async with session_factory() as session:
        report = await session.scalar(select(SeizureReport).where(SeizureReport.number == number))
    details = report.details
    sheets = {
        Section.INCIDENT: ("Reports", [details["incident"]]),
        Section.CONVEYANCE: ("Reports", [details["conveyance"]]),
        Section.ITEM: ("Items", details["items"]),
        Section.PERSON: ("Persons", details["persons"]),
        Section.NOTICE: ("Agencies notified", details["notices"]),
    }
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("ru"):
        for section, (title, entries) in sheets.items():
            rows = rows_of(workbook, title)
            assert len(rows) == len(entries)
            for row, entry in zip(rows, entries, strict=True):
                answered = [spec for spec in FIELDS[section] if entry.get(spec.key) is not None]
                for spec in answered:
                    for header, wanted in expected_cells(spec, entry[spec.key]):
                        cell = row[header]
                        if wanted is datetime:
                            assert cell.is_date, header
                        else:
                            assert cell.value == wanted, header
    for sheet in workbook.worksheets:
        for values in sheet.iter_rows(values_only=True):
            assert not any(EMOJI.search(str(value)) for value in values if value), values
    items = rows_of(workbook, "Items")
    assert [row[tr("ru", "Item number")].value for row in rows_of(workbook, "Custody")] == [
        row[tr("ru", "Item number")].value for row in items
    ]
    [traced] = rows_of(workbook, "Tracing")
    assert traced[tr("ru", "Item number")].value == 1
