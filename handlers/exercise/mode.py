"""/exercise: the person's mode and its switch; supervisors' drills; admins' units in exercise."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import Role, User, UserStatus
from bot.i18n import language_of
from bot.services import exercise
from bot.services.units import unit_tree
from handlers.common import texts
from handlers.common.callbacks import (
    DrillAction,
    DrillDo,
    DrillEnd,
    ExerciseMenu,
    ExerciseSwitch,
    ExerciseUnits,
    ExerciseUnitSwitch,
)
from handlers.common.filters import HasStatus, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.states import QuickLogForm, ReportForm
from handlers.common.ui import paged_list, show
from handlers.exercise.news import KEPT_AS_BEGUN, drill_title, mode_lines

UNITS_PAGE_SIZE = 8


async def mid_report(state: FSMContext) -> bool:
    """The person is answering a quick log's or a full report's questions."""
    current = await state.get_state() or ""
    return current.startswith((QuickLogForm.__name__, ReportForm.__name__))


async def mode_screen(
    session: AsyncSession, user: User, settings: Settings, note: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    language = language_of(user, settings.default_language)
    mode = await exercise.mode_of(session, user)
    lines = [f"<b>{texts.EXERCISE_MARK} {_('Exercise mode')}</b>", *mode_lines(mode, language)]
    if note:
        lines += ["", note]
    builder = Keyboard()
    if user.exercise:
        builder.button(text=_("✅ Back to real work"), callback_data=ExerciseSwitch(on=False))
    else:
        builder.button(text=_("🎯 Switch to exercise"), callback_data=ExerciseSwitch(on=True))
    if mode.drill_id is not None:
        builder.button(text=_("🏁 End the drill"), callback_data=DrillEnd(drill=mode.drill_id))
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        builder.button(text=_("🎯 New drill"), callback_data=DrillAction(do=DrillDo.NEW))
        for drill in await exercise.my_drills(session, user):
            label = f"{drill_title(drill)}: {drill.scenario}"
            builder.button(
                text=label[:64], callback_data=DrillAction(do=DrillDo.OPEN, drill=drill.id)
            )
    if user.role is Role.ADMIN:
        builder.button(text=_("🏢 Units in exercise"), callback_data=ExerciseUnits())
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


async def open_mode(
    message: Message, user: User, session: AsyncSession, settings: Settings
) -> None:
    text, markup = await mode_screen(session, user, settings)
    await message.answer(text, reply_markup=markup)


async def back_to_mode(
    callback: CallbackQuery, user: User, session: AsyncSession, settings: Settings
) -> None:
    await show(callback, *await mode_screen(session, user, settings))


async def switch(
    callback: CallbackQuery,
    callback_data: ExerciseSwitch,
    user: User,
    session: AsyncSession,
    settings: Settings,
    state: FSMContext,
) -> None:
    await exercise.switch(session, user, callback_data.on)
    await session.commit()
    note = str(KEPT_AS_BEGUN)
    if await mid_report(state):
        note = _("The report you are writing stays as it was begun.") + " " + note
    await show(callback, *await mode_screen(session, user, settings, note))


async def units_screen(
    session: AsyncSession, user: User, settings: Settings, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    language = language_of(user, settings.default_language)
    nodes = await unit_tree(session)
    shown = nodes[page * UNITS_PAGE_SIZE : (page + 1) * UNITS_PAGE_SIZE]
    entries = [
        (
            ("🎯 " if node.unit.exercise else "▫️ ")
            + "  " * node.depth
            + node.unit.display_name(language),
            ExerciseUnitSwitch(unit=node.unit.id, on=not node.unit.exercise, page=page),
        )
        for node in shown
    ]
    builder, _last = paged_list(
        entries, page, len(nodes), UNITS_PAGE_SIZE, lambda number: ExerciseUnits(page=number)
    )
    builder.button(text=_("⬅️ Back"), callback_data=ExerciseMenu())
    text = _(
        "🏢 Units in exercise (🎯), with the units below them. Press a unit to switch it: "
        "what its people start from then on is an exercise, or real work again."
    )
    return text, builder.as_markup()


async def units(
    callback: CallbackQuery,
    callback_data: ExerciseUnits,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    if user.role is not Role.ADMIN:
        await show(callback, *await mode_screen(session, user, settings))
        return
    await show(callback, *await units_screen(session, user, settings, callback_data.page))


async def switch_unit(
    callback: CallbackQuery,
    callback_data: ExerciseUnitSwitch,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    await exercise.switch_unit(session, user, callback_data.unit, callback_data.on)
    await session.commit()
    await show(callback, *await units_screen(session, user, settings, callback_data.page))


def create_router() -> Router:
    router = router_for("exercise_mode", HasStatus(UserStatus.ACTIVE))
    router.message.register(open_mode, Command("exercise"))
    router.callback_query.register(back_to_mode, ExerciseMenu.filter())
    router.callback_query.register(switch, ExerciseSwitch.filter())
    router.callback_query.register(units, ExerciseUnits.filter())
    router.callback_query.register(switch_unit, ExerciseUnitSwitch.filter())
    return router
