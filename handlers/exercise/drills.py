"""A supervisor's drill: the scenario typed, officers of their units chosen (paged), sent through
the outbox; then who walked which steps, how long each took, and the debrief PDF."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.exercise_models import Drill
from bot.db.models import Role, User, UserStatus
from bot.delivery import DeliveryWorker
from bot.i18n import format_datetime, language_of
from bot.procedures.library import ProcedureLibrary
from bot.services import exercise
from bot.services.errors import InvalidInput
from handlers.common import texts
from handlers.common.callbacks import DrillAction, DrillDo, DrillPick, ExerciseMenu
from handlers.common.filters import Answer, HasRole, HasStatus, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.prompts import ask_typed, question_on_screen
from handlers.common.states import DrillForm
from handlers.common.texts import quote
from handlers.common.ui import paged_list, show
from handlers.exercise.debrief import send_debrief
from handlers.exercise.news import drill_title, officer_line


def ask_scenario() -> str:
    return _(
        "🎯 Type the drill's scenario, as the officers will read it, e.g. «Explosive found in "
        "a train at Kainda»."
    )


async def ask(message: Message, session: AsyncSession, state: FSMContext) -> None:
    await ask_typed(session, state, DrillForm.scenario, {}, lambda: message.answer(ask_scenario()))


async def new_drill(callback: CallbackQuery, session: AsyncSession, state: FSMContext) -> None:
    assert isinstance(callback.message, Message)
    await ask(callback.message, session, state)


async def scenario_typed(
    message: Message, user: User, session: AsyncSession, state: FSMContext
) -> None:
    data: dict[str, Any] = await state.get_data()
    if not await question_on_screen(message, data, lambda: ask(message, session, state)):
        return
    try:
        drill = await exercise.create_drill(session, user, message.text or "")
    except InvalidInput:
        await message.answer(
            _("A scenario is {least} to {most} characters. Please type it again.").format(
                least=exercise.SCENARIO_MIN, most=exercise.SCENARIO_MAX
            )
        )
        return
    await state.clear()
    await session.commit()
    text, markup = await picker_screen(session, user, drill, 0)
    await message.answer(text, reply_markup=markup)


async def picker_screen(
    session: AsyncSession, user: User, drill: Drill, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    officers, total = await exercise.candidates(session, user, page)
    chosen = await exercise.chosen(session, drill.id)
    entries = [
        (
            ("✅ " if officer.id in chosen else "▫️ ") + officer.full_name,
            DrillPick(drill=drill.id, officer=officer.id, page=page),
        )
        for officer in officers
    ]
    builder, _last = paged_list(
        entries,
        page,
        total,
        exercise.OFFICERS_PAGE_SIZE,
        lambda number: DrillPick(drill=drill.id, page=number),
    )
    if chosen:
        builder.button(
            text=_("📨 Send to the officers chosen: {count}").format(count=len(chosen)),
            callback_data=DrillAction(do=DrillDo.SEND, drill=drill.id),
        )
    lines = [f"<b>{drill_title(drill)}</b>", quote(drill.scenario), ""]
    lines.append(
        _("Choose the officers who get the drill (✅ chosen: {count}).").format(count=len(chosen))
        if total
        else _("No active officer in your units.")
    )
    return "\n".join(lines), builder.as_markup()


async def pick(
    callback: CallbackQuery,
    callback_data: DrillPick,
    user: User,
    session: AsyncSession,
    callback_answer: CallbackAnswer,
) -> None:
    """An officer chosen or left out, or only another page of the officers."""
    if callback_data.officer:
        try:
            await exercise.toggle_officer(session, user, callback_data.drill, callback_data.officer)
        except exercise.DrillAlreadySent:
            callback_answer.text = _("The drill was already sent: the officers stay as chosen.")
            return
        await session.commit()
    drill = await exercise.get_drill(session, user, callback_data.drill)
    await show(callback, *await picker_screen(session, user, drill, callback_data.page))


async def send(
    callback: CallbackQuery,
    callback_data: DrillAction,
    user: User,
    session: AsyncSession,
    settings: Settings,
    procedures: ProcedureLibrary,
    delivery: DeliveryWorker,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        count = await exercise.send_drill(session, user, callback_data.drill)
    except exercise.DrillAlreadySent:
        callback_answer.text = _("The drill was already sent.")
    except exercise.NobodyChosen:
        callback_answer.text = _("Choose at least one officer first.")
        return
    else:
        await session.commit()
        delivery.wake()
        callback_answer.text = _("📨 Sent. Officers told: {count}.").format(count=count)
    await show(
        callback, *await drill_screen(session, user, callback_data.drill, settings, procedures)
    )


async def drill_screen(
    session: AsyncSession,
    user: User,
    drill_id: int,
    settings: Settings,
    procedures: ProcedureLibrary,
) -> tuple[str, InlineKeyboardMarkup]:
    language = language_of(user, settings.default_language)
    found = await exercise.debrief(session, user, drill_id, procedures)
    drill = found.drill
    lines = [f"<b>{drill_title(drill)}</b>", quote(drill.scenario), ""]
    if drill.sent_at is not None:
        lines.append(
            _("Sent {date}").format(date=format_datetime(drill.sent_at, language, settings.tz))
        )
    if drill.closed_at is not None:
        lines.append(
            _("Closed {date}").format(date=format_datetime(drill.closed_at, language, settings.tz))
        )
    for entry in found.officers:
        lines += officer_line(entry, language, settings.tz)
    builder = Keyboard()
    builder.button(text=_("🔄 Refresh"), callback_data=DrillAction(do=DrillDo.OPEN, drill=drill.id))
    builder.button(
        text=_("📄 Debrief PDF"), callback_data=DrillAction(do=DrillDo.PDF, drill=drill.id)
    )
    if drill.closed_at is None:
        builder.button(
            text=_("🏁 Close the drill"),
            callback_data=DrillAction(do=DrillDo.CLOSE, drill=drill.id),
        )
    builder.button(
        text=texts.EXERCISE_MARK + " " + _("Exercise mode"), callback_data=ExerciseMenu()
    )
    builder.adjust(2, 1, 1)
    return "\n".join(lines), builder.as_markup()


async def open_drill(
    callback: CallbackQuery,
    callback_data: DrillAction,
    user: User,
    session: AsyncSession,
    settings: Settings,
    procedures: ProcedureLibrary,
) -> None:
    drill = await exercise.get_drill(session, user, callback_data.drill)
    if drill.sent_at is None:
        await show(callback, *await picker_screen(session, user, drill, 0))
        return
    await show(callback, *await drill_screen(session, user, drill.id, settings, procedures))


async def close(
    callback: CallbackQuery,
    callback_data: DrillAction,
    user: User,
    session: AsyncSession,
    settings: Settings,
    procedures: ProcedureLibrary,
) -> None:
    await exercise.close_drill(session, user, callback_data.drill)
    await session.commit()
    await show(
        callback, *await drill_screen(session, user, callback_data.drill, settings, procedures)
    )


async def debrief_pdf(
    callback: CallbackQuery,
    callback_data: DrillAction,
    user: User,
    session: AsyncSession,
    settings: Settings,
    procedures: ProcedureLibrary,
    bot: Bot,
) -> None:
    found = await exercise.debrief(session, user, callback_data.drill, procedures)
    assert callback.message is not None
    language = language_of(user, settings.default_language)
    await send_debrief(bot, callback.message.chat.id, found, language, settings, procedures)


def create_router() -> Router:
    router = router_for("exercise_drills", HasStatus(UserStatus.ACTIVE))
    router.callback_query.filter(HasRole(Role.SUPERVISOR, Role.ADMIN))
    router.message.filter(HasRole(Role.SUPERVISOR, Role.ADMIN))
    router.message.register(scenario_typed, DrillForm.scenario, F.text, Answer())
    router.callback_query.register(pick, DrillPick.filter())
    for handler, do in (
        (new_drill, DrillDo.NEW),
        (send, DrillDo.SEND),
        (open_drill, DrillDo.OPEN),
        (close, DrillDo.CLOSE),
        (debrief_pdf, DrillDo.PDF),
    ):
        router.callback_query.register(handler, DrillAction.filter(F.do == do))
    return router
