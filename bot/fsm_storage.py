"""aiogram FSM storage in our own database, so a conversation resumes after a restart."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseEventIsolation,
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from aiogram.fsm.storage.memory import SimpleEventIsolation
from sqlalchemy import Select, bindparam, delete, event, literal, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, joinedload

from bot.db.models import FsmRecord, ProcessedUpdate, User, utcnow
from bot.db.upsert import lock_or_create, upsert_statement

log = logging.getLogger(__name__)

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
    """A conversation's row as this transaction knows it."""

    state: str | None
    data: dict[str, Any]
    # Whether this transaction holds the row's lock (taken by `update_data`).
    locked: bool = False
    # Columns changed and not yet written: written once, at commit, however often they change.
    unwritten: set[str] = field(default_factory=set)

    def change(self, column: str, value: Any) -> None:
        if getattr(self, column) != value:
            setattr(self, column, value)
            self.unwritten.add(column)

    def write_statement(self, session: Session, key: str) -> Any:
        """Only the changed columns of an existing row, so a state written here never
        overwrites data written elsewhere, and the other way round."""
        if self.state is None and not self.data:
            # Nothing left to remember: no row, so finished conversations leave no trace.
            return delete(FsmRecord).where(FsmRecord.key == key)
        row = {"key": key, "state": self.state, "data": self.data, "updated_at": utcnow()}
        changed = [*sorted(self.unwritten), "updated_at"]
        return upsert_statement(session, FsmRecord, row, key=["key"], update=changed)


def _person_and_state(claiming: bool) -> Select[Any]:
    """The first statement of every update, built once: each update only binds its values."""
    columns = (User, FsmRecord.state, FsmRecord.data)
    # Their unit too: most screens name it, and then it is already at hand.
    with_unit = joinedload(User.unit)
    in_state = FsmRecord.key == bindparam("key")
    of_person = User.telegram_id == bindparam("telegram_id")
    if not claiming:
        return select(*columns).outerjoin(FsmRecord, in_state).where(of_person).options(with_unit)
    row = {name: bindparam(name) for name in ("bot_id", "update_id", "processed_at")}
    claim = postgresql.insert(ProcessedUpdate).values(row).on_conflict_do_nothing()
    inserted = claim.returning(literal(True).label("claimed")).cte("claim")
    # FROM the claim: no row at all when it inserted nothing, one row otherwise.
    return (
        select(inserted.c.claimed, *columns)
        .select_from(inserted)
        .outerjoin(User, of_person)
        .outerjoin(FsmRecord, in_state)
        .options(with_unit)
    )


