"""Who is told of a report, and the outbox the delivery worker drains."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    DeliveryStatus,
    DigestDay,
    Notification,
    ReportStatus,
    Role,
    SeizureReport,
    User,
    UserStatus,
    utcnow,
)
from bot.db.upsert import insert_ignoring_duplicates
from bot.services import audit
from bot.services.permissions import managed_unit_ids
from bot.services.units import ancestor_ids

REPORT_FILED = "report.filed"
REPORT_ACKNOWLEDGED = "report.acknowledged"
REPORT_ESCALATED = "report.escalated"
REPORT_RETURNED = "report.returned"
RECIPIENT_UNREACHABLE = "recipient.unreachable"
PROCEDURES_REFUSED = "procedures.refused"
# What a person is told when their access changes: through the outbox like any other news, so
# a blocked bot or a slow Bot API never undoes or delays the decision itself.
ACCESS_APPROVED = "access.approved"
ACCESS_DECLINED = "access.declined"
ACCESS_GRANTED = "access.granted"
ACCESS_BLOCKED = "access.blocked"
ACCESS_NEWS = (ACCESS_APPROVED, ACCESS_DECLINED, ACCESS_GRANTED, ACCESS_BLOCKED)
# A reviewer learns of a new access request (the request's id in `note`), queued with it.
ACCESS_REQUESTED = "access.requested"
CLAIM_LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
# Statuses of a notification still to be sent.
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.OUTCOME_UNKNOWN)


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


async def supervisor_levels(session: AsyncSession, report: SeizureReport) -> list[list[User]]:
    """Supervisors of the report's unit and of each unit above it that has any, nearest first.

    A crossing point often has no supervisor of its own, so the first level is the first unit
    up the hierarchy that has one.
    """
    chain = await ancestor_ids(session, report.unit_id)
    by_unit = await _supervisors_by_unit(session, chain)
    levels = [by_unit[unit_id] for unit_id in chain if unit_id in by_unit]
    return [
        [person for person in level if person.id != report.officer_id]
        for level in levels
        if any(person.id != report.officer_id for person in level)
    ]


async def active_admins(session: AsyncSession) -> list[User]:
    admins = select(User).where(User.status == UserStatus.ACTIVE, User.role == Role.ADMIN)
    return list((await session.scalars(admins.order_by(User.id))).all())


def _queue(
    session: AsyncSession, report: SeizureReport, recipients: list[User], kind: str
) -> list[Notification]:
    queued = [
        Notification(recipient_id=person.id, kind=kind, report_id=report.id, urgent=report.urgent)
        for person in recipients
    ]
    session.add_all(queued)
    report.last_notified_at = utcnow()
    return queued


async def enqueue_report_filed(session: AsyncSession, report: SeizureReport) -> list[Notification]:
    """Queue the news in the report's own transaction: neither exists without the other.

    The nearest supervisors are told; for an urgent report the level above them too. When
    nobody supervises the whole branch, the admins are told: nothing is lost.
    """
    levels = await supervisor_levels(session, report)
    told = levels[: 2 if report.urgent else 1]
    recipients = [person for level in told for person in level] or await active_admins(session)
    queued = _queue(session, report, recipients, REPORT_FILED)
    report.notified_levels = len(told)
    report.notification_pending = False
    await session.flush()
    return queued


async def escalate_due(
    session: AsyncSession, after: timedelta, urgent_after: timedelta, now: datetime | None = None
) -> list[SeizureReport]:
    """Reports nobody acknowledged in time go to the next level up, step by step to the top."""
    now = now or utcnow()
    waiting = await session.scalars(
        select(SeizureReport)
        .where(
            SeizureReport.acknowledged_by_id.is_(None),
            SeizureReport.status.in_((ReportStatus.INITIAL, ReportStatus.SUBMITTED)),
            SeizureReport.last_notified_at.is_not(None),
            SeizureReport.last_notified_at <= now - min(after, urgent_after),
        )
        .with_for_update(skip_locked=True)
    )
    escalated = []
    for report in waiting.all():
        limit = urgent_after if report.urgent else after
        if report.last_notified_at and report.last_notified_at > now - limit:
            continue
        levels = await supervisor_levels(session, report)
        if report.notified_levels >= len(levels):
            continue
        _queue(session, report, levels[report.notified_levels], REPORT_ESCALATED)
        report.notified_levels += 1
        report.last_notified_at = now
        await audit.record(
            session, None, "report.escalated", "report", report.id, level=report.notified_levels
        )
        escalated.append(report)
    await session.flush()
    return escalated


async def enqueue_for_officer(
    session: AsyncSession, report: SeizureReport, kind: str, note: str | None = None
) -> Notification:
    """The officer learns what a supervisor did with the report."""
    notification = Notification(
        recipient_id=report.officer_id, kind=kind, report_id=report.id, note=note
    )
    session.add(notification)
    await session.flush()
    return notification


def enqueue_access_news(session: AsyncSession, person: User, kind: str) -> Notification:
    """The person learns that their access changed (one of ACCESS_NEWS)."""
    notification = Notification(recipient_id=person.id, kind=kind)
    session.add(notification)
    return notification


def enqueue_access_request(
    session: AsyncSession, request_id: int, reviewers: list[User]
) -> list[Notification]:
    """Each reviewer learns of the request, queued in its transaction: a crash or a failing
    Bot API after the request is stored no longer leaves it unseen."""
    queued = [
        Notification(recipient_id=reviewer.id, kind=ACCESS_REQUESTED, note=str(request_id))
        for reviewer in reviewers
    ]
    session.add_all(queued)
    return queued


async def claim_due(
    session: AsyncSession, limit: int, now: datetime | None = None
) -> list[Notification]:
    """Take due notifications for delivery; a second worker skips the rows this one holds."""
    now = now or utcnow()
    query = (
        select(Notification)
        .where(
            Notification.status.in_(WAITING),
            Notification.available_at <= now,
            or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
        )
        .order_by(Notification.urgent.desc(), Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = list((await session.scalars(query)).all())
    for notification in claimed:
        if notification.claimed_until is not None and notification.outcome_unknown_at is None:
            # Its last claim lapsed: the worker died holding it, perhaps once it was sent and
            # before that was recorded. It may have arrived, so this sending says it is a repeat.
            notification.outcome_unknown_at = now
        notification.claimed_until = now + CLAIM_LEASE
        notification.attempts += 1
    await session.flush()
    return claimed


async def release(session: AsyncSession, notification_ids: list[int]) -> None:
    """Give claimed notifications back at once (a stopping worker), not after the lease."""
    await session.execute(
        update(Notification)
        .where(Notification.id.in_(notification_ids), Notification.status.in_(WAITING))
        .values(claimed_until=None)
    )


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


def mark_outcome_unknown(notification: Notification, delay: timedelta, error: str) -> None:
    """The send timed out and may have arrived: no blind retry (it would come twice), but one
    after `delay`, which says it is a repeat. Delivery is at least once, not exactly once."""
    mark_retry(notification, delay, f"outcome unknown: {error}")
    if notification.status is not DeliveryStatus.UNDELIVERABLE:
        notification.status = DeliveryStatus.OUTCOME_UNKNOWN
    notification.outcome_unknown_at = notification.outcome_unknown_at or utcnow()


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
    if notification.kind == RECIPIENT_UNREACHABLE or recipient is None:
        return  # an admin who cannot be reached is not reported to the admins again and again
    session.add_all(
        Notification(recipient_id=admin.id, kind=RECIPIENT_UNREACHABLE, note=str(recipient.id))
        for admin in await active_admins(session)
        if admin.id != recipient.id
    )
    await session.flush()


# The same refusal is not told again within this time (replicas starting together, restarts).
REFUSAL_REPEATED_AFTER = timedelta(hours=12)
NOTE_LIMIT = 1000
ERROR_LINE_LIMIT = 300


def refusal_note(errors: list[str], kept_since: datetime | None) -> str:
    """The payload of a PROCEDURES_REFUSED notification, JSON that fits the note:
    `{"errors": [line, …], "omitted": n, "kept_since": "2026-12-01T19:00:00+00:00" | null}`:
    the first problems as `file: field.path: problem` lines, how many more there are, and when
    the procedures still served were accepted."""
    payload: dict[str, object] = {
        "errors": [],
        "omitted": len(errors),
        "kept_since": kept_since.isoformat() if kept_since else None,
    }
    shown: list[str] = []
    for line in errors:
        line = line if len(line) <= ERROR_LINE_LIMIT else line[: ERROR_LINE_LIMIT - 1] + "…"
        candidate = {**payload, "errors": [*shown, line], "omitted": len(errors) - len(shown) - 1}
        if len(json.dumps(candidate, ensure_ascii=False)) > NOTE_LIMIT:
            break
        shown.append(line)
        payload = candidate
    return json.dumps(payload, ensure_ascii=False)


@dataclass(frozen=True)
class Refusal:
    """A PROCEDURES_REFUSED notification's payload, as its message shows it."""

    errors: list[str]
    omitted: int
    kept_since: datetime | None


