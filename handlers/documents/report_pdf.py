"""A report as a printable PDF in the reader's language: every field, the items as a table,
the photos' fingerprints, the procedures followed step by step, the digest and a signature
block. Sent as a Telegram document from the report's details."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.types import BufferedInputFile
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import ReportPhoto, SeizureReport, StepOutcome, User, utcnow
from bot.documents.pdf import Document, Section, Table, render
from bot.i18n import MINUTES, format_datetime
from bot.media import MediaStore, PhotoState
from bot.procedures.library import ProcedureLibrary
from bot.services import procedure_runs, reports
from bot.services.report_fields import Section as ReportSection
from bot.services.units import get_unit
from handlers.common import report_texts, report_values, texts
from handlers.common.report_texts import section_title
from handlers.common.report_values import section_rows
from handlers.common.texts import outcome_name, run_version


async def report_document(
    session: AsyncSession,
    report: SeizureReport,
    language: str,
    settings: Settings,
    procedures: ProcedureLibrary,
    media: MediaStore,
) -> Document:
    """The document of a report its reader was allowed to open."""
    details = await reports.details_of(session, report)
    unit = await get_unit(session, report.unit_id)
    officer = await session.get(User, report.officer_id)
    revision = details.revision

    def when(moment) -> str:
        return format_datetime(moment, language, settings.tz, MINUTES)

    summary = [
        (_("Report number"), report.number or "—"),
        (_("Unit"), texts.unit_label(unit, language)),
        (_("Status"), texts.report_status_name(report.status)),
        (_("Revision"), str(report.revision)),
        (_("Officer"), texts.person_label(officer) if officer else "—"),
        (_("What was found"), texts.found_name(report.category)),
        (_("Date and time of the seizure"), when(report.occurred_at)),
        (_("Place"), await reports.place_name(session, report, language)),
        (_("Anyone in danger or hurt"), _("yes") if report.anyone_in_danger else _("no")),
    ]
    if report.submitted_at:
        summary.append((_("Submitted"), when(report.submitted_at)))
    sections = [Section(_("Report"), summary)]
    sections += _detail_sections(report, language, settings)
    sections += await _photo_sections(session, report, media)
    sections += await _run_sections(session, details.runs, language, procedures, media)
    if revision is not None:
        sections.append(
            Section(
                _("Integrity"),
                [
                    (_("Revision"), f"{revision.revision} · {when(revision.created_at)}"),
                    ("SHA-256", revision.digest),
                ],
            )
        )
    signatures = [
        (_("Officer"), _("name, signature, date") + ": ____________________"),
        (_("Supervisor"), _("name, signature, date") + ": ____________________"),
    ]
    sections.append(Section(_("Signatures"), signatures))
    title = _("Seizure report No. {number}").format(number=report.number)
    footer = _("Printed {date} from the post-seizure assistant.").format(
        date=format_datetime(utcnow(), language, settings.tz, MINUTES)
    )
    return Document(title, sections, footer)


def _detail_sections(report: SeizureReport, language: str, settings: Settings) -> list[Section]:
    details, tz = report.details, settings.tz
    if not report.complete:
        return []
    incident = dict(details.get("incident", {}))
    # The narrative is printed as paragraphs of its own, not squeezed into a table cell.
    narrative = incident.pop("narrative", "")
    rows = section_rows(ReportSection.INCIDENT, incident, language, tz, {}, True, False)
    sections = [Section(_("Incident"), rows)]
    conveyance = section_rows(
        ReportSection.CONVEYANCE, details.get("conveyance", {}), language, tz, {}, True, False
    )
    if conveyance:
        sections.append(Section(section_title(ReportSection.CONVEYANCE), conveyance))
    items = details.get("items", [])
    headers = ["№", _("Item"), report_texts.field_label("quantity")]
    table = Table(
        headers,
        [
            [
                str(item["number"]),
                report_values.entry_summary(
                    ReportSection.ITEM, item, item["number"], language
                ).split(". ", 1)[1],
                str(item.get("quantity", "—")),
            ]
            for item in items
        ],
        widths=(1, 12, 2),
    )
    sections.append(Section(_("Items: {count}").format(count=len(items)), table=table))
    for item in items:
        rows = section_rows(ReportSection.ITEM, item, language, tz, {}, True, False)
        sections.append(Section(section_title(ReportSection.ITEM, item["number"]), rows))
    for person in details.get("persons", []):
        rows = section_rows(ReportSection.PERSON, person, language, tz, {}, True, False)
        sections.append(Section(section_title(ReportSection.PERSON, person["number"]), rows))
    sections.append(Section(report_texts.field_label("narrative"), paragraphs=[narrative]))
    return sections


def _photo_check(media: MediaStore, sha256: str | None) -> tuple[bytes | None, str | None]:
    """The photo to print, or why it is not printed: one that no longer matches the SHA-256 it
    was received with is named altered."""
    state = media.check(sha256) if sha256 else PhotoState.MISSING
    if state is PhotoState.INTACT and sha256:
        return media.read(sha256) or b"", None
    return None, _("⚠️ ALTERED") if state is PhotoState.ALTERED else _("not kept")


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
        image, problem = _photo_check(media, photo.sha256)
        if problem:
            rows.append((_("Check"), problem))
        images = [image] if image is not None else []
        sections.append(Section(_("Photo {number}").format(number=number), rows, images=images))
    return sections


async def _run_sections(
    session: AsyncSession,
    runs: list,
    language: str,
    procedures: ProcedureLibrary,
    media: MediaStore,
) -> list[Section]:
    """Each procedure followed, step by step; the photos taken at its steps with their SHA-256,
    printed after the steps."""
    sections = []
    for run in runs:
        item = procedures.get(run.procedure_id)
        title = item.procedure.title(language) if item else run.procedure_id
        rows, images = [], []
        for event in await procedure_runs.run_events(session, run.id):
            step = item.step(event.step_id) if item else None
            text = step.text(language).split("\n")[0] if step else event.step_id
            outcome = outcome_name(event.outcome)
            if event.reason:
                outcome += " — " + event.reason
            if event.outcome is StepOutcome.PHOTO and event.photo_sha256:
                image, problem = _photo_check(media, event.photo_sha256)
                outcome += f" · SHA-256 {event.photo_sha256}"
                if problem:
                    outcome += f" · {problem}"
                images += [image] if image is not None else []
            rows.append((text, outcome))
        title = _("Procedure followed: {title}").format(title=title) + " — " + run_version(run)
        sections.append(Section(title, rows, images=images))
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
) -> None:
    document = await report_document(session, report, language, settings, procedures, media)
    # Rendering takes a moment for a long report: other officers are not kept waiting.
    content = await asyncio.to_thread(render, [document])
    upload = BufferedInputFile(content, filename=f"{report.number}.pdf")
    await bot.send_document(chat_id, upload, caption=document.title[:1024])
