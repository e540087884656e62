"""The quick log from the field: at most five taps besides the location, and its correction."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import (
    FoundCategory,
    ItemEstimate,
    User,
    UserStatus,
    utcnow,
)
from bot.delivery import DeliveryWorker
from bot.i18n import format_datetime, language_of
from bot.media import MediaStore
from bot.services import exercise, reports
from bot.services.errors import InvalidInput
from bot.services.report_fields import check_coordinates
from bot.services.units import get_unit
from handlers.common import texts
from handlers.common.callbacks import (
    CorrectReport,
    FullReportStart,
    QuickCategory,
    QuickCount,
    QuickDanger,
    QuickPlace,
    QuickStart,
)
from handlers.common.evidence import keep_photo
from handlers.common.filters import Answer, HasStatus, MenuButton, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.messages import input_problem
from handlers.common.states import QuickLogForm
from handlers.common.texts import URGENT, quote
from handlers.common.ui import main_menu, show


def no_unit() -> str:
    return input_problem(InvalidInput("unit", "missing"))


def category_keyboard(full_report_at: datetime | None = None) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for category in FoundCategory:
        builder.button(
            text=texts.found_name(category), callback_data=QuickCategory(category=category.value)
        )
    builder.adjust(2)
    if full_report_at is not None:
        builder.row(
            InlineKeyboardButton(
                text=_("📝 Full report instead"),
                callback_data=FullReportStart(at=int(full_report_at.timestamp())).pack(),
            )
        )
    return builder.as_markup()


async def log_in_progress(state: FSMContext) -> bool:
    current = await state.get_state()
    return current is not None and current.startswith(QuickLogForm.__name__)


IN_PROGRESS = __(
    "A quick log is already in progress: answer the question above, or send /cancel to discard it."
)


async def begin(
    state: FSMContext,
    occurred_at: datetime,
    run_id: int | None,
    report_id: int | None = None,
    mode: exercise.Mode | None = None,
) -> str:
    """A new log is an exercise or real work from now on, whatever the mode when it is filed;
    a correction keeps its report's."""
    in_exercise = mode is not None and mode.exercise
    await state.set_state(QuickLogForm.category)
    await state.set_data(
        {
            "occurred_at": occurred_at.isoformat(),
            "run": run_id,
            "photos": [],
            "report": report_id,
            "exercise": in_exercise,
            "drill": mode.drill_id if mode else None,
        }
    )
    return texts.exercise_marked(_("⚡ Quick log. What was found?"), in_exercise)


