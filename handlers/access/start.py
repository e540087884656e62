"""First contact: choosing a language, invite links, and the access request of a stranger."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import BotCommandScopeChat, CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import LANGUAGES
from bot.db.models import User, UserStatus
from bot.delivery import DeliveryWorker
from bot.services.access import (
    pending_request_of,
    redeem_invite,
    submit_access_request,
    validate_person_name,
)
from bot.services.errors import InvalidInput, InviteRefused
from bot.services.units import get_unit, unit_tree
from bot.services.users import set_language
from handlers.common import texts
from handlers.common.callbacks import LanguagePick, RequestAccess, UnitPage, UnitPick
from handlers.common.commands import commands_for
from handlers.common.filters import HasStatus, MenuButton
from handlers.common.messages import input_problem
from handlers.common.states import AccessForm
from handlers.common.ui import language_keyboard, main_menu, show, unit_picker
from handlers.common.welcome import refusal_text, welcome

NOT_BLOCKED = HasStatus(UserStatus.PENDING, UserStatus.ACTIVE)
PENDING = HasStatus(UserStatus.PENDING)


def language_prompt(i18n: I18n) -> str:
    """The picker's question in every language: we do not know yet which one they read."""
    lines = []
    for language in LANGUAGES:
        with i18n.use_locale(language):
            lines.append(_("Choose your language:"))
    return "\n".join(lines)


async def accept_invite(
    bot: Bot, chat_id: int, user: User, code: str, session: AsyncSession
) -> None:
    try:
        invite = await redeem_invite(session, user, code)
    except InviteRefused as refusal:
        await bot.send_message(chat_id, refusal_text(refusal.reason))
        if refusal.reason != "blocked":
            await welcome(bot, chat_id, user, session)
        return
    await session.commit()
    unit = await get_unit(session, invite.unit_id)
    await bot.send_message(
        chat_id,
        _("Access granted: you are {role}, {unit}.").format(
            role=texts.role_name(invite.role), unit=texts.unit_label(unit, user.language or "")
        ),
        reply_markup=main_menu(user),
    )


async def start_blocked(message: Message) -> None:
    await message.answer(refusal_text("blocked"))


async def start(
    message: Message,
    command: CommandObject,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    i18n: I18n,
    bot: Bot,
) -> None:
    if user.language is None:
        if command.args:
            await state.update_data(invite_code=command.args)
        await message.answer(language_prompt(i18n), reply_markup=language_keyboard())
        return
    if command.args:
        await accept_invite(bot, message.chat.id, user, command.args, session)
        return
    await state.set_state(None)
    await welcome(bot, message.chat.id, user, session)


async def ask_language(message: Message, i18n: I18n) -> None:
    await message.answer(language_prompt(i18n), reply_markup=language_keyboard())


async def pick_language(
    callback: CallbackQuery,
    callback_data: LanguagePick,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    i18n: I18n,
    bot: Bot,
) -> None:
    first_choice = user.language is None
    await set_language(session, user, callback_data.code)
    await session.commit()
    chat_id = callback.from_user.id
    with i18n.use_locale(callback_data.code):
        await show(
            callback,
            _("Language: {language}").format(language=texts.LANGUAGE_NAMES[callback_data.code]),
        )
        await bot.set_my_commands(commands_for(user), scope=BotCommandScopeChat(chat_id=chat_id))
        invite_code = (await state.get_data()).get("invite_code")
        if invite_code:
            await state.update_data(invite_code=None)
            await accept_invite(bot, chat_id, user, invite_code, session)
        elif first_choice or user.is_active:
            # Re-sending the menu replaces the reply keyboard's labels with the new language.
            await welcome(bot, chat_id, user, session)


async def begin_access_request(
    callback: CallbackQuery, user: User, session: AsyncSession, state: FSMContext
) -> None:
    if await pending_request_of(session, user):
        await show(callback, _("Your access request is already being reviewed."))
        return
    await state.set_state(AccessForm.name)
    await show(callback, _("Type your full name and rank, as in your service ID."))


async def access_name(
    message: Message, user: User, session: AsyncSession, state: FSMContext
) -> None:
    try:
        full_name = validate_person_name(message.text or "")
    except InvalidInput as problem:
        await message.answer(input_problem(problem))
        return
    await state.update_data(full_name=full_name)
    await state.set_state(AccessForm.unit)
    await ask_unit(message, user, session)


async def access_name_not_text(message: Message) -> None:
    await message.answer(_("Please type your name as text."))


async def ask_unit(message: Message, user: User, session: AsyncSession) -> None:
    nodes = await unit_tree(session)
    await message.answer(
        _("Choose the unit you serve in:"),
        reply_markup=unit_picker(nodes, "request", 0, user.language or ""),
    )


async def access_unit_typed(message: Message, user: User, session: AsyncSession) -> None:
    await message.answer(_("Please choose your unit with the buttons."))
    await ask_unit(message, user, session)


async def access_unit_page(
    callback: CallbackQuery, callback_data: UnitPage, user: User, session: AsyncSession
) -> None:
    nodes = await unit_tree(session)
    await show(
        callback,
        _("Choose the unit you serve in:"),
        unit_picker(nodes, "request", callback_data.page, user.language or ""),
    )


async def access_unit(
    callback: CallbackQuery,
    callback_data: UnitPick,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    delivery: DeliveryWorker,
) -> None:
    full_name = (await state.get_data()).get("full_name")
    if not full_name:
        await state.set_state(AccessForm.name)
        await show(callback, _("Type your full name and rank, as in your service ID."))
        return
    # The reviewers' news is queued with the request: they never see one that is not stored,
    # and a crash or a failing Bot API once it is stored no longer leaves it unseen.
    await submit_access_request(session, user, full_name, callback_data.unit_id)
    await state.clear()
    await session.commit()
    delivery.wake()
    await show(
        callback,
        _("Your access request has been sent. You will get a message here when it is reviewed."),
    )


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(start_blocked, CommandStart(), HasStatus(UserStatus.BLOCKED))
    router.message.register(start, CommandStart(), NOT_BLOCKED)
    router.message.register(ask_language, Command("language"), NOT_BLOCKED)
    router.message.register(ask_language, MenuButton(texts.MENU_LANGUAGE), NOT_BLOCKED)
    router.callback_query.register(
        pick_language, LanguagePick.filter(F.code.in_(LANGUAGES)), NOT_BLOCKED
    )
    router.callback_query.register(begin_access_request, RequestAccess.filter(), PENDING)
    router.message.register(access_name, AccessForm.name, PENDING, F.text)
    router.message.register(access_name_not_text, AccessForm.name, PENDING)
    router.message.register(access_unit_typed, AccessForm.unit, PENDING)
    router.callback_query.register(
        access_unit_page, UnitPage.filter(F.purpose == "request"), AccessForm.unit, PENDING
    )
    router.callback_query.register(
        access_unit, UnitPick.filter(F.purpose == "request"), AccessForm.unit, PENDING
    )
    return router
