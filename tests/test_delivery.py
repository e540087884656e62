"""The outbox under load: two delivery workers on one database deliver each notification once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.app import create_bot
from bot.db.models import (
    DeliveryStatus,
    DigestDay,
    FoundCategory,
    Notification,
    ProcessedUpdate,
    Role,
    utcnow,
)
from bot.delivery import DeliveryWorker, Schedules
from bot.services import notifications, reports, units, users
from handlers.supervision import render_notification
from tests.conftest import make_settings
from tests.scenario import eventually, i18n_for_tests, tr
from tests.test_running import free_port

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
        worker_for(session_factory, settings, bot, batch=25, poll_seconds=0.05) for bot in bots
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
    # Slow enough that the stop arrives in the middle of the batch.
    bot = create_bot(settings.model_copy(update={"messages_per_second": 4}))
    worker = worker_for(session_factory, settings, bot, batch=10)
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


async def notification_rows(session_factory) -> list[Notification]:
    async with session_factory() as session:
        return list((await session.scalars(select(Notification).order_by(Notification.id))).all())


async def test_a_send_that_timed_out_goes_again_only_after_the_delay_marked_as_a_repeat(
    session_factory, database_url, telegram
):
    # 3 seconds instead of 30 minutes.
    settings = make_settings(database_url, telegram.base_url, unknown_outcome_retry_minutes=0.05)
    await supervisors_and_quick_logs(session_factory, telegram, supervisors=1, logs=1)
    bot = create_bot(settings)
    worker = worker_for(session_factory, settings, bot, send_timeout=1, poll_seconds=0.1)
    # No answer within the timeout: the request may have arrived (here it did not).
    telegram.lose_next("sendMessage", seconds=2)
    worker.start()
    try:
        await eventually(lambda: len(telegram.calls_of("sendMessage")) == 1)
        for _ in range(100):
            [row] = await notification_rows(session_factory)
            if row.status is DeliveryStatus.OUTCOME_UNKNOWN:
                break
            await asyncio.sleep(0.05)
        assert row.status is DeliveryStatus.OUTCOME_UNKNOWN and row.outcome_unknown_at
        assert row.claimed_until is None and row.available_at > utcnow() + timedelta(seconds=1)
        await asyncio.sleep(1.0)
        assert len(telegram.calls_of("sendMessage")) == 1  # no blind retry
        await eventually(lambda: len(telegram.calls_of("sendMessage")) == 2, seconds=10)
        await asyncio.sleep(0.5)
    finally:
        await worker.stop()
        await bot.session.close()

    assert len(telegram.calls_of("sendMessage")) == 2
    [message] = telegram.chat_messages(20_000)
    repeat = tr("ru", "🔁 Repeat (the first sending may not have arrived):")
    assert message.text.startswith(repeat + "\n\n")
    assert tr("ru", "✅ Acknowledge") in message.button_texts()  # deciding twice is refused
    [row] = await notification_rows(session_factory)
    assert row.status is DeliveryStatus.SENT and row.attempts == 2


async def test_a_send_that_surely_failed_goes_again_within_seconds_not_as_a_repeat(
    session_factory, database_url, telegram
):
    nobody_listens = f"http://127.0.0.1:{free_port()}"
    settings = make_settings(database_url, nobody_listens)
    await supervisors_and_quick_logs(session_factory, telegram, supervisors=1, logs=1)
    bot = create_bot(settings)
    worker = worker_for(session_factory, settings, bot, poll_seconds=0.1)
    worker.start()
    try:
        for _ in range(100):
            [row] = await notification_rows(session_factory)
            if row.last_error:
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
        await bot.session.close()
    assert row.status is DeliveryStatus.PENDING and row.outcome_unknown_at is None
    assert row.available_at < utcnow() + timedelta(seconds=5)


async def test_the_worker_prunes_old_update_claims_while_it_runs(
    session_factory, database_url, telegram
):
    settings = make_settings(database_url, telegram.base_url)
    bot = create_bot(settings)
    worker = worker_for(session_factory, settings, bot, poll_seconds=0.05, housekeeping_seconds=0.2)
    worker.start()
    now = utcnow()
    try:
        await asyncio.sleep(0.3)  # well after start-up
        async with session_factory.begin() as session:
            session.add_all(
                [
                    ProcessedUpdate(bot_id=1, update_id=1, processed_at=now - timedelta(days=3)),
                    ProcessedUpdate(bot_id=1, update_id=2, processed_at=now - timedelta(hours=1)),
                    DigestDay(day="2026-01-01", queued_at=now - timedelta(days=30)),
                    DigestDay(day="2026-12-01", queued_at=now),
                ]
            )
        for _ in range(100):
            async with session_factory() as session:
                claims = (await session.scalars(select(ProcessedUpdate.update_id))).all()
            if claims == [2]:
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
        await bot.session.close()
    assert claims == [2]
    async with session_factory() as session:
        assert (await session.scalars(select(DigestDay.day))).all() == ["2026-12-01"]


async def test_a_notification_that_cannot_be_written_does_not_hold_up_the_others(
    session_factory, database_url, telegram
):
    await supervisors_and_quick_logs(session_factory, telegram, supervisors=1, logs=1)
    async with session_factory.begin() as session:
        [news] = (await session.scalars(select(Notification))).all()
        # Queued first, of a kind no renderer knows (a newer replica's, say).
        unknown = Notification(recipient_id=news.recipient_id, kind="from.the.future", urgent=True)
        session.add(unknown)
    settings = make_settings(database_url, telegram.base_url)
    bot = create_bot(settings)
    worker = worker_for(session_factory, settings, bot)
    try:
        await worker.deliver_due()
    finally:
        await bot.session.close()
    rows = {row.kind: row for row in await notification_rows(session_factory)}
    assert rows[news.kind].status is DeliveryStatus.SENT
    assert rows["from.the.future"].status is DeliveryStatus.PENDING
    assert rows["from.the.future"].last_error.startswith("not written: ")
    assert rows["from.the.future"].available_at > utcnow()
