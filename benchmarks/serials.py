"""The serial lookup that raises links between seizures, among a million filed items: the
query `bot.services.serials.serials_seen_elsewhere` runs when a report is filed, timed for
serials that are there and serials that are not.

Run in a fresh interpreter (`python -m benchmarks.serials`); prints one JSON line.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.database import reset_database
from benchmarks.memory import Figures, in_fresh_process, print_figures
from benchmarks.officers import add_officers
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_database
from bot.db.models import FoundCategory, ReportStatus, SeizureReport, utcnow
from bot.services.serials import serials_seen_elsewhere

ITEMS_PER_REPORT = 100
LOOKUPS = 1_000
# Serials as a weapon carries them, without O, I or L (which normalisation folds to digits).
PREFIX = "KA"

# One statement fills the table, so a million rows take seconds, not a million round trips.
FILL = {
    "postgresql": """
        INSERT INTO item_serials (report_id, item_number, field, serial, normalised, make, model)
        SELECT r.id, n, 'serial_number', :prefix || (r.id * :per + n),
               :prefix || (r.id * :per + n), 'izhmekh', 'pm'
        FROM seizure_reports r, generate_series(1, :per) AS n
    """,
    "sqlite": """
        WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < :per)
        INSERT INTO item_serials (report_id, item_number, field, serial, normalised, make, model)
        SELECT r.id, n.value, 'serial_number', :prefix || (r.id * :per + n.value),
               :prefix || (r.id * :per + n.value), 'izhmekh', 'pm'
        FROM seizure_reports r, n
    """,
}


async def _settle(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
        else:
            await connection.execute(text("ANALYZE"))


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure_serial_lookup(url: str, items: int) -> Figures:
    await reset_database(url)
    engine = create_engine(url)
    try:
        await upgrade_database(engine)
        session_factory = create_session_factory(engine)
        [officer] = await add_officers(session_factory, 1)
        reports = max(1, items // ITEMS_PER_REPORT)
        async with session_factory.begin() as session:
            for start in range(0, reports, 1_000):
                rows = [
                    {
                        "number": f"BENCH-{number:07d}",
                        "unit_id": officer.unit_id,
                        "officer_id": officer.user_id,
                        "status": ReportStatus.SUBMITTED,
                        "category": FoundCategory.FIREARMS,
                        "occurred_at": utcnow(),
                        "complete": True,
                        "details": {},
                    }
                    for number in range(start, min(start + 1_000, reports))
                ]
                await session.execute(insert(SeizureReport), rows)
            parameters = {"prefix": PREFIX, "per": ITEMS_PER_REPORT}
            await session.execute(text(FILL[engine.dialect.name]), parameters)
        await _settle(engine)
        chosen = random.Random(7)
        samples: dict[str, list[float]] = {"hit": [], "miss": []}
        async with session_factory() as session:
            for number in range(LOOKUPS):
                report_id = chosen.randint(1, reports)
                if number % 2:
                    serial, kind = f"{PREFIX}{report_id * ITEMS_PER_REPORT + 1}", "hit"
                else:
                    serial, kind = f"{PREFIX}X{chosen.randint(1, items)}", "miss"
                started = time.perf_counter()
                found = await serials_seen_elsewhere(session, {serial}, report_id=0)
                samples[kind].append((time.perf_counter() - started) * 1000)
                assert bool(found) == (kind == "hit"), serial
    finally:
        await engine.dispose()
    every = samples["hit"] + samples["miss"]
    return {
        "items": reports * ITEMS_PER_REPORT,
        "lookups": LOOKUPS,
        "p50_ms": statistics.median(every),
        "p99_ms": _percentile(every, 0.99),
        "hit_p99_ms": _percentile(samples["hit"], 0.99),
        "miss_p99_ms": _percentile(samples["miss"], 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_000_000)
    args = parser.parse_args()
    print_figures("serials.db", lambda url: measure_serial_lookup(url, args.items))


def measure_serial_lookup_in_subprocess(items: int) -> Figures:
    return in_fresh_process("benchmarks.serials", "--items", str(items))


if __name__ == "__main__":
    main()
