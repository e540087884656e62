"""The outbox under load: two delivery workers on one database deliver each notification once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.app import create_bot
from bot.db.models import DeliveryStatus, FoundCategory, Notification, Role, utcnow
from bot.delivery import DeliveryWorker, Schedules
from bot.services import notifications, reports, units, users
from handlers.supervision import render_notification
from tests.conftest import make_settings
from tests.scenario import eventually, i18n_for_tests

SUPERVISORS, REPORTS = 100, 5
BISHKEK = ZoneInfo("Asia/Bishkek")


async def supervisors_and_quick_logs(
    session_factory, telegram, supervisors: int, logs: int
) -> None:
    """Supervisors of the Chüy detachment (each with a chat), and quick logs filed at Kainda."""
    async with session_factory.begin() as session:
        chuy = await units.get_unit_by_code(session, "CHUY")
        kainda = await units.get_unit_by_code(session, "KAINDA")
        for number in range(supervisors):
            await users.upsert_user(
                session, 20_000 + number, Role.SUPERVISOR, chuy.id, f"S{number}", "ru"
            )
            telegram.user(20_000 + number, f"S{number}")
        officer = await users.upsert_user(session, 30_000, Role.OFFICER, kainda.id, "Officer", "en")
    for _ in range(logs):
        async with session_factory.begin() as session:
            log = reports.QuickLog(
                category=FoundCategory.FIREARMS,
                occurred_at=utcnow() - timedelta(minutes=1),
                place_text="Lane 2",
            )
            await reports.submit_quick_log(
                session, await users.get_user(session, officer.id), log, BISHKEK
            )


def worker_for(session_factory, settings, bot, **options) -> DeliveryWorker:
    return DeliveryWorker(
        session_factory,
        bot,
        i18n_for_tests(),
        partial(render_notification, timezone=settings.tz),
        "en",
        Schedules.from_settings(settings),
        **options,
    )


async def test_two_workers_deliver_five_hundred_notifications_exactly_once(
    session_factory, database_url, telegram
):
    settings = make_settings(database_url, telegram.base_url)
    await supervisors_and_quick_logs(session_factory, telegram, SUPERVISORS, REPORTS)

    bots = [create_bot(settings) for _ in range(2)]
    workers = [
        worker_for(session_factory, settings, bot, per_second=1000, batch=25, poll_seconds=0.05)
        for bot in bots
    ]
    for worker in workers:
        worker.start()

    async def pending() -> int:
        async with session_factory() as session:
            return await session.scalar(
                select(func.count()).where(Notification.status == DeliveryStatus.PENDING)
            )

    try:
        for _ in range(600):
            if not await pending():
                break
            await asyncio.sleep(0.1)
    finally:
        for worker in workers:
            await worker.stop()
        for bot in bots:
            await bot.session.close()

    sent = Counter(
        (call.params["chat_id"], call.params["text"]) for call in telegram.calls_of("sendMessage")
    )
    assert len(sent) == SUPERVISORS * REPORTS
    assert max(sent.values()) == 1


async def test_a_worker_killed_mid_batch_leaves_nothing_lost_or_sent_twice(
    session_factory, telegram
):
    await supervisors_and_quick_logs(session_factory, telegram, supervisors=3, logs=1)

    async with session_factory.begin() as session:
        first, second, third = await notifications.claim_due(session, limit=10)
        notifications.mark_sent(first)  # the worker dies after sending one of three
    async with session_factory.begin() as session:
        assert await notifications.claim_due(session, limit=10) == []  # still leased
    later = utcnow() + notifications.CLAIM_LEASE + timedelta(seconds=1)
    async with session_factory.begin() as session:
        again = await notifications.claim_due(session, limit=10, now=later)
        assert sorted(item.id for item in again) == sorted([second.id, third.id])


async def test_a_stopping_worker_hands_back_what_it_has_not_sent(
    session_factory, database_url, telegram
):
    settings = make_settings(database_url, telegram.base_url)
    await supervisors_and_quick_logs(session_factory, telegram, supervisors=6, logs=1)
    bot = create_bot(settings)
    # Slow enough that the stop arrives in the middle of the batch.
    worker = worker_for(session_factory, settings, bot, per_second=4, batch=10)
    worker.start()
    await eventually(lambda: bool(telegram.calls_of("sendMessage")))
    await worker.stop()
    await bot.session.close()

    async with session_factory() as session:
        rows = (await session.scalars(select(Notification))).all()
    sent = {row.id for row in rows if row.status is DeliveryStatus.SENT}
    waiting = [row for row in rows if row.status is DeliveryStatus.PENDING]
    assert len(sent) == len(telegram.calls_of("sendMessage")) < 6
    assert len(sent) + len(waiting) == 6
    assert all(row.claimed_until is None for row in waiting)
