"""The quick log from the field (at most five taps besides the location) and My reports."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

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
from aiogram.utils.i18n import ngettext
from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import (
    FoundCategory,
    ItemEstimate,
    Notification,
    ReportStatus,
    Role,
    SeizureReport,
    User,
    UserStatus,
    utcnow,
)
from bot.delivery import DeliveryWorker
from bot.i18n import format_datetime, language_of
from bot.media import MediaStore
from bot.procedures.library import ProcedureLibrary
from bot.services import drafts, reports
from bot.services.errors import AlreadyDecided, InvalidInput
from bot.services.notifications import (
    DAILY_DIGEST,
    RECIPIENT_UNREACHABLE,
    REPORT_ACKNOWLEDGED,
    REPORT_ESCALATED,
    REPORT_RETURNED,
    digest_counts,
)
from bot.services.permissions import managed_unit_ids
from bot.services.report_fields import check_coordinates
from bot.services.units import get_unit, unit_tree
from handlers import report_screens, report_view, texts
from handlers.callbacks import (
    AckReport,
    AttachRun,
    CorrectReport,
    FullReportStart,
    InboxPage,
    QuickCategory,
    QuickCount,
    QuickDanger,
    QuickPlace,
    QuickStart,
    ReportComplete,
    ReportOpen,
    ReportsPage,
    ReturnReport,
    UnitPage,
    UnitPick,
)
from handlers.evidence import keep_photo
from handlers.filters import Answer, HasRole, HasStatus, MenuButton
from handlers.keyboard import Keyboard
from handlers.messages import input_problem
from handlers.procedure_screens import quote
from handlers.report_export import export_button
from handlers.states import QuickLogForm, ReturnForm
from handlers.ui import main_menu, paged_list, show, unit_picker

URGENT = "⚠️"
# Changed fields named in a revision's line of the history; a completion changes dozens.
CHANGES_SHOWN = 6


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
    state: FSMContext, occurred_at: datetime, run_id: int | None, report_id: int | None = None
) -> str:
    await state.set_state(QuickLogForm.category)
    await state.set_data(
        {"occurred_at": occurred_at.isoformat(), "run": run_id, "photos": [], "report": report_id}
    )
    return _("⚡ Quick log. What was found?")


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


async def new_report(message: Message, user: User, state: FSMContext) -> None:
    if user.unit_id is None:
        await message.answer(no_unit())
        return
    if await log_in_progress(state):
        # Starting again would throw away what the officer already answered.
        await message.answer(str(IN_PROGRESS))
        return
    # The time the officer pressed the button, as Telegram stamped it, not when we got it.
    text = await begin(state, message.date, None)
    await message.answer(text, reply_markup=category_keyboard(full_report_at=message.date))


async def quick_from_run(
    callback: CallbackQuery,
    callback_data: QuickStart,
    user: User,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    if user.unit_id is None:
        await show(callback, no_unit())
        return
    if await log_in_progress(state):
        callback_answer.text, callback_answer.show_alert = str(IN_PROGRESS), True
        return
    text = await begin(state, utcnow(), callback_data.run or None)
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
        _("⚡ Quick log No. {number} filed.").format(number=report.number),
        _("Time of the seizure: {date}").format(
            date=format_datetime(report.occurred_at, language, settings.tz)
        ),
        _("Your supervisors are being told now."),
    ]
    if report.urgent:
        lines.insert(1, URGENT + " " + _("Marked urgent."))
    await show(callback, "\n".join(lines))


async def render_notification(
    session: AsyncSession,
    notification: Notification,
    recipient: User,
    language: str,
    timezone: ZoneInfo,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message of a queued notification, in its recipient's language, at sending time."""
    if notification.kind == DAILY_DIGEST:
        return await digest_text(session, notification, recipient, language, timezone), None
    if notification.kind == RECIPIENT_UNREACHABLE:
        person = await session.get(User, int(notification.note or 0))
        text = _(
            "⚠️ {name} cannot be reached (the bot is blocked or the chat is gone): "
            "notifications to them are not delivered."
        ).format(name=texts.person_label(person) if person else "—")
        return text, None
    report = await session.get(SeizureReport, notification.report_id)
    assert report is not None
    if notification.kind == REPORT_ACKNOWLEDGED:
        supervisor = await session.get(User, report.acknowledged_by_id)
        text = _("✅ Your report No. {number} was acknowledged by {name}.").format(
            number=report.number, name=texts.person_label(supervisor) if supervisor else "—"
        )
        return text, None
    if notification.kind == REPORT_RETURNED:
        supervisor = await session.get(User, report.returned_by_id)
        text = _("↩️ Your report No. {number} was returned for correction by {name}:").format(
            number=report.number, name=texts.person_label(supervisor) if supervisor else "—"
        )
        builder = Keyboard()
        builder.button(text=_("📂 Open"), callback_data=ReportOpen(report=report.id))
        return f"{text}\n{quote(notification.note or '')}", builder.as_markup()
    officer = await session.get(User, report.officer_id)
    unit = await get_unit(session, report.unit_id)
    lines = [
        _("⏫ Not acknowledged yet: passed up to you.")
        if notification.kind == REPORT_ESCALATED
        else "",
        report_title(report) + (f" {URGENT} " + _("URGENT") if report.urgent else ""),
        _("✏️ Changed by the officer (revision {number})").format(number=report.revision)
        if report.revision > 1
        else "",
        _("Found: {category}").format(category=texts.found_name(report.category)),
        _("Place: {place}").format(
            place=quote(await reports.place_name(session, report, language))
        ),
        _("Time of the seizure: {date}").format(
            date=format_datetime(report.occurred_at, language, timezone)
        ),
        _("Items, roughly: {estimate}").format(estimate=texts.estimate_name(report.item_estimate)),
        _("Anyone in danger or hurt: {answer}").format(
            answer=_("yes") if report.anyone_in_danger else _("no")
        ),
        _("Officer: {name}").format(name=texts.person_label(officer) if officer else "—"),
        _("Unit: {unit}").format(unit=texts.unit_label(unit, language)),
    ]
    return "\n".join(line for line in lines if line), decision_keyboard(report.id)


