"""The commands menu Telegram shows, in each language."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import LANGUAGES
from bot.db.models import Role, User

log = logging.getLogger(__name__)


def commands_for(user: User | None) -> list[BotCommand]:
    commands = [
        BotCommand(command="start", description=_("Start or restart")),
        BotCommand(command="menu", description=_("Main menu")),
        BotCommand(command="language", description=_("Change language")),
        BotCommand(command="help", description=_("Help")),
        BotCommand(command="cancel", description=_("Cancel the current action")),
        BotCommand(command="exercise", description=_("Exercise mode and drills")),
    ]
    if user is not None and user.is_active and user.role in (Role.SUPERVISOR, Role.ADMIN):
        commands.append(BotCommand(command="invite", description=_("Make an invite link")))
        commands.append(BotCommand(command="runs", description=_("Procedure runs in my units")))
    return commands


async def register_commands(bot: Bot, i18n: I18n, default_language: str) -> None:
    """One list per language; Telegram picks it from the app's language, the default otherwise.

    A failure is logged, not raised: the bot works without its commands menu, and polling
    itself waits out a Bot API that is not reachable yet.
    """
    try:
        await _set_commands(bot, i18n, default_language)
    except TelegramAPIError as error:
        log.warning("could not register the commands menu: %s", error)


async def _set_commands(bot: Bot, i18n: I18n, default_language: str) -> None:
    with i18n.context():
        for language in LANGUAGES:
            with i18n.use_locale(language):
                await bot.set_my_commands(commands_for(None), language_code=language)
        with i18n.use_locale(default_language):
            await bot.set_my_commands(commands_for(None))
