"""The real bot (dispatcher, middlewares, services, database) and bare aiogram, side by side,
both answered by the same in-process Bot API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine

from benchmarks.bare import BenchBot
from benchmarks.database import bench_settings, reset_database
from benchmarks.fake_session import InProcessBotAPI
from bot.app import BotApplication, freeze_startup_objects

# Transaction control is the driver's bookkeeping, not a query the bot chose to make.
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


@dataclass
class StatementCounter:
    """SQL statements sent to the database, transaction control excepted."""

    count: int = 0
    statements: list[str] = field(default_factory=list)
    keep_text: bool = False

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection: object, _cursor: object, statement: str, *_args: object) -> None:
        if TRANSACTION_CONTROL.match(statement):
            return
        self.count += 1
        if self.keep_text:
            self.statements.append(statement)

    def take(self) -> int:
        """Statements since the last call."""
        seen, self.count = self.count, 0
        self.statements = []
        return seen


@dataclass
class RealBot(BenchBot):
    app: BotApplication = field(kw_only=True)
    sql: StatementCounter = field(kw_only=True)

    async def close(self) -> None:
        await self.app.close()


async def start_real_bot(url: str, reset: bool = True) -> RealBot:
    """The application exactly as `python -m bot` builds it, but answered in process.

    The delivery worker is not started: its polling would be noise in the latency figures;
    the fan-out benchmark runs it on its own.
    """
    if reset:
        await reset_database(url)
    api = InProcessBotAPI()
    app = await BotApplication.create(bench_settings(url), api_session=api)
    freeze_startup_objects()
    sql = StatementCounter()
    sql.attach(app.engine.sync_engine)
    return RealBot(app.dispatcher, app.bot, api, app=app, sql=sql)
