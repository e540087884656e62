"""When the database or Redis is unreachable, a person is told so once, in their language,
instead of getting a traceback's "something went wrong" on every message.

"Once per outage" means: a person who was told is not told again until one of their updates
has been handled (the outage is over for them); their next update that meets the outage tells
them again. It is kept in this process's memory, so with several replicas a person may be told
once by each. During the outage nothing of the update is stored: its transaction rolled back
with the claim of its id (bot/middlewares/database.py), so a delivery again after recovery is
handled as new. The notice is sent with a short timeout and never raises.

Registered as the first of our outer middlewares, outside the one that notes a failed update
(bot/receiving.py): the update still counts as failed there and is not confirmed to Telegram,
while the error handlers, which would answer a second time, see it answered.
"""

from __future__ import annotations

import logging
import socket
import sys
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.config import LANGUAGES, Settings
from bot.fsm_storage import ChatBusy

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# The notice must not keep the update (and shutdown) waiting on a Bot API that is slow too.
NOTICE_TIMEOUT_SECONDS = 5
# Languages of people seen lately, for telling them in theirs when the users table is out of
# reach; a person not among them is told in Telegram's language or the default.
REMEMBERED_LANGUAGES = 10_000


def outage_notice() -> str:
    # The update is handled again once the service is back (bot/receiving.py): asking the
    # person to send it again would have it done twice.
    return _(
        "The service is temporarily unavailable. Nothing you sent is lost: it will be handled "
        "as soon as the service is back."
    )


def busy_notice() -> str:
    return _("⏳ Your previous message is still being handled; this one will follow it.")


def _connection_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean the database or Redis cannot be reached, from the drivers in use
    (one not imported cannot have raised)."""
    kinds: list[type[BaseException]] = [ConnectionError, TimeoutError, socket.gaierror, PoolTimeout]
    if redis := sys.modules.get("redis.exceptions"):
        kinds += [redis.ConnectionError, redis.TimeoutError]
    if asyncpg := sys.modules.get("asyncpg.exceptions"):
        kinds += [
            asyncpg.PostgresConnectionError,
            asyncpg.InterfaceError,
            asyncpg.CannotConnectNowError,
            asyncpg.TooManyConnectionsError,
        ]
    return tuple(kinds)


def is_outage(error: BaseException) -> bool:
    """Whether `error` comes from a database or Redis out of reach (not from a bug, nor from
    the Bot API, whose own network errors are its business)."""
    kinds = _connection_errors()
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TelegramAPIError):
            return False
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, kinds):
            return True
        current = current.__cause__ or current.__context__
    return False


class OutageNotice(BaseMiddleware):
    def __init__(self) -> None:
        self._told: set[int] = set()
        self._languages: OrderedDict[int, str] = OrderedDict()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender = data.get("event_from_user")
        try:
            result = await handler(event, data)
        except ChatBusy:
            log.warning("update %s of user %s: chat still busy", _update_id(event), _id(sender))
            await self._answer(event, data, busy_notice, alert=False)
            return None
        except Exception as error:
            if not is_outage(error):
                raise
            first = sender is not None and sender.id not in self._told
            log.warning(
                "update %s of user %s not handled, database or Redis unreachable (%s: %s)",
                _update_id(event),
                _id(sender),
                type(error).__name__,
                str(error).splitlines()[0][:200] if str(error) else "",
            )
            if not first:
                await self._answer(event, data, None, alert=False)
            elif await self._answer(event, data, outage_notice, alert=True):
                self._told.add(sender.id)
            return None
        if sender is not None:
            self._told.discard(sender.id)
            self._remember_language(sender.id, data)
        return result

    def _remember_language(self, telegram_id: int, data: dict[str, Any]) -> None:
        person = data.get("user")
        if person is None or not person.language:
            return
        self._languages[telegram_id] = person.language
        self._languages.move_to_end(telegram_id)
        if len(self._languages) > REMEMBERED_LANGUAGES:
            self._languages.popitem(last=False)

    def _language(self, data: dict[str, Any]) -> str:
        settings: Settings | None = data.get("settings")
        default = settings.default_language if settings else "ru"
        sender = data.get("event_from_user")
        if sender is None:
            return default
        if sender.id in self._languages:
            return self._languages[sender.id]
        if sender.language_code in LANGUAGES:
            return sender.language_code
        return default

    async def _answer(
        self,
        event: TelegramObject,
        data: dict[str, Any],
        text: Callable[[], str] | None,
        alert: bool,
    ) -> bool:
        """A button press is answered (with the text as an alert, or silently so it stops
        spinning); a message, or a press answered already (the failure came after), gets the
        text as a message. Whether the text reached the person."""
        bot: Bot | None = data.get("bot")
        i18n: I18n | None = data.get("i18n")
        chat = data.get("event_chat")
        if bot is None or not isinstance(event, Update):
            return False
        words = None
        if text is not None and i18n is not None:
            with i18n.context(), i18n.use_locale(self._language(data)):
                words = text()
        if event.callback_query is not None:
            try:
                await bot.answer_callback_query(
                    event.callback_query.id,
                    text=words[:200] if words else None,
                    show_alert=alert and words is not None,
                    request_timeout=NOTICE_TIMEOUT_SECONDS,
                )
                return words is not None
            except Exception as error:  # a courtesy: it never fails the update
                log.info("update %s: press not answered (%s)", event.update_id, error)
        if words is None or chat is None:
            return False
        try:
            await bot.send_message(chat.id, words, request_timeout=NOTICE_TIMEOUT_SECONDS)
            return True
        except Exception as error:  # a courtesy: it never fails the update
            log.info("update %s: notice not sent (%s)", event.update_id, error)
            return False


def _update_id(event: TelegramObject) -> int | None:
    return event.update_id if isinstance(event, Update) else None


def _id(sender: Any) -> int | None:
    return sender.id if sender is not None else None
