"""The "📊 Overview" button that opens the supervisors' Mini App (handlers/webapp), on a
report's notification and as the chat's menu button."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo
from aiogram.utils.i18n import gettext as _


def overview_label() -> str:
    return _("📊 Overview")


def overview_url(webapp_url: str, report_id: int | None = None) -> str:
    """The Mini App's address; with a report, it opens on the map at that report, one tap
    away from the report's page."""
    return webapp_url if report_id is None else f"{webapp_url}?report={report_id}"


def with_overview_button(
    markup: InlineKeyboardMarkup, webapp_url: str, report_id: int
) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        text=overview_label(), web_app=WebAppInfo(url=overview_url(webapp_url, report_id))
    )
    return InlineKeyboardMarkup(inline_keyboard=[*markup.inline_keyboard, [button]])


def overview_menu_button(webapp_url: str) -> MenuButtonWebApp:
    return MenuButtonWebApp(text=overview_label(), web_app=WebAppInfo(url=webapp_url))
