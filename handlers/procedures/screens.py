"""What the procedure screens say and which buttons they carry, in the reader's language."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.db.models import SeizureReport
from bot.procedures.library import LoadedProcedure, ProcedureLibrary
from bot.procedures.schema import Category, StepKind
from bot.services.procedure_runs import RunView
from handlers.common import texts
from handlers.common.callbacks import (
    AttachRun,
    ProcedureMenu,
    ProcedureOpen,
    QuickStart,
    StepAction,
    StepAnswer,
)
from handlers.common.keyboard import Keyboard
from handlers.common.texts import quote

# Telegram allows 4096 characters a message; steps are read on phones, so pages stay shorter.
READING_PAGE = 3500


def categories_screen(
    library: ProcedureLibrary, language: str, resume: RunView | None
) -> tuple[str, InlineKeyboardMarkup]:
    builder = Keyboard()
    if resume is not None and resume.step is not None:
        number = resume.item.position(resume.step.id)
        builder.button(
            text=_("▶️ Continue: {title}, step {number}").format(
                title=resume.item.procedure.title(language), number=number
            )[:60],
            callback_data=StepAction(run=resume.run.id, step=number, action="show"),
        )
    present = {item.procedure.category for item in library.ordered()}
    for category in Category:
        if category in present:
            builder.button(
                text=f"{texts.CATEGORY_MARKS[category]} {texts.category_name(category)}",
                callback_data=ProcedureMenu(category=category.value),
            )
    builder.adjust(1)
    text = _(
        "Procedures after a seizure. Choose a category, or type a word to search "
        "(in Kyrgyz, Russian or English)."
    )
    return text, builder.as_markup()


def procedure_list(
    items: list[LoadedProcedure], language: str, heading: str
) -> tuple[str, InlineKeyboardMarkup]:
    builder = Keyboard()
    for item in items:
        builder.button(
            text=item.procedure.title(language)[:60],
            callback_data=ProcedureOpen(procedure=item.id),
        )
    builder.button(text=_("« Procedures"), callback_data=ProcedureMenu())
    builder.adjust(1)
    return heading, builder.as_markup()


def overview(
    item: LoadedProcedure, library: ProcedureLibrary, language: str
) -> tuple[str, InlineKeyboardMarkup]:
    procedure = item.procedure
    total = len(procedure.steps)
    critical = sum(step.is_critical for step in procedure.steps)
    tags = sorted({tag for step in procedure.steps for tag in step.sources})
    sources = [
        f"• {quote(library.sources[tag].title(language))}" for tag in tags if tag in library.sources
    ]
    lines = [
        f"<b>{quote(procedure.title(language))}</b>",
        quote(procedure.summary(language)),
        "",
        ngettext("{count} step", "{count} steps", total).format(count=total)
        + ", "
        + ngettext("{count} critical ⚠️", "{count} critical ⚠️", critical).format(count=critical),
    ]
    lines.append(texts.procedure_version(procedure.version, item.content_hash))
    if sources:
        lines += ["", _("Sources:"), *sources]
    builder = Keyboard()
    builder.button(
        text=_("▶️ Start"), callback_data=ProcedureOpen(procedure=item.id, action="start")
    )
    builder.button(
        text=_("📖 All steps"), callback_data=ProcedureOpen(procedure=item.id, action="read")
    )
    builder.button(text=_("« Back"), callback_data=ProcedureMenu(category=procedure.category.value))
    builder.adjust(2, 1)
    return "\n".join(lines), builder.as_markup()


def reading_pages(item: LoadedProcedure, library: ProcedureLibrary, language: str) -> list[str]:
    """Every step at once, for reading without a run, split to fit Telegram's limit."""
    procedure = item.procedure
    blocks = [f"<b>{quote(procedure.title(language))}</b>"]
    for number, step in enumerate(procedure.steps, start=1):
        mark = "⚠️ " if step.is_critical else ""
        block = f"<b>{number}.</b> {mark}{quote(step.text(language))}"
        for answer in step.answers:
            if answer.goto:
                target = _("step {number}").format(number=item.position(answer.goto))
            else:
                other = library.get(answer.procedure or "")
                title = other.procedure.title(language) if other else answer.procedure
                target = _("procedure “{title}”").format(title=title)
            block += f"\n   → {quote(answer.label(language))}: {quote(target)}"
        blocks.append(block)
    pages, page = [], ""
    for block in blocks:
        if page and len(page) + len(block) + 2 > READING_PAGE:
            pages.append(page)
            page = ""
        page = f"{page}\n\n{block}" if page else block
    pages.append(page)
    return pages


