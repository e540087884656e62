"""What nobody else handled: strangers, blocked people, stray text, outdated buttons and edits of
messages already sent."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User, UserStatus
from handlers.common.filters import HasStatus
from handlers.common.ui import main_menu
from handlers.common.welcome import refusal_text, welcome


async def blocked(message: Message) -> None:
    await message.answer(refusal_text("blocked"))


async def stranger(message: Message, user: User, session: AsyncSession, bot: Bot) -> None:
    await welcome(bot, message.chat.id, user, session)


async def not_understood(message: Message, user: User) -> None:
    await message.answer(
        _("I did not understand that. Choose an action below."), reply_markup=main_menu(user)
    )


async def unavailable_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    # Old messages keep their buttons for days, and callback data can be forged: refuse calmly.
    callback_answer.text = _(
        "This button is outdated or not available to you. Nothing was changed."
    )
    callback_answer.show_alert = True


async def edited(message: Message) -> None:
    # Telegram tells of an edit, but an answer is taken once, as first sent: an officer who
    # corrects a typo by editing must not believe the record was corrected.
    await message.answer(
        _(
            "✏️ Editing a sent message changes nothing: what was sent first is kept. To change "
            "an answer, choose the field again in the report."
        )
    )


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(blocked, HasStatus(UserStatus.BLOCKED))
    router.message.register(stranger, HasStatus(UserStatus.PENDING))
    router.message.register(not_understood, HasStatus(UserStatus.ACTIVE))
    router.callback_query.register(unavailable_button)
    # Text and captions only: a live location is "edited" every few seconds as it moves.
    router.edited_message.register(edited, F.chat.type == ChatType.PRIVATE, F.text | F.caption)
    return router
