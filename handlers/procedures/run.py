"""Officers find a procedure and walk through it, one edited message per step."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import RunStatus, StepOutcome, User, UserStatus
from bot.i18n import language_of
from bot.media import MediaStore
from bot.procedures.library import LoadedProcedure, ProcedureLibrary
from bot.procedures.schema import Category, StepKind
from bot.services import procedure_runs as runs
from bot.services.errors import InvalidInput, NotFound
from bot.services.procedure_runs import (
    ConfirmationRequired,
    PhotoRequired,
    ProcedureChanged,
    RunView,
    StaleStep,
)
from bot.services.reports import open_reports
from handlers.common import texts
from handlers.common.callbacks import ProcedureMenu, ProcedureOpen, StepAction, StepAnswer
from handlers.common.evidence import keep_photo
from handlers.common.filters import Answer, HasStatus, MenuButton, router_for
from handlers.common.messages import input_problem
from handlers.common.prompts import ask_typed, question_on_screen
from handlers.common.states import SkipForm
from handlers.common.ui import main_menu, show
from handlers.procedures import screens


def _language(user: User, settings: Settings) -> str:
    return language_of(user, settings.default_language)


async def _resumable(
    session: AsyncSession, user: User, library: ProcedureLibrary
) -> RunView | None:
    run = await runs.active_run(session, user)
    if run is None:
        return None
    try:
        return await runs.open_run(session, user, run.id, library)
    except ProcedureChanged:
        return None


async def procedures_menu(
    message: Message,
    user: User,
    session: AsyncSession,
    procedures: ProcedureLibrary,
    settings: Settings,
) -> None:
    resume = await _resumable(session, user, procedures)
    text, markup = screens.categories_screen(procedures, _language(user, settings), resume)
    await message.answer(text, reply_markup=markup)


async def menu_screen(
    callback: CallbackQuery,
    callback_data: ProcedureMenu,
    user: User,
    session: AsyncSession,
    procedures: ProcedureLibrary,
    settings: Settings,
) -> None:
    language = _language(user, settings)
    if not callback_data.category:
        resume = await _resumable(session, user, procedures)
        await show(callback, *screens.categories_screen(procedures, language, resume))
        return
    category = Category(callback_data.category)
    counts = await runs.usage_counts(session)
    # The most used first: what colleagues reach for is most likely what is needed now.
    items = sorted(
        (item for item in procedures.ordered() if item.procedure.category is category),
        key=lambda item: -counts.get(item.id, 0),
    )
    heading = f"{texts.CATEGORY_MARKS[category]} {texts.category_name(category)}"
    await show(callback, *screens.procedure_list(items, language, heading))


def _find(procedures: ProcedureLibrary, procedure_id: str) -> LoadedProcedure:
    item = procedures.get(procedure_id)
    if item is None:
        raise NotFound("procedure")
    return item


async def open_procedure(
    callback: CallbackQuery,
    callback_data: ProcedureOpen,
    user: User,
    session: AsyncSession,
    procedures: ProcedureLibrary,
    settings: Settings,
    bot: Bot,
) -> None:
    item = _find(procedures, callback_data.procedure)
    language = _language(user, settings)
    if callback_data.action == "read":
        for page in screens.reading_pages(item, procedures, language):
            await bot.send_message(callback.from_user.id, page)
        return
    if callback_data.action == "start":
        run = await runs.start_run(session, user, item)
        await session.commit()
        view = await runs.open_run(session, user, run.id, procedures)
        await show(callback, *screens.step_screen(view, language, photos=0))
        return
    await show(callback, *screens.overview(item, procedures, language))


async def _render(
    session: AsyncSession, view: RunView, language: str
) -> tuple[str, screens.InlineKeyboardMarkup]:
    """The run's screen now: its current step, or how it ended."""
    if view.step is not None and not view.finished:
        photos = await runs.photos_at_current(session, view)
        return screens.step_screen(view, language, photos)
    events = await runs.run_events(session, view.run.id)
    done = sum(event.outcome is StepOutcome.DONE for event in events)
    skipped = sum(event.outcome is StepOutcome.SKIPPED for event in events)
    text = screens.finished_text(view.item, language, done, skipped)
    if view.run.status is RunStatus.COMPLETED:
        officer = await session.get(User, view.run.user_id)
        recent = await open_reports(session, officer) if officer else []
        return text, screens.after_run(view.run.id, recent)
    return text, screens.back_to_procedures()


async def step_action(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: StepAction,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    procedures: ProcedureLibrary,
    settings: Settings,
) -> None:
    language = _language(user, settings)
    view = await runs.open_run(session, user, callback_data.run, procedures)
    action, number = callback_data.action, callback_data.step
    try:
        if action in ("done", "confirmed"):
            await runs.complete_step(session, view, number, confirmed=action == "confirmed")
        elif action == "skip":
            step = view.step
            if step is not None and step.is_critical and not view.finished:
                await _ask_reason(session, state, callback.bot, callback.from_user.id, view, number)
                return
            await runs.skip_step(session, view, number)
        elif action == "back":
            await runs.go_back(session, view, number)
        elif action == "stop":
            if view.finished:
                raise StaleStep()
            await show(callback, *screens.stop_question(view, number))
            return
        elif action == "stopped":
            await runs.stop_run(session, user, view)
            await session.commit()
            await show(
                callback,
                _("⏹ Procedure stopped. What was done is recorded."),
                screens.back_to_procedures(),
            )
            return
    except StaleStep:
        callback_answer.text = _("This step has already been handled; here is where you are now.")
    except ConfirmationRequired:
        await show(callback, *screens.confirmation_question(view, language, number))
        return
    except PhotoRequired:
        callback_answer.text = _("Send a photo first, or skip this step.")
        callback_answer.show_alert = True
    await session.commit()
    await show(callback, *await _render(session, view, language))


