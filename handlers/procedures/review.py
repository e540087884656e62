"""Supervisors read which procedure steps an officer did, skipped or answered, and when."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from babel.dates import format_time
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import ProcedureRun, ProcedureStepEvent, Role, RunStatus, StepOutcome, User
from bot.i18n import format_datetime, language_of
from bot.procedures.library import ProcedureLibrary
from bot.services import procedure_runs as runs
from handlers.common import texts
from handlers.common.callbacks import RunDetails, RunsPage
from handlers.common.filters import HasRole, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.texts import quote, run_status_name, run_version
from handlers.common.ui import paged_list, show

STATUS_MARKS = {
    RunStatus.IN_PROGRESS: "⏳",
    RunStatus.COMPLETED: "✅",
    RunStatus.STOPPED: "⏹",
    RunStatus.REDIRECTED: "↪️",
}
OUTCOME_MARKS = {
    StepOutcome.DONE: "✅",
    StepOutcome.SKIPPED: "⏭",
    StepOutcome.ANSWERED: "❓",
    StepOutcome.PHOTO: "📷",
    StepOutcome.BACK: "◀️",
}
# Telegram's limit is 4096; the list of events is cut before it with a note.
DETAILS_LIMIT = 3800


def _title(procedures: ProcedureLibrary, run: ProcedureRun, language: str) -> str:
    item = procedures.get(run.procedure_id)
    return item.procedure.title(language) if item else run.procedure_id


async def runs_screen(
    session: AsyncSession,
    actor: User,
    page: int,
    procedures: ProcedureLibrary,
    settings: Settings,
) -> tuple[str, InlineKeyboardMarkup]:
    language = language_of(actor, settings.default_language)
    found, total = await runs.runs_for_review(session, actor, page)
    entries = [
        (
            f"{STATUS_MARKS[run.status]} "
            f"{format_datetime(run.started_at, language, settings.tz, length='short')} · "
            f"{_title(procedures, run, language)} · {officer.full_name}",
            RunDetails(run=run.id),
        )
        for run, officer in found
    ]
    builder, _last = paged_list(
        entries, page, total, runs.RUNS_PAGE_SIZE, lambda number: RunsPage(page=number)
    )
    if not found:
        return _("No procedure runs yet in your units."), builder.as_markup()
    return _("Procedure runs in your units, newest first:"), builder.as_markup()


def _event_line(
    event: ProcedureStepEvent,
    run: ProcedureRun,
    procedures: ProcedureLibrary,
    language: str,
    settings: Settings,
) -> str:
    item = procedures.get(run.procedure_id)
    step = item.step(event.step_id) if item else None
    number = item.position(event.step_id) if item and step else "?"
    summary = step.text(language).split("\n")[0][:70] if step else event.step_id
    when = format_time(event.at, format="medium", tzinfo=settings.tz, locale=language)
    mark, outcome = OUTCOME_MARKS[event.outcome], texts.outcome_name(event.outcome)
    line = f"{when} {mark} {number}. {quote(summary)} — {outcome}"
    if event.reason:
        line += "\n      " + _("Reason: {reason}").format(reason=quote(event.reason))
    answer = texts.chosen_answer(step, event, language) if step else None
    if answer:
        line += f": {quote(answer)}"
    return line


async def list_runs(
    message: Message,
    user: User,
    session: AsyncSession,
    procedures: ProcedureLibrary,
    settings: Settings,
) -> None:
    text, markup = await runs_screen(session, user, 0, procedures, settings)
    await message.answer(text, reply_markup=markup)


async def runs_page(
    callback: CallbackQuery,
    callback_data: RunsPage,
    user: User,
    session: AsyncSession,
    procedures: ProcedureLibrary,
    settings: Settings,
) -> None:
    await show(
        callback, *await runs_screen(session, user, callback_data.page, procedures, settings)
    )


async def run_details(
    callback: CallbackQuery,
    callback_data: RunDetails,
    user: User,
    session: AsyncSession,
    procedures: ProcedureLibrary,
    settings: Settings,
) -> None:
    language = language_of(user, settings.default_language)
    run, officer, events = await runs.run_for_review(session, user, callback_data.run)
    lines = [
        f"<b>{quote(_title(procedures, run, language))}</b>",
        _("Officer: {name}").format(name=texts.person_label(officer)),
        _("Started: {date}").format(date=format_datetime(run.started_at, language, settings.tz)),
    ]
    if run.finished_at:
        lines.append(
            _("Ended: {date}").format(date=format_datetime(run.finished_at, language, settings.tz))
        )
    lines.append(_("Status: {status}").format(status=run_status_name(run.status)))
    lines.append(run_version(run))
    lines.append("")
    for event in events:
        line = _event_line(event, run, procedures, language, settings)
        if sum(len(existing) + 1 for existing in lines) + len(line) > DETAILS_LIMIT:
            lines.append(_("… and more steps not shown here."))
            break
        lines.append(line)
    builder = Keyboard()
    builder.button(text=_("« All runs"), callback_data=RunsPage(page=0))
    await show(callback, "\n".join(lines), builder.as_markup())


def create_router() -> Router:
    router = router_for("run_review", HasRole(Role.SUPERVISOR, Role.ADMIN))
    router.message.register(list_runs, Command("runs"))
    router.callback_query.register(runs_page, RunsPage.filter())
    router.callback_query.register(run_details, RunDetails.filter())
    return router
