"""How we talk to the Bot API: Telegram's flood control is waited out, not turned into an error."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)


class RespectRetryAfter(BaseRequestMiddleware):
    """On 429, wait exactly the retry_after Telegram gives, then try again, a bounded number of
    times; a wait longer than `longest` seconds is left to the caller."""

    def __init__(self, attempts: int = 3, longest: float = 60.0) -> None:
        self.attempts = attempts
        self.longest = longest

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> TelegramType:
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt == self.attempts or error.retry_after > self.longest:
                    raise
                log.warning(
                    "flood control on %s: waiting %ss", type(method).__name__, error.retry_after
                )
                await asyncio.sleep(error.retry_after)
        raise AssertionError("unreachable")
