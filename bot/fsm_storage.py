"""aiogram FSM storage in our own database, so a conversation resumes after a restart."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import FsmRecord, utcnow
from bot.db.upsert import lock_or_create, upsert

# The session of the update being handled. State written while handling an update joins its
# transaction: it commits or rolls back with the data it belongs to, and SQLite (one writer at
# a time) never waits on a second connection of the same update.
update_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)


def storage_key(key: StorageKey) -> str:
    """Every part of aiogram's key, so two threads or business chats never share a state."""
    parts = (
        key.bot_id,
        key.chat_id,
        key.user_id,
        key.thread_id if key.thread_id is not None else "",
        key.business_connection_id or "",
        key.destiny,
    )
    return ":".join(str(part) for part in parts)


def _json_only(data: Mapping[str, Any]) -> dict[str, Any]:
    # Round-trip now so data that would not survive the database fails where it is written.
    return json.loads(json.dumps(dict(data)))


class DatabaseStorage(BaseStorage):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        session = update_session.get()
        if session is not None:
            yield session
            return
        async with self._session_factory.begin() as own_session:
            yield own_session

    async def _locked(self, session: AsyncSession, key: StorageKey) -> tuple[str | None, dict]:
        """The row's state and data, locked until the transaction ends, in one statement.

        An upsert that changes nothing creates a missing row and locks an existing one, so two
        first writers of one key queue on its lock instead of overwriting each other.
        """
        empty = {"key": storage_key(key), "data": {}, "updated_at": utcnow()}
        statement = lock_or_create(session, FsmRecord, empty)
        row = (await session.execute(statement.returning(FsmRecord.state, FsmRecord.data))).one()
        return row.state, dict(row.data or {})

    async def _write(
        self, session: AsyncSession, key: StorageKey, state: str | None, data: dict[str, Any]
    ) -> None:
        if state is None and not data:
            # Nothing left to remember: no row, so finished conversations leave no trace.
            await session.execute(delete(FsmRecord).where(FsmRecord.key == storage_key(key)))
            return
        row = {"key": storage_key(key), "state": state, "data": data, "updated_at": utcnow()}
        await upsert(session, FsmRecord, row, key=["key"])

    async def _read(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        async with self._transaction() as session:
            row = (
                await session.execute(
                    select(FsmRecord.state, FsmRecord.data).where(FsmRecord.key == storage_key(key))
                )
            ).one_or_none()
        return (row.state, dict(row.data or {})) if row else (None, {})

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._transaction() as session:
            _, data = await self._locked(session, key)
            await self._write(session, key, value, data)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        clean = _json_only(data)
        async with self._transaction() as session:
            state, _ = await self._locked(session, key)
            await self._write(session, key, state, clean)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return (await self._read(key))[1]

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        """Read, merge and write in one locked transaction, so concurrent updates never lose one."""
        async with self._transaction() as session:
            state, current = await self._locked(session, key)
            merged = _json_only({**current, **data})
            await self._write(session, key, state, merged)
            return merged

    async def close(self) -> None:
        """Sessions are short-lived; the engine is disposed by the application."""
