"""Officer safety check-ins: after a report with explosives or someone in danger the officer is
asked "Are you safe?" at intervals until they record that the sappers took over or that the
scene is closed; checks left unanswered in a row, and a call for help, alert the supervisors.

Every check and alert goes through the outbox, and the schedule lives in `safety_watches`: a
restart neither loses a check nor sends one twice, and a second replica skips the watches the
first is working on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Notification, SeizureReport, User, utcnow
from bot.db.safety_models import SafetyWatch, WatchEnd
from bot.services import audit
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.notifications import active_admins, supervisor_levels
from bot.services.report_fields import check_coordinates

SAFETY_CHECK = "safety.check"
SAFETY_SILENT = "safety.silent"
SAFETY_HELP = "safety.help"
SAFETY_ANSWERED = "safety.answered"
SAFETY_NEWS = (SAFETY_CHECK, SAFETY_SILENT, SAFETY_HELP, SAFETY_ANSWERED)
# Checks unanswered in a row before the supervisors are alerted; each as many more climb a level.
SILENT_CHECKS = 2
# A second call for help this soon is the same emergency: the supervisors are not told twice.
HELP_REPEAT_AFTER = timedelta(minutes=5)
# What the officer answered, as a SAFETY_ANSWERED notification names it.
SAFE = "safe"


class WatchClosed(DomainError):
    """The check-ins of this report were ended already: by whom nothing changes."""

    def __init__(self, watch: SafetyWatch) -> None:
        super().__init__(watch.closed_reason)
        self.watch = watch


class AlreadyAnswered(DomainError):
    """This check, or a later one, was answered already."""

    def __init__(self, watch: SafetyWatch) -> None:
        super().__init__(str(watch.answered_check))
        self.watch = watch


class StaleCheck(DomainError):
    """A button of an earlier check while a later one waits for its answer: it does not answer
    the later one (an old press, or a redelivered one, says nothing of the officer now)."""

    def __init__(self, watch: SafetyWatch) -> None:
        super().__init__(str(watch.checks_sent))
        self.watch = watch


class HelpAlreadyAsked(DomainError):
    """Help was asked moments ago and the supervisors were told then."""

    def __init__(self, watch: SafetyWatch) -> None:
        super().__init__(str(watch.help_requested_at))
        self.watch = watch


async def watch_if_in_danger(session: AsyncSession, report: SeizureReport) -> SafetyWatch | None:
    """Start the check-ins of a report filed with explosives or someone in danger (what makes
    it urgent). A report already watched keeps its watch: completing a quick log as a full
    report neither restarts nor reopens its check-ins."""
    if not report.urgent:
        return None
    existing = await session.scalar(select(SafetyWatch).where(SafetyWatch.report_id == report.id))
    if existing is not None:
        return existing
    now = utcnow()
    watch = SafetyWatch(
        report_id=report.id,
        officer_id=report.officer_id,
        started_at=now,
        interval_from=now,
        latitude=report.latitude,
        longitude=report.longitude,
        located_at=now if report.latitude is not None else None,
    )
    session.add(watch)
    await session.flush()
    await audit.record(
        session, None, "safety.started", "safety_watch", watch.id, report_id=report.id
    )
    return watch


@dataclass(frozen=True)
class CheckNote:
    """A SAFETY_CHECK notification's payload: which check it is, and how many before it went
    unanswered (the officer is warned that the supervisors will be alerted)."""

    check: int
    unanswered: int


@dataclass(frozen=True)
class AlertNote:
    """A SAFETY_SILENT or SAFETY_HELP notification's payload, as things stood when it was queued:
    checks unanswered, the officer's last answer, the last known location and its time."""

    unanswered: int
    last_answer_at: datetime | None
    latitude: float | None
    longitude: float | None
    located_at: datetime | None
    at: datetime


@dataclass(frozen=True)
class AnswerNote:
    """A SAFETY_ANSWERED notification's payload: what the officer said (SAFE or a WatchEnd) and
    when."""

    answer: str
    at: datetime


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def read_check(note: str | None) -> CheckNote:
    payload = json.loads(note or "{}")
    return CheckNote(int(payload.get("check", 0)), int(payload.get("unanswered", 0)))


