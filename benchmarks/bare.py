"""Bare aiogram: a Dispatcher with one trivial handler per kind of update, on the same
in-process Bot API. Imports nothing of the bot, so `python -m benchmarks.bare` prints the idle
memory any aiogram bot starts from."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from aiogram import Bot, Dispatcher, F
from aiogram.types import CallbackQuery, Message, Update

from benchmarks.fake_session import InProcessBotAPI
from benchmarks.rss import resident_megabytes
from benchmarks.updates import BOT_TOKEN, UpdateFactory


@dataclass
class BenchBot:
    """What the benchmarks feed updates to: a dispatcher and the bot it answers as."""

    dispatcher: Dispatcher
    bot: Bot
    api: InProcessBotAPI

    async def feed(self, update: Update) -> None:
        await self.dispatcher.feed_update(self.bot, update)


def bare_aiogram() -> BenchBot:
    """The handlers make the same kind of Bot API call the real ones make."""
    dispatcher = Dispatcher()

    @dispatcher.message(F.text)
    async def reply(message: Message) -> None:
        await message.answer("ok")

    @dispatcher.callback_query()
    async def edit(callback: CallbackQuery) -> None:
        if isinstance(callback.message, Message):
            await callback.message.edit_text("ok")
        await callback.answer()

    api = InProcessBotAPI()
    return BenchBot(dispatcher, Bot(BOT_TOKEN, session=api), api)


async def idle_after_first_updates() -> float:
    bare = bare_aiogram()
    updates = UpdateFactory()
    await bare.feed(updates.text(100_000, "/start"))
    await bare.feed(updates.press(100_000, "st:1:1:done"))
    return resident_megabytes()


if __name__ == "__main__":
    print(json.dumps({"bare_idle_mb": asyncio.run(idle_after_first_updates())}))
