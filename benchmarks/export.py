"""Time and peak memory of the XLSX export of many items, as the Export button and
`python -m bot export` write it, next to its floor: XlsxWriter alone writing the very same cells.

Run in a fresh interpreter (`python -m benchmarks.export`), so its peak resident memory is the
export's own and not what the other benchmarks allocated; prints one JSON line. The rows for the
floor are made after the export (not timed, and not in its peak), by the export's own code
writing into lists instead of a workbook.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

# Before aiogram, as in `python -m bot`, so aiogram loads as it does in production.
from bot import lazy_aiogram  # noqa: F401  # isort: skip
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from benchmarks.database import bench_settings, reset_database
from benchmarks.memory import Figures, in_fresh_process, print_figures
from benchmarks.officers import Officer, add_officers
from benchmarks.rss import peak_megabytes, resident_megabytes
from bot.config import Settings
from bot.db.custody_models import CustodyTransfer, TransferStatus
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_database
from bot.db.models import FoundCategory, ReportStatus, SeizureReport, utcnow
from bot.documents.spreadsheet import DATE_FORMAT, DATETIME_FORMAT, Cell
from bot.i18n import create_i18n
from bot.media import MediaStore
from bot.procedures.library import load_library
from bot.services import exports
from handlers.documents.export import XLSX, export_files, write_sheets

ITEMS_PER_REPORT = 5
# One report in ten had its items handed over to the laboratory, as the Custody sheet shows.
HANDED_OVER_EVERY = 10
BATCH = 1_000
LANGUAGE = "ru"
XLSX_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}


def _report(officer_id: int, unit_id: int, number: int) -> dict[str, object]:
    items = [
        {
            "number": position,
            "kind": "firearm",
            "firearm_type": "assault_rifle",
            "quantity": 1,
            "make": "Izhmash",
            "model": "AKM",
            "calibre": "7.62×39 mm",
            "serial_number": {"text": f"KA {number:06d}-{position}"},
            "country_of_manufacture": "RU",
            "condition": "working",
        }
        for position in range(1, ITEMS_PER_REPORT + 1)
    ]
    return {
        "number": f"BENCH-2026-{number:06d}",
        "unit_id": unit_id,
        "officer_id": officer_id,
        "status": ReportStatus.SUBMITTED,
        "category": FoundCategory.FIREARMS,
        "occurred_at": utcnow() - timedelta(minutes=number),
        "place_text": "Lane 3",
        "complete": True,
        "revision": 1,
        "details": {
            "incident": {
                "direction": "entry",
                "detection_method": "x_ray_scanner",
                "narrative": "Rifles in a hidden compartment of a truck. " * 5,
            },
            "conveyance": {"conveyance_type": "truck"},
            "items": items,
            "persons": [],
        },
    }


def _handover(report_id: int, giver: Officer, receiver: Officer) -> dict[str, object]:
    return {
        "report_id": report_id,
        "items": list(range(1, ITEMS_PER_REPORT + 1)),
        "giver_id": giver.user_id,
        "receiver_id": receiver.user_id,
        "purpose": "Ballistic examination",
        "seal_number": f"SEAL-{report_id}",
        "seal_photo_file_id": "photo",
        "seal_photo_sha256": "0" * 64,
        "seal_intact": True,
        "status": TransferStatus.CONFIRMED,
        "decided_at": utcnow(),
    }


async def _settle(engine: AsyncEngine) -> None:
    """Statistics and visibility of the rows just inserted, as months of use would have them:
    otherwise PostgreSQL's autovacuum works on them during the measured export."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))


async def _add_reports(session_factory: async_sessionmaker[AsyncSession], items: int) -> None:
    officer, laboratory = await add_officers(session_factory, 2)
    reports = items // ITEMS_PER_REPORT
    for start in range(0, reports, BATCH):
        rows = [
            _report(officer.user_id, officer.unit_id, number)
            for number in range(start, min(start + BATCH, reports))
        ]
        async with session_factory.begin() as session:
            await session.execute(insert(SeizureReport), rows)
    async with session_factory.begin() as session:
        ids = (await session.scalars(select(SeizureReport.id).order_by(SeizureReport.id))).all()
        handovers = [_handover(id, officer, laboratory) for id in ids[::HANDED_OVER_EVERY]]
        for start in range(0, len(handovers), BATCH):
            await session.execute(insert(CustodyTransfer), handovers[start : start + BATCH])


