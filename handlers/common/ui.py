"""Keyboards and message helpers shared by the features; built inside handlers, in the
reader's locale (lazy strings cannot go into API objects)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from bot.config import LANGUAGES, Settings
from bot.db.models import Role, SeizureReport, User
from bot.i18n import format_datetime
from bot.services.units import UnitNode
from handlers.common import texts
from handlers.common.callbacks import LanguagePick, ReportOpen, UnitPage, UnitPick
from handlers.common.keyboard import Keyboard
from handlers.common.texts import URGENT

# A screen: its text and its buttons.
Screen = tuple[str, InlineKeyboardMarkup]

UNITS_PER_PAGE = 8
log = logging.getLogger(__name__)


def page_turns(page: int, last_page: int, callback_for: Callable[[int], CallbackData]) -> Keyboard:
    """◀️ and ▶️ where there is a page to turn to."""
    navigation = Keyboard()
    if page > 0:
        navigation.button(text="◀️", callback_data=callback_for(page - 1))
    if page < last_page:
        navigation.button(text="▶️", callback_data=callback_for(page + 1))
    return navigation


def paged_list(
    entries: list[tuple[str, CallbackData]],
    page: int,
    total: int,
    page_size: int,
    callback_for: Callable[[int], CallbackData],
) -> tuple[Keyboard, int]:
    """One button per entry, one per row, with page turns below; returns the last page too."""
    builder = Keyboard()
    for label, callback_data in entries:
        # Long labels are cut: Telegram shows about this much of a button on a phone.
        builder.button(text=label[:64], callback_data=callback_data)
    builder.adjust(1)
    last_page = max((total - 1) // page_size, 0)
    builder.attach(page_turns(page, last_page, callback_for))
    return builder, last_page


def main_menu(user: User) -> ReplyKeyboardMarkup:
    rows = [
        [texts.MENU_PROCEDURES, texts.MENU_NEW_REPORT],
        [texts.MENU_MY_REPORTS, texts.MENU_MY_DRAFTS],
    ]
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        rows.append([texts.MENU_INBOX, texts.MENU_INVITE])
    if user.role is Role.ADMIN:
        rows[-1].append(texts.MENU_USERS)
    rows.append([texts.MENU_LANGUAGE, texts.MENU_HELP])
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=str(label)) for label in row] for row in rows],
        resize_keyboard=True,
        is_persistent=True,
    )


def language_keyboard() -> InlineKeyboardMarkup:
    builder = Keyboard()
    for code in LANGUAGES:
        builder.button(text=texts.LANGUAGE_NAMES[code], callback_data=LanguagePick(code=code))
    builder.adjust(1)
    return builder.as_markup()


def unit_picker(
    nodes: list[UnitNode],
    purpose: str,
    page: int,
    language: str,
    none_choice: str | None = None,
) -> InlineKeyboardMarkup:
    builder = Keyboard()
    last_page = max((len(nodes) - 1) // UNITS_PER_PAGE, 0)
    page = min(max(page, 0), last_page)
    if none_choice and page == 0:
        # Unit id 0 stands for "no particular unit": the top level, or all units.
        builder.button(text=none_choice, callback_data=UnitPick(purpose=purpose, unit_id=0))
    for node in nodes[page * UNITS_PER_PAGE : (page + 1) * UNITS_PER_PAGE]:
        indent = "· " * node.depth
        name = node.unit.display_name(language)
        builder.button(
            text=f"{indent}{name}"[:60],
            callback_data=UnitPick(purpose=purpose, unit_id=node.unit.id),
        )
    builder.adjust(1)
    builder.attach(
        page_turns(page, last_page, lambda number: UnitPage(purpose=purpose, page=number))
    )
    return builder.as_markup()


async def show(
    callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> int | None:
    """Replace the screen the button was on; an identical screen is not an error. Returns the
    id of the message that shows it."""
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(text, reply_markup=markup)
            return callback.message.message_id
        except TelegramBadRequest as error:
            if "message is not modified" in error.message:
                return callback.message.message_id
            log.info("could not edit message, sending a new one: %s", error.message)
    if callback.message is not None:
        sent = await callback.bot.send_message(callback.message.chat.id, text, reply_markup=markup)
        return sent.message_id
    return None


async def replace_buttons(callback: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Turn a page of buttons; the text above them stays. Same buttons again is no error."""
    if isinstance(callback.message, Message):
        with suppress(TelegramBadRequest):
            await callback.message.edit_reply_markup(reply_markup=markup)


def report_entries(
    found: list[SeizureReport], language: str, settings: Settings
) -> list[tuple[str, ReportOpen]]:
    return [
        (
            (URGENT + " " if report.urgent else "")
            + (texts.EXERCISE_MARK + " " if report.exercise else "")
            + f"{report.number or '—'} · {texts.report_status_name(report.status)} · "
            + format_datetime(report.occurred_at, language, settings.tz, length="short"),
            ReportOpen(report=report.id),
        )
        for report in found
    ]
