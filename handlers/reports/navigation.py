"""How the full-report form moves between its screens: a question, a section, the review.
Every answer is saved in the draft and committed with the state naming the next screen before
that screen is shown (see `handlers.common.prompts`)."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import ReportDraft, User
from bot.services.drafts import Target, values_of
from bot.services.report_fields import (
    Kind,
    Section,
    applicable,
    field_of,
    unconfirmed,
)
from handlers.common.prompts import question_shown, remember_question
from handlers.common.states import ReportForm
from handlers.common.ui import Screen, main_menu, show
from handlers.reports.screens import (
    question_screen,
    review_screen,
    section_screen,
)


async def screen_state(
    session: AsyncSession, state: FSMContext, draft: ReportDraft, item: int = 0
) -> None:
    await remember_question(session, state, ReportForm.screen, {"draft": draft.id, "item": item})


async def open_review(
    event: CallbackQuery | Message,
    session: AsyncSession,
    user: User,
    settings: Settings,
    state: FSMContext,
    draft: ReportDraft,
) -> None:
    await screen_state(session, state, draft)
    await present(event, await review_screen(session, user, settings, draft))


async def open_section_screen(
    event: CallbackQuery | Message,
    session: AsyncSession,
    user: User,
    settings: Settings,
    state: FSMContext,
    draft: ReportDraft,
    section: Section,
    entry: int,
) -> None:
    await screen_state(session, state, draft, entry if section is Section.ITEM else 0)
    await present(event, await section_screen(session, user, settings, draft, section, entry))


async def ask(
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
    question = {
        "draft": draft.id,
        "section": target.section.value,
        "key": target.key,
        "entry": target.entry,
        "walk": walk,
    }
    await remember_question(session, state, ReportForm.answer, question)
    screen = await question_screen(session, user, settings, draft, target, walk, candidates)
    await question_shown(state, await present(event, screen))
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


async def present(event: CallbackQuery | Message, screen: Screen) -> int | None:
    """Shows the screen; the id of the message showing it."""
    if isinstance(event, CallbackQuery):
        return await show(event, *screen)
    return (await event.answer(screen[0], reply_markup=screen[1])).message_id


async def after_answer(
    event: CallbackQuery | Message,
    session: AsyncSession,
    user: User,
    settings: Settings,
    state: FSMContext,
    draft: ReportDraft,
    target: Target,
    walk: bool,
    skipped: bool = False,
) -> None:
    """The next unanswered field of the walk, or back to the screen the field belongs to; the
    answer is committed with the state that names the next screen, before it is shown. A
    serial typed once is asked again, to be confirmed, unless the officer skips that."""
    spec = field_of(target.section, target.key)
    current = values_of(draft.content, target.section, target.entry).get(spec.key)
    if not skipped and unconfirmed(spec, current):
        await ask(event, session, user, settings, state, draft, target, walk)
        return
    if walk:
        following = next_unanswered(draft, target)
        if following is not None:
            await ask(event, session, user, settings, state, draft, following, walk=True)
            return
    if target.section is Section.INCIDENT:
        await open_review(event, session, user, settings, state, draft)
    else:
        await open_section_screen(
            event, session, user, settings, state, draft, target.section, target.entry
        )


def next_unanswered(draft: ReportDraft, target: Target) -> Target | None:
    values = values_of(draft.content, target.section, target.entry)
    keys = [spec.key for spec in applicable(target.section, values)]
    later = keys[keys.index(target.key) + 1 :] if target.key in keys else keys
    for key in later:
        if values.get(key) is None:
            return Target(target.section, key, target.entry)
    return None


def target_of(data: dict[str, Any]) -> Target:
    return Target(Section(data["section"]), data["key"], int(data["entry"]))


async def menu_back(bot: Bot | None, user: User) -> None:
    # The location keyboard has done its job: give the menu back.
    if bot is not None:
        await bot.send_message(user.telegram_id, _("📍 Place noted."), reply_markup=main_menu(user))
