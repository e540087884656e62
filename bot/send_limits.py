"""Telegram's limits on sending, kept by every replica together: about 30 messages a second for
the whole bot, and one a second in each chat (three in any three seconds). Every send of the bot
(a handler's reply as much as the outbox's notification) waits here for a place in both windows
(bot/telegram.py).

The windows are moving windows (a message counts until its window, one second for the bot and
three for a chat, has passed since it went):
- in Redis, when REDIS_URL is set, and in memory for a single process, with the `limits`
  library's moving-window strategy;
- in PostgreSQL when the replicas share one and Redis is absent. `limits` has no SQL storage,
  so the window is one row per key holding the times of the messages still inside it, checked
  and extended by one statement under the row's lock (`send_windows`, migration 0016).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any, Protocol

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy import text

from bot.fsm_storage import REDIS_CONNECT_TIMEOUT_SECONDS, REDIS_SOCKET_TIMEOUT_SECONDS

# Telegram asks for no more than one message a second in a chat, and lets a private chat have a
# short burst (an answer and the next question at once): three in any three seconds.
PER_CHAT_MESSAGES = 3
PER_CHAT_SECONDS = 3
# A window full at the very moment it is read frees within the millisecond: never spin.
SHORTEST_WAIT_SECONDS = 0.005
GLOBAL_KEY = "all"
# The shared window answers within milliseconds: silent this long, it is out of reach, and the
# process keeps the limits alone for SHARED_RETRY_SECONDS before asking it again.
WINDOW_ANSWER_SECONDS = 1.0
SHARED_RETRY_SECONDS = 10.0
# PostgreSQL's window: a few connections serve a replica's 30 statements a second.
WINDOW_CONNECTIONS = 5

log = logging.getLogger(__name__)


class Window(Protocol):
    """A moving window of `amount` messages per `seconds` for each key."""

    async def admit(self, key: str, amount: int, seconds: int) -> float:
        """Take a place: 0 when taken, else how many seconds until one frees."""

    async def free_in(self, key: str, amount: int, seconds: int) -> float:
        """How many seconds until a place is free (0: now), taking none."""

    async def close(self) -> None: ...


class LimitsWindow:
    """The `limits` library's moving window, in its memory or Redis storage."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._strategy = MovingWindowRateLimiter(storage)

    async def admit(self, key: str, amount: int, seconds: int) -> float:
        item = RateLimitItemPerSecond(amount, seconds)
        if await self._strategy.hit(item, key):
            return 0.0
        return await self._reset_in(item, key)

    async def free_in(self, key: str, amount: int, seconds: int) -> float:
        item = RateLimitItemPerSecond(amount, seconds)
        if await self._strategy.test(item, key):
            return 0.0
        return await self._reset_in(item, key)

    async def _reset_in(self, item: RateLimitItemPerSecond, key: str) -> float:
        stats = await self._strategy.get_window_stats(item, key)
        return max(stats.reset_time - time.time(), SHORTEST_WAIT_SECONDS)

    async def close(self) -> None:
        if isinstance(self._storage, RedisStorage):
            await self._storage.bridge.storage.aclose()


# One statement: the upsert locks the key's row, then reads the clock once (after any wait for
# the lock, so the time kept is when the message really goes), drops the times older than the
# window and adds this message's only if fewer than `amount` remain; `wait_seconds` says how
# long until a place frees (0: admitted). PostgreSQL's clock is the one every replica reads, so
# replicas on different hosts agree on the window.
ADMIT = text(
    """
    INSERT INTO send_windows AS w (key, sends, wait_seconds)
    VALUES (:key, ARRAY[clock_timestamp()], 0)
    ON CONFLICT (key) DO UPDATE SET (sends, wait_seconds) = (
        SELECT
            CASE WHEN count(s) < :amount
                THEN coalesce(array_agg(s ORDER BY s) FILTER (WHERE s IS NOT NULL), '{}')
                    || clock.now
                ELSE array_agg(s ORDER BY s) FILTER (WHERE s IS NOT NULL)
            END,
            CASE WHEN count(s) < :amount THEN 0
                ELSE extract(epoch FROM min(s) + make_interval(secs => :seconds) - clock.now)
            END
        FROM (SELECT clock_timestamp() AS now) AS clock
        LEFT JOIN unnest(w.sends) AS s ON s > clock.now - make_interval(secs => :seconds)
        GROUP BY clock.now
    )
    RETURNING wait_seconds
    """
)
FREE_IN = text(
    """
    SELECT CASE WHEN count(*) < :amount THEN 0
        ELSE extract(epoch FROM min(s) + make_interval(secs => :seconds) - statement_timestamp())
    END
    FROM send_windows, unnest(sends) AS s
    WHERE key = :key AND s > statement_timestamp() - make_interval(secs => :seconds)
    """
)


