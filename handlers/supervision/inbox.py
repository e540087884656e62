"""The supervisors' Inbox: reports of their units, those awaiting acknowledgement first."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import (
    Role,
    User,
)
from bot.i18n import language_of
from bot.services import reports
from bot.services.permissions import managed_unit_ids
from bot.services.units import get_unit, unit_tree
from handlers.common import texts
from handlers.common.callbacks import (
    InboxPage,
    UnitPage,
    UnitPick,
)
from handlers.common.filters import HasRole, MenuButton, router_for
from handlers.common.ui import paged_list, report_entries, show, unit_picker
from handlers.documents import export_button


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


def create_router() -> Router:
    router = router_for("inbox", HasRole(Role.SUPERVISOR, Role.ADMIN))
    router.message.register(open_inbox, MenuButton(texts.MENU_INBOX))
    router.callback_query.register(inbox_page, InboxPage.filter())
    router.callback_query.register(inbox_units, UnitPage.filter(F.purpose == "inbox"))
    router.callback_query.register(inbox_unit_chosen, UnitPick.filter(F.purpose == "inbox"))
    return router
