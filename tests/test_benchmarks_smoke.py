"""The benchmarks' in-process Bot API answers like Telegram, so what they time is the bot."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramRetryAfter

from benchmarks.bare import bare_aiogram
from benchmarks.fake_session import FloodControlledBotAPI
from benchmarks.floor import StatementsPerUpdate, floor_bot
from benchmarks.harness import StatementCounter
from benchmarks.updates import UpdateFactory


async def test_in_process_api_answers_a_message_and_a_button_press():
    bare = bare_aiogram()
    updates = UpdateFactory()

    sent = await bare.bot.send_message(42, "hello")
    await bare.feed(updates.press(42, "st:1:1:done"))

    assert (sent.chat.id, sent.text) == (42, "hello")
    assert dict(bare.api.calls) == {
        "sendMessage": 1,
        "editMessageText": 1,
        "answerCallbackQuery": 1,
    }


async def test_flood_control_refuses_a_second_message_to_one_chat_within_a_second():
    api = FloodControlledBotAPI(per_second=30)
    bot = bare_aiogram().bot
    bot.session = api

    await bot.send_message(42, "first")
    await bot.send_message(43, "another chat")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(42, "too soon")
    assert api.refused == 1


async def test_floor_runs_as_many_statements_as_the_bot_did_for_each_kind_of_update(
    database_url: str,
):
    statements = StatementCounter()
    floor = await floor_bot(database_url, [42], StatementsPerUpdate(press=4, message=1))
    statements.attach(floor.engine.sync_engine)
    updates = UpdateFactory()
    try:
        await floor.feed(updates.press(42, "st:1:1:done"))
        after_press = statements.take()
        await floor.feed(updates.text(42, "/start"))
        after_message = statements.take()
    finally:
        await floor.close()

    assert (after_press, after_message) == (4, 1)
    assert dict(floor.api.calls) == {
        "editMessageText": 1,
        "answerCallbackQuery": 1,
        "sendMessage": 1,
    }
