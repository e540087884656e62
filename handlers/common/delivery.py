"""Sending to someone other than the sender: a blocked bot or an API error must not break the
action that caused the message (report news goes through the outbox instead)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup

log = logging.getLogger(__name__)


async def deliver(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None,
) -> bool:
    """Send once; flood control is already waited out by the session's RespectRetryAfter."""
    try:
        await bot.send_message(chat_id, text, reply_markup=markup)
    except TelegramForbiddenError:
        log.warning("chat %s has blocked the bot; message not delivered", chat_id)
        return False
    except TelegramAPIError:
        log.exception("could not deliver a message to chat %s", chat_id)
        return False
    return True
