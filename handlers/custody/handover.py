"""Starting a hand-over: which items, to whom, why, under which seal, its photo and whether the
seal is intact. Every typed answer is taken only for the question on screen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import User, UserStatus
from bot.i18n import language_of
from bot.media import MediaStore
from bot.services import custody
from bot.services.errors import InvalidInput
from bot.services.report_fields import Section
from handlers.common import report_values
from handlers.common.callbacks import CustodyOpen, CustodyPick, CustodySeal, CustodyStart, CustodyTo
from handlers.common.evidence import keep_photo
from handlers.common.filters import HasStatus, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.prompts import ask_typed, question_on_screen
from handlers.common.states import CustodyForm
from handlers.common.ui import show
from handlers.custody.problems import custody_problem

ALL, NEXT = 0, -1


async def items_keyboard(
    session: AsyncSession, user: User, report_id: int, chosen: list[int], language: str
) -> tuple[str, InlineKeyboardMarkup]:
    report = await custody.readable_report(session, user, report_id)
    entries = {int(values["number"]): values for values in report.details.get("items", [])}
    builder = Keyboard()
    for number in await custody.items_to_hand_over(session, user, report):
        mark = "☑️" if number in chosen else "⬜"
        summary = report_values.entry_summary(Section.ITEM, entries[number], number, language)
        builder.button(
            text=f"{mark} {summary}"[:60], callback_data=CustodyPick(report=report_id, item=number)
        )
    builder.button(text=_("All items"), callback_data=CustodyPick(report=report_id, item=ALL))
    if chosen:
        builder.button(text=_("Next ▶️"), callback_data=CustodyPick(report=report_id, item=NEXT))
    builder.button(text=_("« Back"), callback_data=CustodyOpen(report=report_id))
    builder.adjust(1)
    return _("🤝 Which items do you hand over? Tap each one."), builder.as_markup()


async def start(
    callback: CallbackQuery,
    callback_data: CustodyStart,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    language = language_of(user, settings.default_language)
    text, markup = await items_keyboard(session, user, callback_data.report, [], language)
    await state.set_state(CustodyForm.items)
    await state.set_data({"report": callback_data.report, "items": []})
    await show(callback, text, markup)


async def pick(
    callback: CallbackQuery,
    callback_data: CustodyPick,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    data = await state.get_data()
    report_id = callback_data.report
    if data.get("report") != report_id:
        await state.set_data(data := {"report": report_id, "items": []})
    held = await custody.items_to_hand_over(
        session, user, await custody.readable_report(session, user, report_id)
    )
    chosen = [number for number in data["items"] if number in held]
    if callback_data.item == NEXT and chosen:
        await state.set_state(CustodyForm.receiver_kind)
        await state.update_data({"items": chosen})
        builder = Keyboard()
        builder.button(
            text=_("👤 A user of the bot"), callback_data=CustodyTo(report=report_id, outside=False)
        )
        builder.button(
            text=_("🏛 An outside body (laboratory, court…)"),
            callback_data=CustodyTo(report=report_id, outside=True),
        )
        builder.adjust(1)
        await show(callback, _("🤝 To whom do you hand them over?"), builder.as_markup())
        return
    if callback_data.item == ALL:
        chosen = held
    elif callback_data.item in held:
        number = callback_data.item
        chosen = [n for n in chosen if n != number] if number in chosen else [*chosen, number]
    await state.update_data({"items": sorted(chosen)})
    language = language_of(user, settings.default_language)
    await show(callback, *await items_keyboard(session, user, report_id, chosen, language))


QUESTIONS: dict[str, Callable[[], str]] = {
    CustodyForm.receiver.state: lambda: _(
        "👤 Type the receiver's @username or Telegram id (they must use this bot)."
    ),
    "outside": lambda: _("🏛 Type the name of the outside body (a laboratory, a court…)."),
    CustodyForm.purpose.state: lambda: _("🎯 Type the purpose of the hand-over."),
    CustodyForm.seal_number.state: lambda: _("🔖 Type the seal or package number."),
    CustodyForm.seal_photo.state: lambda: _("📷 Send a photo of the sealed package."),
}


async def ask(
    message: Message, session: AsyncSession, state: FSMContext, question: State, **update: Any
) -> None:
    """Store the next question, then send it (prompts.py: the screen never runs ahead)."""
    data = {**await state.get_data(), **update}
    key = "outside" if question == CustodyForm.receiver and data.get("outside") else question.state
    await ask_typed(session, state, question, data, lambda: message.answer(QUESTIONS[key]()))


async def receiver_kind(
    callback: CallbackQuery,
    callback_data: CustodyTo,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    assert isinstance(callback.message, Message)
    await ask(callback.message, session, state, CustodyForm.receiver, outside=callback_data.outside)


async def typed(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    check: Callable[[dict[str, Any], str], Awaitable[dict[str, Any]]],
    next_question: State,
) -> None:
    """A typed answer checked by `check` (which returns what to keep), then the next question;
    a wrong one is explained and asked again, nothing kept."""
    data = await state.get_data()
    current = await state.get_state()
    again = next(item for item in CustodyForm.__all_states__ if item.state == current)
    if not await question_on_screen(message, data, lambda: ask(message, session, state, again)):
        return
    try:
        kept = await check(data, message.text or "")
    except InvalidInput as problem:
        await message.answer(custody_problem(problem))
        await ask(message, session, state, again)
        return
    await ask(message, session, state, next_question, **kept)


async def receiver_typed(
    message: Message, user: User, session: AsyncSession, state: FSMContext
) -> None:
    async def check(data: dict[str, Any], text: str) -> dict[str, Any]:
        if data.get("outside"):
            return {"outside_body": custody.validate_outside_body(text), "receiver": None}
        report = await custody.readable_report(session, user, data["report"])
        receiver = await custody.find_receiver(session, user, report, text)
        return {"receiver": receiver.id, "outside_body": None}

    await typed(message, state, session, check, CustodyForm.purpose)


async def purpose_typed(message: Message, session: AsyncSession, state: FSMContext) -> None:
    async def check(_data: dict[str, Any], text: str) -> dict[str, Any]:
        return {"purpose": custody.validate_purpose(text)}

    await typed(message, state, session, check, CustodyForm.seal_number)


async def seal_typed(message: Message, session: AsyncSession, state: FSMContext) -> None:
    async def check(_data: dict[str, Any], text: str) -> dict[str, Any]:
        return {"seal_number": await custody.free_seal_number(session, text)}

    await typed(message, state, session, check, CustodyForm.seal_photo)


async def seal_photo(
    message: Message,
    session: AsyncSession,
    state: FSMContext,
    bot: Bot,
    media: MediaStore,
) -> None:
    data = await state.get_data()
    again = lambda: ask(message, session, state, CustodyForm.seal_photo)  # noqa: E731
    if not await question_on_screen(message, data, again):
        return
    if not message.photo:
        await message.answer(_("That is not a photo. Please send a photo of the sealed package."))
        await again()
        return
    largest = message.photo[-1]
    sha256 = await keep_photo(bot, media, largest.file_id)
    await session.commit()
    await state.set_state(CustodyForm.seal_intact)
    await state.update_data({"seal_photo": [largest.file_id, sha256]})
    builder = Keyboard()
    builder.button(
        text=_("✅ Intact"), callback_data=CustodySeal(report=data["report"], intact=True)
    )
    builder.button(
        text=_("⚠️ Not intact"), callback_data=CustodySeal(report=data["report"], intact=False)
    )
    await message.answer(_("🔖 Is the seal intact?"), reply_markup=builder.as_markup())


async def seal_state(
    callback: CallbackQuery,
    callback_data: CustodySeal,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    data = await state.get_data()
    if data.get("report") != callback_data.report:
        callback_answer.text = _("This hand-over form is no longer open.")
        return
    receiver = await session.get(User, data["receiver"]) if data.get("receiver") else None
    handover = custody.Handover(
        items=list(data["items"]),
        receiver=custody.Receiver(receiver, data.get("outside_body")),
        purpose=data["purpose"],
        seal_number=data["seal_number"],
        seal_photo=custody.SealPhoto(*data["seal_photo"]),
        seal_intact=callback_data.intact,
    )
    try:
        # A savepoint: a refused hand-over leaves nothing of itself, the update's claim stays.
        async with session.begin_nested():
            transfer = await custody.start_handover(session, user, callback_data.report, handover)
    except (InvalidInput, custody.ItemsNotHeld) as problem:
        await state.clear()
        await session.commit()
        builder = Keyboard()
        builder.button(text=_("🔗 Custody"), callback_data=CustodyOpen(report=callback_data.report))
        await show(callback, custody_problem(problem), builder.as_markup())
        return
    await state.clear()
    await session.commit()
    builder = Keyboard()
    builder.button(text=_("🔗 Custody"), callback_data=CustodyOpen(report=callback_data.report))
    if transfer.receiver_id is not None:
        text = _("🤝 Hand-over {id} started. The items stay with you until the receiver confirms.")
    else:
        text = _(
            "🤝 Hand-over {id} started. The items stay with you until you confirm it with a "
            "photo of the signed act (on the custody screen)."
        )
    await show(callback, text.format(id=transfer.id), builder.as_markup())


def create_router() -> Router:
    router = router_for("custody_handover", HasStatus(UserStatus.ACTIVE))
    router.callback_query.register(start, CustodyStart.filter())
    router.callback_query.register(pick, CustodyPick.filter(), CustodyForm.items)
    router.callback_query.register(receiver_kind, CustodyTo.filter(), CustodyForm.receiver_kind)
    router.callback_query.register(seal_state, CustodySeal.filter(), CustodyForm.seal_intact)
    router.message.register(receiver_typed, CustodyForm.receiver, F.text)
    router.message.register(purpose_typed, CustodyForm.purpose, F.text)
    router.message.register(seal_typed, CustodyForm.seal_number, F.text)
    router.message.register(seal_photo, CustodyForm.seal_photo)
    return router
