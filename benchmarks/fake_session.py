"""Bot API answered in process: no network, so what is measured is the bot's own work.

Requests are still serialized the way aiogram's aiohttp session does it (keyboards to JSON),
because a real bot pays for that on every call.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict, deque
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Message, User


class InProcessBotAPI(BaseSession):
    """Answers every method with a plausible result: a Message for what sends or edits one,
    the bot itself for getMe, True for the rest."""

    def __init__(self) -> None:
        super().__init__()
        self._message_ids = itertools.count(1)
        self.calls: defaultdict[str, int] = defaultdict(int)

    async def close(self) -> None:
        """Nothing to close: no connections are ever opened."""

    async def stream_content(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("benchmarks download no files")

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        name = method.__api_method__
        self.calls[name] += 1
        request = self._serialize(bot, method)
        self.refuse_beyond_limits(method, request)
        return self._result(bot, method, request)

    def refuse_beyond_limits(self, method: TelegramMethod[Any], request: dict[str, Any]) -> None:
        """No flood control here; see FloodControlledBotAPI."""

    def _serialize(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
        files: dict[str, Any] = {}
        return {
            key: self.prepare_value(value, bot=bot, files=files)
            for key, value in method.model_dump(warnings=False).items()
            if value is not None
        }

    def _result(self, bot: Bot, method: TelegramMethod[Any], request: dict[str, Any]) -> Any:
        returning = method.__returning__
        if returning is User:
            return User(id=bot.id, is_bot=True, first_name="Bench", username="bench_bot")
        if "message_id" in request or _returns_message(returning):
            chat_id = int(request.get("chat_id", 0))
            message = {
                "message_id": int(request.get("message_id") or next(self._message_ids)),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": bot.id, "is_bot": True, "first_name": "Bench"},
                "text": request.get("text") or request.get("caption") or "",
            }
            return Message.model_validate(message, context={"bot": bot})
        return True


def _returns_message(returning: Any) -> bool:
    return returning is Message or Message in getattr(returning, "__args__", ())


# Telegram sees requests after a network trip of varying length, so no client can keep its
# limits to the microsecond; a few milliseconds of slack stand for that.
ARRIVAL_JITTER = 0.005


class FloodControlledBotAPI(InProcessBotAPI):
    """Telegram's broadcast limits, enforced: at most `per_second` messages in any one-second
    window, and one a second in each chat; beyond that, 429 with the seconds to wait."""

    def __init__(self, per_second: int = 30, per_chat_seconds: float = 1.0) -> None:
        super().__init__()
        self.per_second = per_second
        self.per_chat_seconds = per_chat_seconds
        self.refused = 0
        self.delivered: list[float] = []
        self._recent: deque[float] = deque()
        self._last_in_chat: dict[int, float] = {}

    def refuse_beyond_limits(self, method: TelegramMethod[Any], request: dict[str, Any]) -> None:
        if method.__api_method__ != "sendMessage":
            return
        now = time.monotonic()
        while self._recent and self._recent[0] <= now - 1.0 + ARRIVAL_JITTER:
            self._recent.popleft()
        chat_id = int(request["chat_id"])
        wait = 0.0
        if len(self._recent) >= self.per_second:
            wait = self._recent[0] + 1.0 - ARRIVAL_JITTER - now
        last = self._last_in_chat.get(chat_id)
        if last is not None and now - last < self.per_chat_seconds - ARRIVAL_JITTER:
            wait = max(wait, last + self.per_chat_seconds - ARRIVAL_JITTER - now)
        if wait > 0:
            self.refused += 1
            raise TelegramRetryAfter(
                method=method,
                message=f"Too Many Requests: retry after {math.ceil(wait)}",
                retry_after=math.ceil(wait),
            )
        self._recent.append(now)
        self._last_in_chat[chat_id] = now
        self.delivered.append(now)
