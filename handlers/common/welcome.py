"""The screen a person lands on after /start, an invite or a language choice, by their status;
shared by first contact and the fallback that answers strangers."""

from __future__ import annotations

from aiogram import Bot
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User, UserStatus
from bot.services.access import pending_request_of
from bot.services.units import get_unit
from handlers.common import texts
from handlers.common.callbacks import RequestAccess
from handlers.common.keyboard import Keyboard
from handlers.common.ui import main_menu


async def welcome(bot: Bot, chat_id: int, user: User, session: AsyncSession) -> None:
    """The screen a person lands on, by status, in the current locale."""
    if user.status is UserStatus.ACTIVE:
        unit = await get_unit(session, user.unit_id) if user.unit_id else None
        text = _("Welcome, {name}. You are {role}, {unit}. Choose an action below.").format(
            name=texts.person_label(user),
            role=texts.role_name(user.role),
            unit=texts.unit_label(unit, user.language or ""),
        )
        await bot.send_message(chat_id, text, reply_markup=main_menu(user))
        return
    if await pending_request_of(session, user):
        await bot.send_message(
            chat_id,
            _("Your access request is being reviewed. You will get a message here when it is."),
        )
        return
    keyboard = Keyboard()
    keyboard.button(text=_("Request access"), callback_data=RequestAccess())
    await bot.send_message(
        chat_id,
        _(
            "This bot serves officers of the Border Service after a seizure of weapons, "
            "ammunition or explosives. To use it, request access: your unit's supervisor "
            "or an administrator will review it. If you have an invite link, open it instead."
        ),
        reply_markup=keyboard.as_markup(),
    )


def refusal_text(reason: str) -> str:
    return {
        "unknown": _("This invite link is not valid. Ask for a new one."),
        "used": _("This invite link has already been used. Ask for a new one."),
        "expired": _("This invite link has expired. Ask for a new one."),
        "already_active": _("You already have access; the invite link was not used."),
        "blocked": _("Your access is blocked. Contact your supervisor."),
    }[reason]
