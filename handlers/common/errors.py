"""Turns refusals of the services into localized answers; logs the unexpected, never shows it."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.middlewares.people import locale_of
from bot.services.errors import AccessDenied, DomainError, InvalidInput, NotFound
from handlers.common.messages import input_problem

log = logging.getLogger(__name__)


def explain(error: Exception) -> str:
    if isinstance(error, AccessDenied):
        return _("You are not allowed to do this. Nothing was changed.")
    if isinstance(error, NotFound):
        return _("This item no longer exists. Nothing was changed.")
    if isinstance(error, InvalidInput):
        return input_problem(error)
    if isinstance(error, DomainError):
        return _("This action cannot be done now. Nothing was changed.")
    return _("Something went wrong on our side. Nothing saved before was lost; please try again.")


async def answer_error(event: ErrorEvent, i18n: I18n, settings: Settings, **data: Any) -> None:
    error = event.exception
    update = event.update
    if isinstance(error, DomainError):
        log.info("update %s refused: %r", update.update_id, error)
    else:
        log.error("update %s failed", update.update_id, exc_info=error)
    with i18n.use_locale(locale_of(data, settings.default_language)):
        text = explain(error)
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text[:200], show_alert=True)
            elif update.message is not None:
                await update.message.answer(text)
        except TelegramForbiddenError:
            log.info("user of update %s has blocked the bot", update.update_id)
        except Exception:
            log.exception("could not tell the user of update %s about an error", update.update_id)


def create_router() -> Router:
    router = Router(name="errors")
    router.error.register(answer_error)
    return router
