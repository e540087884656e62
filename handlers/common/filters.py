"""Filters on the person behind an update; the services check the same rules again."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Filter
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from babel.support import LazyProxy

from bot.config import LANGUAGES
from bot.db.models import Role, User, UserStatus
from handlers.common.texts import MENU_LABELS


class HasStatus(Filter):
    def __init__(self, *statuses: UserStatus) -> None:
        self.statuses = statuses

    async def __call__(self, event: Any, user: User | None = None) -> bool:
        return user is not None and user.status in self.statuses


class HasRole(Filter):
    """An active person with one of the roles."""

    def __init__(self, *roles: Role) -> None:
        self.roles = roles

    async def __call__(self, event: Any, user: User | None = None) -> bool:
        return user is not None and user.is_active and user.role in self.roles


_labels_by_id: dict[int, frozenset[str]] = {}


def _label_in_every_language(label: LazyProxy, i18n: I18n) -> frozenset[str]:
    # Keyed by identity: a LazyProxy compares and hashes by its value in the current locale.
    if id(label) not in _labels_by_id:
        texts = set()
        for language in LANGUAGES:
            with i18n.use_locale(language):
                texts.add(str(label))
        _labels_by_id[id(label)] = frozenset(texts)
    return _labels_by_id[id(label)]


class MenuButton(Filter):
    """A reply-keyboard press, in any language: an old keyboard may outlive a language switch."""

    def __init__(self, label: LazyProxy) -> None:
        self.label = label

    async def __call__(self, message: Message, i18n: I18n) -> bool:
        return message.text is not None and message.text in _label_in_every_language(
            self.label, i18n
        )


class AnyMenuButton(Filter):
    """Any main-menu label: a menu press is never taken as a typed answer."""

    async def __call__(self, message: Message, i18n: I18n) -> bool:
        return message.text is not None and any(
            message.text in _label_in_every_language(label, i18n) for label in MENU_LABELS
        )


class Answer(Filter):
    """A message that answers the question asked: not a /command, not a menu press (those
    open what they name, and the question waits)."""

    async def __call__(self, message: Message, i18n: I18n) -> bool:
        if (message.text or "").startswith("/"):
            return False
        return not await AnyMenuButton()(message, i18n)


def router_for(name: str, who: Filter) -> Router:
    """A router whose messages and button presses are all refused unless `who` admits the
    person behind them."""
    router = Router(name=name)
    router.message.filter(who)
    router.callback_query.filter(who)
    return router
