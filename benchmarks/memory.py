"""Resident memory of the bot process: idle, then with many open drafts and procedure runs.

Run by the benchmarks in a fresh interpreter (`python -m benchmarks.memory`), so what the
other benchmarks allocated does not count; prints its figures as one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

# Before aiogram, as in `python -m bot`, so aiogram loads as it does in production.
from bot import lazy_aiogram  # noqa: F401  # isort: skip
from benchmarks.database import database_url, migrate_in_child_process
from benchmarks.harness import RealBot, start_real_bot
from benchmarks.officers import FIRST_TELEGRAM_ID, add_officers
from benchmarks.rss import resident_megabytes
from benchmarks.scenarios import interactive_scenarios
from benchmarks.updates import UpdateFactory

# What a benchmark in a fresh process prints and `in_fresh_process` reads back.
Figures = dict[str, float | int]
WARM_UP_OFFICERS = 3
# Officers tapping at once while the drafts are touched: many chats in flight, as in the field.
CONCURRENT = 50


async def _touch(bot: RealBot, scenarios: list, officers: list) -> None:
    """Every officer opens their run and answers their draft once, so whatever the bot keeps
    per chat (locks, caches) is in memory now, not only in the database."""
    for start in range(0, len(officers), CONCURRENT):
        # Made chunk by chunk: thousands of Update objects at once would count as the bot's.
        chunk = officers[start : start + CONCURRENT]
        await asyncio.gather(
            *(bot.feed(scenario.update(officer)) for officer in chunk for scenario in scenarios[:2])
        )


async def measure_memory(url: str, open_items: int) -> Figures:
    migrate_in_child_process(url)
    bot = await start_real_bot(url, reset=False)
    try:
        updates = UpdateFactory()
        scenarios = interactive_scenarios(updates)
        warm = await add_officers(bot.app.session_factory, WARM_UP_OFFICERS)
        for scenario in scenarios:
            await scenario.prepare(bot, warm)
            await bot.feed(scenario.update(warm[0]))
        idle = resident_megabytes()
        officers = await add_officers(
            bot.app.session_factory, open_items, first=FIRST_TELEGRAM_ID + WARM_UP_OFFICERS
        )
        for scenario in scenarios[:2]:  # the checklist runs and the report drafts
            await scenario.prepare(bot, officers)
        await _touch(bot, scenarios, officers)
        loaded = resident_megabytes()
    finally:
        await bot.close()
    return {"idle_mb": idle, "open_items": open_items, "with_open_items_mb": loaded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--open-items", type=int, default=10_000)
    args = parser.parse_args()
    print_figures("memory.db", lambda url: measure_memory(url, args.open_items))


def print_figures(database_file: str, measure: Callable[[str], Awaitable[Figures]]) -> None:
    """A benchmark run by `in_fresh_process`: measured on a database of its own (emptied
    BENCH_DATABASE_URL, else a temporary SQLite file), its figures printed as one JSON line."""
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as workdir:
        url = database_url(Path(workdir), database_file)
        print(json.dumps(asyncio.run(measure(url))))


def in_fresh_process(module: str, *arguments: str) -> Figures:
    """The figures a benchmark module prints as its last line, run in a new interpreter."""
    finished = subprocess.run(
        [sys.executable, "-m", module, *arguments], check=True, capture_output=True, text=True
    )
    return json.loads(finished.stdout.strip().splitlines()[-1])


def measure_in_subprocess(open_items: int) -> Figures:
    """Both figures, each from a fresh interpreter."""
    return in_fresh_process("benchmarks.memory", "--open-items", str(open_items)) | (
        in_fresh_process("benchmarks.bare")
    )


if __name__ == "__main__":
    main()
