"""What a submitted full report says, for its officer and its supervisors: details, each item,
its photos and its whole narrative."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import ReportPhoto, SeizureReport, User, UserStatus
from bot.i18n import MINUTES, format_datetime, language_of
from bot.media import MediaStore
from bot.procedures.library import ProcedureLibrary
from bot.services import audit, reports
from bot.services.errors import NotFound
from bot.services.report_fields import Section
from handlers.common import report_values, texts
from handlers.common.callbacks import ReportHistory, ReportItemView, ReportMedia, ReportOpen
from handlers.common.filters import HasStatus
from handlers.common.keyboard import Keyboard
from handlers.common.report_texts import section_title
from handlers.common.texts import quote
from handlers.common.ui import show
from handlers.custody import custody_button
from handlers.documents import send_pdf
from handlers.reports import screens as report_screens

NARRATIVE, PHOTOS, PDF = "narrative", "photos", "pdf"


def detail_lines(report: SeizureReport, language: str, settings: Settings) -> list[str]:
    """The full report's fields beyond the quick log's, and one line per item and person."""
    details = report.details
    lines = report_values.section_lines(
        Section.INCIDENT, details.get("incident", {}), language, settings.tz, {}, answered_only=True
    )
    conveyance = report_values.section_lines(
        Section.CONVEYANCE, details.get("conveyance", {}), language, settings.tz, {}, True
    )
    if conveyance:
        lines += [section_title(Section.CONVEYANCE), *conveyance]
    for section, key, heading in (
        (Section.ITEM, "items", _("📦 Items: {count}")),
        (Section.PERSON, "persons", _("👤 Persons: {count}")),
    ):
        entries = details.get(key, [])
        if entries:
            lines.append(heading.format(count=len(entries)))
            lines += [
                quote(report_values.entry_summary(section, values, values["number"], language))
                for values in entries
            ]
    notices = details.get("notices", [])
    if notices:
        # Whom the seizure was reported to and when: short enough to show whole.
        lines.append(_("📣 Agencies notified: {count}").format(count=len(notices)))
        for values in notices:
            rows = report_values.section_rows(
                Section.NOTICE, values, language, settings.tz, {}, answered_only=True
            )
            shown = " · ".join(value for _label, value in rows)
            lines.append(quote(f"{values['number']}. {shown}"))
    return lines


def action_name(action: str) -> str:
    return {
        "report.quick_logged": _("quick log filed"),
        "report.submitted": _("full report submitted"),
        "report.completed": _("completed as a full report"),
        "report.corrected": _("corrected"),
        "report.acknowledged": _("acknowledged"),
        "report.returned": _("returned for correction"),
        "report.exported": _("exported"),
        "report.run_attached": _("procedure added"),
        "report.escalated": _("passed up to the next level"),
        "report.filed": _("supervisors told"),
    }.get(action, action)


async def history(
    callback: CallbackQuery,
    callback_data: ReportHistory,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    report, entries = await reports.report_history(session, user, callback_data.report)
    language = language_of(user, settings.default_language)
    lines = [_("<b>{number}</b> · history").format(number=report.number)]
    for entry, actor in entries:
        when = format_datetime(entry.at, language, settings.tz, MINUTES)
        who = texts.person_label(actor) if actor else _("system")
        line = f"{when} · {quote(who)} · {action_name(entry.action)}"
        if revision := entry.details.get("revision"):
            line += " " + _("(revision {number})").format(number=revision)
        if comment := entry.details.get("comment"):
            line += f": {quote(str(comment))}"
        lines.append(line)
    builder = Keyboard()
    builder.button(text=_("« Back"), callback_data=ReportOpen(report=report.id))
    await show(callback, report_screens.fit(lines), builder.as_markup())


def detail_buttons(report: SeizureReport, builder: Keyboard, photos: int, language: str) -> None:
    for values in report.details.get("items", []):
        summary = report_values.entry_summary(Section.ITEM, values, values["number"], language)
        builder.button(
            text=("📦 " + summary)[:60],
            callback_data=ReportItemView(report=report.id, number=values["number"]),
        )
    narrative = report.details.get("incident", {}).get("narrative", "")
    if len(narrative) > report_values.PREVIEW_LENGTH:
        builder.button(
            text=_("📄 Whole narrative"),
            callback_data=ReportMedia(report=report.id, what=NARRATIVE),
        )
    if photos:
        builder.button(
            text=_("📷 Show photos ({count})").format(count=photos),
            callback_data=ReportMedia(report=report.id, what=PHOTOS),
        )
    builder.button(text=_("📄 PDF"), callback_data=ReportMedia(report=report.id, what=PDF))
    builder.button(text=_("🕓 History"), callback_data=ReportHistory(report=report.id))
    custody_button(report, builder)


async def item_view(
    callback: CallbackQuery,
    callback_data: ReportItemView,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    report = await reports.get_report_for(session, user, callback_data.report)
    language = language_of(user, settings.default_language)
    items = {values["number"]: values for values in report.details.get("items", [])}
    if callback_data.number not in items:
        raise NotFound("item")
    values = items[callback_data.number]
    photos = await _photos(session, report, callback_data.number)
    lines = [
        f"<b>{report.number} · {section_title(Section.ITEM, callback_data.number)}</b>",
        *report_values.section_lines(Section.ITEM, values, language, settings.tz, {}, True),
        _("📷 Photos of this item: {count}").format(count=len(photos)),
    ]
    builder = Keyboard()
    builder.button(text=_("« Back"), callback_data=ReportOpen(report=report.id))
    await show(callback, "\n".join(lines), builder.as_markup())


async def _photos(
    session: AsyncSession, report: SeizureReport, item: int | None = None
) -> list[ReportPhoto]:
    query = select(ReportPhoto).where(ReportPhoto.report_id == report.id)
    if item is not None:
        query = query.where(ReportPhoto.item_number == item)
    return list((await session.scalars(query.order_by(ReportPhoto.id))).all())


async def send_media(
    callback: CallbackQuery,
    callback_data: ReportMedia,
    user: User,
    session: AsyncSession,
    settings: Settings,
    procedures: ProcedureLibrary,
    media: MediaStore,
) -> None:
    report = await reports.get_report_for(session, user, callback_data.report)
    chat_id = callback.from_user.id
    bot = callback.bot
    assert bot is not None
    if callback_data.what == PDF:
        language = language_of(user, settings.default_language)
        await bot.send_chat_action(chat_id, "upload_document")
        await send_pdf(bot, chat_id, session, report, language, settings, procedures, media, user)
        await audit.record(session, user, "report.exported", "report", report.id, format="pdf")
        return
    if callback_data.what == NARRATIVE:
        narrative = report.details.get("incident", {}).get("narrative", "")
        heading = _("<b>{number}</b> · narrative").format(number=report.number)
        await bot.send_message(chat_id, f"{heading}\n{quote(narrative)}")
        return
    for photo in await _photos(session, report):
        caption = str(report.number)
        if photo.item_number:
            caption += " · " + section_title(Section.ITEM, photo.item_number)
        await bot.send_photo(chat_id, photo.file_id, caption=caption)


def create_router() -> Router:
    router = Router(name="report_view")
    router.callback_query.filter(HasStatus(UserStatus.ACTIVE))
    router.callback_query.register(item_view, ReportItemView.filter())
    router.callback_query.register(send_media, ReportMedia.filter())
    router.callback_query.register(history, ReportHistory.filter())
    return router
