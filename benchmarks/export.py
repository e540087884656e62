"""Time and peak memory of the XLSX export of many items, as the Export button and
`python -m bot export` write it.

Run in a fresh interpreter (`python -m benchmarks.export`), so its peak resident memory is the
export's own and not what the other benchmarks allocated; prints one JSON line.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.database import bench_settings, reset_database
from benchmarks.memory import Figures, in_fresh_process, print_figures
from benchmarks.officers import add_officers
from benchmarks.rss import peak_megabytes, resident_megabytes
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_database
from bot.db.models import FoundCategory, ReportStatus, SeizureReport, utcnow
from bot.i18n import create_i18n
from bot.media import MediaStore
from bot.procedures.library import load_library
from handlers.documents.export import XLSX, export_files

ITEMS_PER_REPORT = 5
BATCH = 1_000


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


async def _settle(engine: AsyncEngine) -> None:
    """Statistics and visibility of the rows just inserted, as months of use would have them:
    otherwise PostgreSQL's autovacuum works on them during the measured export."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))


async def measure_export(url: str, items: int) -> Figures:
    await reset_database(url)
    settings = bench_settings(url)
    engine = create_engine(url)
    try:
        await upgrade_database(engine)
        session_factory = create_session_factory(engine)
        [officer] = await add_officers(session_factory, 1)
        reports = items // ITEMS_PER_REPORT
        for start in range(0, reports, BATCH):
            rows = [
                _report(officer.user_id, officer.unit_id, number)
                for number in range(start, min(start + BATCH, reports))
            ]
            async with session_factory.begin() as session:
                await session.execute(insert(SeizureReport), rows)
        await _settle(engine)
        i18n = create_i18n("en")
        library = load_library(settings.procedures_dir)
        before = resident_megabytes()
        started = time.perf_counter()
        async with session_factory() as session:
            with i18n.context(), i18n.use_locale("ru"):
                today = utcnow().astimezone(settings.tz).date()
                [xlsx], _total = await export_files(
                    session,
                    None,
                    today - timedelta(days=365),
                    today,
                    XLSX,
                    "ru",
                    settings,
                    library,
                    MediaStore(Path(tempfile.gettempdir())),
                )
        seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    return {
        "items": items,
        "seconds": seconds,
        "rss_before_mb": before,
        "peak_mb": peak_megabytes(),
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
