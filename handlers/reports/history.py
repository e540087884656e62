"""My reports: the officer's reports, one report's details, and joining a procedure run to it."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import (
    ReportStatus,
    User,
    UserStatus,
)
from bot.i18n import format_datetime, language_of
from bot.procedures.library import ProcedureLibrary
from bot.services import drafts, reports
from handlers.common import report_texts, texts
from handlers.common.callbacks import (
    AttachRun,
    CorrectReport,
    ReportComplete,
    ReportOpen,
    ReportsPage,
    ReportStartFrom,
)
from handlers.common.filters import HasStatus, MenuButton, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.texts import URGENT, quote
from handlers.common.ui import paged_list, report_entries, show
from handlers.documents import export_button
from handlers.reports import screens as report_screens
from handlers.reports import view as report_view
from handlers.safety import add_help_button

# Changed fields named in a revision's line of the history; a completion changes dozens.
CHANGES_SHOWN = 6


async def reports_screen(
    session: AsyncSession, user: User, page: int, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    language = language_of(user, settings.default_language)
    found, total = await reports.my_reports(session, user, page)
    builder, _last = paged_list(
        report_entries(found, language, settings),
        page,
        total,
        reports.REPORTS_PAGE_SIZE,
        lambda number: ReportsPage(page=number),
    )
    if not found:
        return _("You have no reports yet."), builder.as_markup()
    builder.row(export_button())
    return _("Your reports, newest first:"), builder.as_markup()


async def my_reports(
    message: Message, user: User, session: AsyncSession, settings: Settings
) -> None:
    text, markup = await reports_screen(session, user, 0, settings)
    await message.answer(text, reply_markup=markup)


async def reports_page(
    callback: CallbackQuery,
    callback_data: ReportsPage,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    await show(callback, *await reports_screen(session, user, callback_data.page, settings))


async def open_report(
    callback: CallbackQuery,
    callback_data: ReportOpen,
    user: User,
    session: AsyncSession,
    settings: Settings,
    procedures: ProcedureLibrary,
) -> None:
    language = language_of(user, settings.default_language)
    details = await reports.report_details(session, user, callback_data.report)
    report = details.report
    place = await reports.place_name(session, report, language)
    lines = [
        texts.exercise_marked(f"<b>{report.number}</b>", report.exercise)
        + (f" {URGENT}" if report.urgent else ""),
        _("Status: {status}").format(status=texts.report_status_name(report.status)),
        _("Found: {category}").format(category=texts.found_name(report.category)),
        _("Time of the seizure: {date}").format(
            date=format_datetime(report.occurred_at, language, settings.tz)
        ),
        _("Place: {place}").format(place=quote(place)),
        _("Items, roughly: {estimate}").format(estimate=texts.estimate_name(report.item_estimate)),
        _("Anyone in danger or hurt: {answer}").format(
            answer=_("yes") if report.anyone_in_danger else _("no")
        ),
        _("Photos: {count}").format(count=details.photos),
    ]
    if report.complete:
        lines += report_view.detail_lines(report, language, settings)
    if details.runs:
        lines.append(_("Procedures followed:"))
        for run in details.runs:
            item = procedures.get(run.procedure_id)
            title = item.procedure.title(language) if item else run.procedure_id
            started = format_datetime(run.started_at, language, settings.tz, length="short")
            lines.append(f"• {quote(title)} ({started})")
    if report.status is ReportStatus.RETURNED and report.return_comment:
        lines.append(
            _("Returned for correction: {comment}").format(comment=quote(report.return_comment))
        )
    for revision in details.revisions:
        line = _("Revision {number}: {date}").format(
            number=revision.revision,
            date=format_datetime(revision.created_at, language, settings.tz, length="short"),
        )
        changed = sorted(
            {name for field in revision.changes if (name := report_texts.changed_field_name(field))}
        )
        if changed:
            shown = ", ".join(changed[:CHANGES_SHOWN])
            if len(changed) > CHANGES_SHOWN:
                shown += " " + _("and {count} more").format(count=len(changed) - CHANGES_SHOWN)
            line += " — " + _("changed: {fields}").format(fields=shown)
        lines.append(line)
    if details.revision is not None:
        lines.append(f"SHA-256 {details.revision.digest}")
    builder = Keyboard()
    report_view.detail_buttons(report, builder, details.photos, language)
    await add_help_button(builder, session, user, report)
    if report.officer_id == user.id and report.status in drafts.COMPLETABLE:
        if report.status is ReportStatus.RETURNED and not report.complete:
            builder.button(
                text=_("⚡ Correct the quick log"), callback_data=CorrectReport(report=report.id)
            )
        if report.status is ReportStatus.RETURNED and report.complete:
            builder.button(
                text=_("✏️ Correct the report"), callback_data=ReportComplete(report=report.id)
            )
        elif not report.complete:
            builder.button(
                text=_("📝 Complete the full report"),
                callback_data=ReportComplete(report=report.id),
            )
    if report.officer_id == user.id:
        builder.button(
            text=_("📋 New report: same place and route"),
            callback_data=ReportStartFrom(report=report.id),
        )
    builder.button(text=_("« My reports"), callback_data=ReportsPage(page=0))
    builder.adjust(1)
    await show(callback, report_screens.fit(lines), builder.as_markup())


async def attach_run(
    callback: CallbackQuery,
    callback_data: AttachRun,
    user: User,
    session: AsyncSession,
    callback_answer: CallbackAnswer,
) -> None:
    await reports.attach_run(session, user, callback_data.report, callback_data.run)
    await session.commit()
    report = await reports.get_own_report(session, user, callback_data.report)
    callback_answer.text = _("Added to report No. {number}.").format(number=report.number)
    callback_answer.show_alert = True


def create_router() -> Router:
    router = router_for("report_history", HasStatus(UserStatus.ACTIVE))
    router.message.register(my_reports, MenuButton(texts.MENU_MY_REPORTS))
    router.callback_query.register(reports_page, ReportsPage.filter())
    router.callback_query.register(open_report, ReportOpen.filter())
    router.callback_query.register(attach_run, AttachRun.filter())
    return router
