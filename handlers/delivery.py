"""Sending to someone other than the sender: a blocked bot or a rate limit must not break the
action that caused the message (the supervisors issue replaces this with an outbox)."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


async def deliver(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None,
) -> bool:
    for _attempt in range(MAX_ATTEMPTS):
        try:
            await bot.send_message(chat_id, text, reply_markup=markup)
            return True
        except TelegramRetryAfter as error:
            await asyncio.sleep(error.retry_after)
        except TelegramForbiddenError:
            log.warning("chat %s has blocked the bot; message not delivered", chat_id)
            return False
        except TelegramAPIError:
            log.exception("could not deliver a message to chat %s", chat_id)
            return False
    log.error("chat %s: still rate-limited after %d attempts", chat_id, MAX_ATTEMPTS)
    return False
