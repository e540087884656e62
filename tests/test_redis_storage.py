"""With REDIS_URL, conversation state and per-chat ordering live in Redis (shared by processes)."""

from __future__ import annotations

import secrets

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.app import create_storage
from bot.config import Settings
from bot.fsm_storage import RedisChatLocks

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis_available() -> None:
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except RedisConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    finally:
        await client.aclose()


async def test_state_survives_a_new_process_when_redis_is_configured(redis_available):
    settings = Settings(_env_file=None, bot_token="1:x", redis_url=REDIS_URL)
    key = StorageKey(bot_id=secrets.randbelow(10**9), chat_id=5, user_id=5)

    storage, isolation = create_storage(settings, session_factory=None)  # type: ignore[arg-type]
    assert isinstance(storage, RedisStorage) and isinstance(isolation, RedisChatLocks)
    await storage.set_state(key, "AccessForm:unit")
    await storage.set_data(key, {"full_name": "Asanov"})
    await storage.close()

    restarted, _ = create_storage(settings, session_factory=None)  # type: ignore[arg-type]
    try:
        assert await restarted.get_state(key) == "AccessForm:unit"
        assert await restarted.get_data(key) == {"full_name": "Asanov"}
    finally:
        await restarted.set_state(key, None)
        await restarted.set_data(key, {})
        await restarted.close()