def step_screen(view: RunView, language: str, photos: int) -> tuple[str, InlineKeyboardMarkup]:
    step = view.step
    assert step is not None
    item = view.item
    number, total = item.position(step.id), len(item.procedure.steps)
    lines = [
        texts.exercise_marked(f"<b>{quote(item.procedure.title(language))}</b>", view.run.exercise),
        _("Step {number} of {total}").format(number=number, total=total),
        "",
        ("⚠️ " if step.is_critical else "") + quote(step.text(language)),
    ]
    if step.is_critical:
        lines += ["", _("⚠️ Critical step: confirm it explicitly, or skip it with a reason.")]
    if step.kind is StepKind.PHOTO:
        lines += [
            "",
            _("📷 Send the photo(s) here, then press Done. Photos stored: {count}.").format(
                count=photos
            ),
        ]
    if step.sources:
        lines += ["", "📚 " + ", ".join(step.sources)]
    run = view.run.id
    builder = Keyboard()
    if step.kind is StepKind.QUESTION:
        for index, answer in enumerate(step.answers):
            builder.button(
                text=answer.label(language),
                callback_data=StepAnswer(run=run, step=number, answer=index),
            )
    else:
        done_label = _("⚠️ Confirm done") if step.is_critical else _("✅ Done")
        builder.button(
            text=done_label, callback_data=StepAction(run=run, step=number, action="done")
        )
        skip_label = _("⏭ Skip, with a reason") if step.is_critical else _("⏭ Skip")
        builder.button(
            text=skip_label, callback_data=StepAction(run=run, step=number, action="skip")
        )
    controls = Keyboard()
    if view.run.path:
        controls.button(
            text=_("◀️ Back"), callback_data=StepAction(run=run, step=number, action="back")
        )
    controls.button(text=_("⏹ Stop"), callback_data=StepAction(run=run, step=number, action="stop"))
    builder.adjust(1)
    builder.attach(controls)
    return "\n".join(lines), builder.as_markup()


def confirmation_question(
    view: RunView, language: str, number: int
) -> tuple[str, InlineKeyboardMarkup]:
    """A second, deliberate tap for a critical step; "Yes" sits where "Done" was not."""
    step = view.step
    assert step is not None
    builder = Keyboard()
    run = view.run.id
    builder.button(
        text=_("◀️ Not yet"), callback_data=StepAction(run=run, step=number, action="show")
    )
    builder.button(
        text=_("✅ Yes, it is done"),
        callback_data=StepAction(run=run, step=number, action="confirmed"),
    )
    builder.adjust(1)
    text = "\n\n".join(
        [
            _("⚠️ Confirm that this critical step is done:"),
            quote(step.text(language)),
        ]
    )
    return text, builder.as_markup()


def stop_question(view: RunView, number: int) -> tuple[str, InlineKeyboardMarkup]:
    builder = Keyboard()
    run = view.run.id
    builder.button(
        text=_("⏹ Yes, stop"), callback_data=StepAction(run=run, step=number, action="stopped")
    )
    builder.button(
        text=_("▶️ Continue"), callback_data=StepAction(run=run, step=number, action="show")
    )
    return _("Stop this procedure? What was done so far stays recorded."), builder.as_markup()


def finished_text(item: LoadedProcedure, language: str, done: int, skipped: int) -> str:
    return _(
        "✅ Procedure completed: {title}. Steps done: {done}; skipped: {skipped}. "
        "The record of this run is saved."
    ).format(title=quote(item.procedure.title(language)), done=done, skipped=skipped)


def back_to_procedures() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("« Procedures"), callback_data=ProcedureMenu())
    return builder.as_markup()


def after_run(run_id: int, open_reports: list[SeizureReport]) -> InlineKeyboardMarkup:
    """A finished run starts a quick log, or joins a report the officer has open."""
    builder = Keyboard()
    builder.button(text=_("⚡ Quick log with this"), callback_data=QuickStart(run=run_id))
    for report in open_reports:
        builder.button(
            text=_("📎 Add to No. {number}").format(number=report.number),
            callback_data=AttachRun(report=report.id, run=run_id),
        )
    builder.button(text=_("« Procedures"), callback_data=ProcedureMenu())
    builder.adjust(1)
    return builder.as_markup()