def read_alert(note: str | None) -> AlertNote:
    payload = json.loads(note or "{}")
    return AlertNote(
        int(payload.get("unanswered", 0)),
        _moment(payload.get("last_answer_at")),
        payload.get("latitude"),
        payload.get("longitude"),
        _moment(payload.get("located_at")),
        _moment(payload.get("at")) or utcnow(),
    )


def read_answer(note: str | None) -> AnswerNote:
    payload = json.loads(note or "{}")
    return AnswerNote(str(payload.get("answer", SAFE)), _moment(payload.get("at")) or utcnow())


def _alert_note(watch: SafetyWatch, now: datetime) -> str:
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return json.dumps(
        {
            "unanswered": watch.unanswered,
            "last_answer_at": iso(watch.last_answer_at),
            "latitude": watch.latitude,
            "longitude": watch.longitude,
            "located_at": iso(watch.located_at),
            "at": now.isoformat(),
        }
    )


def _tell(
    session: AsyncSession, recipients: list[User], kind: str, report_id: int, note: str
) -> None:
    session.add_all(
        Notification(recipient_id=person.id, kind=kind, report_id=report_id, urgent=True, note=note)
        for person in recipients
    )


async def _first_alerted(session: AsyncSession, report: SeizureReport) -> tuple[list[User], int]:
    """Who is alerted first, as for an urgent report: the nearest supervisors and the level above
    them, else the admins; and how many levels that is."""
    told = (await supervisor_levels(session, report))[:2]
    recipients = [person for level in told for person in level]
    return recipients or await active_admins(session), len(told)


async def _alert_silence(
    session: AsyncSession, watch: SafetyWatch, report: SeizureReport, now: datetime
) -> None:
    """The first alert goes to the first two levels (or the admins); each further alert, after
    as many more silent checks, one level higher, up to the top."""
    if watch.alerted_levels == 0:
        recipients, levels = await _first_alerted(session, report)
        watch.alerted_levels = max(levels, 1)
    else:
        levels_above = await supervisor_levels(session, report)
        if watch.alerted_levels >= len(levels_above):
            return
        recipients = levels_above[watch.alerted_levels]
        watch.alerted_levels += 1
    _tell(session, recipients, SAFETY_SILENT, report.id, _alert_note(watch, now))
    await audit.record(
        session,
        None,
        "safety.silent",
        "safety_watch",
        watch.id,
        unanswered=watch.unanswered,
        level=watch.alerted_levels,
    )


async def send_due_checks(
    session: AsyncSession, every: timedelta, now: datetime | None = None
) -> list[SafetyWatch]:
    """Queue the next "Are you safe?" of every open watch whose interval has passed; the check
    before it, if unanswered, counts as missed, and every SILENT_CHECKS missed in a row alert
    the supervisors."""
    now = now or utcnow()
    due = await session.execute(
        select(SafetyWatch, SeizureReport)
        .join(SeizureReport, SeizureReport.id == SafetyWatch.report_id)
        .where(SafetyWatch.closed_at.is_(None), SafetyWatch.interval_from <= now - every)
        .order_by(SafetyWatch.id)
        .with_for_update(skip_locked=True, of=SafetyWatch)
    )
    checked = []
    for watch, report in due.all():
        if watch.checks_sent > watch.answered_check:
            watch.unanswered += 1
            if watch.unanswered % SILENT_CHECKS == 0:
                await _alert_silence(session, watch, report, now)
        watch.checks_sent += 1
        watch.last_check_sent_at = watch.interval_from = now
        note = json.dumps({"check": watch.checks_sent, "unanswered": watch.unanswered})
        session.add(
            Notification(
                recipient_id=watch.officer_id,
                kind=SAFETY_CHECK,
                report_id=report.id,
                urgent=True,
                note=note,
            )
        )
        checked.append(watch)
    await session.flush()
    return checked


async def _own_watch(session: AsyncSession, officer: User, **where: int) -> SafetyWatch:
    query = select(SafetyWatch).filter_by(**where).with_for_update()
    watch = await session.scalar(query)
    if watch is None:
        raise NotFound("safety_watch")
    if watch.officer_id != officer.id:
        raise AccessDenied()
    return watch


