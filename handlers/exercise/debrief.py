"""The drill's debrief as a PDF: the scenario, then per officer when they started, each step
walked and how long it took, critical steps skipped with the reasons given, and the time to
their first report. "EXERCISE" heads every page."""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiogram import Bot
from aiogram.types import BufferedInputFile
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.documents.pdf import Block, Document, Paragraph, Rows, Section, Table, render
from bot.i18n import format_datetime
from bot.procedures.library import ProcedureLibrary
from bot.services import exercise
from handlers.common import texts
from handlers.exercise.news import drill_title, duration


def _procedure_title(procedures: ProcedureLibrary, procedure_id: str, language: str) -> str:
    item = procedures.get(procedure_id)
    return item.procedure.title(language) if item else procedure_id


def _officer_section(
    entry: exercise.OfficerDebrief,
    language: str,
    settings: Settings,
    procedures: ProcedureLibrary,
) -> Section:
    def when(moment: datetime | None) -> str:
        return format_datetime(moment, language, settings.tz) if moment else "—"

    summary = [
        (_("Started the drill"), when(entry.accepted_at)),
        (_("Ended the drill"), when(entry.finished_at)),
        (
            _("Time to the first report"),
            duration(entry.first_report_after, language) if entry.first_report_after else "—",
        ),
        (_("Reports"), ", ".join(entry.report_numbers) or "—"),
    ]
    blocks: list[Block] = [Rows(summary)]
    if entry.steps:
        rows = [
            [
                _procedure_title(procedures, step.procedure_id, language),
                str(step.step_number or step.step_id),
                texts.outcome_name(step.outcome),
                duration(step.took, language),
            ]
            for step in entry.steps
        ]
        critical = frozenset(i for i, step in enumerate(entry.steps) if step.critical)
        headers = [_("Procedure"), _("Step"), _("Outcome"), _("Time taken")]
        blocks.append(Table(headers, rows, emphasised=critical))
    else:
        blocks.append(Paragraph(_("No procedure step walked.")))
    if entry.critical_skipped:
        skipped = [
            [
                _procedure_title(procedures, step.procedure_id, language),
                str(step.step_number or step.step_id),
                step.reason or "—",
            ]
            for step in entry.critical_skipped
        ]
        blocks.append(Paragraph(_("Critical steps skipped"), bold=True))
        blocks.append(Table([_("Procedure"), _("Step"), _("Reason given")], skipped))
    else:
        blocks.append(Paragraph(_("No critical step skipped.")))
    return Section(entry.officer.full_name or "—", blocks)


def debrief_document(
    found: exercise.DrillDebrief,
    language: str,
    settings: Settings,
    procedures: ProcedureLibrary,
) -> Document:
    drill = found.drill
    title = drill_title(drill) + " · " + _("Debrief")
    about = [
        (_("Scenario"), drill.scenario),
        (_("Supervisor"), found.supervisor.full_name),
        (
            _("Sent"),
            format_datetime(drill.sent_at, language, settings.tz) if drill.sent_at else "—",
        ),
        (
            _("Closed"),
            format_datetime(drill.closed_at, language, settings.tz) if drill.closed_at else "—",
        ),
    ]
    sections = [Section(_("Drill"), [Rows(about)])]
    sections += [
        _officer_section(entry, language, settings, procedures) for entry in found.officers
    ]
    return Document(
        title=title,
        sections=sections,
        running_title=title,
        page_numbering=_("Page {page} of {pages}"),
    )


async def send_debrief(
    bot: Bot,
    chat_id: int,
    found: exercise.DrillDebrief,
    language: str,
    settings: Settings,
    procedures: ProcedureLibrary,
) -> None:
    document = debrief_document(found, language, settings, procedures)
    content = await asyncio.to_thread(render, [document])
    upload = BufferedInputFile(content, filename=f"drill-{found.drill.id}-debrief.pdf")
    await bot.send_document(chat_id, upload, caption=document.title[:1024])
