"""aiogram FSM storage in our own database, so a conversation resumes after a restart."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import FsmRecord, utcnow
from bot.db.upsert import insert_ignoring_duplicates, upsert


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

    async def _record(self, session: AsyncSession, key: StorageKey) -> FsmRecord | None:
        # FOR UPDATE locks only rows that exist: create the row first so that two first
        # writers of one key queue on its lock instead of overwriting each other.
        await insert_ignoring_duplicates(
            session, FsmRecord, {"key": storage_key(key), "data": {}, "updated_at": utcnow()}
        )
        return await session.scalar(
            select(FsmRecord).where(FsmRecord.key == storage_key(key)).with_for_update()
        )

    async def _write(self, session: AsyncSession, key: StorageKey, **values: Any) -> None:
        row = {"key": storage_key(key), "updated_at": utcnow(), **values}
        await upsert(session, FsmRecord, row, key=["key"])

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._session_factory.begin() as session:
            record = await self._record(session, key)
            if value is None and (record is None or not record.data):
                # Nothing left to remember: no row, so finished conversations leave no trace.
                await session.execute(delete(FsmRecord).where(FsmRecord.key == storage_key(key)))
                return
            await self._write(session, key, state=value, data=record.data if record else {})

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._session_factory() as session:
            return await session.scalar(
                select(FsmRecord.state).where(FsmRecord.key == storage_key(key))
            )

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        clean = _json_only(data)
        async with self._session_factory.begin() as session:
            record = await self._record(session, key)
            if not clean and (record is None or record.state is None):
                await session.execute(delete(FsmRecord).where(FsmRecord.key == storage_key(key)))
                return
            await self._write(session, key, state=record.state if record else None, data=clean)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._session_factory() as session:
            data = await session.scalar(
                select(FsmRecord.data).where(FsmRecord.key == storage_key(key))
            )
            return dict(data or {})

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        """Read, merge and write in one locked transaction, so concurrent updates never lose one."""
        async with self._session_factory.begin() as session:
            record = await self._record(session, key)
            merged = _json_only({**(record.data if record else {}), **data})
            await self._write(session, key, state=record.state if record else None, data=merged)
            return merged

    async def close(self) -> None:
        """Sessions are short-lived; the engine is disposed by the application."""