PERSON_AND_STATE = _person_and_state(claiming=False)
CLAIM_PERSON_AND_STATE = _person_and_state(claiming=True)


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

    @staticmethod
    def _known(session: AsyncSession) -> dict[str, _Known]:
        """What this update already read or changed, so it is not asked for again (forgotten
        on a rollback; a commit writes the changes and releases the locks)."""
        return session.info.setdefault(KNOWN, {})

    async def _row(self, session: AsyncSession, key: StorageKey) -> _Known:
        known = self._known(session).get(storage_key(key))
        if known is None:
            row = (
                await session.execute(
                    select(FsmRecord.state, FsmRecord.data).where(FsmRecord.key == storage_key(key))
                )
            ).one_or_none()
            known = _Known(row.state, dict(row.data or {})) if row else _Known(None, {})
            self._known(session)[storage_key(key)] = known
        return known

    async def _read(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        async with self._transaction() as session:
            known = await self._row(session, key)
            return known.state, dict(known.data)

    async def read_with_person(
        self,
        session: AsyncSession,
        key: StorageKey,
        telegram_id: int,
        claim: Mapping[str, Any] | None = None,
    ) -> tuple[User | None, bool | None]:
        """The person behind an update (None on first contact) and their conversation state, in
        one statement; the state is then served from memory for the rest of the update.

        On PostgreSQL that statement also claims the update (`claim`: the `processed_updates`
        row) and tells whether it was the first to: one round trip fewer on every update.
        Elsewhere, or without a claim, the second value is None: the claim is the caller's.
        """
        parameters = {"key": storage_key(key), "telegram_id": telegram_id}
        if claim is None or session.get_bind().dialect.name != "postgresql":
            found = (await session.execute(PERSON_AND_STATE, parameters)).one_or_none()
            if found is None:
                return None, None
            claimed, (person, state, data) = None, found
        else:
            parameters |= {**claim, "processed_at": utcnow()}
            found = (await session.execute(CLAIM_PERSON_AND_STATE, parameters)).one_or_none()
            if found is None:
                return None, False
            claimed, person, state, data = found
        self._known(session)[storage_key(key)] = _Known(state, dict(data or {}))
        return person, claimed

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._transaction() as session:
            (await self._row(session, key)).change("state", value)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        clean = _json_only(data)
        async with self._transaction() as session:
            (await self._row(session, key)).change("data", clean)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return (await self._read(key))[1]

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        """Read, merge and write under the row's lock, so concurrent updates never lose one."""
        async with self._transaction() as session:
            known = self._known(session).get(storage_key(key))
            if known is None or not known.locked:
                state, stored = await self._locked(session, key)
                if known is None:
                    known = self._known(session)[storage_key(key)] = _Known(state, stored)
                else:
                    # Another update may have written the row since this one read it.
                    if "state" not in known.unwritten:
                        known.state = state
                    if "data" not in known.unwritten:
                        known.data = stored
                known.locked = True
            merged = _json_only({**known.data, **data})
            known.change("data", merged)
            return dict(merged)

    async def close(self) -> None:
        """Sessions are short-lived; the engine is disposed by the application."""


@event.listens_for(Session, "before_commit")
def _write_changes(session: Session) -> None:
    for key, known in session.info.get(KNOWN, {}).items():
        if known.unwritten:
            session.execute(known.write_statement(session, key))
            known.unwritten.clear()


@event.listens_for(Session, "after_commit")
def _locks_released(session: Session) -> None:
    for known in session.info.get(KNOWN, {}).values():
        known.locked = False


@event.listens_for(Session, "after_rollback")
def _forget_what_was_rolled_back(session: Session) -> None:
    session.info.pop(KNOWN, None)


# --- The chat's lock -------------------------------------------------------------------------
#
# One update of a chat at a time (ARCHITECTURE: per-chat order). Every wait here is bounded: a
# chat whose lock an update left behind (a process killed, Redis gone in the middle) answers
# again within seconds, and an update that cannot get the lock says so instead of hanging.

# How long an update waits for the chat's previous one before it is answered "busy": above the
# lock's expiry, so a lock left by a process that died is waited out rather than refused, and
# above a burst of the chat's own updates (an album of ten photos, each downloaded in turn).
LOCK_WAIT_SECONDS = 15.0
# A chat's Redis lock lives this long unless its holder renews it, which it does every third
# of it while its update runs: a lock whose holder died frees the chat within this time.
LOCK_EXPIRY_SECONDS = 10.0
# An update still holding the lock after this is stuck (every call it makes has a timeout far
# below): its lock is no longer renewed, so the chat is freed.
LOCK_HOLD_LIMIT_SECONDS = 120.0
# A lock whose release failed because Redis was unreachable is released again this often, so
# the chat answers at once when Redis is back instead of when the lock expires.
RELEASE_RETRY_SECONDS = 0.2
# Redis answers in a millisecond: a command or connection unanswered this long is on a dead link.
REDIS_SOCKET_TIMEOUT_SECONDS = 3.0
REDIS_CONNECT_TIMEOUT_SECONDS = 3.0


class ChatBusy(Exception):
    """The chat's previous update still held its lock after LOCK_WAIT_SECONDS."""


class BoundedEventIsolation(SimpleEventIsolation):
    """aiogram's in-process chat lock, with the wait for it bounded."""

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        chat_lock = self._locks[key]
        try:
            async with asyncio.timeout(LOCK_WAIT_SECONDS):
                await chat_lock.acquire()
        except TimeoutError:
            raise ChatBusy(storage_key(key)) from None
        try:
            yield
        finally:
            chat_lock.release()


class RedisChatLocks(BaseEventIsolation):
    """The chat's lock in Redis, shared by every process of the bot.

    Unlike aiogram's RedisEventIsolation (60 s expiry, waits without end) the lock expires
    after LOCK_EXPIRY_SECONDS unless renewed by its living holder, the wait for it is bounded,
    and a lock that could not be released because Redis was unreachable is released as soon
    as Redis answers again. Only the token of the holder releases it, never another's.
    """

    def __init__(self, redis: Any, key_builder: KeyBuilder) -> None:
        self.redis, self.key_builder = redis, key_builder
        self._pending: set[asyncio.Task[None]] = set()

    def _new_lock(self, name: str) -> Any:
        from redis.asyncio.lock import Lock

        return Lock(
            self.redis,
            name,
            timeout=LOCK_EXPIRY_SECONDS,
            sleep=0.05,
            blocking_timeout=LOCK_WAIT_SECONDS,
        )

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        from redis.exceptions import ConnectionError, TimeoutError

        name = self.key_builder.build(key, "lock")
        chat_lock = self._new_lock(name)
        token = uuid.uuid4().hex.encode()
        try:
            acquired = await chat_lock.acquire(token=token)
        except (ConnectionError, TimeoutError):
            # The SET may have reached Redis and only its answer been lost.
            self._release_later(name, token)
            raise
        if not acquired:
            raise ChatBusy(name)
        keeper = asyncio.create_task(self._keep(chat_lock, name))
        try:
            yield
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
            await self._release(chat_lock, name, token)

    async def _keep(self, chat_lock: Any, name: str) -> None:
        from redis.exceptions import ConnectionError, LockNotOwnedError, TimeoutError

        loop = asyncio.get_running_loop()
        until = loop.time() + LOCK_HOLD_LIMIT_SECONDS
        while loop.time() < until:
            await asyncio.sleep(LOCK_EXPIRY_SECONDS / 3)
            try:
                await chat_lock.reacquire()
            except LockNotOwnedError:
                log.warning("chat lock %s expired while its update ran", name)
                return
            except (ConnectionError, TimeoutError):
                continue  # the update itself meets the outage; its release is retried
        log.warning(
            "an update held chat lock %s for %.0f s: no longer renewed",
            name,
            LOCK_HOLD_LIMIT_SECONDS,
        )

    async def _release(self, chat_lock: Any, name: str, token: bytes) -> None:
        """Never raises: the update's work is committed (or rolled back) by now, and a lock
        left behind is released later or expires."""
        from redis.exceptions import ConnectionError, LockNotOwnedError, TimeoutError

        try:
            await chat_lock.do_release(token)
        except LockNotOwnedError:
            log.warning("chat lock %s had expired before its update ended", name)
        except (ConnectionError, TimeoutError):
            self._release_later(name, token)

    def _release_later(self, name: str, token: bytes) -> None:
        task = asyncio.create_task(self._release_when_back(name, token))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _release_when_back(self, name: str, token: bytes) -> None:
        from redis.exceptions import ConnectionError, LockNotOwnedError, TimeoutError

        loop = asyncio.get_running_loop()
        # After that Redis has dropped the lock by itself.
        until = loop.time() + LOCK_EXPIRY_SECONDS
        while loop.time() < until:
            await asyncio.sleep(RELEASE_RETRY_SECONDS)
            try:
                await self._new_lock(name).do_release(token)
            except LockNotOwnedError:
                return
            except (ConnectionError, TimeoutError):
                continue
            log.info("chat lock %s released once Redis answered again", name)
            return

    async def close(self) -> None:
        for task in list(self._pending):
            task.cancel()
        await asyncio.gather(*self._pending, return_exceptions=True)


# Updates a replica handles at once on PostgreSQL without Redis: each holds a connection for
# its chat's lock and one for its work, and three replicas stay within PostgreSQL's default 100.
CHATS_AT_ONCE = 10
# The first key of every chat lock, so they never meet another advisory lock of the database.
CHAT_LOCK_SPACE = 0x5EC1


def chat_lock_id(key: StorageKey) -> int:
    """The chat's advisory lock id: two chats sharing one (1 in 4 billion) only wait in turn."""
    digest = hashlib.blake2b(storage_key(key).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


# PostgreSQL's SQLSTATE for a lock not granted within lock_timeout.
LOCK_NOT_AVAILABLE = "55P03"


class PostgresChatLocks(BaseEventIsolation):
    """The chat's lock as a PostgreSQL advisory lock, shared by every replica on the database,
    for deployments without Redis.

    A session-level lock on a connection of its own, not a transaction's lock: a handler
    commits before it says what it stored (ARCHITECTURE), and a transaction's lock would be
    released at that first commit while the update still runs. The wait is bounded by
    `lock_timeout`; a replica that dies loses its connection, and PostgreSQL frees its locks
    with it, so a chat is never left locked.

    The locks' connections are a pool of their own, taken before the update's session: an
    update never holds one pool while it waits for the other in a circle, and the pool's size
    bounds how many updates a replica handles at once (the rest wait, then are answered busy).
    """

    def __init__(self, database_url: str) -> None:
        from bot.db.engine import create_engine

        self.engine = create_engine(
            database_url,
            pool_size=CHATS_AT_ONCE,
            max_overflow=0,
            pool_timeout=LOCK_WAIT_SECONDS,
        )

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        lock_id = {"space": CHAT_LOCK_SPACE, "chat": chat_lock_id(key)}
        try:
            connection = await self.engine.connect()
        except PoolTimeout:
            raise ChatBusy(storage_key(key)) from None
        try:
            try:
                await self._acquire(connection, lock_id, key)
            except ChatBusy:
                raise
            except BaseException:
                # Cut off (a shutdown) or failed when the lock may be granted: the connection
                # goes, and the lock with it, rather than back to the pool still holding it.
                await connection.invalidate()
                raise
            try:
                yield
            finally:
                await self._release(connection, lock_id, key)
        finally:
            await connection.close()

    @staticmethod
    async def _acquire(
        connection: AsyncConnection, lock_id: dict[str, int], key: StorageKey
    ) -> None:
        try:
            async with connection.begin():
                # Local to this transaction: the pooled connection keeps no setting.
                timeout = f"{int(LOCK_WAIT_SECONDS * 1000)}ms"
                await connection.execute(
                    text("SELECT set_config('lock_timeout', :timeout, true)"),
                    {"timeout": timeout},
                )
                await connection.execute(text("SELECT pg_advisory_lock(:space, :chat)"), lock_id)
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                raise ChatBusy(storage_key(key)) from None
            raise

    @staticmethod
    async def _release(
        connection: AsyncConnection, lock_id: dict[str, int], key: StorageKey
    ) -> None:
        """Never raises: the update's work is committed (or rolled back) by now; a connection
        that cannot unlock is dropped, which frees the lock on the server."""
        try:
            async with connection.begin():
                await connection.execute(text("SELECT pg_advisory_unlock(:space, :chat)"), lock_id)
        except Exception as error:
            log.warning(
                "chat lock %s not released (%s): its connection is dropped", storage_key(key), error
            )
            await connection.invalidate()

    async def close(self) -> None:
        await self.engine.dispose()


def create_redis_storage(url: str) -> tuple[BaseStorage, BaseEventIsolation]:
    """Conversation state and chat locks in Redis, every command bounded in time."""
    # Imported only when configured: the Redis client adds 5 MB to every process.
    from aiogram.fsm.storage.redis import RedisStorage
    from redis.asyncio import ConnectionPool, Redis

    pool = ConnectionPool.from_url(
        url,
        socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
    )
    key_builder = DefaultKeyBuilder(
        with_bot_id=True, with_business_connection_id=True, with_destiny=True
    )
    storage = RedisStorage(Redis(connection_pool=pool), key_builder=key_builder)
    return storage, RedisChatLocks(storage.redis, key_builder)