class PostgresWindow:
    """The moving window in PostgreSQL, for replicas without Redis, on a small pool of its own:
    a reply waits here while its update holds a connection of the application's pool, and must
    not wait for that pool too."""

    def __init__(self, database_url: str) -> None:
        from bot.db.engine import create_engine

        self._engine = create_engine(database_url, pool_size=WINDOW_CONNECTIONS, max_overflow=0)

    async def admit(self, key: str, amount: int, seconds: int) -> float:
        wait = await self._answer(ADMIT, key, amount, seconds)
        return 0.0 if wait == 0 else max(wait, SHORTEST_WAIT_SECONDS)

    async def free_in(self, key: str, amount: int, seconds: int) -> float:
        return max(await self._answer(FREE_IN, key, amount, seconds), 0.0)

    async def _answer(self, statement: Any, key: str, amount: int, seconds: int) -> float:
        values = {"key": key, "amount": amount, "seconds": seconds}
        async with self._engine.begin() as connection:
            return float((await connection.execute(statement, values)).scalar_one())

    async def close(self) -> None:
        await self._engine.dispose()


class SendLimiter:
    """A place in the bot's window and in the chat's window, taken just before a send.

    When the shared window cannot be reached (the database or Redis out of reach), this
    process keeps the limits on its own meanwhile: a message that tells the officer of the
    outage must still go, and it is the outage that is told, not a stuck send.
    """

    def __init__(self, window: Window, per_second: float) -> None:
        self.window = window
        self._own = LimitsWindow(MemoryStorage())
        self._shared_again_at = 0.0
        self._abandoned: set[asyncio.Task[float]] = set()
        # Whole messages: the window counts messages, not fractions of one.
        self.per_second = max(int(per_second), 1)

    async def acquire(self, chat_id: int | str) -> None:
        if time.monotonic() >= self._shared_again_at:
            try:
                await self._acquire(self.window, chat_id)
                return
            except Exception as error:
                # Asked again only after a while: every send of an outage would wait its timeout.
                self._shared_again_at = time.monotonic() + SHARED_RETRY_SECONDS
                log.warning("send limits kept by this process alone for a while: %s", error)
        await self._acquire(self._own, chat_id)

    async def _acquire(self, window: Window, chat_id: int | str) -> None:
        chat = f"chat:{chat_id}"
        while True:
            # The chat first, without taking its place: a bot-wide place taken and then left
            # unused while the chat waits would be lost to everyone else for a second.
            if wait := await self._ask(window.free_in(chat, PER_CHAT_MESSAGES, PER_CHAT_SECONDS)):
                await asyncio.sleep(wait)
                continue
            if wait := await self._ask(window.admit(GLOBAL_KEY, self.per_second, 1)):
                await asyncio.sleep(wait)
                continue
            # Another replica may have written to the chat in between. The bot-wide place
            # then goes unused: counted, never exceeded.
            if not (
                wait := await self._ask(window.admit(chat, PER_CHAT_MESSAGES, PER_CHAT_SECONDS))
            ):
                return
            await asyncio.sleep(wait)

    async def _ask(self, question: Coroutine[Any, Any, float]) -> float:
        """The window's answer, or TimeoutError after WINDOW_ANSWER_SECONDS: its statements take
        milliseconds, so a longer silence is an outage. A request cut off then is cleaned up in
        the background (on a silent network that takes as long again), not while a message
        waits."""
        task = asyncio.create_task(question)
        try:
            return await asyncio.wait_for(asyncio.shield(task), WINDOW_ANSWER_SECONDS)
        except TimeoutError:
            task.cancel()
            self._abandoned.add(task)
            task.add_done_callback(self._abandoned.discard)
            raise

    async def close(self) -> None:
        await self.window.close()


def create_send_limiter(
    per_second: float, redis_url: str | None = None, database_url: str | None = None
) -> SendLimiter:
    """Redis when configured; else PostgreSQL when that is the database (replicas share it);
    else this process's memory (SQLite: one process)."""
    window: Window
    if redis_url:
        window = LimitsWindow(
            RedisStorage(
                "async+" + redis_url,
                implementation="redispy",
                key_prefix="seizure-sends",
                socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
            )
        )
    elif database_url is not None and database_url.startswith("postgresql"):
        window = PostgresWindow(database_url)
    else:
        window = LimitsWindow(MemoryStorage())
    return SendLimiter(window, per_second)
