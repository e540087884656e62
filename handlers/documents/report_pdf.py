"""A report as a printable PDF in the reader's language, an official record a supervisor signs:
the letterhead, every field, the items in words, the photos with their fingerprints, the
procedures followed step by step, the digest and the signature block; the report's number, the
page count and who printed it on every page. Sent as a Telegram document from the report's
details."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.types import BufferedInputFile
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import ReportPhoto, SeizureReport, User
from bot.documents.pdf import Block, Document, Image, Paragraph, Rows, Section, Table, render
from bot.media import MediaStore
from bot.procedures.library import ProcedureLibrary
from bot.services import reports
from bot.services.report_fields import Section as ReportSection
from bot.services.units import get_unit
from handlers.common import report_texts, texts
from handlers.common.item_words import item_in_words
from handlers.common.report_texts import ENTRY_SECTIONS, section_title
from handlers.common.report_values import record_moment, section_rows
from handlers.documents.custody_record import custody_section
from handlers.documents.procedure_record import photo_check, run_sections
from handlers.documents.record_parts import letterhead, printed_line, signatures, time_zone


async def report_document(
    session: AsyncSession,
    report: SeizureReport,
    language: str,
    settings: Settings,
    procedures: ProcedureLibrary,
    media: MediaStore,
    reader: User | None = None,
) -> Document:
    """The document of a report its reader was allowed to open; `reader` is who asked for it
    (None for the command-line export)."""
    details = await reports.details_of(session, report)
    unit = await get_unit(session, report.unit_id)
    officer = await session.get(User, report.officer_id)
    supervisor = (
        await session.get(User, report.acknowledged_by_id) if report.acknowledged_by_id else None
    )
    revision, tz = details.revision, settings.tz

    def when(moment) -> str:
        return record_moment(moment, tz)

    summary = [
        (_("Report number"), report.number or "—"),
        (_("Unit"), f"{unit.display_name(language)} ({unit.code})"),
        (_("Status"), texts.report_status_name(report.status)),
        (_("Revision"), str(report.revision)),
        (_("Officer"), officer.full_name if officer else "—"),
        (_("What was found"), texts.found_name(report.category)),
        (_("Date and time of the seizure"), when(report.occurred_at)),
        (_("Place"), await reports.place_name(session, report, language)),
        (_("Anyone in danger or hurt"), _("yes") if report.anyone_in_danger else _("no")),
    ]
    if report.submitted_at:
        summary.append((_("Submitted"), when(report.submitted_at)))
    if report.acknowledged_at and supervisor:
        acknowledged = f"{supervisor.full_name}, {when(report.acknowledged_at)}"
        summary.append((_("Receipt acknowledged"), acknowledged))
    summary.append((_("Time zone"), time_zone(tz, language)))
    sections = [Section(_("Report"), [Rows(summary)])]
    sections += _detail_sections(report, language, settings)
    sections += await _photo_sections(session, report, media)
    sections += await custody_section(session, report, tz)
    sections += await run_sections(session, details.runs, language, tz, procedures, media)
    if revision is not None:
        integrity = [
            (_("Revision"), f"{revision.revision} · {when(revision.created_at)}"),
            ("SHA-256", revision.digest),
        ]
        sections.append(Section(_("Integrity"), [Rows(integrity)]))
    sections.append(signatures(report, officer, supervisor, tz))
    title = _("Seizure report No. {number}").format(number=report.number or "—")
    if report.exercise:
        # On every page: an exercise's record is never taken for a real one.
        title = _("EXERCISE") + " · " + title
    return Document(
        title=title,
        sections=sections,
        letterhead=await letterhead(session, report.unit_id, language),
        running_title=title,
        page_numbering=_("Page {page} of {pages}"),
        printed=printed_line(reader, tz),
    )


def _detail_sections(report: SeizureReport, language: str, settings: Settings) -> list[Section]:
    details, tz = report.details, settings.tz
    if not report.complete:
        return []

    def rows(section: ReportSection, values: dict) -> Rows:
        return Rows(section_rows(section, values, language, tz, {}, True, False, record=True))

    incident = dict(details.get("incident", {}))
    # The narrative is printed as paragraphs of its own, not squeezed into a table cell.
    narrative = incident.pop("narrative", "")
    sections = [Section(_("Incident"), [rows(ReportSection.INCIDENT, incident)])]
    conveyance = details.get("conveyance", {})
    if conveyance:
        title = section_title(ReportSection.CONVEYANCE)
        sections.append(Section(title, [rows(ReportSection.CONVEYANCE, conveyance)]))
    items = details.get("items", [])
    headers = ["№", _("Item"), report_texts.field_label("quantity")]
    listing = [
        [str(item["number"]), item_in_words(item, language), str(item.get("quantity", "—"))]
        for item in items
    ]
    sections.append(
        Section(_("Items: {count}").format(count=len(items)), [Table(headers, listing)])
    )
    for item in items:
        title = section_title(ReportSection.ITEM, item["number"])
        sections.append(Section(title, [rows(ReportSection.ITEM, item)]))
    for key, repeated in ENTRY_SECTIONS.items():
        if repeated is ReportSection.ITEM:
            continue
        for entry in details.get(key, []):
            title = section_title(repeated, entry["number"])
            sections.append(Section(title, [rows(repeated, entry)]))
    sections.append(Section(report_texts.field_label("narrative"), [Paragraph(narrative)]))
    return sections


async def _photo_sections(
    session: AsyncSession, report: SeizureReport, media: MediaStore
) -> list[Section]:
    """Each photo with the SHA-256 it was received with."""
    photos = (
        await session.scalars(
            select(ReportPhoto).where(ReportPhoto.report_id == report.id).order_by(ReportPhoto.id)
        )
    ).all()
    sections = []
    for number, photo in enumerate(photos, start=1):
        shows = (
            section_title(ReportSection.ITEM, photo.item_number)
            if photo.item_number
            else _("Whole seizure")
        )
        rows = [(_("Shows"), shows), ("SHA-256", photo.sha256 or "—")]
        image, problem = photo_check(media, photo.sha256)
        if problem:
            rows.append((_("Check"), problem))
        blocks: list[Block] = [Rows(rows)]
        if image is not None:
            blocks.append(Image(image))
        sections.append(Section(_("Photo {number}").format(number=number), blocks))
    return sections


async def send_pdf(
    bot: Bot,
    chat_id: int,
    session: AsyncSession,
    report: SeizureReport,
    language: str,
    settings: Settings,
    procedures: ProcedureLibrary,
    media: MediaStore,
    reader: User | None = None,
) -> None:
    document = await report_document(session, report, language, settings, procedures, media, reader)
    # Rendering takes a moment for a long report: other officers are not kept waiting.
    content = await asyncio.to_thread(render, [document])
    upload = BufferedInputFile(content, filename=f"{report.number}.pdf")
    await bot.send_document(chat_id, upload, caption=document.title[:1024])
