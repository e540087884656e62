"""One-time invite links that admins and supervisors hand to new officers."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import Role, User
from bot.i18n import format_datetime
from bot.services.access import create_invite
from bot.services.permissions import managed_unit_ids
from bot.services.units import UnitNode, get_unit, unit_tree
from handlers.common import texts
from handlers.common.callbacks import InviteRolePick, UnitPage, UnitPick
from handlers.common.filters import HasRole, MenuButton, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.states import InviteForm
from handlers.common.ui import replace_buttons, show, unit_picker


async def invitable_units(session: AsyncSession, user: User) -> list[UnitNode]:
    managed = await managed_unit_ids(session, user)
    nodes = await unit_tree(session)
    return [node for node in nodes if managed is None or node.unit.id in managed]


async def begin_invite(
    message: Message, user: User, session: AsyncSession, state: FSMContext
) -> None:
    if user.role is Role.ADMIN:
        await state.set_state(InviteForm.role)
        builder = Keyboard()
        for role in Role:
            builder.button(
                text=texts.role_name(role), callback_data=InviteRolePick(role=role.value)
            )
        builder.adjust(1)
        await message.answer(_("Invite as:"), reply_markup=builder.as_markup())
        return
    await state.set_state(InviteForm.unit)
    await state.update_data(invite_role=Role.OFFICER.value)
    nodes = await invitable_units(session, user)
    await message.answer(
        _("Invite an officer to which unit?"),
        reply_markup=unit_picker(nodes, "invite", 0, user.language or ""),
    )


async def invite_role(
    callback: CallbackQuery,
    callback_data: InviteRolePick,
    user: User,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    await state.update_data(invite_role=callback_data.role)
    await state.set_state(InviteForm.unit)
    nodes = await invitable_units(session, user)
    await show(
        callback,
        _("Invite as {role} to which unit?").format(role=texts.role_name(Role(callback_data.role))),
        unit_picker(nodes, "invite", 0, user.language or ""),
    )


async def invite_unit_page(
    callback: CallbackQuery, callback_data: UnitPage, user: User, session: AsyncSession
) -> None:
    nodes = await invitable_units(session, user)
    await replace_buttons(
        callback, unit_picker(nodes, "invite", callback_data.page, user.language or "")
    )


async def invite_unit(
    callback: CallbackQuery,
    callback_data: UnitPick,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
    bot: Bot,
) -> None:
    role = Role((await state.get_data()).get("invite_role", Role.OFFICER.value))
    invite = await create_invite(
        session, user, role, callback_data.unit_id, timedelta(hours=settings.invite_ttl_hours)
    )
    await state.clear()
    await session.commit()
    unit = await get_unit(session, invite.unit_id)
    me = await bot.me()
    language = user.language or settings.default_language
    await show(
        callback,
        _(
            "Invite link for {role}, {unit}. It works once and expires {expires}. "
            "Give it only to that person:\n{link}"
        ).format(
            role=texts.role_name(role),
            unit=texts.unit_label(unit, language),
            expires=format_datetime(invite.expires_at, language, settings.tz),
            link=f"https://t.me/{me.username}?start={invite.code}",
        ),
    )


def create_router() -> Router:
    router = router_for("invites", HasRole(Role.ADMIN, Role.SUPERVISOR))
    router.message.register(begin_invite, Command("invite"))
    router.message.register(begin_invite, MenuButton(texts.MENU_INVITE))
    router.callback_query.register(
        invite_role,
        InviteRolePick.filter(F.role.in_({role.value for role in Role})),
        InviteForm.role,
    )
    router.callback_query.register(
        invite_unit_page, UnitPage.filter(F.purpose == "invite"), InviteForm.unit
    )
    router.callback_query.register(
        invite_unit, UnitPick.filter(F.purpose == "invite"), InviteForm.unit
    )
    return router
