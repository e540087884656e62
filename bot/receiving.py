"""Takes updates from Telegram and confirms each only once handled: the polling offset moves past
an update, and the webhook answers 200, only after the update's transaction committed.

aiogram's own polling confirms an update (the next getUpdates carries its offset) as soon as it
is handed to a task, and its webhook handler answers 200 before handling: an update in flight when
the process dies was then gone for good. Here an update that was cut off or failed is not
confirmed, so Telegram delivers it again; one already handled is a no-op the second time (its id
is claimed in `processed_updates` in its own transaction, bot/middlewares/database.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.types import TelegramObject, Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

from bot.log_context import update_context
from bot.metrics import Metrics
from bot.services.errors import DomainError

log = logging.getLogger(__name__)

# The key under which the update's outcome travels with the middlewares' data.
OUTCOME = "update_outcome"


@dataclass
class Outcome:
    failed: bool = False


class FailureWatch(BaseMiddleware):
    """Notes an update whose handling failed (its transaction rolled back), though the error
    handlers answered the person: it is not confirmed, and comes again. A refusal by a rule of
    the service (`DomainError`) is an answer, not a failure, and so is a 403 from a person who
    blocked the bot. Registered outside the update's
    transaction, so a failed commit counts too."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        except (DomainError, TelegramForbiddenError):
            # A refusal is an answer; a person who blocked the bot is not reached by trying the
            # update again (what it stored is committed or rolled back either way).
            raise
        except Exception:
            if isinstance(outcome := data.get(OUTCOME), Outcome):
                outcome.failed = True
            raise


@dataclass
class _Failure:
    attempts: int = 0
    retry_at: float = 0.0
    others_handled: bool = False  # another update succeeded since this one first failed


@dataclass
class UpdateRetries:
    """Updates whose handling failed: each is tried again after a pause that grows with each
    failure (1, 2, then at most `longest_pause` seconds: short, so that the bot answers again
    within seconds of the database coming back). An update is given up (confirmed unhandled, and
    logged) only after `give_up_after` failures while other updates were handled meanwhile: the
    bot works and this update does not. During an outage nothing is handled, so nothing is given
    up; the updates wait for the database to come back."""

    give_up_after: int = 5
    # With the poll's own pause, an update met by an outage is answered within 5 s of recovery.
    longest_pause: float = 3.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[int, _Failure] = field(default_factory=dict)

    def may_try(self, update_id: int) -> bool:
        failure = self._failures.get(update_id)
        return failure is None or self.clock() >= failure.retry_at

    def handled(self, update_id: int) -> None:
        self._failures.pop(update_id, None)
        for failure in self._failures.values():
            failure.others_handled = True

    def failed(self, update_id: int) -> bool:
        """Count a failure; True when the update is given up."""
        failure = self._failures.setdefault(update_id, _Failure())
        failure.attempts += 1
        if failure.attempts >= self.give_up_after and failure.others_handled:
            del self._failures[update_id]
            return True
        failure.retry_at = self.clock() + min(2.0 ** (failure.attempts - 1), self.longest_pause)
        if len(self._failures) > 10_000:  # ids Telegram stopped sending (webhook): forget them
            self._failures.pop(next(iter(self._failures)))
        return False

    def seconds_to_next_retry(self) -> float | None:
        if not self._failures:
            return None
        return max(min(f.retry_at for f in self._failures.values()) - self.clock(), 0.0)


async def handle_update(
    dispatcher: Dispatcher, bot: Bot, update: Update, retries: UpdateRetries
) -> bool:
    """Handle one update to its end; True when it may be confirmed to Telegram. Every line
    logged meanwhile (aiogram's, and this module's after the dispatcher) names the update and
    its person, as the dispatcher's own `LogContext` does inside."""
    person = UserContextMiddleware.resolve_event_context(update).user_id
    started = time.perf_counter()
    with update_context(update.update_id, person):
        result = await _handle(dispatcher, bot, update, retries)
    metrics: Metrics | None = dispatcher.workflow_data.get("metrics")
    if metrics is not None:
        metrics.update_handled(_type_of(update), result, time.perf_counter() - started)
    return result != FAILED