async def step_answer(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: StepAnswer,
    user: User,
    session: AsyncSession,
    procedures: ProcedureLibrary,
    settings: Settings,
) -> None:
    language = _language(user, settings)
    view = await runs.open_run(session, user, callback_data.run, procedures)
    try:
        run = await runs.answer_question(
            session, user, view, callback_data.step, callback_data.answer, procedures
        )
    except StaleStep:
        callback_answer.text = _("This step has already been handled; here is where you are now.")
        await show(callback, *await _render(session, view, language))
        return
    await session.commit()
    if run.id != view.run.id:
        view = await runs.open_run(session, user, run.id, procedures)
        callback_answer.text = _("Now: {title}").format(title=view.item.procedure.title(language))[
            :200
        ]
    await show(callback, *await _render(session, view, language))


async def _ask_reason(
    session: AsyncSession, state: FSMContext, bot: Bot, chat_id: int, view: RunView, number: int
) -> None:
    await ask_typed(
        session,
        state,
        SkipForm.reason,
        {"run": view.run.id, "step": number},
        lambda: bot.send_message(
            chat_id, _("Why is this critical step skipped? Type the reason; it is recorded.")
        ),
    )


async def skip_reason(
    message: Message,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    procedures: ProcedureLibrary,
    settings: Settings,
) -> None:
    data = await state.get_data()
    view = await runs.open_run(session, user, int(data["run"]), procedures)
    step = int(data["step"])
    if not await question_on_screen(
        message,
        data,
        lambda: _ask_reason(session, state, message.bot, message.chat.id, view, step),
    ):
        return
    try:
        await runs.skip_step(session, view, step, reason=message.text)
    except InvalidInput as problem:
        await message.answer(input_problem(problem))
        return
    except (StaleStep, ConfirmationRequired):
        pass
    await state.clear()
    await session.commit()
    text, markup = await _render(session, view, _language(user, settings))
    await message.answer(text, reply_markup=markup)


async def skip_reason_not_text(message: Message) -> None:
    await message.answer(_("Please type the reason as text."))


async def step_photo(
    message: Message,
    user: User,
    session: AsyncSession,
    procedures: ProcedureLibrary,
    settings: Settings,
    bot: Bot,
    media: MediaStore,
) -> None:
    view = await _resumable(session, user, procedures)
    language = _language(user, settings)
    if view is None or view.step is None or view.step.kind is not StepKind.PHOTO:
        await message.answer(
            _("Photos are stored at a procedure's photo step. This photo was not stored."),
            reply_markup=main_menu(user),
        )
        return
    assert message.photo
    # The largest size Telegram made of the photo is the evidence.
    file_id = message.photo[-1].file_id
    sha256 = await keep_photo(bot, media, file_id)
    count = await runs.add_photo(session, user, view, file_id, sha256)
    await session.commit()
    await message.answer(_("📷 Photo stored ({count}).").format(count=count))
    text, markup = await _render(session, view, language)
    await message.answer(text, reply_markup=markup)


async def search(
    message: Message, user: User, procedures: ProcedureLibrary, settings: Settings
) -> None:
    query = (message.text or "").strip()
    found = procedures.search(query)
    language = _language(user, settings)
    if not found:
        await message.answer(
            _("No procedure matches “{query}”. Try another word, or open Procedures.").format(
                query=texts.quote(query[:100])
            ),
            reply_markup=main_menu(user),
        )
        return
    text, markup = screens.procedure_list(
        found,
        language,
        _("Procedures matching “{query}”:").format(query=texts.quote(query[:100])),
    )
    await message.answer(text, reply_markup=markup)


def create_router() -> Router:
    router = router_for("procedures", HasStatus(UserStatus.ACTIVE))
    router.message.register(procedures_menu, MenuButton(texts.MENU_PROCEDURES))
    router.callback_query.register(
        menu_screen, ProcedureMenu.filter(F.category.in_({"", *(c.value for c in Category)}))
    )
    router.callback_query.register(open_procedure, ProcedureOpen.filter())
    router.callback_query.register(step_action, StepAction.filter(F.action != "show"))
    router.callback_query.register(show_run, StepAction.filter(F.action == "show"))
    router.callback_query.register(step_answer, StepAnswer.filter())
    router.message.register(skip_reason, SkipForm.reason, F.text, Answer())
    router.message.register(skip_reason_not_text, SkipForm.reason, Answer())
    router.message.register(step_photo, F.photo, StateFilter(None))
    router.message.register(search, F.text, Answer(), StateFilter(None))
    return router


async def show_run(
    callback: CallbackQuery,
    callback_data: StepAction,
    user: User,
    session: AsyncSession,
    procedures: ProcedureLibrary,
    settings: Settings,
) -> None:
    view = await runs.open_run(session, user, callback_data.run, procedures)
    await show(callback, *await _render(session, view, _language(user, settings)))
