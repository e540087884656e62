"""Telegram's limits hold for the replicas together: two limiters sharing one window (PostgreSQL,
Redis, or one process's memory) never let more than the bot's messages a second, or more than
three in three seconds to one chat, go between them."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.db.engine import create_engine
from bot.db.migrate import upgrade_database
from bot.send_limits import (
    PER_CHAT_MESSAGES,
    PER_CHAT_SECONDS,
    SendLimiter,
    create_send_limiter,
)

REDIS_URL = "redis://127.0.0.1:6379/8"
PER_SECOND = 10
# The test reads its clock once the limiter answered, a database or Redis round trip after the
# place was taken: windows a little shorter than the limiter's stand for that.
SLACK = 0.05


def most_in_any_window(times: list[float], seconds: float) -> int:
    """The largest number of sends inside any window of `seconds` (ends included)."""
    ordered = sorted(times)
    start, most = 0, 0
    for end, moment in enumerate(ordered):
        while ordered[start] < moment - seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


async def sends_of_two_replicas(replicas: list[SendLimiter]) -> dict[int, list[float]]:
    """Forty messages to eight chats, half from each replica, at once: when each was let go."""
    sent: dict[int, list[float]] = {chat: [] for chat in range(8)}

    async def send(limiter: SendLimiter, chat: int) -> None:
        await limiter.acquire(chat)
        sent[chat].append(time.time())

    await asyncio.gather(
        *(send(replicas[number % 2], number % 8) for number in range(40)),
    )
    return sent


def assert_within_limits(sent: dict[int, list[float]]) -> None:
    everything = [moment for times in sent.values() for moment in times]
    assert len(everything) == 40
    assert most_in_any_window(everything, 1.0 - SLACK) <= PER_SECOND
    for times in sent.values():
        assert most_in_any_window(times, PER_CHAT_SECONDS - SLACK) <= PER_CHAT_MESSAGES


async def test_two_replicas_on_one_postgresql_keep_telegrams_limits_together(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process: its limiter is in memory")
    engine = create_engine(database_url)
    await upgrade_database(engine)
    await engine.dispose()
    replicas = [create_send_limiter(PER_SECOND, database_url=database_url) for _ in range(2)]
    try:
        assert_within_limits(await sends_of_two_replicas(replicas))
    finally:
        for limiter in replicas:
            await limiter.close()


async def test_two_replicas_on_one_redis_keep_telegrams_limits_together():
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
        await client.flushdb()
    except RedisConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    finally:
        await client.aclose()
    replicas = [create_send_limiter(PER_SECOND, redis_url=REDIS_URL) for _ in range(2)]
    try:
        assert_within_limits(await sends_of_two_replicas(replicas))
    finally:
        for limiter in replicas:
            await limiter.close()


async def test_one_process_keeps_the_limits_in_memory():
    limiter = create_send_limiter(PER_SECOND)
    assert_within_limits(await sends_of_two_replicas([limiter, limiter]))