def _type_of(update: Update) -> str:
    try:
        return update.event_type
    except LookupError:  # a kind of update newer than aiogram
        return "unknown"


# How an update's handling ended: only a failed one is not confirmed (it comes again).
HANDLED, FAILED, GIVEN_UP = "handled", "failed", "given_up"


async def _handle(dispatcher: Dispatcher, bot: Bot, update: Update, retries: UpdateRetries) -> str:
    outcome = Outcome()
    try:
        response = await dispatcher.feed_update(bot, update, **{OUTCOME: outcome})
        if isinstance(response, TelegramMethod):
            await dispatcher.silent_call_request(bot=bot, result=response)
    except Exception:  # nothing answered it: the error handlers failed themselves
        log.exception("update %s failed", update.update_id)
        outcome.failed = True
    if not outcome.failed:
        retries.handled(update.update_id)
        return HANDLED
    if retries.failed(update.update_id):
        log.error(
            "update %s failed %d times while others were handled: given up",
            update.update_id,
            retries.give_up_after,
        )
        return GIVEN_UP
    log.warning("update %s failed; it will be handled again", update.update_id)
    return FAILED


def _chat_of(update: Update) -> Hashable:
    """Updates of one chat are handled one after another, in the order of their ids."""
    context = UserContextMiddleware.resolve_event_context(update)
    if context.chat_id is not None:
        return ("chat", context.chat_id)
    if context.user_id is not None:
        return ("user", context.user_id)
    return ("update", update.update_id)


