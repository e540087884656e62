"""Who is told of a report, and the outbox the delivery worker drains."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    DeliveryStatus,
    Notification,
    Role,
    SeizureReport,
    User,
    UserStatus,
    utcnow,
)
from bot.services import audit
from bot.services.units import ancestor_ids

REPORT_FILED = "report.filed"
REPORT_ACKNOWLEDGED = "report.acknowledged"
CLAIM_LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8


async def _supervisors_by_unit(session: AsyncSession, unit_ids: list[int]) -> dict[int, list[User]]:
    query = select(User).where(
        User.status == UserStatus.ACTIVE,
        User.role == Role.SUPERVISOR,
        User.unit_id.in_(unit_ids),
    )
    found: dict[int, list[User]] = {}
    for supervisor in (await session.scalars(query.order_by(User.id))).all():
        found.setdefault(supervisor.unit_id or 0, []).append(supervisor)
    return found


async def recipients_for(session: AsyncSession, report: SeizureReport) -> list[User]:
    """The supervisors nearest above the report's unit; for an urgent report, the next level too.

    A crossing point often has no supervisor of its own, so the news climbs to the first unit
    that has one. When nobody supervises the whole branch, the admins are told: nothing is lost.
    """
    chain = await ancestor_ids(session, report.unit_id)
    by_unit = await _supervisors_by_unit(session, chain)
    levels = [by_unit[unit_id] for unit_id in chain if unit_id in by_unit]
    chosen = levels[: 2 if report.urgent else 1]
    recipients = [supervisor for level in chosen for supervisor in level]
    if not recipients:
        admins = select(User).where(User.status == UserStatus.ACTIVE, User.role == Role.ADMIN)
        recipients = list((await session.scalars(admins.order_by(User.id))).all())
    return [person for person in recipients if person.id != report.officer_id]


async def enqueue_report_filed(session: AsyncSession, report: SeizureReport) -> list[Notification]:
    """Queue the news in the report's own transaction: neither exists without the other."""
    queued = [
        Notification(
            recipient_id=recipient.id, kind=REPORT_FILED, report_id=report.id, urgent=report.urgent
        )
        for recipient in await recipients_for(session, report)
    ]
    session.add_all(queued)
    report.notification_pending = False
    await session.flush()
    return queued


async def enqueue_acknowledged(session: AsyncSession, report: SeizureReport) -> Notification:
    """The officer learns who acknowledged the report."""
    notification = Notification(
        recipient_id=report.officer_id, kind=REPORT_ACKNOWLEDGED, report_id=report.id
    )
    session.add(notification)
    await session.flush()
    return notification


async def claim_due(
    session: AsyncSession, limit: int, now: datetime | None = None
) -> list[Notification]:
    """Take due notifications for delivery; a second worker skips the rows this one holds."""
    now = now or utcnow()
    query = (
        select(Notification)
        .where(
            Notification.status == DeliveryStatus.PENDING,
            Notification.available_at <= now,
            or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
        )
        .order_by(Notification.urgent.desc(), Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = list((await session.scalars(query)).all())
    for notification in claimed:
        notification.claimed_until = now + CLAIM_LEASE
        notification.attempts += 1
    await session.flush()
    return claimed


def mark_sent(notification: Notification) -> None:
    notification.status, notification.sent_at = DeliveryStatus.SENT, utcnow()
    notification.claimed_until = None


def mark_retry(notification: Notification, delay: timedelta, error: str) -> None:
    notification.last_error = error[:300]
    notification.claimed_until = None
    if notification.attempts >= MAX_ATTEMPTS:
        notification.status = DeliveryStatus.UNDELIVERABLE
    else:
        notification.available_at = utcnow() + delay


async def mark_recipient_unreachable(
    session: AsyncSession, notification: Notification, error: str
) -> None:
    notification.status, notification.last_error = DeliveryStatus.UNDELIVERABLE, error[:300]
    notification.claimed_until = None
    recipient = await session.get(User, notification.recipient_id)
    await audit.record(
        session,
        recipient,
        "notification.undeliverable",
        "notification",
        notification.id,
        error=error[:300],
    )