async def correct_report(
    callback: CallbackQuery,
    callback_data: CorrectReport,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    report = await reports.get_own_report(session, user, callback_data.report)
    if await log_in_progress(state):
        callback_answer.text, callback_answer.show_alert = str(IN_PROGRESS), True
        return
    # Answered again from the start: five taps, and the seizure keeps its original time.
    text = await begin(state, report.occurred_at, None, report_id=report.id)
    await show(callback, text, category_keyboard())


async def new_report(
    message: Message, user: User, state: FSMContext, session: AsyncSession
) -> None:
    if user.unit_id is None:
        await message.answer(no_unit())
        return
    if await log_in_progress(state):
        # Starting again would throw away what the officer already answered.
        await message.answer(str(IN_PROGRESS))
        return
    # The time the officer pressed the button, as Telegram stamped it, not when we got it.
    text = await begin(state, message.date, None, mode=await exercise.mode_of(session, user))
    await message.answer(text, reply_markup=category_keyboard(full_report_at=message.date))


async def quick_from_run(
    callback: CallbackQuery,
    callback_data: QuickStart,
    user: User,
    state: FSMContext,
    session: AsyncSession,
    callback_answer: CallbackAnswer,
) -> None:
    if user.unit_id is None:
        await show(callback, no_unit())
        return
    if await log_in_progress(state):
        callback_answer.text, callback_answer.show_alert = str(IN_PROGRESS), True
        return
    mode = await exercise.mode_of(session, user)
    text = await begin(state, utcnow(), callback_data.run or None, mode=mode)
    await show(callback, text, category_keyboard())


async def got_category(
    callback: CallbackQuery,
    callback_data: QuickCategory,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    bot: Bot,
    settings: Settings,
) -> None:
    await state.update_data(category=callback_data.category)
    await state.set_state(QuickLogForm.place)
    language = language_of(user, settings.default_language)
    builder = Keyboard()
    for point in (await reports.crossing_points_of(session, user))[:8]:
        builder.button(
            text=point.display_name(language), callback_data=QuickPlace(unit_id=point.id)
        )
    builder.adjust(2)
    await show(
        callback,
        _("Where? Choose the crossing point, share your location, or type the place."),
        builder.as_markup(),
    )
    location_keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_("📍 Send my location"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await bot.send_message(
        callback.from_user.id,
        _("Or use the button below to send your location."),
        reply_markup=location_keyboard,
    )


def count_keyboard() -> InlineKeyboardMarkup:
    builder = Keyboard()
    for estimate in ItemEstimate:
        builder.button(
            text=texts.estimate_name(estimate), callback_data=QuickCount(estimate=estimate.value)
        )
    builder.adjust(3, 2)
    return builder.as_markup()


async def _ask_count(bot: Bot, user: User, state: FSMContext) -> None:
    await state.set_state(QuickLogForm.count)
    # The location keyboard has done its job: give the menu back.
    await bot.send_message(user.telegram_id, _("📍 Place noted."), reply_markup=main_menu(user))
    await bot.send_message(
        user.telegram_id, _("Roughly how many items?"), reply_markup=count_keyboard()
    )


async def place_from_point(
    callback: CallbackQuery,
    callback_data: QuickPlace,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    bot: Bot,
) -> None:
    point = await get_unit(session, callback_data.unit_id)
    await state.update_data(place_unit_id=point.id)
    await show(
        callback, _("📍 {place}").format(place=quote(point.display_name(user.language or "")))
    )
    await state.set_state(QuickLogForm.count)
    await bot.send_message(
        user.telegram_id, _("Roughly how many items?"), reply_markup=count_keyboard()
    )


async def place_from_location(message: Message, user: User, state: FSMContext, bot: Bot) -> None:
    assert message.location is not None
    try:
        latitude, longitude = check_coordinates(
            message.location.latitude, message.location.longitude
        )
    except InvalidInput as problem:
        await message.answer(input_problem(problem))
        return
    await state.update_data(latitude=latitude, longitude=longitude)
    await _ask_count(bot, user, state)


async def place_from_text(message: Message, user: User, state: FSMContext, bot: Bot) -> None:
    try:
        place = reports.validate_place_text(message.text or "")
    except InvalidInput as problem:
        await message.answer(input_problem(problem))
        return
    await state.update_data(place_text=place)
    await _ask_count(bot, user, state)


async def place_not_understood(message: Message) -> None:
    await message.answer(
        _("Please choose the crossing point, send your location, or type the place as text.")
    )


async def got_count(callback: CallbackQuery, callback_data: QuickCount, state: FSMContext) -> None:
    await state.update_data(item_estimate=callback_data.estimate)
    await state.set_state(QuickLogForm.danger)
    builder = Keyboard()
    builder.button(text=_("✅ Nobody in danger"), callback_data=QuickDanger(danger=False))
    builder.button(text=_("⚠️ Someone in danger or hurt"), callback_data=QuickDanger(danger=True))
    builder.adjust(1)
    await show(
        callback,
        _("Is anyone in danger or hurt? If you have a photo, send it now, then answer."),
        builder.as_markup(),
    )


async def got_photo(message: Message, state: FSMContext, bot: Bot, media: MediaStore) -> None:
    assert message.photo
    largest = message.photo[-1]
    sha256 = await keep_photo(bot, media, largest.file_id)
    photos = (await state.get_data()).get("photos", [])
    photos.append([largest.file_id, largest.file_unique_id, sha256])
    await state.update_data(photos=photos)
    await message.answer(_("📷 Photo added ({count}).").format(count=len(photos)))


async def use_the_buttons(message: Message) -> None:
    await message.answer(
        _("Please answer with the buttons above. What you entered so far is kept.")
    )


async def got_danger(
    callback: CallbackQuery,
    callback_data: QuickDanger,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
    delivery: DeliveryWorker,
) -> None:
    data = await state.get_data()
    log = reports.QuickLog(
        category=FoundCategory(data["category"]),
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        place_unit_id=data.get("place_unit_id"),
        place_text=data.get("place_text"),
        item_estimate=ItemEstimate(data.get("item_estimate", ItemEstimate.UNKNOWN.value)),
        anyone_in_danger=callback_data.danger,
        # A log begun before photos were hashed has no hash to give.
        photos=[
            reports.NewPhoto(photo[0], photo[1], photo[2] if len(photo) > 2 else None)
            for photo in data.get("photos", [])
        ],
        procedure_run_id=data.get("run"),
        exercise=bool(data.get("exercise")),
        drill_id=data.get("drill"),
    )
    if data.get("report"):
        report, _revision = await reports.resubmit_corrected(session, user, data["report"], log)
    else:
        report, _revision = await reports.submit_quick_log(session, user, log, settings.tz)
    await state.clear()
    await session.commit()
    delivery.wake()
    language = language_of(user, settings.default_language)
    lines = [
        texts.exercise_marked(
            _("⚡ Quick log No. {number} filed.").format(number=report.number), report.exercise
        ),
        _("Time of the seizure: {date}").format(
            date=format_datetime(report.occurred_at, language, settings.tz)
        ),
        _("Your supervisors are being told now."),
    ]
    if report.urgent:
        lines.insert(1, URGENT + " " + _("Marked urgent."))
    await show(callback, "\n".join(lines))


def create_router() -> Router:
    router = router_for("quick_log", HasStatus(UserStatus.ACTIVE))
    router.message.register(new_report, MenuButton(texts.MENU_NEW_REPORT))
    router.callback_query.register(quick_from_run, QuickStart.filter())
    router.callback_query.register(correct_report, CorrectReport.filter())
    router.callback_query.register(
        got_category,
        QuickCategory.filter(F.category.in_({c.value for c in FoundCategory})),
        QuickLogForm.category,
    )
    router.callback_query.register(place_from_point, QuickPlace.filter(), QuickLogForm.place)
    router.message.register(place_from_location, QuickLogForm.place, F.location)
    router.message.register(place_from_text, QuickLogForm.place, F.text, Answer())
    router.message.register(place_not_understood, QuickLogForm.place, Answer())
    router.callback_query.register(
        got_count,
        QuickCount.filter(F.estimate.in_({e.value for e in ItemEstimate})),
        QuickLogForm.count,
    )
    router.message.register(
        got_photo,
        F.photo,
        StateFilter(QuickLogForm.category, QuickLogForm.count, QuickLogForm.danger),
    )
    router.callback_query.register(got_danger, QuickDanger.filter(), QuickLogForm.danger)
    router.message.register(
        use_the_buttons,
        StateFilter(QuickLogForm.category, QuickLogForm.count, QuickLogForm.danger),
        Answer(),
    )
    return router