class Poller:
    """Long polling that asks for the next batch only once the current one was handled.

    A batch is handled chat by chat (chats at once, each chat's updates in order), then the next
    getUpdates carries the offset past every update handled. An update that failed, and every
    later one of its chat, stays unconfirmed: Telegram sends them again, and the others of the
    batch, already handled, are skipped. On stop, the batch in hand gets `drain_seconds` to
    finish; what is cut off then is rolled back and delivered again after a restart.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        polling_timeout: int = 10,
        allowed_updates: list[str] | None = None,
        drain_seconds: float = 20.0,
        retries: UpdateRetries | None = None,
    ) -> None:
        self._dispatcher = dispatcher
        self._bot = bot
        self._timeout = polling_timeout
        self._allowed_updates = allowed_updates
        self._drain_seconds = drain_seconds
        self._retries = retries or UpdateRetries()
        self._offset: int | None = None
        self._confirmed: int | None = None  # the offset last sent to Telegram
        self._handled: set[int] = set()  # ids at or after the offset already handled

    async def run(self, stop: asyncio.Event) -> None:
        """Start the dispatcher (startup hooks), poll until `stop` is set, then shut it down."""
        workflow = {"dispatcher": self._dispatcher, "bots": (self._bot,)}
        workflow |= self._dispatcher.workflow_data
        await self._dispatcher.emit_startup(bot=self._bot, **workflow)
        try:
            log.info("polling: each update is confirmed once handled")
            await self._poll(stop)
        finally:
            await self._confirm_handled()
            await self._dispatcher.emit_shutdown(bot=self._bot, **workflow)
            log.info("polling stopped")

    async def _poll(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            updates = await self._fetch(stop)
            if updates is None:
                return
            fresh = [update for update in updates if update.update_id not in self._handled]
            batch = asyncio.ensure_future(self._handle_batch(fresh))
            stopping = await self._until_done(batch, stop)
            if updates:
                left = [u.update_id for u in updates if u.update_id not in self._handled]
                self._offset = min(left) if left else max(u.update_id for u in updates) + 1
                self._handled = {i for i in self._handled if i >= self._offset}
                if left and not stopping:
                    # Telegram hands the unconfirmed updates back at once: wait for their retry.
                    pause = min(self._retries.seconds_to_next_retry() or 0.2, 1.0)
                    with suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), max(pause, 0.05))
            if stopping:
                return

    async def _fetch(self, stop: asyncio.Event) -> list[Update] | None:
        """The next updates, or None when asked to stop meanwhile (nothing fetched is lost:
        what was not handled is not confirmed)."""
        delay = 1.0
        while not stop.is_set():
            request = GetUpdates(
                offset=self._offset, timeout=self._timeout, allowed_updates=self._allowed_updates
            )
            request_timeout = int((self._bot.session.timeout or 60) + self._timeout)
            fetch = asyncio.ensure_future(self._bot(request, request_timeout=request_timeout))
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            if not fetch.done():
                fetch.cancel()
                with suppress(BaseException):
                    await fetch
                return None
            try:
                updates = fetch.result()
            except Exception as error:
                log.warning("could not fetch updates (%s); trying again in %.0f s", error, delay)
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, 30.0)
                continue
            self._confirmed = self._offset
            return updates
        return None

    async def _handle_batch(self, updates: list[Update]) -> None:
        chats: dict[Hashable, list[Update]] = {}
        for update in sorted(updates, key=lambda u: u.update_id):
            chats.setdefault(_chat_of(update), []).append(update)
        await asyncio.gather(*(self._handle_chat(chat) for chat in chats.values()))

    async def _handle_chat(self, updates: list[Update]) -> None:
        for update in updates:
            # A chat's later updates wait behind the one that failed, to keep their order.
            if not self._retries.may_try(update.update_id):
                return
            if not await handle_update(self._dispatcher, self._bot, update, self._retries):
                return
            self._handled.add(update.update_id)

    async def _until_done(self, batch: asyncio.Future[None], stop: asyncio.Event) -> bool:
        """Wait for the batch; True when asked to stop meanwhile (the batch then got its
        drain time and, past it, was cut off)."""
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({batch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if batch.done():
            batch.result()
            return stop.is_set()
        log.info("stopping: finishing the updates in hand")
        await asyncio.wait({batch}, timeout=self._drain_seconds)
        if not batch.done():
            log.warning("shutdown timeout: updates cut off; Telegram will deliver them again")
            batch.cancel()
        with suppress(asyncio.CancelledError):
            await batch
        return True

    async def _confirm_handled(self) -> None:
        """Tell Telegram what was handled since the last getUpdates, so a restart does not get
        it again (it would be a no-op; this only spares the work). The one update this call may
        return stays unconfirmed."""
        if self._offset is None or self._offset == self._confirmed:
            return
        with suppress(Exception):
            await self._bot(GetUpdates(offset=self._offset, limit=1, timeout=0), request_timeout=5)


class ConfirmingRequestHandler(SimpleRequestHandler):
    """The webhook endpoint: answers Telegram once the update was handled — 200 after its
    transaction committed (or it was refused), 500 when it failed, so Telegram sends it again.
    A slow update is not moved to the background at 55 s as aiogram does: Telegram then sends it
    again, and the second delivery waits for the chat's lock and finds it handled."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        secret_token: str | None = None,
        retries: UpdateRetries | None = None,
    ) -> None:
        super().__init__(
            dispatcher=dispatcher, bot=bot, handle_in_background=False, secret_token=secret_token
        )
        self._retries = retries or UpdateRetries()

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), bot):
            return web.Response(body="Unauthorized", status=401)
        try:
            raw = await request.json(loads=bot.session.json_loads)
            update = Update.model_validate(raw, context={"bot": bot})
        except (ValueError, ValidationError) as error:
            log.warning("webhook request is not an update: %s", type(error).__name__)
            return web.Response(status=400)
        if not await handle_update(self.dispatcher, bot, update, self._retries):
            return web.Response(status=500)
        return web.json_response({})

    __call__ = handle
