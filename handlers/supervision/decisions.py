"""A supervisor acknowledges a report or returns it to the officer with a comment."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Role,
    User,
    UserStatus,
)
from bot.delivery import DeliveryWorker
from bot.services import reports
from bot.services.errors import AlreadyDecided, InvalidInput, ReportChanged
from handlers.common import texts
from handlers.common.callbacks import (
    AckReport,
    ReportOpen,
    ReturnReport,
)
from handlers.common.filters import Answer, HasRole, HasStatus, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.messages import input_problem
from handlers.common.prompts import ask_typed, question_on_screen
from handlers.common.states import ReturnForm
from handlers.common.texts import quote
from handlers.common.ui import main_menu, show


async def ask_return_comment(
    callback: CallbackQuery,
    callback_data: ReturnReport,
    session: AsyncSession,
    state: FSMContext,
    bot: Bot,
) -> None:
    shown_revision = {"report": callback_data.report, "revision": callback_data.revision}
    await _ask_comment(session, state, bot, callback.from_user.id, shown_revision)


async def _ask_comment(
    session: AsyncSession, state: FSMContext, bot: Bot, chat_id: int, report: dict[str, int]
) -> None:
    await ask_typed(
        session,
        state,
        ReturnForm.comment,
        report,
        lambda: bot.send_message(
            chat_id,
            _("What must be corrected? Type it; the officer will read it as you write it."),
        ),
    )


async def return_comment(
    message: Message,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    delivery: DeliveryWorker,
) -> None:
    data = await state.get_data()
    shown_revision = {"report": int(data["report"]), "revision": int(data["revision"])}
    if not await question_on_screen(
        message,
        data,
        lambda: _ask_comment(session, state, message.bot, message.chat.id, shown_revision),
    ):
        return
    try:
        report = await reports.return_for_correction(
            session, user, shown_revision["report"], message.text or "", shown_revision["revision"]
        )
    except InvalidInput as problem:
        await message.answer(input_problem(problem))
        return
    except (AlreadyDecided, ReportChanged) as handled:
        await state.clear()
        note, markup = not_decided(handled, shown_revision["report"])
        await message.answer(note, reply_markup=markup)
        return
    await state.clear()
    await session.commit()
    delivery.wake()
    await message.answer(
        _("↩️ Report No. {number} returned to the officer.").format(number=report.number),
        reply_markup=main_menu(user),
    )


def not_decided(
    refusal: AlreadyDecided | ReportChanged, report_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Why a decision was not taken: decided already, or the report changed since it was shown
    (then the report is to be read again first)."""
    if isinstance(refusal, AlreadyDecided):
        return already_handled(refusal), None
    builder = Keyboard()
    builder.button(text=_("📂 Open"), callback_data=ReportOpen(report=report_id))
    note = _(
        "The officer has changed this report since this message (it is now revision {number}). "
        "Open it and read the changes first; nothing was decided."
    ).format(number=refusal.revision)
    return note, builder.as_markup()


def already_handled(handled: AlreadyDecided) -> str:
    name = quote(handled.decided_by or "—")
    if handled.approved:
        return _("Report already acknowledged by {name}.").format(name=name)
    return _("Report already returned for correction by {name}.").format(name=name)


async def acknowledge_report(
    callback: CallbackQuery,
    callback_data: AckReport,
    user: User,
    session: AsyncSession,
    callback_answer: CallbackAnswer,
    delivery: DeliveryWorker,
) -> None:
    original = callback.message.html_text if isinstance(callback.message, Message) else ""
    try:
        report = await reports.acknowledge(
            session, user, callback_data.report, callback_data.revision
        )
    except (AlreadyDecided, ReportChanged) as handled:
        note, markup = not_decided(handled, callback_data.report)
        callback_answer.text, callback_answer.show_alert = note[:200], True
        await show(callback, f"{original}\n\n{note}", markup)
        return
    await session.commit()
    delivery.wake()
    note = _("✅ Acknowledged by {name}").format(name=texts.person_label(user))
    builder = Keyboard()
    builder.button(text=_("📂 Open"), callback_data=ReportOpen(report=report.id))
    await show(callback, f"{original}\n\n{note}", builder.as_markup())


def create_router() -> Router:
    router = router_for("report_decisions", HasStatus(UserStatus.ACTIVE))
    router.callback_query.register(acknowledge_report, AckReport.filter())
    router.callback_query.register(
        ask_return_comment, ReturnReport.filter(), HasRole(Role.SUPERVISOR, Role.ADMIN)
    )
    router.message.register(return_comment, ReturnForm.comment, F.text, Answer())
    return router
