"""The full report's questions: starting or reopening a draft, opening a section or a field,
and the answers by button, typed text or shared location, each saved before the next question."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    Message,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import User, UserStatus, utcnow
from bot.i18n import language_of
from bot.services import drafts
from bot.services.drafts import Target, values_of
from bot.services.errors import InvalidInput
from bot.services.report_fields import (
    AmbiguousCountry,
    Kind,
    Section,
    field_of,
)
from handlers.common.callbacks import (
    DraftAsk,
    DraftChoice,
    DraftOpen,
    DraftSectionOpen,
    FullReportStart,
    ReportComplete,
    ReportStartFrom,
)
from handlers.common.filters import Answer, HasStatus, router_for
from handlers.common.messages import input_problem
from handlers.common.prompts import question_on_screen
from handlers.common.report_values import answer_problem
from handlers.common.states import QuickLogForm, ReportForm
from handlers.common.ui import show
from handlers.reports.navigation import (
    after_answer,
    ask,
    menu_back,
    open_review,
    open_section_screen,
    target_of,
)
from handlers.reports.screens import (
    CLEAR,
    PLACE_UNIT,
    SKIP,
)


async def start_full(
    callback: CallbackQuery,
    callback_data: FullReportStart,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    current = await state.get_state()
    if current is not None and current != QuickLogForm.category.state:
        # Only the quick log's first question offers this; later its answers would be lost.
        await show(callback, _("This button is outdated. Nothing was changed."))
        return
    started_at = min(datetime.fromtimestamp(callback_data.at, UTC), utcnow())
    draft = await drafts.start_draft(session, user, started_at)
    await session.commit()
    target = Target(Section.INCIDENT, "category")
    await ask(callback, session, user, settings, state, draft, target, walk=True)


async def start_from_report(
    callback: CallbackQuery,
    callback_data: ReportStartFrom,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    draft = await drafts.start_from_report(session, user, callback_data.report, utcnow())
    await session.commit()
    target = Target(Section.INCIDENT, "category")
    await ask(callback, session, user, settings, state, draft, target, walk=True)


async def complete_report(
    callback: CallbackQuery,
    callback_data: ReportComplete,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    draft = await drafts.draft_for_report(session, user, callback_data.report)
    await session.commit()
    await open_review(callback, session, user, settings, state, draft)


async def open_draft(
    callback: CallbackQuery,
    callback_data: DraftOpen,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    draft = await drafts.get_draft(session, user, callback_data.draft)
    await open_review(callback, session, user, settings, state, draft)


async def open_section(
    callback: CallbackQuery,
    callback_data: DraftSectionOpen,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    draft = await drafts.get_draft(session, user, callback_data.draft)
    section = Section(callback_data.section)
    values = values_of(draft.content, section, callback_data.entry)
    if section is Section.CONVEYANCE and not values:
        # Nothing said of it yet: straight to its first question.
        target = Target(section, "conveyance_type")
        await ask(callback, session, user, settings, state, draft, target, walk=True)
        return
    if section is Section.INCIDENT:
        await open_section_screen(callback, session, user, settings, state, draft, section, 0)
        return
    await open_section_screen(
        callback, session, user, settings, state, draft, section, callback_data.entry
    )


async def ask_field(
    callback: CallbackQuery,
    callback_data: DraftAsk,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    draft = await drafts.get_draft(session, user, callback_data.draft)
    # A forged field or entry is refused by the question screen (NotFound / InvalidInput).
    target = Target(Section(callback_data.section), callback_data.key, callback_data.entry)
    await ask(callback, session, user, settings, state, draft, target, callback_data.walk)


async def chosen(
    callback: CallbackQuery,
    callback_data: DraftChoice,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
    callback_answer: CallbackAnswer,
) -> None:
    target = Target(Section(callback_data.section), callback_data.key, callback_data.entry)
    code, draft_id = callback_data.code, callback_data.draft
    spec = field_of(target.section, target.key)
    if code == SKIP:
        draft = await drafts.get_draft(session, user, draft_id)
    elif code == CLEAR:
        draft = await drafts.clear_answer(session, user, draft_id, target)
    elif spec.kind is Kind.PLACE and code.startswith(PLACE_UNIT) and code[1:].isdigit():
        draft = await drafts.answer_place_unit(session, user, draft_id, int(code[1:]))
        await menu_back(callback.bot, user)
    else:
        try:
            draft = await drafts.answer_choice(session, user, draft_id, target, code)
        except InvalidInput as problem:
            # A button that contradicts another answer (the same officer twice): said, asked again.
            language = language_of(user, settings.default_language)
            if (said := answer_problem(spec, problem, language, settings.tz)) is None:
                raise
            callback_answer.text, callback_answer.show_alert = said[:200], True
            return
    await after_answer(
        callback, session, user, settings, state, draft, target, callback_data.walk, code == SKIP
    )


async def typed_answer(
    message: Message,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    data = await state.get_data()
    target, walk = target_of(data), bool(data.get("walk"))
    if not await question_on_screen(
        message, data, lambda: _ask_again(message, session, user, settings, state, data)
    ):
        return
    try:
        draft = await drafts.answer_text(
            session, user, int(data["draft"]), target, message.text or "", message.date, settings.tz
        )
    except AmbiguousCountry as several:
        draft = await drafts.get_draft(session, user, int(data["draft"]))
        await message.answer(_("Several countries match. Which one?"))
        await ask(message, session, user, settings, state, draft, target, walk, several.candidates)
        return
    except InvalidInput as problem:
        await _reask(message, session, user, settings, state, data, problem)
        return
    if field_of(target.section, target.key).kind is Kind.PLACE:
        await menu_back(message.bot, user)
    await after_answer(message, session, user, settings, state, draft, target, walk)


async def _reask(
    message: Message,
    session: AsyncSession,
    user: User,
    settings: Settings,
    state: FSMContext,
    data: dict[str, Any],
    problem: InvalidInput,
) -> None:
    """Say what is wrong and ask the same field again; nothing entered before is touched."""
    target = target_of(data)
    spec = field_of(target.section, target.key)
    language = language_of(user, settings.default_language)
    await message.answer(
        answer_problem(spec, problem, language, settings.tz) or input_problem(problem)
    )
    draft = await drafts.get_draft(session, user, int(data["draft"]))
    await ask(message, session, user, settings, state, draft, target, bool(data.get("walk")))


async def _ask_again(
    message: Message,
    session: AsyncSession,
    user: User,
    settings: Settings,
    state: FSMContext,
    data: dict[str, Any],
) -> None:
    """The question the state names, shown (again)."""
    draft = await drafts.get_draft(session, user, int(data["draft"]))
    await ask(
        message, session, user, settings, state, draft, target_of(data), bool(data.get("walk"))
    )


async def location_answer(
    message: Message,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    data = await state.get_data()
    target = target_of(data)
    assert message.location is not None
    if field_of(target.section, target.key).kind is not Kind.PLACE:
        await not_text(message, state)
        return
    if not await question_on_screen(
        message, data, lambda: _ask_again(message, session, user, settings, state, data)
    ):
        return
    try:
        draft = await drafts.answer_location(
            session, user, int(data["draft"]), message.location.latitude, message.location.longitude
        )
    except InvalidInput as problem:
        await _reask(message, session, user, settings, state, data, problem)
        return
    await menu_back(message.bot, user)
    walk = bool(data.get("walk"))
    await after_answer(message, session, user, settings, state, draft, target, walk)


async def not_text(message: Message, state: FSMContext) -> None:
    """A sticker, a voice message or a file where a typed answer is expected: a hint, and the
    question stays."""
    data = await state.get_data()
    spec = field_of(Section(data["section"]), data["key"])
    if spec.kind in (Kind.CHOICE, Kind.YES_NO):
        await message.answer(_("Please answer with the buttons above. Nothing entered is lost."))
        return
    await message.answer(
        _(
            "Please type the answer as text (voice messages, stickers and files cannot be "
            "read). The question above is still open; nothing entered is lost."
        )
    )


async def use_buttons(message: Message) -> None:
    await message.answer(
        _("Use the buttons above, or send photos to add them. The draft is saved.")
    )


def create_router() -> Router:
    router = router_for("report_form", HasStatus(UserStatus.ACTIVE))
    router.callback_query.register(start_full, FullReportStart.filter())
    router.callback_query.register(complete_report, ReportComplete.filter())
    router.callback_query.register(start_from_report, ReportStartFrom.filter())
    router.callback_query.register(open_draft, DraftOpen.filter())
    router.callback_query.register(open_section, DraftSectionOpen.filter())
    router.callback_query.register(ask_field, DraftAsk.filter())
    router.callback_query.register(chosen, DraftChoice.filter())
    router.message.register(typed_answer, ReportForm.answer, F.text, Answer())
    router.message.register(location_answer, ReportForm.answer, F.location)
    router.message.register(not_text, ReportForm.answer, Answer())
    router.message.register(use_buttons, ReportForm.screen, Answer())
    return router
