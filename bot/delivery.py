"""Delivers the outbox, at least once: nothing lost on a crash. Telegram's limits are kept by the
bot's session for every send of every replica (bot/send_limits.py).

Not exactly once: the Bot API has no idempotency key, so a send that timed out may have arrived.
Such a notification is "outcome unknown": sent again only after `unknown_outcome_retry` (30
minutes by default), marked as a repeat. Its buttons are safe to press twice: acknowledging or
returning a report that was already decided is refused and says who decided it and when.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import time as dt_time
from datetime import timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiohttp import ClientConnectorError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.models import Notification, User, utcnow
from bot.metrics import Metrics
from bot.middlewares.outage import is_outage
from bot.services import audit, housekeeping, notifications, safety
from bot.services.custody import remind_due as remind_custody_due

log = logging.getLogger(__name__)

SCHEDULE_CHECK_SECONDS = 15.0
HOUSEKEEPING_SECONDS = 3600.0

Rendered = tuple[str, InlineKeyboardMarkup | None]
Renderer = Callable[[AsyncSession, Notification, User, str], Awaitable[Rendered]]


@dataclass(frozen=True)
class Schedules:
    """When unacknowledged reports climb, when the daily digest goes out (local time), when
    a notification whose send timed out is sent again, and how often an officer at a dangerous
    scene is asked whether they are safe."""

    escalate_after: timedelta
    escalate_urgent_after: timedelta
    timezone: ZoneInfo
    digest_time: dt_time | None
    custody_remind_after: timedelta = timedelta(hours=24)
    unknown_outcome_retry: timedelta = timedelta(minutes=30)
    safety_check_every: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> Schedules:
        return cls(
            escalate_after=timedelta(minutes=settings.escalate_after_minutes),
            escalate_urgent_after=timedelta(minutes=settings.escalate_urgent_after_minutes),
            timezone=settings.tz,
            digest_time=settings.digest_time,
            custody_remind_after=timedelta(hours=settings.custody_remind_hours),
            unknown_outcome_retry=timedelta(minutes=settings.unknown_outcome_retry_minutes),
            safety_check_every=timedelta(minutes=settings.safety_check_minutes),
        )


class DeliveryWorker:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        bot: Bot,
        i18n: I18n,
        render: Renderer,
        default_language: str,
        schedules: Schedules,
        send_timeout: float = 15.0,
        batch: int = 20,
        poll_seconds: float = 1.0,
        housekeeping_seconds: float = HOUSEKEEPING_SECONDS,
        metrics: Metrics | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._bot = bot
        self._i18n = i18n
        self._render = render
        self._default_language = default_language
        self._batch = batch
        self._poll_seconds = poll_seconds
        self._send_timeout = send_timeout
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._schedules = schedules
        self._next_schedule_check = 0.0
        self._housekeeping_seconds = housekeeping_seconds
        self._next_housekeeping = 0.0
        self._metrics = metrics or Metrics()

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notification-delivery")

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Finish the message being sent (cutting it off could send it twice after a restart),
        hand back the rest of the batch, then stop."""
        if self._task is None:
            return
        self._stopping.set()
        self._wake.set()
        with suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._task), grace_seconds)
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                delivered = await self.deliver_due()
            except Exception as error:
                if is_outage(error):
                    # Every poll of an outage would print the same traceback: one line each.
                    log.warning("notification delivery waits: database unreachable (%s)", error)
                else:
                    log.exception("notification delivery failed; retrying shortly")
                delivered = 0
            if not delivered:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
                self._wake.clear()

    async def run_schedules(self) -> None:
        """Escalations, safety check-ins, the daily digest and sealing the audit log, every few
        seconds; the helper tables pruned at start and every hour."""
        await self._keep_house()
        if time.monotonic() < self._next_schedule_check:
            return
        self._next_schedule_check = time.monotonic() + SCHEDULE_CHECK_SECONDS
        plan = self._schedules
        async with self._session_factory.begin() as session:
            escalated = await notifications.escalate_due(
                session, plan.escalate_after, plan.escalate_urgent_after
            )
            await remind_custody_due(session, plan.custody_remind_after)
            await safety.send_due_checks(session, plan.safety_check_every)
            if plan.digest_time is not None:
                await notifications.enqueue_digests(
                    session, utcnow(), plan.timezone, plan.digest_time
                )
        self._metrics.escalations.inc(len(escalated))
        for report in escalated:
            log.warning("report %s not acknowledged in time: escalated", report.number)
        try:
            async with self._session_factory.begin() as session:
                await audit.seal_pending(session)
        except IntegrityError:
            log.debug("another process sealed the audit log first; sealing again later")

    async def _keep_house(self) -> None:
        if time.monotonic() < self._next_housekeeping:
            return
        self._next_housekeeping = time.monotonic() + self._housekeeping_seconds
        async with self._session_factory.begin() as session:
            pruned = await housekeeping.prune(session)
        if pruned:
            log.info("housekeeping: %d helper rows pruned", pruned)

    async def deliver_due(self) -> int:
        await self.run_schedules()
        async with self._session_factory.begin() as session:
            claimed = [item.id for item in await notifications.claim_due(session, self._batch)]
        for position, notification_id in enumerate(claimed):
            if self._stopping.is_set():
                async with self._session_factory.begin() as session:
                    await notifications.release(session, claimed[position:])
                break
            await self._deliver(notification_id)
        return len(claimed)

    async def _deliver(self, notification_id: int) -> None:
        # The database is not held while Telegram is called (SQLite has one writer at a time);
        # the claim's lease keeps other workers off this notification meanwhile.
        async with self._session_factory() as session:
            notification = await session.get(Notification, notification_id)
            recipient = await session.get(User, notification.recipient_id) if notification else None
            if notification is None or recipient is None:
                return
            language = recipient.language or self._default_language
            with self._i18n.context(), self._i18n.use_locale(language):
                try:
                    text, markup = await self._render(session, notification, recipient, language)
                except Exception as error:
                    if is_outage(error):
                        raise
                    # One message that cannot be written must not hold up the others.
                    log.exception(
                        "notification %s (%s) could not be written; tried again later",
                        notification_id,
                        notification.kind,
                    )
                    unwritten = f"not written: {type(error).__name__}"
                else:
                    unwritten = None
            chat_id = recipient.telegram_id
        if unwritten is not None:
            await self._record(notification_id, "retry", unwritten, reason="not_written")
            return
        # The bot's session waits for a place in Telegram's limits, shared with the replies and
        # with every replica (bot/telegram.py).
        try:
            # Bounded, so one lost request does not hold up everybody's notifications.
            await self._bot.send_message(
                chat_id, text, reply_markup=markup, request_timeout=int(self._send_timeout)
            )
        except TelegramRetryAfter as error:
            await self._record(
                notification_id, "retry", str(error), error.retry_after, reason="rate_limited"
            )
        except (TelegramForbiddenError, TelegramBadRequest) as error:
            log.warning("notification %s undeliverable: %s", notification_id, error)
            reason = "blocked" if isinstance(error, TelegramForbiddenError) else "bad_request"
            await self._record(notification_id, "unreachable", str(error), reason=reason)
        except TelegramNetworkError as error:
            if isinstance(error.__cause__, ClientConnectorError):
                # No connection was made: surely not sent, so it may go again soon.
                await self._record(notification_id, "retry", str(error), reason="no_connection")
            else:
                # Timed out or cut off once sent: it may have arrived. No blind retry.
                log.warning(
                    "notification %s: outcome unknown (%s); sent again as a repeat later",
                    notification_id,
                    error,
                )
                await self._record(notification_id, "unknown", str(error), reason="timeout")
        except TelegramServerError as error:
            await self._record(notification_id, "retry", str(error), reason="server_error")
        else:
            await self._record(notification_id, "sent")

    async def _record(
        self,
        notification_id: int,
        outcome: str,
        error: str = "",
        delay: float | None = None,
        reason: str | None = None,
    ) -> None:
        """The send's outcome on the notification; a failed one counted by its `reason`."""
        if reason is not None:
            self._metrics.notifications_failed.labels(reason).inc()
        async with self._session_factory.begin() as session:
            notification = await session.get(Notification, notification_id)
            if notification is None:
                return
            if outcome == "sent":
                notifications.mark_sent(notification)
            elif outcome == "unreachable":
                await notifications.mark_recipient_unreachable(session, notification, error)
            elif outcome == "unknown":
                notifications.mark_outcome_unknown(
                    notification, self._schedules.unknown_outcome_retry, error
                )
            else:
                # Telegram's retry_after when it gave one; else back off, up to five minutes.
                seconds = delay if delay is not None else min(2**notification.attempts, 300)
                notifications.mark_retry(notification, timedelta(seconds=seconds), error)
