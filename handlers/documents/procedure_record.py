"""The procedures a report's officer followed, as the report's PDF prints them: every step with
its decision (the answer chosen, in words), its time and who confirmed it; critical steps
marked; a stopped run shown as stopped; the version and hash of the text that was read; each
step's photos right after it, with their SHA-256."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProcedureRun, ProcedureStepEvent, RunStatus, StepOutcome, User
from bot.documents.pdf import Block, Image, Paragraph, Rows, Section, Table
from bot.media import MediaStore, PhotoState
from bot.procedures.library import LoadedProcedure, ProcedureLibrary
from bot.procedures.schema import Step
from bot.services import procedure_runs
from handlers.common.report_values import record_moment
from handlers.common.texts import chosen_answer, outcome_name, run_status_name

CRITICAL_MARK = "(!)"


def photo_check(media: MediaStore, sha256: str | None) -> tuple[bytes | None, str | None]:
    """The photo to print, or why it is not printed: one that no longer matches the SHA-256 it
    was received with is named altered."""
    state = media.check(sha256) if sha256 else PhotoState.MISSING
    if state is PhotoState.INTACT and sha256:
        return media.read(sha256) or b"", None
    return None, _("⚠️ ALTERED") if state is PhotoState.ALTERED else _("not kept")


def _first_line(step: Step | None, step_id: str, language: str) -> str:
    return step.text(language).split("\n")[0] if step else step_id


class _RunPrinter:
    """The blocks of one run: rows of the step table, cut after a step that has photos so
    that the photos follow their step."""

    def __init__(
        self,
        run: ProcedureRun,
        item: LoadedProcedure | None,
        officer: str,
        language: str,
        when: Callable[[datetime], str],
        media: MediaStore,
    ) -> None:
        self.run, self.item, self.officer, self.media = run, item, officer, media
        self.language, self.when = language, when
        self.blocks: list[Block] = []
        self.rows: list[list[str]] = []
        self.critical: set[int] = set()
        self.photos: list[ProcedureStepEvent] = []

    def add(self, event: ProcedureStepEvent) -> None:
        if self.photos and self.photos[-1].step_id != event.step_id:
            self.flush_photos(recorded=False)
        if event.outcome is StepOutcome.PHOTO:
            self.photos.append(event)
            return
        step = self.item.step(event.step_id) if self.item else None
        self.row(event.step_id, self.decision(event, step), event.at)
        if self.photos:
            self.flush_photos(recorded=True)

    def row(self, step_id: str, decision: str, at: datetime) -> None:
        step = self.item.step(step_id) if self.item else None
        number = str(self.item.position(step_id)) if self.item and step else "?"
        text = _first_line(step, step_id, self.language)
        if step is not None and step.is_critical:
            self.critical.add(len(self.rows))
            text = f"{CRITICAL_MARK} {text}"
        self.rows.append([number, text, decision, self.when(at), self.officer])

    def decision(self, event: ProcedureStepEvent, step: Step | None) -> str:
        if event.outcome is StepOutcome.ANSWERED and step is not None:
            answer = chosen_answer(step, event, self.language)
            if answer:
                return _("answered: {answer}").format(answer=answer)
        decision = outcome_name(event.outcome)
        return f"{decision} — {event.reason}" if event.reason else decision

    def flush_photos(self, recorded: bool) -> None:
        """The photos taken at a step, after its row; a step left with photos but never marked
        done (the run stopped there) gets a row of its own."""
        if not recorded:
            self.row(self.photos[0].step_id, outcome_name(StepOutcome.PHOTO), self.photos[0].at)
        number = self.rows[-1][0]
        self.cut()
        for photo in self.photos:
            caption = _("Photo at step {number}, {date} · SHA-256 {sha256}").format(
                number=number, date=self.when(photo.at), sha256=photo.photo_sha256 or "—"
            )
            image, problem = photo_check(self.media, photo.photo_sha256)
            if image is None:
                self.blocks.append(Paragraph(f"{caption} · {problem}"))
            else:
                self.blocks.append(Image(image, caption))
        self.photos = []

    def cut(self) -> None:
        if self.rows:
            headers = [
                "№",
                _("Step"),
                _("Decision"),
                _("Time"),
                _("Confirmed by"),
            ]
            self.blocks.append(Table(headers, self.rows, frozenset(self.critical)))
        self.rows, self.critical = [], set()

    def finish(self) -> list[Block]:
        if self.photos:
            self.flush_photos(recorded=False)
        run = self.run
        if run.status is RunStatus.STOPPED and run.current_step and run.finished_at:
            # The step the officer stopped at: on screen, never done.
            self.row(run.current_step, run_status_name(run.status), run.finished_at)
        self.cut()
        return self.blocks


async def run_sections(
    session: AsyncSession,
    runs: list[ProcedureRun],
    language: str,
    timezone: ZoneInfo,
    procedures: ProcedureLibrary,
    media: MediaStore,
) -> list[Section]:
    """A section per procedure followed."""

    def when(moment: datetime) -> str:
        return record_moment(moment, timezone)

    sections = []
    for run in runs:
        item = procedures.get(run.procedure_id)
        person = await session.get(User, run.user_id)
        officer = person.full_name if person else "—"
        title = item.procedure.title(language) if item else run.procedure_id
        rows = [
            (_("Status"), run_status_name(run.status)),
            (_("Started"), when(run.started_at)),
        ]
        if run.finished_at:
            rows.append((_("Ended"), when(run.finished_at)))
        rows += [
            (_("Followed by"), officer),
            (_("Procedure version"), str(run.procedure_version)),
            (_("Procedure text SHA-256"), run.content_hash),
        ]
        blocks: list[Block] = [Rows(rows)]
        if item is not None and item.content_hash != run.content_hash:
            blocks.append(
                Paragraph(
                    _("The procedure's text has changed since; its steps read as they do now.")
                )
            )
        if run.status is RunStatus.STOPPED:
            blocks.append(Paragraph(_stopped(run, item), bold=True))
        printer = _RunPrinter(run, item, officer, language, when, media)
        for event in await procedure_runs.run_events(session, run.id):
            printer.add(event)
        steps = printer.finish()
        if any(isinstance(block, Table) and block.emphasised for block in steps):
            legend = _("{mark} a critical step: done only once confirmed explicitly.")
            blocks.append(Paragraph(legend.format(mark=CRITICAL_MARK)))
        blocks += steps
        sections.append(Section(_("Procedure followed: {title}").format(title=title), blocks))
    return sections


def _stopped(run: ProcedureRun, item: LoadedProcedure | None) -> str:
    step = item.step(run.current_step) if item and run.current_step else None
    if item is None or step is None:
        return _("Stopped before the end: the steps after the last one printed were not done.")
    return _("Stopped at step {number}: it and the steps after it were not done.").format(
        number=item.position(step.id)
    )
