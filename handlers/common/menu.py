"""The main menu of an active person, by role, and the help."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.db.models import Role, User, UserStatus
from handlers.common import texts
from handlers.common.filters import HasStatus, MenuButton
from handlers.common.ui import main_menu


async def menu(message: Message, user: User) -> None:
    await message.answer(_("Choose an action below."), reply_markup=main_menu(user))


async def cancel(message: Message, user: User, state: FSMContext) -> None:
    had_action = await state.get_state() is not None
    await state.clear()
    text = _("Cancelled. Nothing was changed.") if had_action else _("There is nothing to cancel.")
    await message.answer(text, reply_markup=main_menu(user))


async def help_(message: Message, user: User) -> None:
    parts = [
        _(
            "This bot helps you after a seizure of weapons, ammunition or explosives:\n"
            "• {procedures}: step-by-step checklists of what to do;\n"
            "• {new_report}: log a seizure quickly, complete the report later;\n"
            "• {my_reports}: your reports and their status."
        ).format(
            procedures=texts.MENU_PROCEDURES,
            new_report=texts.MENU_NEW_REPORT,
            my_reports=texts.MENU_MY_REPORTS,
        )
    ]
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        parts.append(
            _(
                "As {role}: {inbox} lists reports awaiting you; {invite} makes a one-time "
                "link that gives an officer access; /runs shows which procedure steps the "
                "officers of your units did, and when."
            ).format(
                role=texts.role_name(user.role),
                inbox=texts.MENU_INBOX,
                invite=texts.MENU_INVITE,
            )
        )
    if user.role is Role.ADMIN:
        parts.append(
            _(
                "{users}: approve, block and unblock people, set roles and units, manage units."
            ).format(users=texts.MENU_USERS)
        )
    parts.append(_("/cancel stops what you are doing; /language changes the language."))
    await message.answer("\n\n".join(parts), reply_markup=main_menu(user))


def create_router() -> Router:
    router = Router(name="menu")
    router.message.filter(HasStatus(UserStatus.ACTIVE))
    router.message.register(menu, Command("menu"))
    router.message.register(cancel, Command("cancel"))
    router.message.register(help_, Command("help"))
    router.message.register(help_, MenuButton(texts.MENU_HELP))
    return router