async def digest_text(
    session: AsyncSession,
    notification: Notification,
    recipient: User,
    language: str,
    timezone: ZoneInfo,
) -> str:
    day = date.fromisoformat(notification.note or "")
    counts, awaiting = await digest_counts(session, recipient, day, timezone)
    total = sum(counts.values())
    lines = [
        _("🗓 Daily summary, {day}").format(day=format_date(day, format="long", locale=language)),
        ngettext("{count} report in your units", "{count} reports in your units", total).format(
            count=total
        ),
    ]
    lines += [
        f"• {texts.found_name(category)}: {counts[category.value]}"
        for category in FoundCategory
        if category.value in counts
    ]
    lines.append(_("Awaiting acknowledgement: {count}").format(count=awaiting))
    return "\n".join(lines)


def report_title(report: SeizureReport) -> str:
    if report.complete:
        return _("📝 Full report No. {number}").format(number=report.number)
    return _("⚡ Quick log No. {number}").format(number=report.number)


def decision_keyboard(report_id: int) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("📂 Open"), callback_data=ReportOpen(report=report_id))
    builder.button(text=_("✅ Acknowledge"), callback_data=AckReport(report=report_id))
    builder.button(text=_("↩️ Return for correction"), callback_data=ReturnReport(report=report_id))
    builder.adjust(2, 1)
    return builder.as_markup()


async def ask_return_comment(
    callback: CallbackQuery, callback_data: ReturnReport, state: FSMContext, bot: Bot
) -> None:
    await state.set_state(ReturnForm.comment)
    await state.update_data(report=callback_data.report)
    await bot.send_message(
        callback.from_user.id,
        _("What must be corrected? Type it; the officer will read it as you write it."),
    )


async def return_comment(
    message: Message,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    delivery: DeliveryWorker,
) -> None:
    report_id = int((await state.get_data())["report"])
    try:
        report = await reports.return_for_correction(session, user, report_id, message.text or "")
    except InvalidInput as problem:
        await message.answer(input_problem(problem))
        return
    except AlreadyDecided as handled:
        await state.clear()
        await message.answer(already_handled(handled))
        return
    await state.clear()
    await session.commit()
    delivery.wake()
    await message.answer(
        _("↩️ Report No. {number} returned to the officer.").format(number=report.number),
        reply_markup=main_menu(user),
    )


def already_handled(handled: AlreadyDecided) -> str:
    name = quote(handled.decided_by or "—")
    if handled.approved:
        return _("Report already acknowledged by {name}.").format(name=name)
    return _("Report already returned for correction by {name}.").format(name=name)


async def acknowledge_report(
    callback: CallbackQuery,
    callback_data: AckReport,
    user: User,
    session: AsyncSession,
    callback_answer: CallbackAnswer,
    delivery: DeliveryWorker,
) -> None:
    original = callback.message.html_text if isinstance(callback.message, Message) else ""
    try:
        report = await reports.acknowledge(session, user, callback_data.report)
    except AlreadyDecided as handled:
        note = already_handled(handled)
        callback_answer.text, callback_answer.show_alert = note, True
        await show(callback, f"{original}\n\n{note}")
        return
    await session.commit()
    delivery.wake()
    note = _("✅ Acknowledged by {name}").format(name=texts.person_label(user))
    builder = Keyboard()
    builder.button(text=_("📂 Open"), callback_data=ReportOpen(report=report.id))
    await show(callback, f"{original}\n\n{note}", builder.as_markup())