def read_refusal(note: str | None) -> Refusal:
    payload = json.loads(note or "{}")
    kept_since = payload.get("kept_since")
    return Refusal(
        list(payload.get("errors", [])),
        int(payload.get("omitted", 0)),
        datetime.fromisoformat(kept_since) if kept_since else None,
    )


async def enqueue_procedures_refused(
    session: AsyncSession, errors: list[str], kept_since: datetime | None
) -> list[Notification]:
    """Every active admin learns that edited procedure files were refused at start-up and
    which problems to fix, while the last good procedures (accepted at `kept_since`) are
    served. The same refusal told within REFUSAL_REPEATED_AFTER is not queued again."""
    await audit.record(
        session,
        None,
        PROCEDURES_REFUSED,
        "procedures",
        None,
        errors=errors[:100],
        count=len(errors),
        kept_since=kept_since.isoformat() if kept_since else None,
    )
    note = refusal_note(errors, kept_since)
    already = set(
        (
            await session.scalars(
                select(Notification.recipient_id).where(
                    Notification.kind == PROCEDURES_REFUSED,
                    Notification.note == note,
                    Notification.created_at >= utcnow() - REFUSAL_REPEATED_AFTER,
                )
            )
        ).all()
    )
    queued = [
        Notification(recipient_id=admin.id, kind=PROCEDURES_REFUSED, note=note)
        for admin in await active_admins(session)
        if admin.id not in already
    ]
    session.add_all(queued)
    await session.flush()
    return queued