async def watch_of_report(session: AsyncSession, report_id: int) -> SafetyWatch | None:
    return await session.scalar(select(SafetyWatch).where(SafetyWatch.report_id == report_id))


async def _tell_answered(
    session: AsyncSession, watch: SafetyWatch, report: SeizureReport, answer: str, now: datetime
) -> None:
    """Supervisors alerted of the officer's silence learn that the officer answered after all."""
    if not watch.alerted_levels:
        return
    levels = await supervisor_levels(session, report)
    recipients = [person for level in levels[: watch.alerted_levels] for person in level]
    _tell(
        session,
        recipients or await active_admins(session),
        SAFETY_ANSWERED,
        report.id,
        json.dumps({"answer": answer, "at": now.isoformat()}),
    )
    watch.alerted_levels = 0


async def answer_check(
    session: AsyncSession, officer: User, watch_id: int, check: int, now: datetime | None = None
) -> SafetyWatch:
    """The officer is safe, answering check `check`: the count of silent checks starts again
    and the next check comes a whole interval later."""
    now = now or utcnow()
    watch = await _own_watch(session, officer, id=watch_id)
    if watch.closed_at is not None:
        raise WatchClosed(watch)
    if not 0 < check <= watch.checks_sent:
        raise NotFound("safety_check")
    if watch.answered_check == watch.checks_sent:
        raise AlreadyAnswered(watch)
    if check < watch.checks_sent:
        raise StaleCheck(watch)
    watch.answered_check, watch.unanswered = check, 0
    watch.last_answer_at = watch.interval_from = now
    report = await session.get_one(SeizureReport, watch.report_id)
    await _tell_answered(session, watch, report, SAFE, now)
    await audit.record(session, officer, "safety.safe", "safety_watch", watch.id, check=check)
    await session.flush()
    return watch


async def end_watch(
    session: AsyncSession,
    officer: User,
    watch_id: int,
    reason: WatchEnd,
    now: datetime | None = None,
) -> SafetyWatch:
    """The sappers took over, or the scene is closed: no more checks. From any check's message,
    however old: it is a fact about the scene, not an answer to one check."""
    now = now or utcnow()
    watch = await _own_watch(session, officer, id=watch_id)
    if watch.closed_at is not None:
        raise WatchClosed(watch)
    watch.closed_at, watch.closed_reason = now, reason
    watch.last_answer_at, watch.answered_check, watch.unanswered = now, watch.checks_sent, 0
    report = await session.get_one(SeizureReport, watch.report_id)
    await _tell_answered(session, watch, report, reason.value, now)
    await audit.record(
        session, officer, "safety.ended", "safety_watch", watch.id, reason=reason.value
    )
    await session.flush()
    return watch


async def ask_for_help(
    session: AsyncSession, officer: User, report_id: int, now: datetime | None = None
) -> tuple[SafetyWatch, list[User]]:
    """The officer needs help: the supervisors (as for an urgent report) are alerted at once with
    the last known location. Asked again within HELP_REPEAT_AFTER, nobody is told twice."""
    now = now or utcnow()
    watch = await _own_watch(session, officer, report_id=report_id)
    asked = watch.help_requested_at
    if asked is not None and now - asked < HELP_REPEAT_AFTER:
        raise HelpAlreadyAsked(watch)
    watch.help_requested_at = now
    report = await session.get_one(SeizureReport, watch.report_id)
    recipients, _levels = await _first_alerted(session, report)
    _tell(session, recipients, SAFETY_HELP, report.id, _alert_note(watch, now))
    await audit.record(session, officer, "safety.help", "safety_watch", watch.id)
    await session.flush()
    return watch, recipients


async def note_location(
    session: AsyncSession,
    officer: User,
    latitude: float,
    longitude: float,
    now: datetime | None = None,
) -> list[SafetyWatch]:
    """A location the officer shares becomes the last known location of their open watches."""
    latitude, longitude = check_coordinates(latitude, longitude)
    watches = list(
        (
            await session.scalars(
                select(SafetyWatch)
                .where(SafetyWatch.officer_id == officer.id, SafetyWatch.closed_at.is_(None))
                .with_for_update()
            )
        ).all()
    )
    for watch in watches:
        watch.latitude, watch.longitude, watch.located_at = latitude, longitude, now or utcnow()
    await session.flush()
    return watches
