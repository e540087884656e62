"""Turns refusals of the services into localized answers; logs the unexpected, never shows it."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
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
    return _(
        "Something went wrong on our side. Nothing saved before was lost, and the bot tries "
        "your last action again by itself: do not send it again unless nothing happens "
        "within a minute."
    )


class ToldOnce:
    """Update ids whose person was already told of a failure. A failed update is handled again
    (bot/receiving.py) until it succeeds or is given up: the person hears of it once, not at
    every attempt, and is asked not to repeat what the bot repeats by itself."""

    def __init__(self, remembered: int = 10_000) -> None:
        self._told: OrderedDict[int, None] = OrderedDict()
        self._remembered = remembered

    def first_time(self, update_id: int) -> bool:
        if update_id in self._told:
            return False
        self._told[update_id] = None
        if len(self._told) > self._remembered:
            self._told.popitem(last=False)
        return True


def refusal(error: DomainError) -> str:
    """A refusal as the log tells it: its kind and codes, never what it carries for the
    person's answer (the name of who decided, what was typed)."""
    if isinstance(error, InvalidInput):
        return f"{type(error).__name__}({error.field}: {error.reason})"
    if isinstance(error, NotFound):
        return f"NotFound({error.what})"
    return type(error).__name__


async def answer_error(
    event: ErrorEvent, i18n: I18n, settings: Settings, told: ToldOnce, **data: Any
) -> None:
    error = event.exception
    update = event.update
    if isinstance(error, DomainError):
        log.info("update %s refused: %s", update.update_id, refusal(error))
    elif isinstance(error, TelegramForbiddenError):
        log.info("update %s: the person has blocked the bot", update.update_id)
        return
    else:
        log.error("update %s failed", update.update_id, exc_info=error)
        if not told.first_time(update.update_id):
            return
    with i18n.use_locale(locale_of(data, settings.default_language)):
        text = explain(error)
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text[:200], show_alert=True)
            elif update.message is not None:
                await update.message.answer(text)
        except TelegramForbiddenError:
            log.info("user of update %s has blocked the bot", update.update_id)
        except TelegramBadRequest as refused:
            # A press answered too late ("query is too old"): nothing to tell any more.
            log.warning("could not tell the user of update %s: %s", update.update_id, refused)
        except Exception:
            log.exception("could not tell the user of update %s about an error", update.update_id)


def create_router() -> Router:
    told = ToldOnce()

    async def answer(event: ErrorEvent, i18n: I18n, settings: Settings, **data: Any) -> None:
        await answer_error(event, i18n, settings, told, **data)

    router = Router(name="errors")
    router.error.register(answer)
    return router
