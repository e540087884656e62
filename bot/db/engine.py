"""Engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

# PostgreSQL over the network: how long the bot waits before treating the database as gone, so
# an outage is answered in seconds and a connection that died is replaced instead of waited on.
# Opening a connection (TCP and log-in) takes milliseconds on a working link.
CONNECT_TIMEOUT_SECONDS = 5.0
# One statement: a statement unanswered this long is on a dead connection; the bot's own take
# far less (an export reads its reports in batches).
COMMAND_TIMEOUT_SECONDS = 30.0
# Waiting for a free connection of the pool: they are all busy only if the database is hung.
POOL_TIMEOUT_SECONDS = 10.0


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # We issue BEGIN ourselves (below) instead of the driver's implicit, deferred one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the CLI read and write while the bot runs; the timeout waits out its locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# Execution option of a session's connection that only reads (an export of thousands of
# reports): on SQLite its transaction is deferred, so it holds no write lock meanwhile and every
# other update goes on (WAL lets them write while it reads).
READS_ONLY = "reads_only"


def _begin_immediate(connection: Any) -> None:
    if connection.get_execution_options().get(READS_ONLY):
        connection.exec_driver_sql("BEGIN")
        return
    # A deferred transaction that reads and then writes fails when another writer got in
    # between; taking the write lock up front makes SQLite serialize such transactions.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, **options: Any) -> AsyncEngine:
    # A failed statement's message would quote its values: names, passport and serial numbers
    # typed by officers, which have no place in a log.
    options.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    connect_args = {
        "timeout": CONNECT_TIMEOUT_SECONDS,
        "command_timeout": COMMAND_TIMEOUT_SECONDS,
        **options.pop("connect_args", {}),
    }
    options.setdefault("pool_timeout", POOL_TIMEOUT_SECONDS)
    # A pooled connection the server or the network closed (a restart, a failover) is found by
    # a ping when taken from the pool and replaced at once, instead of failing an update.
    options.setdefault("pool_pre_ping", True)
    return create_async_engine(url, connect_args=connect_args, **options)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
