"""Every button press is answered exactly once, so no button keeps spinning."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

log = logging.getLogger(__name__)


class CallbackAnswers(BaseMiddleware):
    """Handlers put their note on `callback_answer`; it is sent once the handler is done.

    Unlike aiogram's CallbackAnswerMiddleware, a handler that fails leaves the answer to the
    error handler, which explains what happened instead of a silent, empty answer. An answer
    Telegram refuses ("query is too old" after a slow handler, a network error) is logged and
    the update goes on: what the handler did is stored and on the screen already.
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        answer = data["callback_answer"] = CallbackAnswer(answered=False)
        result = await handler(event, data)
        if not answer.disabled:
            try:
                await event.answer(text=answer.text, show_alert=answer.show_alert)
            except TelegramAPIError as refused:
                log.warning("button press %s not answered: %s", event.id, refused)
        return result
