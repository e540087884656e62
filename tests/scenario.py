"""Helpers that let end-to-end tests read like what a person does and sees."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from functools import cache

from aiogram.utils.i18n import I18n

from bot.i18n import create_i18n
from handlers.common.texts import LANGUAGE_NAMES
from tests.fakes.bot_api import BotMessage, FakeBotAPI, FakeUser


@cache
def i18n_for_tests() -> I18n:
    return create_i18n("en")


def tr(language: str, text: str, **values: object) -> str:
    """What the bot shows for `text` in `language`, as the user sees it."""
    i18n = i18n_for_tests()
    translated = i18n.gettext(text, locale=language)
    return translated.format(**values) if values else translated


def keyboard_labels(message: BotMessage) -> list[str]:
    return [label for row in message.reply_keyboard or [] for label in row]


def has_menu(message: BotMessage) -> bool:
    return message.reply_keyboard is not None


async def choose_language(user: FakeUser, language: str) -> BotMessage:
    """Answer the language picker; returns the screen that follows it."""
    picker = await user.receive_until(lambda message: message.has_button(LANGUAGE_NAMES[language]))
    await user.press(LANGUAGE_NAMES[language], picker)
    await user.receive_until(lambda message: message.message_id == picker.message_id)
    return await user.receive()


async def first_contact(user: FakeUser, language: str, start: str = "/start") -> BotMessage:
    await user.send(start)
    return await choose_language(user, language)


def invite_code(text: str) -> str:
    match = re.search(r"\?start=([A-Za-z0-9_-]+)", text)
    assert match, f"no invite link in {text!r}"
    return match.group(1)


async def eventually(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait for something the bot does in the background (start-up, answers after a reply)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    assert condition()


async def every_button_answered(telegram: FakeBotAPI, user: FakeUser) -> None:
    """Each callback query this user sent got exactly one answerCallbackQuery."""
    pressed = [
        update["callback_query"]["id"]
        for update in telegram.pushed_updates
        if "callback_query" in update and update["callback_query"]["from"]["id"] == user.id
    ]

    def answered() -> list[str]:
        return sorted(answer["callback_query_id"] for answer in user.callback_answers())

    await eventually(lambda: len(answered()) >= len(pressed))
    assert answered() == sorted(pressed)
