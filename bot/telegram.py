"""How we talk to the Bot API: every message waits for its place in Telegram's limits, shared by
all replicas (bot/send_limits.py), and Telegram's flood control is waited out, not turned into
an error."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendChatAction, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.send_limits import SendLimiter

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


# The methods that put a message into a chat, which Telegram's limits count; answers to button
# presses, edits and "typing…" are not messages.
COUNTED_PREFIXES = ("Send", "Copy", "Forward")


def counted_chat(method: TelegramMethod[TelegramType]) -> int | str | None:
    """The chat a counted message goes to; None for a method Telegram's limits do not count."""
    if isinstance(method, SendChatAction) or not type(method).__name__.startswith(COUNTED_PREFIXES):
        return None
    return getattr(method, "chat_id", None)


class SharedSendLimits(BaseRequestMiddleware):
    """Every message of the bot, a handler's reply as much as a notification, waits for its
    place in the bot's and the chat's windows right before it is sent; registered inside
    `RespectRetryAfter`, so a send tried again after a 429 waits for a place again."""

    def __init__(self, limiter: SendLimiter) -> None:
        self.limiter = limiter

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> TelegramType:
        chat_id = counted_chat(method)
        if chat_id is not None:
            await self.limiter.acquire(chat_id)
        return await make_request(bot, method)
