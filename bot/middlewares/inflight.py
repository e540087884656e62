"""Tracks updates being handled, and the work they leave running after them (an export), so
shutdown can let them finish instead of cutting them off."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from bot.fsm_storage import update_session

log = logging.getLogger(__name__)

# The key under which handlers find this tracker (to start work in the background).
IN_FLIGHT = "in_flight"


class InFlightUpdates(BaseMiddleware):
    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._background: dict[Hashable, asyncio.Task[None]] = {}

    @property
    def count(self) -> int:
        return self._count

    def _started(self) -> None:
        self._count += 1
        self._idle.clear()

    def _ended(self) -> None:
        self._count -= 1
        if self._count == 0:
            self._idle.set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        self._started()
        data[IN_FLIGHT] = self
        try:
            return await handler(event, data)
        finally:
            self._ended()

    def running(self, key: Hashable) -> bool:
        return key in self._background

    def start(self, key: Hashable, work: Coroutine[Any, Any, None]) -> bool:
        """Run `work` after the update that asks for it, outside its chat's lock and its
        transaction; shutdown waits for it as for an update. False (and `work` not run) while
        work under the same key is still running."""
        if key in self._background:
            work.close()
            return False
        self._started()
        # The update's context (its log fields) without its session, which closes with it.
        context = contextvars.copy_context()
        context.run(update_session.set, None)
        task = asyncio.create_task(work, name=f"background {key}", context=context)
        self._background[key] = task

        def done(finished: asyncio.Task[None]) -> None:
            self._background.pop(key, None)
            self._ended()
            if not finished.cancelled() and (error := finished.exception()) is not None:
                log.error("background work %s failed", key, exc_info=error)

        task.add_done_callback(done)
        return True

    async def drain(self, seconds: float) -> bool:
        """Wait until nothing is in flight; False if some was still running at the timeout (the
        background work among it is then cancelled, an update is left to its poller)."""
        if self._count:
            log.info("waiting for %d update(s) or background task(s) in flight", self._count)
        try:
            await asyncio.wait_for(self._idle.wait(), seconds)
        except TimeoutError:
            log.warning("shutdown timeout: %d update(s) still in flight", self._count)
            cut = list(self._background.values())
            for task in cut:
                task.cancel()
            await asyncio.gather(*cut, return_exceptions=True)
            return False
        return True
