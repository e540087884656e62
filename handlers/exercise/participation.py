"""The officer's side of a drill: "▶️ Start the drill" from its message (refused, changing
nothing, while they are writing a report) and "🏁 End the drill"."""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import User, UserStatus
from bot.i18n import language_of
from bot.services import exercise
from handlers.common.callbacks import DrillEnd, DrillStart, ExerciseMenu
from handlers.common.filters import HasStatus, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.texts import quote
from handlers.common.ui import show
from handlers.exercise.mode import mid_report
from handlers.exercise.news import KEPT_AS_BEGUN, drill_title, mode_lines


async def start(
    callback: CallbackQuery,
    callback_data: DrillStart,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    drill = await exercise.drill_for_officer(session, user, callback_data.drill)
    try:
        await exercise.accept(session, user, drill.id, mid_report=await mid_report(state))
    except exercise.MidReport:
        callback_answer.show_alert = True
        callback_answer.text = _(
            "You are writing a report: it stays exactly as it is. Finish or cancel it "
            "(/cancel), then press ▶️ Start the drill again."
        )
        return
    except exercise.DrillClosed:
        callback_answer.show_alert = True
        callback_answer.text = _("This drill is closed: it can no longer be started.")
        return
    await session.commit()
    builder = Keyboard()
    builder.button(text=_("🏁 End the drill"), callback_data=DrillEnd(drill=drill.id))
    lines = [
        f"<b>{drill_title(drill)}</b>",
        quote(drill.scenario),
        "",
        _(
            "🎯 The drill has started. Walk the procedures and file your report as you would: "
            "everything is marked as exercise and numbered apart. Press 🏁 End the drill when "
            "you are done."
        ),
        str(KEPT_AS_BEGUN),
    ]
    await show(callback, "\n".join(lines), builder.as_markup())


async def end(
    callback: CallbackQuery,
    callback_data: DrillEnd,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    await exercise.finish(session, user, callback_data.drill)
    await session.commit()
    mode = await exercise.mode_of(session, user)
    builder = Keyboard()
    builder.button(text=_("🎯 Exercise mode"), callback_data=ExerciseMenu())
    lines = [_("🏁 Drill ended."), *mode_lines(mode, language_of(user, settings.default_language))]
    await show(callback, "\n".join(lines), builder.as_markup())


def create_router() -> Router:
    router = router_for("exercise_participation", HasStatus(UserStatus.ACTIVE))
    router.callback_query.register(start, DrillStart.filter())
    router.callback_query.register(end, DrillEnd.filter())
    return router