async def reports_screen(
    session: AsyncSession, user: User, page: int, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    language = language_of(user, settings.default_language)
    found, total = await reports.my_reports(session, user, page)
    builder, _last = paged_list(
        report_entries(found, language, settings),
        page,
        total,
        reports.REPORTS_PAGE_SIZE,
        lambda number: ReportsPage(page=number),
    )
    if not found:
        return _("You have no reports yet."), builder.as_markup()
    builder.row(export_button())
    return _("Your reports, newest first:"), builder.as_markup()


def report_entries(
    found: list[SeizureReport], language: str, settings: Settings
) -> list[tuple[str, ReportOpen]]:
    return [
        (
            (URGENT + " " if report.urgent else "")
            + f"{report.number or '—'} · {texts.report_status_name(report.status)} · "
            + format_datetime(report.occurred_at, language, settings.tz, length="short"),
            ReportOpen(report=report.id),
        )
        for report in found
    ]


async def inbox_screen(
    session: AsyncSession, user: User, view: InboxPage, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    language = language_of(user, settings.default_language)
    awaiting = view.awaiting
    found, total = await reports.inbox(
        session, user, view.page, awaiting_only=awaiting, unit_id=view.unit or None
    )
    builder, _last = paged_list(
        report_entries(found, language, settings),
        view.page,
        total,
        reports.REPORTS_PAGE_SIZE,
        lambda number: InboxPage(page=number, awaiting=awaiting, unit=view.unit),
    )
    toggle = _("Show all reports") if awaiting else _("Show only those awaiting")
    builder.row(
        InlineKeyboardButton(
            text=toggle, callback_data=InboxPage(awaiting=not awaiting, unit=view.unit).pack()
        )
    )
    unit = await get_unit(session, view.unit) if view.unit else None
    unit_label = unit.display_name(language) if unit else _("all my units")
    builder.row(
        InlineKeyboardButton(
            text=_("🏢 Unit: {unit}").format(unit=unit_label)[:64],
            callback_data=UnitPage(purpose="inbox", page=0).pack(),
        )
    )
    builder.row(export_button())
    if awaiting:
        heading = _("Awaiting acknowledgement, oldest first: {count}").format(count=total)
    else:
        heading = _("All reports of your units, newest first: {count}").format(count=total)
    return heading, builder.as_markup()


async def open_inbox(
    message: Message, user: User, session: AsyncSession, settings: Settings
) -> None:
    text, markup = await inbox_screen(session, user, InboxPage(), settings)
    await message.answer(text, reply_markup=markup)


async def inbox_page(
    callback: CallbackQuery,
    callback_data: InboxPage,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    await show(callback, *await inbox_screen(session, user, callback_data, settings))


async def inbox_units(
    callback: CallbackQuery,
    callback_data: UnitPage,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    managed = await managed_unit_ids(session, user)
    nodes = [
        node for node in await unit_tree(session) if managed is None or node.unit.id in managed
    ]
    language = language_of(user, settings.default_language)
    await show(
        callback,
        _("Show the reports of which unit?"),
        unit_picker(nodes, "inbox", callback_data.page, language, none_choice=_("all my units")),
    )


async def inbox_unit_chosen(
    callback: CallbackQuery,
    callback_data: UnitPick,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    view = InboxPage(unit=callback_data.unit_id)
    await show(callback, *await inbox_screen(session, user, view, settings))


async def my_reports(
    message: Message, user: User, session: AsyncSession, settings: Settings
) -> None:
    text, markup = await reports_screen(session, user, 0, settings)
    await message.answer(text, reply_markup=markup)


async def reports_page(
    callback: CallbackQuery,
    callback_data: ReportsPage,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    await show(callback, *await reports_screen(session, user, callback_data.page, settings))


async def open_report(
    callback: CallbackQuery,
    callback_data: ReportOpen,
    user: User,
    session: AsyncSession,
    settings: Settings,
    procedures: ProcedureLibrary,
) -> None:
    language = language_of(user, settings.default_language)
    details = await reports.report_details(session, user, callback_data.report)
    report = details.report
    place = await reports.place_name(session, report, language)
    lines = [
        f"<b>{report.number}</b>" + (f" {URGENT}" if report.urgent else ""),
        _("Status: {status}").format(status=texts.report_status_name(report.status)),
        _("Found: {category}").format(category=texts.found_name(report.category)),
        _("Time of the seizure: {date}").format(
            date=format_datetime(report.occurred_at, language, settings.tz)
        ),
        _("Place: {place}").format(place=quote(place)),
        _("Items, roughly: {estimate}").format(estimate=texts.estimate_name(report.item_estimate)),
        _("Anyone in danger or hurt: {answer}").format(
            answer=_("yes") if report.anyone_in_danger else _("no")
        ),
        _("Photos: {count}").format(count=details.photos),
    ]
    if report.complete:
        lines += report_view.detail_lines(report, language, settings)
    if details.runs:
        lines.append(_("Procedures followed:"))
        for run in details.runs:
            item = procedures.get(run.procedure_id)
            title = item.procedure.title(language) if item else run.procedure_id
            started = format_datetime(run.started_at, language, settings.tz, length="short")
            lines.append(f"• {quote(title)} ({started})")
    if report.status is ReportStatus.RETURNED and report.return_comment:
        lines.append(
            _("Returned for correction: {comment}").format(comment=quote(report.return_comment))
        )
    for revision in details.revisions:
        line = _("Revision {number}: {date}").format(
            number=revision.revision,
            date=format_datetime(revision.created_at, language, settings.tz, length="short"),
        )
        changed = sorted(
            {name for field in revision.changes if (name := texts.changed_field_name(field))}
        )
        if changed:
            shown = ", ".join(changed[:CHANGES_SHOWN])
            if len(changed) > CHANGES_SHOWN:
                shown += " " + _("and {count} more").format(count=len(changed) - CHANGES_SHOWN)
            line += " — " + _("changed: {fields}").format(fields=shown)
        lines.append(line)
    if details.revision is not None:
        lines.append(f"SHA-256 {details.revision.digest}")
    builder = Keyboard()
    report_view.detail_buttons(report, builder, details.photos, language)
    if report.officer_id == user.id and report.status in drafts.COMPLETABLE:
        if report.status is ReportStatus.RETURNED and not report.complete:
            builder.button(
                text=_("⚡ Correct the quick log"), callback_data=CorrectReport(report=report.id)
            )
        if report.status is ReportStatus.RETURNED and report.complete:
            builder.button(
                text=_("✏️ Correct the report"), callback_data=ReportComplete(report=report.id)
            )
        elif not report.complete:
            builder.button(
                text=_("📝 Complete the full report"),
                callback_data=ReportComplete(report=report.id),
            )
    builder.button(text=_("« My reports"), callback_data=ReportsPage(page=0))
    builder.adjust(1)
    await show(callback, report_screens.fit(lines), builder.as_markup())


async def attach_run(
    callback: CallbackQuery,
    callback_data: AttachRun,
    user: User,
    session: AsyncSession,
    callback_answer: CallbackAnswer,
) -> None:
    await reports.attach_run(session, user, callback_data.report, callback_data.run)
    await session.commit()
    report = await reports.get_own_report(session, user, callback_data.report)
    callback_answer.text = _("Added to report No. {number}.").format(number=report.number)
    callback_answer.show_alert = True


def create_router() -> Router:
    router = Router(name="reports")
    router.message.filter(HasStatus(UserStatus.ACTIVE))
    router.callback_query.filter(HasStatus(UserStatus.ACTIVE))
    router.message.register(new_report, MenuButton(texts.MENU_NEW_REPORT))
    router.message.register(my_reports, MenuButton(texts.MENU_MY_REPORTS))
    router.callback_query.register(quick_from_run, QuickStart.filter())
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
    router.callback_query.register(reports_page, ReportsPage.filter())
    router.callback_query.register(open_report, ReportOpen.filter())
    router.callback_query.register(attach_run, AttachRun.filter())
    router.callback_query.register(correct_report, CorrectReport.filter())
    router.callback_query.register(acknowledge_report, AckReport.filter())
    router.callback_query.register(
        ask_return_comment, ReturnReport.filter(), HasRole(Role.SUPERVISOR, Role.ADMIN)
    )
    router.message.register(return_comment, ReturnForm.comment, F.text, Answer())
    router.message.register(
        open_inbox, MenuButton(texts.MENU_INBOX), HasRole(Role.SUPERVISOR, Role.ADMIN)
    )
    supervising = HasRole(Role.SUPERVISOR, Role.ADMIN)
    router.callback_query.register(inbox_page, InboxPage.filter(), supervising)
    router.callback_query.register(inbox_units, UnitPage.filter(F.purpose == "inbox"), supervising)
    router.callback_query.register(
        inbox_unit_chosen, UnitPick.filter(F.purpose == "inbox"), supervising
    )
    return router
