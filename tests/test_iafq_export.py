"""The national-reporting export (UNODC's Illicit Arms Flows Questionnaire): one row per seized
firearm, part and ammunition lot, for headquarters only, from the chat and the command line."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from bot.db.models import Role
from bot.services.errors import AccessDenied
from tests.conftest import RunningBot
from tests.record_fixtures import file_report_with_every_field
from tests.scenario import tr
from tests.test_cli import cli
from tests.test_exports import add_detailed_report, export, person, today
from tests.test_quick_log import add_supervisor

HQ_SUPERVISOR_ID, UNIT_SUPERVISOR_ID = 9101, 9102


def iafq_rows(content: bytes, language: str = "en") -> list[dict]:
    workbook = load_workbook(io.BytesIO(content))
    [sheet] = workbook.worksheets
    assert sheet.title == tr(language, "IAFQ seizures")
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    header, *rows = list(sheet.iter_rows())
    return [{head.value: cell for head, cell in zip(header, row, strict=True)} for row in rows]


def code(label: str) -> str:
    return tr("en", "{label} (code)").format(label=label)


def iafq(label: str) -> str:
    return tr("en", "{label} (IAFQ category)").format(label=label)


async def test_a_firearm_a_part_and_two_ammunition_lots_are_four_rows(session_factory):
    officer = await person(session_factory, 1, Role.OFFICER, "KAINDA")
    headquarters = await person(session_factory, 2, Role.SUPERVISOR, "BS")
    number = await add_detailed_report(session_factory, officer)
    [file], total = await export(session_factory, headquarters, "iafq", "en")
    assert total == 1 and file.name == f"iafq-{today() - timedelta(days=5)}-{today()}.xlsx"

    rows = iafq_rows(file.content)
    assert [row["Item number"].value for row in rows] == [1, 2, 3, 4]  # no grenade
    assert {row["Report number"].value for row in rows} == {number}
    rifle, suppressor, ball, tracer = rows
    assert rifle["Date of the seizure"].is_date
    assert rifle["Date of the seizure"].number_format == "dd.mm.yyyy"
    assert rifle[iafq("Category")].value == "firearms"
    assert rifle[code("Type")].value == "assault_rifle"
    assert rifle[iafq("Type")].value == "rifle"
    assert rifle["Type"].value == "Assault rifle"
    assert (rifle["Make (manufacturer)"].value, rifle["Model"].value) == ("Kalashnikov", "AKM")
    assert rifle["Calibre"].value == "7.62×39 mm"
    assert rifle["Serial number"].value == "ХТ 4417"
    assert rifle["Country of manufacture (ISO 3166 code)"].value == "RU"
    assert rifle["Year of manufacture"].value == 1975
    assert rifle[code("Marking status")].value == "marked"
    assert rifle[iafq("Context")].value == "illicit_trafficking"
    assert rifle[iafq("Tracing request")].value == "initiated"
    assert rifle[iafq("Tracing outcome")].value == "successful"
    assert rifle["Traced: country of last legal import (ISO 3166 code)"].value == "TJ"

    assert suppressor[iafq("Category")].value == "parts_components"
    assert suppressor[iafq("Type")].value == "parts_components"
    assert suppressor[code("Serial number")].value == "obliterated"
    assert suppressor["Country of manufacture"].value == "Unknown"
    assert suppressor["Country of manufacture (ISO 3166 code)"].value is None

    assert [lot[iafq("Category")].value for lot in (ball, tracer)] == ["ammunition"] * 2
    assert [lot["Quantity"].value for lot in (ball, tracer)] == [30, 10]
    assert ball["Country of manufacture (ISO 3166 code)"].value == "RU"  # from the headstamp
    assert tracer[code("Type")].value == "tracer"


async def test_only_headquarters_reports_for_the_country(session_factory):
    officer = await person(session_factory, 1, Role.OFFICER, "KAINDA")
    unit_supervisor = await person(session_factory, 2, Role.SUPERVISOR, "KAINDA")
    with pytest.raises(AccessDenied):
        await export(session_factory, unit_supervisor, "iafq", "en")
    with pytest.raises(AccessDenied):
        await export(session_factory, officer, "iafq", "en")
    admin = await person(session_factory, 3, Role.ADMIN, "KAINDA")
    [_file], _total = await export(session_factory, admin, "iafq", "en")


async def test_a_headquarters_supervisor_exports_the_national_sheet_from_the_inbox(
    running_bot: RunningBot, telegram
):
    await add_supervisor(running_bot, HQ_SUPERVISOR_ID, "BS", "en")
    await add_supervisor(running_bot, UNIT_SUPERVISOR_ID, "KAINDA", "en")
    officer = await person(running_bot.session_factory, 1, Role.OFFICER, "KAINDA")
    await add_detailed_report(running_bot.session_factory, officer)
    national = tr("en", "🌐 IAFQ (national reporting)")

    async def formats_seen_by(telegram_id: int):
        chief = telegram.user(telegram_id, "Chief")
        await chief.send(tr("en", "📥 Inbox"))
        await chief.press(tr("en", "📤 Export"), await chief.receive())
        await chief.press(tr("en", "Last 30 days"), await chief.receive())
        return chief, await chief.receive()

    _chief, formats = await formats_seen_by(UNIT_SUPERVISOR_ID)
    assert national not in formats.button_texts()
    headquarters, formats = await formats_seen_by(HQ_SUPERVISOR_ID)
    await headquarters.press(national, formats)
    await headquarters.receive_until(lambda message: message.text.startswith("✅"))
    upload = telegram.calls_of("sendDocument")[0].params["document"]
    assert upload["filename"].startswith("iafq-")
    assert len(iafq_rows(upload["content"])) == 4


async def test_headquarters_writes_the_national_sheet_from_the_command_line(
    session_factory, database_url, tmp_path
):
    officer = await person(session_factory, 1, Role.OFFICER, "KAINDA")
    await add_detailed_report(session_factory, officer)
    out = tmp_path / "iafq.xlsx"
    last = today()
    done = cli(
        database_url,
        "export",
        "--from",
        (last - timedelta(days=1)).isoformat(),
        "--to",
        last.isoformat(),
        "--format",
        "iafq",
        "--out",
        str(out),
        "--language",
        "en",
    )
    assert done.returncode == 0, done.stderr
    assert "1 report(s) exported" in done.stdout
    assert len(iafq_rows(out.read_bytes())) == 4


async def test_the_report_with_every_field_gives_one_row_per_weapon_part_and_lot(
    session_factory,
):
    _id, number = await file_report_with_every_field(session_factory)
    [file], _total = await export(session_factory, None, "iafq", "en")
    rows = iafq_rows(file.content)
    # The pistol, its spare slide and two lots of cartridges; the grenade is not in the sheet.
    assert [row["Item number"].value for row in rows] == [1, 2, 3, 4]
    assert [row[iafq("Category")].value for row in rows] == [
        "firearms",
        "parts_components",
        "ammunition",
        "ammunition",
    ]
    pistol, slide, first_lot, second_lot = rows
    assert (pistol[iafq("Type")].value, pistol["Serial number"].value) == ("pistol", "КА 1234")
    assert pistol["Year of manufacture"].value == 1978
    assert pistol["Country of manufacture (ISO 3166 code)"].value == "RU"
    assert pistol[iafq("Tracing outcome")].value == "successful"
    assert pistol["Traced: country of last legal import (ISO 3166 code)"].value == "TJ"
    assert pistol[iafq("Context")].value == "illicit_trafficking"
    assert slide[code("Type")].value == "slide" and slide["Year of manufacture"].value == 1981
    assert [lot["Quantity"].value for lot in (first_lot, second_lot)] == [16, 24]
    assert {row["Report number"].value for row in rows} == {number}
