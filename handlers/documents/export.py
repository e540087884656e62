"""Exports of reports as spreadsheets (XLSX, or CSV files) and PDF, in the requester's language,
and headquarters' national-reporting sheet (IAFQ, `iafq.py`). The spreadsheets are data
(`export_sheets.py`): words beside codes, real dates in the service's time zone. Used from the
chat (My reports, Inbox) and by headquarters' `python -m bot export`."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.models import SeizureReport, User, UserStatus, utcnow
from bot.documents.pdf import render
from bot.documents.spreadsheet import CsvWriter, SheetWriter, XlsxWriter
from bot.i18n import language_of
from bot.media import MediaStore
from bot.middlewares.inflight import InFlightUpdates
from bot.procedures.library import ProcedureLibrary
from bot.services import exports
from bot.services.errors import InvalidInput
from bot.services.report_fields import parse_day
from handlers.common.callbacks import ExportChoice
from handlers.common.filters import Answer, HasStatus
from handlers.common.keyboard import Keyboard
from handlers.common.messages import input_problem
from handlers.common.states import ExportForm
from handlers.common.ui import Screen, show
from handlers.documents.export_job import ExportJob, ExportTools, export_key, run_export_job
from handlers.documents.export_sheets import CSV_NAMES, Names, ReportSheets, seized_reports
from handlers.documents.iafq import IafqSheet
from handlers.documents.report_pdf import report_document

XLSX, CSV, PDF, IAFQ = "xlsx", "csv", "pdf", "iafq"
FORMATS = (XLSX, CSV, PDF, IAFQ)
PERIODS = ("this_month", "last_month", "last_30_days", "last_year")
OTHER_PERIOD = "other"
CUSTOM_PERIOD = re.compile(r"(\d{8})-(\d{8})")
TYPED_PERIOD = re.compile(r"^\s*(\S+)\s*(?:-|–|—|\.\.)\s*(\S+)\s*$")
# How often a long export lets other updates through and tells how far it got.
YIELD_EVERY, PROGRESS_EVERY = 100, 1_000

Progress = Callable[[int, int], Awaitable[None]]


@dataclass
class ExportFile:
    name: str
    content: bytes


def custom_period(first: date, last: date) -> str:
    return f"{first:%Y%m%d}-{last:%Y%m%d}"


def _custom_dates(period: str) -> tuple[date, date] | None:
    match = CUSTOM_PERIOD.fullmatch(period)
    if match is None:
        return None
    try:
        return (
            datetime.strptime(match.group(1), "%Y%m%d").date(),
            datetime.strptime(match.group(2), "%Y%m%d").date(),
        )
    except ValueError:
        return None


def valid_period(period: str) -> bool:
    return period in PERIODS or _custom_dates(period) is not None


def period_dates(period: str, today: date) -> tuple[date, date]:
    if custom := _custom_dates(period):
        return custom
    if period == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if period == "last_30_days":
        return today - timedelta(days=29), today
    if period == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    return today.replace(day=1), today


async def export_files(
    session: AsyncSession,
    requester: User | None,
    first: date,
    last: date,
    file_format: str,
    language: str,
    settings: Settings,
    procedures: ProcedureLibrary,
    media: MediaStore,
    unit_id: int | None = None,
    progress: Progress | None = None,
    include_exercises: bool = False,
) -> tuple[list[ExportFile], int]:
    """The export's files and how many reports they hold. Spreadsheets hold exercises too,
    marked on every row; the national sheet only when `include_exercises`."""
    if file_format == IAFQ and requester is not None:
        await exports.require_national_reporting(session, requester)
    query = await exports.export_query(
        session,
        requester,
        first,
        last,
        settings.tz,
        unit_id,
        include_exercises=include_exercises or file_format != IAFQ,
    )
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    stem = f"reports-{first.isoformat()}-{last.isoformat()}"
    if file_format == PDF:
        if total > exports.PDF_REPORTS_LIMIT:
            raise InvalidInput("export", "too_many_for_pdf")
        documents = [
            await report_document(session, report, language, settings, procedures, media, requester)
            for report in (await session.scalars(query)).all()
        ]
        return [ExportFile(f"{stem}.pdf", await asyncio.to_thread(render, documents))], total
    writer: SheetWriter = CsvWriter() if file_format == CSV else XlsxWriter()
    await write_sheets(session, query, writer, file_format, language, settings.tz, total, progress)
    if isinstance(writer, CsvWriter):
        return [
            ExportFile(f"{stem}-{name}.csv", content)
            for name, content in zip(CSV_NAMES, writer.close().values(), strict=True)
        ], total
    assert isinstance(writer, XlsxWriter)
    if file_format == IAFQ:
        stem = f"iafq-{first.isoformat()}-{last.isoformat()}"
    return [ExportFile(f"{stem}.xlsx", await asyncio.to_thread(writer.close))], total


async def write_sheets(
    session: AsyncSession,
    query: Select[tuple[SeizureReport]],
    writer: SheetWriter,
    file_format: str,
    language: str,
    timezone: ZoneInfo,
    total: int = 0,
    progress: Progress | None = None,
) -> None:
    """The reports of `query` as the sheets of `file_format` (the national sheet, or the
    Reports sheet and its companions), row by row as they are read."""
    names = Names(session, language)
    await names.load_units()
    sheets: ReportSheets | IafqSheet = (
        IafqSheet(writer, names, language, timezone)
        if file_format == IAFQ
        else ReportSheets(writer, names, language, timezone)
    )
    done = 0
    reports = exports.stream_reports(session, query)
    async for seized in seized_reports(reports, names, timezone):
        sheets.add(seized)
        done += 1
        await _breathe(done, total, progress)


async def _breathe(done: int, total: int, progress: Progress | None) -> None:
    if done % YIELD_EVERY == 0:
        await asyncio.sleep(0)
    if progress is not None and done % PROGRESS_EVERY == 0:
        await progress(done, total)


# --- the chat ---------------------------------------------------------------------------------


def period_name(period: str) -> str:
    if custom := _custom_dates(period):
        return f"{custom[0]:%d.%m.%Y} – {custom[1]:%d.%m.%Y}"
    return {
        "this_month": _("This month"),
        "last_month": _("Last month"),
        "last_30_days": _("Last 30 days"),
        "last_year": _("Last year"),
        OTHER_PERIOD: _("📅 Other period"),
    }[period]


def format_keyboard(period: str, national: bool) -> Screen:
    """The formats; the national-reporting sheet only for those who report for the country."""
    builder = Keyboard()
    labels = {
        XLSX: _("📊 Spreadsheet (XLSX)"),
        CSV: _("📄 CSV files"),
        PDF: _("🖨 PDF"),
        IAFQ: _("🌐 IAFQ (national reporting)"),
    }
    for file_format in FORMATS if national else (XLSX, CSV, PDF):
        builder.button(
            text=labels[file_format],
            callback_data=ExportChoice(period=period, file_format=file_format),
        )
    if national:
        builder.button(
            text=_("🌐 IAFQ with exercises"),
            callback_data=ExportChoice(period=period, file_format=IAFQ, exercises=True),
        )
    builder.adjust(1)
    text = _("📤 {period}: in which format?").format(period=period_name(period))
    return text, builder.as_markup()


async def choose_period(
    callback: CallbackQuery,
    callback_data: ExportChoice,
    state: FSMContext,
    user: User,
    session: AsyncSession,
) -> None:
    if callback_data.period == OTHER_PERIOD:
        await state.set_state(ExportForm.period)
        await show(callback, _("📅 Type the first and the last day, e.g. 01.10.2026 – 31.10.2026."))
        return
    if not valid_period(callback_data.period):
        builder = Keyboard()
        for period in (*PERIODS, OTHER_PERIOD):
            builder.button(text=period_name(period), callback_data=ExportChoice(period=period))
        builder.adjust(1)
        await show(callback, _("📤 Export the reports of which period?"), builder.as_markup())
        return
    national = await exports.may_report_nationally(session, user)
    await show(callback, *format_keyboard(callback_data.period, national))


async def typed_period(
    message: Message, state: FSMContext, user: User, session: AsyncSession
) -> None:
    match = TYPED_PERIOD.match(message.text or "")
    days = [parse_day(match.group(1)), parse_day(match.group(2))] if match else [None]
    if None in days:
        await message.answer(
            _("This period is not understood. Type two days, e.g. 01.10.2026 – 31.10.2026.")
        )
        return
    first, last = days
    try:
        exports.period_bounds(first, last, ZoneInfo("UTC"))
    except InvalidInput as problem:
        await message.answer(input_problem(problem))
        return
    await state.clear()
    national = await exports.may_report_nationally(session, user)
    text, markup = format_keyboard(custom_period(first, last), national)
    await message.answer(text, reply_markup=markup)


async def run_export(
    callback: CallbackQuery,
    callback_data: ExportChoice,
    user: User,
    settings: Settings,
    procedures: ProcedureLibrary,
    media: MediaStore,
    bot: Bot,
    i18n: I18n,
    in_flight: InFlightUpdates,
    session_factory: async_sessionmaker[AsyncSession],
    callback_answer: CallbackAnswer,
) -> None:
    """Checks the choice and leaves the export to run after this update (export_job.py)."""
    if callback_data.file_format not in FORMATS or not valid_period(callback_data.period):
        await show(callback, _("This button is outdated. Nothing was changed."))
        return
    if in_flight.running(export_key(user)):
        callback_answer.text = _("⏳ Your previous export is still being prepared.")
        return
    first, last = period_dates(callback_data.period, utcnow().astimezone(settings.tz).date())
    language = language_of(user, settings.default_language)
    await show(callback, _("⏳ Preparing the export…"))
    job = ExportJob(
        callback,
        user.id,
        first,
        last,
        callback_data.file_format,
        language,
        include_exercises=callback_data.exercises,
    )
    tools = ExportTools(bot, i18n, session_factory, settings, procedures, media)
    in_flight.start(export_key(user), run_export_job(job, tools))


def export_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("📤 Export"), callback_data=ExportChoice().pack())


def create_router() -> Router:
    router = Router(name="report_export")
    router.callback_query.filter(HasStatus(UserStatus.ACTIVE))
    router.callback_query.register(run_export, ExportChoice.filter(F.file_format != ""))
    router.callback_query.register(choose_period, ExportChoice.filter())
    router.message.register(typed_period, ExportForm.period, F.text, Answer())
    return router
