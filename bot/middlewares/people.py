"""Loads (or on first contact creates) the person behind each update, and their language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.i18n import language_of
from bot.log_context import name_unit
from bot.middlewares.database import KNOWN_PERSON
from bot.services.users import register_contact

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class PersonMiddleware(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        data["user"] = None
        if sender is not None and not sender.is_bot:
            data["user"] = await register_contact(
                data["session"],
                sender.id,
                sender.full_name,
                sender.username,
                known=data.get(KNOWN_PERSON),
            )
            name_unit(data["user"].unit_id)
        return await handler(event, data)


class PersonLocaleMiddleware(I18nMiddleware):
    """The language stored for the person; Telegram never reports Kyrgyz, so we do not ask it."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n=i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        return locale_of(data, self.i18n.default_locale)


def locale_of(data: dict[str, Any], default: str) -> str:
    return language_of(data.get("user"), default)
