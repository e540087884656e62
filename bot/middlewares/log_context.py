"""Every log line written while an update is handled names the update and its person."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.types import ErrorEvent, TelegramObject, Update
from aiogram.types import User as TelegramUser

from bot.log_context import update_context


class LogContext(BaseMiddleware):
    """Outermost of ours, and again around the error handler (aiogram calls it outside the
    update's middlewares), so its "update … failed" line names the person too."""

    def setup(self, dispatcher: Dispatcher) -> None:
        dispatcher.update.outer_middleware(self)
        dispatcher.errors.outer_middleware(self)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        update = event.update if isinstance(event, ErrorEvent) else event
        sender: TelegramUser | None = data.get("event_from_user")
        update_id = update.update_id if isinstance(update, Update) else None
        with update_context(update_id, sender.id if sender else None):
            return await handler(event, data)
