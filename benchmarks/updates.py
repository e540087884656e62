"""Telegram updates as a phone would send them: a typed message, or a press on a bot's button."""

from __future__ import annotations

import itertools
import time

from aiogram.types import CallbackQuery, Chat, Message, Update, User

BOT_TOKEN = "123456:BENCH-token"
BOT_ID = int(BOT_TOKEN.split(":")[0])


class UpdateFactory:
    """Numbers every update uniquely: the bot ignores an update id it has seen before."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1_000_000)

    def _person(self, telegram_id: int) -> tuple[User, Chat]:
        user = User(id=telegram_id, is_bot=False, first_name=f"Officer {telegram_id}")
        return user, Chat(id=telegram_id, type="private")

    def text(self, telegram_id: int, text: str) -> Update:
        user, chat = self._person(telegram_id)
        message = Message(
            message_id=next(self._message_ids),
            date=int(time.time()),
            chat=chat,
            from_user=user,
            text=text,
        )
        return Update(update_id=next(self._update_ids), message=message)

    def press(self, telegram_id: int, callback_data: str, message_text: str = "…") -> Update:
        """A press on an inline button under an earlier message of the bot."""
        user, chat = self._person(telegram_id)
        bot_user = User(id=BOT_ID, is_bot=True, first_name="Bench")
        shown = Message(
            message_id=next(self._message_ids),
            date=int(time.time()),
            chat=chat,
            from_user=bot_user,
            text=message_text,
        )
        update_id = next(self._update_ids)
        query = CallbackQuery(
            id=str(update_id),
            from_user=user,
            chat_instance=str(telegram_id),
            message=shown,
            data=callback_data,
        )
        return Update(update_id=update_id, callback_query=query)
