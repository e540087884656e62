"""Latency of single updates and throughput of many users at once, for the real bot and for
bare aiogram fed the very same updates."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiogram.types import Update

from benchmarks.bare import BenchBot
from benchmarks.harness import RealBot
from benchmarks.officers import Officer
from benchmarks.scenarios import ChecklistStepPress, MainMenuOpen, Scenario

WARM_UP = 10


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        cuts = statistics.quantiles(seconds, n=100, method="inclusive")
        return cls(cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000)


@dataclass(frozen=True)
class InteractiveResult:
    scenario: str
    title: str
    bot: Latency
    bare: Latency
    sql_statements: int


async def _timed(bot: BenchBot, update: Update) -> float:
    started = time.perf_counter()
    await bot.feed(update)
    return time.perf_counter() - started


async def measure_interactive(
    real: RealBot, bare: BenchBot, scenario: Scenario, officers: list[Officer], samples: int
) -> InteractiveResult:
    """One update at a time, each by the next officer of the pool in turn."""
    await scenario.prepare(real, officers)
    timings, bare_timings, statements = [], [], []
    for number in range(WARM_UP + samples):
        officer = officers[number % len(officers)]
        update = scenario.update(officer)
        real.sql.take()
        elapsed = await _timed(real, update)
        issued = real.sql.take()
        await scenario.undo(real, officer)
        bare_elapsed = await _timed(bare, scenario.update(officer))
        if number >= WARM_UP:
            timings.append(elapsed)
            bare_timings.append(bare_elapsed)
            statements.append(issued)
    return InteractiveResult(
        scenario.name,
        scenario.title,
        Latency.of(timings),
        Latency.of(bare_timings),
        max(statements),
    )


def officer_session(
    checklist: ChecklistStepPress, menu: MainMenuOpen
) -> Callable[[Officer], list[Update]]:
    """What one officer does over and over: a step done, back to it, the main menu.

    The pair of presses leaves the run where it was, so the session can repeat forever.
    """

    def session(officer: Officer) -> list[Update]:
        return [
            checklist.press(officer, step=1, action="done"),
            checklist.press(officer, step=2, action="back"),
            menu.update(officer),
        ]

    return session


async def throughput(
    bot: BenchBot, officers: list[Officer], rounds: int, session: Callable[[Officer], list[Update]]
) -> float:
    """Updates a second with every officer in their own chat at once, each one waiting for
    the bot before the next tap, as a person does."""

    async def officer_taps(officer: Officer) -> int:
        handled = 0
        for _ in range(rounds):
            for update in session(officer):
                await bot.feed(update)
                handled += 1
        return handled

    started = time.perf_counter()
    handled = await asyncio.gather(*(officer_taps(officer) for officer in officers))
    return sum(handled) / (time.perf_counter() - started)
