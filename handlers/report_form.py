"""The full report: a guided walk through its fields, a review screen from which any field is
changed, items and persons, photos, My drafts, and submission. Every answer is saved in the
draft before the next question is shown."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import ReportDraft, User, UserStatus, utcnow
from bot.delivery import DeliveryWorker
from bot.i18n import format_datetime, language_of
from bot.media import MediaStore
from bot.services import drafts
from bot.services.drafts import Incomplete, Target, values_of
from bot.services.errors import InvalidInput
from bot.services.report_fields import (
    REPEATED,
    AmbiguousCountry,
    Kind,
    Section,
    applicable,
    field_of,
)
from handlers import report_texts, texts
from handlers.callbacks import (
    DraftAddEntry,
    DraftAsk,
    DraftChoice,
    DraftDiscard,
    DraftOpen,
    DraftPhotoRemove,
    DraftPhotos,
    DraftRemoveEntry,
    DraftSectionOpen,
    DraftsList,
    DraftSubmit,
    FullReportStart,
    PhotoDecision,
    ReportComplete,
)
from handlers.evidence import keep_photo
from handlers.filters import Answer, HasStatus, MenuButton
from handlers.keyboard import Keyboard
from handlers.messages import input_problem
from handlers.report_screens import (
    CLEAR,
    PLACE_UNIT,
    SKIP,
    Screen,
    back_to_report,
    drafts_screen,
    entry_number,
    question_screen,
    review_screen,
    section_screen,
)
from handlers.report_texts import answer_problem, field_label, section_title
from handlers.states import QuickLogForm, ReportForm
from handlers.ui import main_menu, show

# --- showing screens -------------------------------------------------------------------------


async def _screen_state(state: FSMContext, draft: ReportDraft, item: int = 0) -> None:
    await state.set_state(ReportForm.screen)
    await state.set_data({"draft": draft.id, "item": item})


async def _open_review(
    event: CallbackQuery | Message,
    session: AsyncSession,
    user: User,
    settings: Settings,
    state: FSMContext,
    draft: ReportDraft,
) -> None:
    await _screen_state(state, draft)
    await _present(event, await review_screen(session, user, settings, draft))


async def _open_section(
    event: CallbackQuery | Message,
    session: AsyncSession,
    user: User,
    settings: Settings,
    state: FSMContext,
    draft: ReportDraft,
    section: Section,
    entry: int,
) -> None:
    await _screen_state(state, draft, entry if section is Section.ITEM else 0)
    await _present(event, await section_screen(session, user, settings, draft, section, entry))


async def _ask(
    event: CallbackQuery | Message,
    session: AsyncSession,
    user: User,
    settings: Settings,
    state: FSMContext,
    draft: ReportDraft,
    target: Target,
    walk: bool,
    candidates: list[str] | None = None,
) -> None:
    await state.set_state(ReportForm.answer)
    await state.set_data(
        {
            "draft": draft.id,
            "section": target.section.value,
            "key": target.key,
            "entry": target.entry,
            "walk": walk,
        }
    )
    screen = await question_screen(session, user, settings, draft, target, walk, candidates)
    await _present(event, screen)
    if field_of(target.section, target.key).kind is Kind.PLACE:
        location_keyboard = ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=_("📍 Send my location"), request_location=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        await event.bot.send_message(  # type: ignore[union-attr]
            user.telegram_id,
            _("Or use the button below to send your location."),
            reply_markup=location_keyboard,
        )


async def _present(event: CallbackQuery | Message, screen: Screen) -> None:
    if isinstance(event, CallbackQuery):
        await show(event, *screen)
    else:
        await event.answer(screen[0], reply_markup=screen[1])


async def _after_answer(
    event: CallbackQuery | Message,
    session: AsyncSession,
    user: User,
    settings: Settings,
    state: FSMContext,
    draft: ReportDraft,
    target: Target,
    walk: bool,
) -> None:
    """The next unanswered field of the walk, or back to the screen the field belongs to."""
    await session.commit()
    if walk:
        following = _next_unanswered(draft, target)
        if following is not None:
            await _ask(event, session, user, settings, state, draft, following, walk=True)
            return
    if target.section is Section.INCIDENT:
        await _open_review(event, session, user, settings, state, draft)
    else:
        await _open_section(
            event, session, user, settings, state, draft, target.section, target.entry
        )


def _next_unanswered(draft: ReportDraft, target: Target) -> Target | None:
    values = values_of(draft.content, target.section, target.entry)
    keys = [spec.key for spec in applicable(target.section, values)]
    later = keys[keys.index(target.key) + 1 :] if target.key in keys else keys
    for key in later:
        if values.get(key) is None:
            return Target(target.section, key, target.entry)
    return None


def _target_of(data: dict[str, Any]) -> Target:
    return Target(Section(data["section"]), data["key"], int(data["entry"]))


# --- handlers ---------------------------------------------------------------------------------


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
    await _ask(callback, session, user, settings, state, draft, target, walk=True)


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
    await _open_review(callback, session, user, settings, state, draft)


async def list_drafts(
    message: Message, user: User, session: AsyncSession, settings: Settings
) -> None:
    text, markup = await drafts_screen(session, user, settings)
    await message.answer(text, reply_markup=markup)


async def drafts_page(
    callback: CallbackQuery, user: User, session: AsyncSession, settings: Settings
) -> None:
    await show(callback, *await drafts_screen(session, user, settings))


async def open_draft(
    callback: CallbackQuery,
    callback_data: DraftOpen,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    draft = await drafts.get_draft(session, user, callback_data.draft)
    await _open_review(callback, session, user, settings, state, draft)


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
        await _ask(callback, session, user, settings, state, draft, target, walk=True)
        return
    if section is Section.INCIDENT:
        await _open_section(callback, session, user, settings, state, draft, section, 0)
        return
    await _open_section(
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
    await _ask(callback, session, user, settings, state, draft, target, callback_data.walk)


async def chosen(
    callback: CallbackQuery,
    callback_data: DraftChoice,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
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
        await _menu_back(callback.bot, user)
    else:
        draft = await drafts.answer_choice(session, user, draft_id, target, code)
    await _after_answer(callback, session, user, settings, state, draft, target, callback_data.walk)


async def _menu_back(bot: Bot | None, user: User) -> None:
    # The location keyboard has done its job: give the menu back.
    if bot is not None:
        await bot.send_message(user.telegram_id, _("📍 Place noted."), reply_markup=main_menu(user))


async def typed_answer(
    message: Message,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    data = await state.get_data()
    target, walk = _target_of(data), bool(data.get("walk"))
    try:
        draft = await drafts.answer_text(
            session, user, int(data["draft"]), target, message.text or "", message.date, settings.tz
        )
    except AmbiguousCountry as several:
        draft = await drafts.get_draft(session, user, int(data["draft"]))
        await message.answer(_("Several countries match. Which one?"))
        await _ask(message, session, user, settings, state, draft, target, walk, several.candidates)
        return
    except InvalidInput as problem:
        await _reask(message, session, user, settings, state, data, problem)
        return
    if field_of(target.section, target.key).kind is Kind.PLACE:
        await _menu_back(message.bot, user)
    await _after_answer(message, session, user, settings, state, draft, target, walk)


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
    target = _target_of(data)
    spec = field_of(target.section, target.key)
    language = language_of(user, settings.default_language)
    await message.answer(answer_problem(spec, problem, language) or input_problem(problem))
    draft = await drafts.get_draft(session, user, int(data["draft"]))
    await _ask(message, session, user, settings, state, draft, target, bool(data.get("walk")))


async def location_answer(
    message: Message,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    data = await state.get_data()
    target = _target_of(data)
    assert message.location is not None
    if field_of(target.section, target.key).kind is not Kind.PLACE:
        await not_text(message, state)
        return
    try:
        draft = await drafts.answer_location(
            session, user, int(data["draft"]), message.location.latitude, message.location.longitude
        )
    except InvalidInput as problem:
        await _reask(message, session, user, settings, state, data, problem)
        return
    await _menu_back(message.bot, user)
    walk = bool(data.get("walk"))
    await _after_answer(message, session, user, settings, state, draft, target, walk)


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


async def photo_received(
    message: Message,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    bot: Bot,
    media: MediaStore,
) -> None:
    """A photo sent while a draft is open joins it: the item on screen's, or the report's."""
    assert message.photo
    data = await state.get_data()
    item = int(data.get("item") or 0)
    if data.get("section") == Section.ITEM.value:
        item = int(data["entry"])
    largest = message.photo[-1]
    sha256 = await keep_photo(bot, media, largest.file_id)
    draft_id = int(data["draft"])
    photo = await drafts.add_photo(
        session, user, draft_id, largest.file_id, largest.file_unique_id, sha256, item or None
    )
    await session.commit()
    # A reply, so that among several photos sent at once the button names its own.
    await message.reply(
        _photo_saved(photo),
        reply_markup=_photo_kept_keyboard(draft_id, photo),
        allow_sending_without_reply=True,
    )


def _photo_saved(photo: drafts.DraftPhoto) -> str:
    if photo.item:
        return _("📷 Photo of this item saved ({count}).").format(count=photo.count)
    return _("📷 Photo of the report saved ({count}).").format(count=photo.count)


def _photo_kept_keyboard(draft_id: int, photo: drafts.DraftPhoto) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(
        text=_("🗑 Remove this photo"),
        callback_data=DraftPhotoRemove(draft=draft_id, photo=photo.id),
    )
    return builder.as_markup()


async def remove_photo(
    callback: CallbackQuery,
    callback_data: DraftPhotoRemove,
    user: User,
    session: AsyncSession,
) -> None:
    """Asked first: the photo may be evidence. Whatever screen the officer is on stays as it is."""
    if callback_data.decision is PhotoDecision.REMOVE:
        photo = await drafts.remove_photo(session, user, callback_data.draft, callback_data.photo)
        await session.commit()
        if photo.item:
            text = _("🗑 Photo removed from the draft. Photos of this item: {count}.")
        else:
            text = _("🗑 Photo removed from the draft. Photos of the report: {count}.")
        await show(callback, text.format(count=photo.count))
        return
    draft = await drafts.get_draft(session, user, callback_data.draft)
    photo = drafts.photo_in_draft(draft, callback_data.photo)
    if callback_data.decision is PhotoDecision.KEEP:
        await show(callback, _photo_saved(photo), _photo_kept_keyboard(draft.id, photo))
        return
    builder = Keyboard()
    for text, decision in (
        (_("🗑 Yes, remove it"), PhotoDecision.REMOVE),
        (_("« No, keep it"), PhotoDecision.KEEP),
    ):
        builder.button(
            text=text, callback_data=callback_data.model_copy(update={"decision": decision})
        )
    builder.adjust(1)
    question = _("Remove this photo from the draft? It will not be part of the report.")
    await show(callback, question, builder.as_markup())


async def use_buttons(message: Message) -> None:
    await message.answer(
        _("Use the buttons above, or send photos to add them. The draft is saved.")
    )


async def ask_photos(
    callback: CallbackQuery,
    callback_data: DraftPhotos,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    draft = await drafts.get_draft(session, user, callback_data.draft)
    if callback_data.item:
        values_of(draft.content, Section.ITEM, callback_data.item)
    await _screen_state(state, draft, callback_data.item)
    callback_answer.show_alert = True
    callback_answer.text = _(
        "Send the photos now, as photos (not files). Each one is saved as it arrives."
    )


async def add_entry(
    callback: CallbackQuery,
    callback_data: DraftAddEntry,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    section = Section(callback_data.section)
    if section not in REPEATED:
        raise InvalidInput("field", "unknown")
    kinds = field_of(Section.ITEM, "kind").choices
    if section is Section.ITEM and callback_data.kind not in kinds:
        draft = await drafts.get_draft(session, user, callback_data.draft)
        builder = Keyboard()
        for kind in kinds:
            builder.button(
                text=report_texts.choice_name(kind),
                callback_data=DraftAddEntry(draft=draft.id, section=section, kind=kind),
            )
        builder.adjust(2)
        builder.row(back_to_report(draft))
        await show(callback, _("What kind of item?"), builder.as_markup())
        return
    first = {"kind": callback_data.kind} if section is Section.ITEM else {}
    draft, entry = await drafts.add_entry(session, user, callback_data.draft, section, first)
    target = Target(section, "role", entry)
    if section is Section.ITEM:
        # The kind is chosen: on to the first field of that kind.
        kind = Target(section, "kind", entry)
        target = _next_unanswered(draft, kind) or kind
    await session.commit()
    await _ask(callback, session, user, settings, state, draft, target, walk=True)


async def remove_entry(
    callback: CallbackQuery,
    callback_data: DraftRemoveEntry,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    section = Section(callback_data.section)
    draft = await drafts.get_draft(session, user, callback_data.draft)
    if not callback_data.confirmed:
        number = entry_number(draft.content, section, callback_data.entry)
        builder = Keyboard()
        builder.button(
            text=_("🗑 Yes, remove it"),
            callback_data=DraftRemoveEntry(
                draft=draft.id, section=section, entry=callback_data.entry, confirmed=True
            ),
        )
        builder.button(
            text=_("« No, keep it"),
            callback_data=DraftSectionOpen(
                draft=draft.id, section=section, entry=callback_data.entry
            ),
        )
        builder.adjust(1)
        question = _("Remove {what} from the draft? Its photos stay with the report.")
        await show(
            callback, question.format(what=section_title(section, number)), builder.as_markup()
        )
        return
    draft = await drafts.remove_entry(session, user, draft.id, section, callback_data.entry)
    await session.commit()
    await _open_review(callback, session, user, settings, state, draft)


async def submit(
    callback: CallbackQuery,
    callback_data: DraftSubmit,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
    delivery: DeliveryWorker,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        report = await drafts.submit(session, user, callback_data.draft, settings.tz)
    except Incomplete as incomplete:
        await session.rollback()
        labels = [field_label(gap.target.key) for gap in incomplete.gaps[:5]]
        callback_answer.show_alert = True
        callback_answer.text = _("Still missing: {fields}").format(fields=", ".join(labels))[:200]
        draft = await drafts.get_draft(session, user, callback_data.draft)
        await _open_review(callback, session, user, settings, state, draft)
        return
    await session.commit()
    delivery.wake()
    await state.clear()
    language = language_of(user, settings.default_language)
    lines = [
        _("✅ Report No. {number} submitted (revision {revision}).").format(
            number=report.number, revision=report.revision
        ),
        _("Time of the seizure: {date}").format(
            date=format_datetime(report.occurred_at, language, settings.tz)
        ),
        _("Your supervisors are being told now."),
    ]
    await show(callback, "\n".join(lines))


async def discard(
    callback: CallbackQuery,
    callback_data: DraftDiscard,
    user: User,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    draft = await drafts.get_draft(session, user, callback_data.draft)
    if not callback_data.confirmed:
        builder = Keyboard()
        builder.button(
            text=_("🗑 Yes, discard it"),
            callback_data=DraftDiscard(draft=draft.id, confirmed=True),
        )
        builder.button(text=_("« No, keep it"), callback_data=DraftOpen(draft=draft.id))
        builder.adjust(1)
        if draft.report_id:
            question = _(
                "Discard the changes of this draft? The report as submitted stays unchanged."
            )
        else:
            question = _("Discard this draft? Everything typed in it is deleted.")
        await show(callback, question, builder.as_markup())
        return
    await drafts.discard(session, user, draft.id)
    await session.commit()
    await state.clear()
    await show(callback, _("🗑 Draft discarded."))


def create_router() -> Router:
    router = Router(name="report_form")
    router.message.filter(HasStatus(UserStatus.ACTIVE))
    router.callback_query.filter(HasStatus(UserStatus.ACTIVE))
    router.message.register(list_drafts, MenuButton(texts.MENU_MY_DRAFTS))
    router.callback_query.register(drafts_page, DraftsList.filter())
    router.callback_query.register(start_full, FullReportStart.filter())
    router.callback_query.register(complete_report, ReportComplete.filter())
    router.callback_query.register(open_draft, DraftOpen.filter())
    router.callback_query.register(open_section, DraftSectionOpen.filter())
    router.callback_query.register(ask_field, DraftAsk.filter())
    router.callback_query.register(chosen, DraftChoice.filter())
    router.callback_query.register(ask_photos, DraftPhotos.filter())
    router.callback_query.register(remove_photo, DraftPhotoRemove.filter())
    router.callback_query.register(add_entry, DraftAddEntry.filter())
    router.callback_query.register(remove_entry, DraftRemoveEntry.filter())
    router.callback_query.register(submit, DraftSubmit.filter())
    router.callback_query.register(discard, DraftDiscard.filter())
    in_form = StateFilter(ReportForm.answer, ReportForm.screen)
    router.message.register(photo_received, in_form, F.photo)
    router.message.register(typed_answer, ReportForm.answer, F.text, Answer())
    router.message.register(location_answer, ReportForm.answer, F.location)
    router.message.register(not_text, ReportForm.answer, Answer())
    router.message.register(use_buttons, ReportForm.screen, Answer())
    return router