def _period(settings: Settings) -> tuple[date, date]:
    today = utcnow().astimezone(settings.tz).date()
    return today - timedelta(days=365), today


@dataclass
class RecordedSheet:
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)

    def append(self, row: list[Cell]) -> None:
        self.rows.append(row)


class RecordingWriter:
    """The export's sheets kept as lists, for XlsxWriter alone to write afterwards."""

    def __init__(self) -> None:
        self.sheets: list[RecordedSheet] = []

    def sheet(self, title: str, headers: list[str]) -> RecordedSheet:
        self.sheets.append(RecordedSheet(title[:31], headers))
        return self.sheets[-1]


async def _recorded_sheets(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> list[RecordedSheet]:
    writer = RecordingWriter()
    async with session_factory() as session:
        query = await exports.export_query(session, None, *_period(settings), settings.tz)
        await write_sheets(session, query, writer, XLSX, LANGUAGE, settings.tz)
    return writer.sheets


def xlsxwriter_alone(sheets: list[RecordedSheet]) -> float:
    """Seconds XlsxWriter takes, in constant-memory mode, to write these cells to a file: each
    with its type's own call and the export's formats, empty cells skipped."""
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(io.BytesIO(), XLSX_OPTIONS)
    header = workbook.add_format({"bold": True})
    moment, day = (
        workbook.add_format({"num_format": shown}) for shown in (DATETIME_FORMAT, DATE_FORMAT)
    )
    for sheet in sheets:
        worksheet = workbook.add_worksheet(sheet.title)
        worksheet.freeze_panes(1, 0)
        worksheet.write_row(0, 0, sheet.headers, header)
        for number, row in enumerate(sheet.rows, start=1):
            for column, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    worksheet.write_string(number, column, value)
                elif isinstance(value, datetime):
                    worksheet.write_datetime(number, column, value, moment)
                elif isinstance(value, date):
                    worksheet.write_datetime(number, column, value, day)
                else:
                    worksheet.write_number(number, column, value)
    workbook.close()
    return time.perf_counter() - started


async def measure_export(url: str, items: int) -> Figures:
    await reset_database(url)
    settings = bench_settings(url)
    engine = create_engine(url)
    try:
        await upgrade_database(engine)
        session_factory = create_session_factory(engine)
        await _add_reports(session_factory, items)
        await _settle(engine)
        i18n = create_i18n("en")
        library = load_library(settings.procedures_dir)
        before = resident_megabytes()
        with i18n.context(), i18n.use_locale(LANGUAGE):
            started = time.perf_counter()
            async with session_factory() as session:
                [xlsx], _total = await export_files(
                    session,
                    None,
                    *_period(settings),
                    XLSX,
                    LANGUAGE,
                    settings,
                    library,
                    MediaStore(Path(tempfile.gettempdir())),
                )
            seconds = time.perf_counter() - started
            peak = peak_megabytes()
            sheets = await _recorded_sheets(session_factory, settings)
        floor_seconds = xlsxwriter_alone(sheets)
    finally:
        await engine.dispose()
    return {
        "items": items,
        "seconds": seconds,
        "xlsxwriter_seconds": floor_seconds,
        "cells": sum(value is not None for sheet in sheets for row in sheet.rows for value in row),
        "rss_before_mb": before,
        "peak_mb": peak,
        "file_mb": len(xlsx.content) / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    print_figures("export.db", lambda url: measure_export(url, args.items))


def measure_export_in_subprocess(items: int) -> Figures:
    return in_fresh_process("benchmarks.export", "--items", str(items))


if __name__ == "__main__":
    main()
