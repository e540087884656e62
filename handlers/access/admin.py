"""Administrators: people (approve, block, role, unit) and units, from the Users menu."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import Role, UnitKind, User, UserStatus
from bot.delivery import DeliveryWorker
from bot.i18n import format_count, format_datetime, language_of
from bot.services import units as unit_service
from bot.services import users as user_service
from bot.services.access import decide_access_request, pending_request_of
from bot.services.errors import InvalidInput
from handlers.common import texts
from handlers.common.callbacks import (
    UnitKindPick,
    UnitPage,
    UnitPick,
    UnitsScreen,
    UserAction,
    UserCard,
    UserRolePick,
    UsersPage,
)
from handlers.common.filters import Answer, HasRole, MenuButton, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.messages import input_problem
from handlers.common.states import UnitForm, UserUnitForm
from handlers.common.ui import (
    page_turns,
    paged_list,
    replace_buttons,
    show,
    unit_picker,
)

UNIT_LINES_PER_PAGE = 40


async def users_screen(
    session: AsyncSession, admin: User, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    people, total = await user_service.list_users(session, admin, page)
    entries = [
        (
            f"{texts.STATUS_MARKS[person.status]} {person.full_name or person.telegram_id}"
            f" · {texts.role_name(person.role)}",
            UserCard(user_id=person.id),
        )
        for person in people
    ]
    builder, last_page = paged_list(
        entries, page, total, user_service.USERS_PAGE_SIZE, lambda number: UsersPage(page=number)
    )
    builder.row(
        InlineKeyboardButton(text=_("🏢 Units"), callback_data=UnitsScreen(action="list").pack())
    )
    language = language_of(admin, "")
    people = ngettext("{count} person", "{count} people", total).format(
        count=format_count(total, language)
    )
    text = _("{people}. Page {page} of {pages}. ⏳ awaiting approval, ⛔ blocked.").format(
        people=people, page=page + 1, pages=last_page + 1
    )
    return text, builder.as_markup()


async def user_card(
    session: AsyncSession, person: User, language: str, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    unit = await unit_service.get_unit(session, person.unit_id) if person.unit_id else None
    text = "\n".join(
        [
            f"<b>{texts.person_label(person)}</b>",
            _("Telegram id: {id}").format(id=person.telegram_id),
            _("Status: {status}").format(status=texts.status_name(person.status)),
            _("Role: {role}").format(role=texts.role_name(person.role)),
            _("Unit: {unit}").format(unit=texts.unit_label(unit, language)),
            _("Registered: {date}").format(
                date=format_datetime(person.created_at, language, settings.tz)
            ),
        ]
    )
    builder = Keyboard()
    if person.status is UserStatus.PENDING:
        builder.button(
            text=_("✅ Approve"), callback_data=UserAction(user_id=person.id, action="approve")
        )
    if person.status is UserStatus.BLOCKED:
        builder.button(
            text=_("Unblock"), callback_data=UserAction(user_id=person.id, action="unblock")
        )
    else:
        builder.button(
            text=_("⛔ Block"), callback_data=UserAction(user_id=person.id, action="block")
        )
    for role in Role:
        mark = "✓ " if person.role is role else ""
        builder.button(
            text=mark + texts.role_name(role),
            callback_data=UserRolePick(user_id=person.id, role=role.value),
        )
    builder.button(
        text=_("🏢 Set unit"), callback_data=UserAction(user_id=person.id, action="unit")
    )
    builder.button(text=_("« All people"), callback_data=UsersPage(page=0))
    builder.adjust(1, 3, 1, 1)
    return text, builder.as_markup()


async def users_list(message: Message, user: User, session: AsyncSession) -> None:
    text, markup = await users_screen(session, user, 0)
    await message.answer(text, reply_markup=markup)


async def users_page(
    callback: CallbackQuery, callback_data: UsersPage, user: User, session: AsyncSession
) -> None:
    await show(callback, *await users_screen(session, user, callback_data.page))


async def show_card(
    callback: CallbackQuery, session: AsyncSession, admin: User, person: User, settings: Settings
) -> None:
    language = language_of(admin, settings.default_language)
    await show(callback, *await user_card(session, person, language, settings))


async def open_card(
    callback: CallbackQuery,
    callback_data: UserCard,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    person = await user_service.get_user(session, callback_data.user_id)
    await show_card(callback, session, user, person, settings)


async def change_status(
    callback: CallbackQuery,
    callback_data: UserAction,
    user: User,
    session: AsyncSession,
    settings: Settings,
    delivery: DeliveryWorker,
) -> None:
    person = await user_service.get_user(session, callback_data.user_id)
    request = await pending_request_of(session, person)
    if callback_data.action == "approve" and request is not None:
        await decide_access_request(session, user, request.id, approve=True)
    else:
        status = UserStatus.BLOCKED if callback_data.action == "block" else UserStatus.ACTIVE
        await user_service.set_status(session, user, person.id, status)
    await session.commit()
    # The person is told through the outbox, queued with the change.
    delivery.wake()
    await show_card(callback, session, user, person, settings)


async def change_role(
    callback: CallbackQuery,
    callback_data: UserRolePick,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    person = await user_service.set_role(
        session, user, callback_data.user_id, Role(callback_data.role)
    )
    await session.commit()
    await show_card(callback, session, user, person, settings)


async def ask_user_unit(
    callback: CallbackQuery,
    callback_data: UserAction,
    user: User,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    person = await user_service.get_user(session, callback_data.user_id)
    await state.set_state(UserUnitForm.unit)
    await state.update_data(target_user_id=person.id)
    nodes = await unit_service.unit_tree(session)
    await show(
        callback,
        _("Choose the unit of {name}:").format(name=texts.person_label(person)),
        unit_picker(nodes, "user", 0, user.language or ""),
    )


async def unit_page(
    callback: CallbackQuery, callback_data: UnitPage, user: User, session: AsyncSession
) -> None:
    nodes = await unit_service.unit_tree(session)
    markup = unit_picker(
        nodes,
        callback_data.purpose,
        callback_data.page,
        user.language or "",
        none_choice=_("— top level —") if callback_data.purpose == "parent" else None,
    )
    await replace_buttons(callback, markup)


async def set_user_unit(
    callback: CallbackQuery,
    callback_data: UnitPick,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    target_id = (await state.get_data())["target_user_id"]
    person = await user_service.set_unit(session, user, target_id, callback_data.unit_id)
    await state.clear()
    await session.commit()
    await show_card(callback, session, user, person, settings)


async def units_screen(
    session: AsyncSession, language: str, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    nodes = await unit_service.unit_tree(session)
    last_page = max((len(nodes) - 1) // UNIT_LINES_PER_PAGE, 0)
    page = min(max(page, 0), last_page)
    lines = [
        "  " * node.depth + f"• {texts.unit_label(node.unit, language)}"
        for node in nodes[page * UNIT_LINES_PER_PAGE : (page + 1) * UNIT_LINES_PER_PAGE]
    ]
    count = ngettext("{count} unit", "{count} units", len(nodes)).format(
        count=format_count(len(nodes), language)
    )
    header = _("{units}. Page {page} of {pages}.").format(
        units=count, page=page + 1, pages=last_page + 1
    )
    builder = page_turns(page, last_page, lambda number: UnitsScreen(action="list", page=number))
    builder.button(text=_("➕ New unit"), callback_data=UnitsScreen(action="create"))
    builder.button(text=_("« All people"), callback_data=UsersPage(page=0))
    return header + "\n\n" + "\n".join(lines), builder.as_markup()


async def units_list(
    callback: CallbackQuery, callback_data: UnitsScreen, user: User, session: AsyncSession
) -> None:
    await show(callback, *await units_screen(session, user.language or "", callback_data.page))


async def new_unit(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(UnitForm.code)
    await show(
        callback, _("Type the new unit's code: Latin letters, digits and dashes, e.g. DOSTUK.")
    )


async def new_unit_code(message: Message, session: AsyncSession, state: FSMContext) -> None:
    try:
        code = await unit_service.free_code(session, message.text or "")
    except InvalidInput as problem:
        await message.answer(input_problem(problem))
        return
    await state.update_data(code=code)
    await state.set_state(UnitForm.name)
    await message.answer(_("Type the unit's name."))


async def new_unit_name(message: Message, state: FSMContext) -> None:
    try:
        name = unit_service.normalize_name(message.text or "")
    except InvalidInput as problem:
        await message.answer(input_problem(problem))
        return
    await state.update_data(name=name)
    await state.set_state(UnitForm.kind)
    builder = Keyboard()
    for kind in UnitKind:
        builder.button(text=texts.unit_kind_name(kind), callback_data=UnitKindPick(kind=kind.value))
    builder.adjust(1)
    await message.answer(_("What kind of unit is it?"), reply_markup=builder.as_markup())


async def new_unit_not_text(message: Message) -> None:
    await message.answer(_("Please type it as text."))


async def new_unit_kind(
    callback: CallbackQuery,
    callback_data: UnitKindPick,
    user: User,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    await state.update_data(kind=callback_data.kind)
    await state.set_state(UnitForm.parent)
    nodes = await unit_service.unit_tree(session)
    await show(
        callback,
        _("Which unit is it part of?"),
        unit_picker(nodes, "parent", 0, user.language or "", none_choice=_("— top level —")),
    )


async def new_unit_parent(
    callback: CallbackQuery,
    callback_data: UnitPick,
    user: User,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    data = await state.get_data()
    try:
        unit = await unit_service.create_unit(
            session,
            user,
            data["code"],
            data["name"],
            parent_id=callback_data.unit_id or None,
            kind=UnitKind(data["kind"]),
        )
    except InvalidInput as problem:
        # Someone else took the code meanwhile: ask for another, keep the rest.
        await state.set_state(UnitForm.code)
        await show(callback, input_problem(problem))
        return
    await state.clear()
    await session.commit()
    await show(
        callback,
        _("Unit created: {unit}.").format(unit=texts.unit_label(unit, user.language or "")),
    )


def create_router() -> Router:
    router = router_for("admin", HasRole(Role.ADMIN))
    router.message.register(users_list, MenuButton(texts.MENU_USERS))
    router.callback_query.register(users_page, UsersPage.filter())
    router.callback_query.register(open_card, UserCard.filter())
    router.callback_query.register(
        change_status, UserAction.filter(F.action.in_({"approve", "block", "unblock"}))
    )
    router.callback_query.register(
        change_role, UserRolePick.filter(F.role.in_({role.value for role in Role}))
    )
    router.callback_query.register(ask_user_unit, UserAction.filter(F.action == "unit"))
    router.callback_query.register(unit_page, UnitPage.filter(F.purpose.in_({"user", "parent"})))
    router.callback_query.register(
        set_user_unit, UnitPick.filter(F.purpose == "user"), UserUnitForm.unit
    )
    router.callback_query.register(units_list, UnitsScreen.filter(F.action == "list"))
    router.callback_query.register(new_unit, UnitsScreen.filter(F.action == "create"))
    router.message.register(new_unit_code, UnitForm.code, F.text, Answer())
    router.message.register(new_unit_name, UnitForm.name, F.text, Answer())
    router.message.register(new_unit_not_text, UnitForm.code, Answer())
    router.message.register(new_unit_not_text, UnitForm.name, Answer())
    router.callback_query.register(
        new_unit_kind,
        UnitKindPick.filter(F.kind.in_({kind.value for kind in UnitKind})),
        UnitForm.kind,
    )
    router.callback_query.register(
        new_unit_parent, UnitPick.filter(F.purpose == "parent"), UnitForm.parent
    )
    return router
