"""The least a bot on this stack pays for an update: bare aiogram whose every update also runs,
in one transaction on the same database, as many SQL statements as the real bot issued for it,
through SQLAlchemy Core (no ORM, no conversation state, no screens).

The real bot cannot be faster than this, so its throughput tells how much of a target is within
reach of aiogram and SQLAlchemy on the machine at hand, whatever the bot's own code does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram.types import TelegramObject, Update
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

from benchmarks.bare import BenchBot, bare_aiogram
from bot.db.engine import create_engine

_metadata = MetaData()
# A run and its events, the shape of what a checklist step press reads and writes.
_runs = Table(
    "bench_floor_runs",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("step", Integer, nullable=False),
)
_events = Table(
    "bench_floor_events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, nullable=False),
)


def _statements(run_id: int) -> list[Executable]:
    """Read, lock, update, record: the order a step press takes."""
    row = _runs.c.id == run_id
    return [
        select(_runs.c.step).where(row),
        select(_runs.c.step).where(row).with_for_update(),
        update(_runs).where(row).values(step=_runs.c.step + 1),
        insert(_events).values(run_id=run_id),
    ]


@dataclass
class StatementsPerUpdate:
    """How many statements the real bot issued for a button press and for a typed message."""

    press: int
    message: int

    def of(self, update: Update) -> int:
        return self.press if update.callback_query is not None else self.message


@dataclass
class FloorBot(BenchBot):
    engine: AsyncEngine

    async def close(self) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(_metadata.drop_all)
        await self.engine.dispose()


async def _run_statements(connection: AsyncConnection, run_id: int, count: int) -> None:
    statements = _statements(run_id)
    for number in range(count):
        await connection.execute(statements[number % len(statements)])


async def floor_bot(url: str, telegram_ids: list[int], per_update: StatementsPerUpdate) -> FloorBot:
    """Bare aiogram plus the SQL, with a run row for each of `telegram_ids`."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_metadata.drop_all)
        await connection.run_sync(_metadata.create_all)
        await connection.execute(insert(_runs), [{"id": id_, "step": 0} for id_ in telegram_ids])

    async def in_transaction(
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        person = data["event_from_user"]
        async with engine.begin() as connection:
            await _run_statements(connection, person.id, per_update.of(event))
            return await handler(event, data)

    bare = bare_aiogram()
    bare.dispatcher.update.outer_middleware(in_transaction)
    return FloorBot(bare.dispatcher, bare.bot, bare.api, engine=engine)
