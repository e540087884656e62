"""Notifications to many supervisors through the real outbox and delivery worker, against a
Bot API that enforces Telegram's broadcast limits."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.database import bench_settings, reset_database
from benchmarks.fake_session import FloodControlledBotAPI
from bot.app import create_bot
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_database
from bot.db.models import (
    DeliveryStatus,
    FoundCategory,
    Notification,
    Role,
    UserStatus,
    utcnow,
)
from bot.db.models import User as Person
from bot.delivery import DeliveryWorker, Schedules
from bot.i18n import create_i18n
from bot.services import notifications, reports, units, users
from handlers.supervision import render_notification

PER_SECOND, PER_CHAT_SECONDS = 30, 1.0
FIRST_SUPERVISOR = 500_000


@dataclass(frozen=True)
class FanOutResult:
    notifications: int
    supervisors: int
    seconds: float
    theoretical_seconds: float
    refused_429: int

    @property
    def ratio(self) -> float:
        return self.seconds / self.theoretical_seconds


def theoretical_minimum(count: int, recipients: int) -> float:
    """From the first message to the last, at the global rate or, if slower, the per-chat one."""
    most_in_one_chat = -(-count // recipients)
    return max((count - 1) / PER_SECOND, (most_in_one_chat - 1) * PER_CHAT_SECONDS)


async def queue_notifications(
    session_factory: async_sessionmaker[AsyncSession],
    count: int,
    recipients: int,
    timezone: ZoneInfo,
) -> None:
    """Quick logs filed at Kainda, each news for every supervisor of the Chüy detachment, as
    enqueue_report_filed queues it; written directly so the count is exact."""
    async with session_factory.begin() as session:
        kainda = await units.get_unit_by_code(session, "KAINDA")
        officer = await users.upsert_user(session, 499_999, Role.OFFICER, kainda.id, "Officer")
    report_ids = []
    for _ in range(-(-count // recipients)):
        async with session_factory.begin() as session:
            log = reports.QuickLog(
                category=FoundCategory.FIREARMS,
                occurred_at=utcnow() - timedelta(minutes=5),
                place_text="Lane 2",
            )
            author = await users.get_user(session, officer.id)
            report, _revision = await reports.submit_quick_log(session, author, log, timezone)
            report_ids.append(report.id)
    async with session_factory.begin() as session:
        # Nobody supervised Kainda yet, so the admins were told: not part of this benchmark.
        await session.execute(delete(Notification))
        chuy = await units.get_unit_by_code(session, "CHUY")
        await session.execute(
            insert(Person),
            [
                {
                    "telegram_id": FIRST_SUPERVISOR + number,
                    "full_name": f"Supervisor {number}",
                    "language": ("ky", "ru", "en")[number % 3],
                    "role": Role.SUPERVISOR,
                    "status": UserStatus.ACTIVE,
                    "unit_id": chuy.id,
                }
                for number in range(recipients)
            ],
        )
        supervisor_ids = (
            await session.scalars(select(Person.id).where(Person.role == Role.SUPERVISOR))
        ).all()
        await session.execute(
            insert(Notification),
            [
                {
                    "recipient_id": supervisor_ids[number % recipients],
                    "kind": notifications.REPORT_FILED,
                    "report_id": report_ids[number // recipients],
                }
                for number in range(count)
            ],
        )


async def _pending(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        query = select(func.count()).where(Notification.status == DeliveryStatus.PENDING)
        return await session.scalar(query) or 0


async def measure_fan_out(url: str, count: int, recipients: int) -> FanOutResult:
    await reset_database(url)
    settings = bench_settings(url)
    engine = create_engine(settings.database_url)
    await upgrade_database(engine)
    session_factory = create_session_factory(engine)
    await queue_notifications(session_factory, count, recipients, settings.tz)
    api = FloodControlledBotAPI(PER_SECOND, PER_CHAT_SECONDS)
    bot = create_bot(settings, api)
    worker = DeliveryWorker(
        session_factory,
        bot,
        create_i18n(settings.default_language),
        partial(render_notification, timezone=settings.tz),
        settings.default_language,
        schedules=Schedules.from_settings(settings),
    )
    # Far beyond any reasonable result: a stuck worker ends the benchmark instead of hanging.
    deadline = 3 * theoretical_minimum(count, recipients) + 30
    started = time.monotonic()
    worker.start()
    try:
        while len(api.delivered) < count:
            await asyncio.sleep(0.05)
            if time.monotonic() - started > deadline:
                raise RuntimeError(f"only {len(api.delivered)} of {count} sent in {deadline:.0f} s")
    finally:
        await worker.stop()
    seconds = api.delivered[-1] - started
    left = await _pending(session_factory)
    await engine.dispose()
    if left:
        raise RuntimeError(f"{left} notifications still pending after all were sent")
    return FanOutResult(
        count, recipients, seconds, theoretical_minimum(count, recipients), api.refused
    )
