"""aiogram FSM storage in our own database, so a conversation resumes after a restart."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy import delete, event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, joinedload

from bot.db.models import FsmRecord, User, utcnow
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


KNOWN = "fsm_known"


@dataclass
class _Known:
    state: str | None
    data: dict[str, Any]
    # Whether this transaction holds the row's lock (a write took it).
    locked: bool


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
        self,
        session: AsyncSession,
        key: StorageKey,
        state: str | None,
        data: dict[str, Any],
        only: str | None = None,
    ) -> None:
        """Store state and data; `only` names the one column an existing row gets, so a
        state written here never overwrites data written elsewhere, and the other way round."""
        if state is None and not data:
            # Nothing left to remember: no row, so finished conversations leave no trace.
            await session.execute(delete(FsmRecord).where(FsmRecord.key == storage_key(key)))
        else:
            row = {"key": storage_key(key), "state": state, "data": data, "updated_at": utcnow()}
            update = [only, "updated_at"] if only else None
            await upsert(session, FsmRecord, row, key=["key"], update=update)
        self._known(session)[storage_key(key)] = _Known(state, data, locked=only is None)

    @staticmethod
    def _known(session: AsyncSession) -> dict[str, _Known]:
        """What this update already read or wrote, so it is not asked for again (forgotten on
        a rollback; a commit releases the locks)."""
        return session.info.setdefault(KNOWN, {})

    async def _read(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        async with self._transaction() as session:
            known = self._known(session).get(storage_key(key))
            if known is not None:
                return known.state, dict(known.data)
            row = (
                await session.execute(
                    select(FsmRecord.state, FsmRecord.data).where(FsmRecord.key == storage_key(key))
                )
            ).one_or_none()
            state, data = (row.state, dict(row.data or {})) if row else (None, {})
            self._known(session)[storage_key(key)] = _Known(state, data, locked=False)
        return state, dict(data)

    async def read_with_person(
        self, session: AsyncSession, key: StorageKey, telegram_id: int
    ) -> User | None:
        """The person behind an update and their conversation state, in one statement; the
        state is then served from memory for the rest of the update. None on first contact."""
        row = (
            await session.execute(
                select(User, FsmRecord.state, FsmRecord.data)
                .outerjoin(FsmRecord, FsmRecord.key == storage_key(key))
                .where(User.telegram_id == telegram_id)
                # Their unit too: most screens name it, and then it is already at hand.
                .options(joinedload(User.unit))
            )
        ).one_or_none()
        if row is None:
            return None
        user, state, data = row
        self._known(session)[storage_key(key)] = _Known(state, dict(data or {}), locked=False)
        return user

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        current, data = await self._read(key)
        if current != value:
            async with self._transaction() as session:
                await self._write(session, key, value, data, only="state")

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        clean = _json_only(data)
        state, current = await self._read(key)
        if current != clean:
            async with self._transaction() as session:
                await self._write(session, key, state, clean, only="data")

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return (await self._read(key))[1]

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        """Read, merge and write under the row's lock, so concurrent updates never lose one."""
        async with self._transaction() as session:
            known = self._known(session).get(storage_key(key))
            if known is not None and known.locked:
                state, current = known.state, dict(known.data)
            else:
                state, current = await self._locked(session, key)
            merged = _json_only({**current, **data})
            if merged != current:
                await self._write(session, key, state, merged)
            else:
                self._known(session)[storage_key(key)] = _Known(state, current, locked=True)
            return merged

    async def close(self) -> None:
        """Sessions are short-lived; the engine is disposed by the application."""


@event.listens_for(Session, "after_commit")
def _locks_released(session: Session) -> None:
    for known in session.info.get(KNOWN, {}).values():
        known.locked = False


@event.listens_for(Session, "after_rollback")
def _forget_what_was_rolled_back(session: Session) -> None:
    session.info.pop(KNOWN, None)
