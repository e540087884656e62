"""Conversation state in the database: whole-key isolation, JSON only, atomic merges."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.fsm_storage import DatabaseStorage

KEY = StorageKey(bot_id=1, chat_id=10, user_id=10)


async def test_state_and_data_survive_a_new_storage_object(session_factory):
    first = DatabaseStorage(session_factory)
    await first.set_state(KEY, "AccessForm:unit")
    await first.set_data(KEY, {"full_name": "Asanov"})

    after_restart = DatabaseStorage(session_factory)
    assert await after_restart.get_state(KEY) == "AccessForm:unit"
    assert await after_restart.get_data(KEY) == {"full_name": "Asanov"}


async def test_every_part_of_the_key_separates_conversations(session_factory):
    storage = DatabaseStorage(session_factory)
    variants = [
        KEY,
        StorageKey(bot_id=2, chat_id=10, user_id=10),
        StorageKey(bot_id=1, chat_id=10, user_id=10, thread_id=5),
        StorageKey(bot_id=1, chat_id=10, user_id=10, business_connection_id="b"),
        StorageKey(bot_id=1, chat_id=10, user_id=10, destiny="scene"),
    ]
    for number, key in enumerate(variants):
        await storage.set_data(key, {"n": number})
    assert [(await storage.get_data(key))["n"] for key in variants] == list(range(len(variants)))


async def test_data_that_is_not_json_is_refused_when_written(session_factory):
    storage = DatabaseStorage(session_factory)
    with pytest.raises(TypeError):
        await storage.set_data(KEY, {"when": object()})


async def test_concurrent_updates_lose_nothing(session_factory):
    storage = DatabaseStorage(session_factory)
    await asyncio.gather(*(storage.update_data(KEY, {f"field{n}": n}) for n in range(10)))
    assert await storage.get_data(KEY) == {f"field{n}": n for n in range(10)}


async def test_clearing_removes_the_row(session_factory):
    storage = DatabaseStorage(session_factory)
    await storage.set_state(KEY, "X:y")
    await storage.set_data(KEY, {"a": 1})
    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})
    assert await storage.get_state(KEY) is None and await storage.get_data(KEY) == {}
