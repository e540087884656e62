"""The supervisors' Mini App: a map of seizures, trends and the open work in Telegram, served
by the bot's own web server (the webhook's, or HEALTH_PORT's when polling)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import I18n
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Role, User, UserStatus
from bot.i18n import language_of
from handlers.common.overview import overview_menu_button
from handlers.webapp.api import TOOLS, WebAppTools, add_api_routes
from handlers.webapp.page import add_page_routes

__all__ = ["WebAppTools", "add_webapp_routes", "create_router", "set_overview_menu_buttons"]

log = logging.getLogger(__name__)


def create_router() -> Router:
    # The Mini App talks over HTTP, not through updates: no screens in the dispatcher.
    return Router(name="webapp")


def webapp_path(webapp_url: str) -> str:
    """Where the page is served: the path of WEBAPP_URL (the address Telegram opens)."""
    return urlsplit(webapp_url).path.rstrip("/") or "/webapp"


def add_webapp_routes(web_app: web.Application, tools: WebAppTools, webapp_url: str) -> None:
    prefix = webapp_path(webapp_url)
    web_app[TOOLS] = tools
    add_page_routes(web_app, prefix)
    add_api_routes(web_app, prefix)


async def set_overview_menu_buttons(
    bot: Bot,
    session_factory: async_sessionmaker[AsyncSession],
    i18n: I18n,
    webapp_url: str,
    default_language: str,
) -> None:
    """Each active supervisor's and admin's chat menu button opens the Mini App, labelled in
    their language; a chat that cannot be reached is skipped."""
    async with session_factory() as session:
        people = await session.scalars(
            select(User).where(
                User.status == UserStatus.ACTIVE, User.role.in_((Role.SUPERVISOR, Role.ADMIN))
            )
        )
        for person in people.all():
            with i18n.context(), i18n.use_locale(language_of(person, default_language)):
                button = overview_menu_button(webapp_url)
            try:
                await bot.set_chat_menu_button(chat_id=person.telegram_id, menu_button=button)
            except TelegramAPIError as error:
                log.warning("menu button of user %s not set: %s", person.id, error)