DAILY_DIGEST = "digest"


async def enqueue_digests(
    session: AsyncSession, now: datetime, timezone: ZoneInfo, digest_time: time
) -> int:
    """Once a day, after `digest_time` local time, queue a digest for every active supervisor."""
    local = now.astimezone(timezone)
    if local.time() < digest_time:
        return 0
    day = local.date().isoformat()
    if not await insert_ignoring_duplicates(session, DigestDay, {"day": day, "queued_at": now}):
        return 0
    supervisors = await session.scalars(
        select(User).where(User.status == UserStatus.ACTIVE, User.role == Role.SUPERVISOR)
    )
    queued = [
        Notification(recipient_id=supervisor.id, kind=DAILY_DIGEST, note=day)
        for supervisor in supervisors.all()
    ]
    session.add_all(queued)
    await session.flush()
    return len(queued)


async def digest_counts(
    session: AsyncSession, supervisor: User, day: date, timezone: ZoneInfo
) -> tuple[dict[str, int], int]:
    """Real reports of the supervisor's units that day, by what was found; and all still
    awaiting."""
    managed = await managed_unit_ids(session, supervisor) or set()
    start = datetime.combine(day, time(), tzinfo=timezone)
    # Exercises are not counted: the digest is of real work.
    in_units = SeizureReport.unit_id.in_(managed) & SeizureReport.exercise.is_(False)
    rows = await session.execute(
        select(SeizureReport.category, func.count())
        .where(
            in_units,
            SeizureReport.status != ReportStatus.DRAFT,
            SeizureReport.occurred_at >= start,
            SeizureReport.occurred_at < start + timedelta(days=1),
        )
        .group_by(SeizureReport.category)
    )
    awaiting = await session.scalar(
        select(func.count()).where(
            in_units,
            SeizureReport.acknowledged_by_id.is_(None),
            SeizureReport.status.in_((ReportStatus.INITIAL, ReportStatus.SUBMITTED)),
        )
    )
    return {category.value: count for category, count in rows.all()}, awaiting or 0
