"""python -m benchmarks [--quick] [--check] [--json PATH]: the real bot against bare aiogram."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bare import bare_aiogram
from benchmarks.database import database_kind, database_url
from benchmarks.export import measure_export_in_subprocess
from benchmarks.fanout import measure_fan_out
from benchmarks.floor import StatementsPerUpdate, floor_bot
from benchmarks.harness import start_real_bot
from benchmarks.measure import measure_interactive, officer_session, throughput
from benchmarks.memory import measure_in_subprocess
from benchmarks.officers import add_officers
from benchmarks.pdf import measure_pdf_in_subprocess
from benchmarks.results import Results, Throughput, table
from benchmarks.scenarios import ChecklistStepPress, MainMenuOpen, interactive_scenarios
from benchmarks.serials import measure_serial_lookup_in_subprocess
from benchmarks.updates import UpdateFactory

DEFAULT_JSON = Path(__file__).parent / "latest.json"
LATENCY_POOL = 20  # officers taking turns, so no single row or chat gets hot


@dataclass(frozen=True)
class Scale:
    samples: int
    throughput_updates: int
    concurrency: tuple[int, ...]
    notifications: int
    supervisors: int
    open_items: int
    export_items: int
    serial_items: int


FULL = Scale(1_000, 3_000, (1, 50, 500), 2_000, 300, 10_000, 100_000, 1_000_000)
# The fan-out keeps the proportions (2,000 to 300) at a tenth.
QUICK = Scale(200, 600, (1, 50, 500), 200, 30, 1_000, 10_000, 100_000)


def _statements_per_update(results: Results) -> StatementsPerUpdate:
    measured = {item.scenario: item.sql_statements for item in results.interactive}
    return StatementsPerUpdate(press=measured["checklist_step"], message=measured["main_menu"])


async def interactive_and_throughput(url: str, scale: Scale, results: Results) -> None:
    real = await start_real_bot(url)
    bare = bare_aiogram()
    try:
        updates = UpdateFactory()
        pools = await add_officers(real.app.session_factory, 3 * LATENCY_POOL)
        for number, scenario in enumerate(interactive_scenarios(updates)):
            pool = pools[number * LATENCY_POOL : (number + 1) * LATENCY_POOL]
            print(f"… {scenario.title}", file=sys.stderr)
            results.interactive.append(
                await measure_interactive(real, bare, scenario, pool, scale.samples)
            )
        crowd = await add_officers(real.app.session_factory, max(scale.concurrency), first=200_000)
        checklist = ChecklistStepPress(updates)
        await checklist.prepare(real, crowd)
        session = officer_session(checklist, MainMenuOpen(updates))
        floor = await floor_bot(
            url, [officer.telegram_id for officer in crowd], _statements_per_update(results)
        )
        try:
            for users in scale.concurrency:
                print(f"… throughput, {users} users", file=sys.stderr)
                rounds = max(1, scale.throughput_updates // (3 * users))
                officers = crowd[:users]
                results.throughput.append(
                    Throughput(
                        users,
                        rounds * 3 * users,
                        await throughput(real, officers, rounds, session),
                        await throughput(bare, officers, rounds, session),
                        await throughput(floor, officers, rounds, session),
                    )
                )
        finally:
            await floor.close()
    finally:
        await real.close()


async def run(scale: Scale, quick: bool) -> Results:
    with tempfile.TemporaryDirectory() as workdir:
        url = database_url(Path(workdir))
        results = Results(database_kind(url), quick)
        print("… memory (in a fresh process)", file=sys.stderr)
        results.memory = await asyncio.to_thread(measure_in_subprocess, scale.open_items)
        print(f"… export of {scale.export_items:,} items (in a fresh process)", file=sys.stderr)
        results.export = await asyncio.to_thread(measure_export_in_subprocess, scale.export_items)
        print("… PDF of a report with 50 items and 20 photos (in a fresh process)", file=sys.stderr)
        results.pdf = await asyncio.to_thread(measure_pdf_in_subprocess)
        print(f"… serial lookup among {scale.serial_items:,} items", file=sys.stderr)
        results.serial_lookup = await asyncio.to_thread(
            measure_serial_lookup_in_subprocess, scale.serial_items
        )
        await interactive_and_throughput(url, scale, results)
        print(f"… fan-out of {scale.notifications:,} notifications", file=sys.stderr)
        results.fan_out = await measure_fan_out(url, scale.notifications, scale.supervisors)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Latency, SQL statements, throughput, notification fan-out, memory, the "
        "export (next to XlsxWriter alone) and a long report's PDF of the real bot, next to bare "
        "aiogram. PostgreSQL when BENCH_DATABASE_URL is set.",
    )
    parser.add_argument("--quick", action="store_true", help="fewer samples, a tenth of the load")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"default {DEFAULT_JSON}")
    args = parser.parse_args()
    # The bot's own warnings (flood control waits) would interleave with the table.
    logging.basicConfig(level=logging.ERROR)
    results = asyncio.run(run(QUICK if args.quick else FULL, args.quick))
    print(table(results))
    results.write_json(args.json)
    print(f"\nwritten to {args.json}")
    if args.check and results.missed():
        sys.exit(1)


if __name__ == "__main__":
    main()
