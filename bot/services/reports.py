"""Seizure reports: the quick log from the field, numbering, and the frozen, digested record."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AuditEntry,
    FoundCategory,
    ItemEstimate,
    ProcedureRun,
    ReportCounter,
    ReportPhoto,
    ReportProcedureRun,
    ReportRevision,
    ReportStatus,
    Role,
    RunStatus,
    SeizureReport,
    Unit,
    User,
    utcnow,
)
from bot.db.upsert import upsert_returning_increment
from bot.services import audit, safety
from bot.services.errors import (
    AccessDenied,
    AlreadyDecided,
    InvalidInput,
    NotFound,
    ReportChanged,
    bounded_text,
)
from bot.services.notifications import (
    REPORT_ACKNOWLEDGED,
    REPORT_RETURNED,
    enqueue_for_officer,
    enqueue_report_filed,
)
from bot.services.permissions import managed_unit_ids, require_active, require_manages_unit
from bot.services.units import get_unit, subtree_ids

PLACE_TEXT_MAX = 200
REPORTS_PAGE_SIZE = 8
OPEN_STATUSES = (ReportStatus.DRAFT, ReportStatus.INITIAL, ReportStatus.RETURNED)


class NewPhoto(NamedTuple):
    """A photo received from an officer, already kept in the media store under its SHA-256."""

    file_id: str
    file_unique_id: str
    sha256: str | None
    item: int | None = None


@dataclass
class QuickLog:
    """What the officer has answered so far; kept in the conversation state between taps."""

    category: FoundCategory
    occurred_at: datetime
    latitude: float | None = None
    longitude: float | None = None
    place_unit_id: int | None = None
    place_text: str | None = None
    item_estimate: ItemEstimate = ItemEstimate.UNKNOWN
    anyone_in_danger: bool = False
    photos: list[NewPhoto] = field(default_factory=list)
    procedure_run_id: int | None = None
    # Decided when the log was begun and kept, whatever the mode when it is filed.
    exercise: bool = False
    drill_id: int | None = None


def validate_place_text(text: str) -> str:
    return bounded_text(text, "place", 2, PLACE_TEXT_MAX)


def validate_occurred_at(moment: datetime, now: datetime | None = None) -> datetime:
    if moment > (now or utcnow()):
        raise InvalidInput("occurred_at", "in_future")
    return moment


async def place_name(session: AsyncSession, report: SeizureReport, language: str) -> str:
    """Where the seizure was, as the reader names it: the crossing point, the typed place, or
    the coordinates."""
    if report.place_unit_id:
        return (await get_unit(session, report.place_unit_id)).display_name(language)
    if report.place_text:
        return report.place_text
    return f"{report.latitude:.5f}, {report.longitude:.5f}"


async def crossing_points_of(session: AsyncSession, user: User) -> list[Unit]:
    """The crossing points an officer's unit covers: the unit itself or the ones below it."""
    if user.unit_id is None:
        return []
    ids = await subtree_ids(session, user.unit_id)
    query = select(Unit).where(Unit.id.in_(ids), Unit.kind == "crossing_point").order_by(Unit.name)
    return list((await session.scalars(query)).all())


EXERCISE_SERIES = "EX"


async def next_number(session: AsyncSession, unit: Unit, year: int, exercise: bool = False) -> str:
    # One atomic upsert: concurrent submissions queue on the counter row and, since it rolls
    # back with a failed submission, numbers have neither gaps nor duplicates. Exercises are
    # counted in their own series, so real reports keep theirs without gaps.
    series = EXERCISE_SERIES if exercise else ""
    sequence = await upsert_returning_increment(
        session, ReportCounter, {"unit_id": unit.id, "year": year, "series": series}, "last"
    )
    return "-".join(part for part in (unit.code, series, str(year), f"{sequence:04d}") if part)


def canonical_digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def report_content(session: AsyncSession, report: SeizureReport) -> dict[str, Any]:
    """The report as recorded, in a stable, JSON-only form that the digest covers."""
    photos = await session.execute(
        select(ReportPhoto.file_unique_id, ReportPhoto.item_number, ReportPhoto.sha256)
        .where(ReportPhoto.report_id == report.id)
        .order_by(ReportPhoto.id)
    )
    runs = await session.scalars(
        select(ReportProcedureRun.run_id)
        .where(ReportProcedureRun.report_id == report.id)
        .order_by(ReportProcedureRun.run_id)
    )
    return {
        "number": report.number,
        "unit_id": report.unit_id,
        "officer_id": report.officer_id,
        "status": report.status.value,
        "category": report.category.value,
        "anyone_in_danger": report.anyone_in_danger,
        "urgent": report.urgent,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "place_unit_id": report.place_unit_id,
        "place_text": report.place_text,
        "item_estimate": report.item_estimate.value,
        "occurred_at": report.occurred_at.isoformat(),
        # The digest covers each photo's content hash; a photo kept before there were hashes
        # keeps the form the first revisions were digested in.
        "photos": [
            photo
            if item is None and sha256 is None
            else {"photo": photo, "item": item, "sha256": sha256}
            for photo, item, sha256 in photos.all()
        ],
        "procedure_runs": list(runs.all()),
        **({"details": report.details} if report.complete else {}),
    }


# The repeated entries of a report's details, compared entry by entry.
ENTRY_LIST_NAMES = ("items", "persons", "notices")


def changed_paths(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[str]:
    """Where two contents differ, as dotted paths down to the field ("details.items.2.calibre");
    status and number are how the record is handled, not what it says."""
    found = []
    for name in sorted(set(before) | set(after)):
        if not prefix and name in ("status", "number"):
            continue
        old, new = before.get(name), after.get(name)
        if isinstance(old, dict) or isinstance(new, dict):
            found += changed_paths(old or {}, new or {}, f"{prefix}{name}.")
        elif name in ENTRY_LIST_NAMES and (isinstance(old, list) or isinstance(new, list)):
            found += _changed_entries(old or [], new or [], f"{prefix}{name}.")
        elif old != new:
            found.append(f"{prefix}{name}")
    return found


def _changed_entries(before: list[dict], after: list[dict], prefix: str) -> list[str]:
    """Items or persons by their number: one added or removed is named whole."""
    old, new = {e["number"]: e for e in before}, {e["number"]: e for e in after}
    found = []
    for number in sorted(set(old) | set(new)):
        if number in old and number in new:
            found += changed_paths(old[number], new[number], f"{prefix}{number}.")
        else:
            found.append(f"{prefix}{number}")
    return found


async def attach_photos(
    session: AsyncSession, report: SeizureReport, photos: list[NewPhoto]
) -> None:
    """New photos of a report; one it already has is kept once."""
    known = set(
        (
            await session.scalars(
                select(ReportPhoto.file_unique_id).where(ReportPhoto.report_id == report.id)
            )
        ).all()
    )
    session.add_all(
        ReportPhoto(
            report_id=report.id,
            file_id=photo.file_id,
            file_unique_id=photo.file_unique_id,
            item_number=photo.item,
            sha256=photo.sha256,
        )
        for photo in photos
        if photo.file_unique_id not in known
    )
    await session.flush()


async def freeze(session: AsyncSession, report: SeizureReport, author: User) -> ReportRevision:
    """Record the content as a new revision, naming what changed since the previous one."""
    previous = await session.scalar(
        select(ReportRevision.content)
        .where(ReportRevision.report_id == report.id)
        .order_by(ReportRevision.revision.desc())
        .limit(1)
    )
    report.revision += 1
    content = await report_content(session, report)
    changes = [] if previous is None else changed_paths(previous, content)
    revision = ReportRevision(
        report_id=report.id,
        revision=report.revision,
        content=content,
        changes=changes,
        digest=canonical_digest(content),
        author_id=author.id,
    )
    session.add(revision)
    await session.flush()
    return revision


async def attach_run(session: AsyncSession, user: User, report_id: int, run_id: int) -> None:
    report = await get_own_report(session, user, report_id)
    run = await session.get(ProcedureRun, run_id)
    if run is None or run.user_id != user.id:
        raise NotFound("procedure_run")
    if run.status is RunStatus.IN_PROGRESS:
        raise InvalidInput("procedure_run", "unfinished")
    exists = await session.get(ReportProcedureRun, (report.id, run.id))
    if exists is None:
        session.add(ReportProcedureRun(report_id=report.id, run_id=run.id))
        await session.flush()
        await audit.record(session, user, "report.run_attached", "report", report.id, run_id=run.id)


def _apply(report: SeizureReport, log: QuickLog) -> None:
    report.category = log.category
    report.anyone_in_danger = log.anyone_in_danger
    report.urgent = log.anyone_in_danger or log.category is FoundCategory.EXPLOSIVES
    report.latitude, report.longitude = log.latitude, log.longitude
    report.place_unit_id, report.place_text = log.place_unit_id, log.place_text
    report.item_estimate = log.item_estimate


async def resubmit_corrected(
    session: AsyncSession, user: User, report_id: int, log: QuickLog
) -> tuple[SeizureReport, ReportRevision]:
    """The officer's correction of a returned report: a new revision, and supervisors told again."""
    report = await get_own_report(session, user, report_id)
    if report.status is not ReportStatus.RETURNED:
        raise InvalidInput("report", "not_returned")
    _apply(report, log)
    await attach_photos(session, report, log.photos)
    report.status = ReportStatus.INITIAL
    report.returned_by_id = None
    await session.flush()
    revision = await freeze(session, report, user)
    await enqueue_report_filed(session, report)
    await audit.record(
        session, user, "report.corrected", "report", report.id, revision=revision.revision
    )
    return report, revision


async def submit_quick_log(
    session: AsyncSession, user: User, log: QuickLog, timezone: ZoneInfo
) -> tuple[SeizureReport, ReportRevision]:
    """File the quick log at once as an initial report, numbered and frozen."""
    require_active(user)
    if user.unit_id is None:
        raise InvalidInput("unit", "missing")
    unit = await get_unit(session, user.unit_id)
    validate_occurred_at(log.occurred_at)
    report = SeizureReport(
        unit_id=unit.id,
        officer_id=user.id,
        status=ReportStatus.INITIAL,
        occurred_at=log.occurred_at,
        submitted_at=utcnow(),
        notification_pending=True,
        exercise=log.exercise,
        drill_id=log.drill_id,
    )
    _apply(report, log)
    year = utcnow().astimezone(timezone).year
    report.number = await next_number(session, unit, year, report.exercise)
    session.add(report)
    await session.flush()
    await attach_photos(session, report, log.photos)
    if log.procedure_run_id is not None:
        await attach_run(session, user, report.id, log.procedure_run_id)
    revision = await freeze(session, report, user)
    await enqueue_report_filed(session, report)
    await safety.watch_if_in_danger(session, report)
    await audit.record(
        session,
        user,
        "report.quick_logged",
        "report",
        report.id,
        number=report.number,
        digest=revision.digest,
    )
    return report, revision


async def get_report_for(session: AsyncSession, actor: User, report_id: int) -> SeizureReport:
    """A report its officer, the supervisors of its units, or an admin may read."""
    report = await session.get(SeizureReport, report_id)
    if report is None:
        raise NotFound("report")
    if report.officer_id != actor.id:
        await require_manages_unit(session, actor, report.unit_id)
    return report


COMMENT_MIN, COMMENT_MAX = 3, 1000


async def _awaiting_decision(
    session: AsyncSession, actor: User, report_id: int, revision: int | None
) -> SeizureReport:
    """A report a supervisor of its unit may still acknowledge or return, in the revision they
    were shown (None: whichever is current); else who handled it, or that it changed."""
    report = await session.get(SeizureReport, report_id, with_for_update=True)
    if report is None:
        raise NotFound("report")
    await require_manages_unit(session, actor, report.unit_id)
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise AccessDenied()
    handled_by = report.acknowledged_by_id or report.returned_by_id
    if handled_by is not None:
        earlier = await session.get(User, handled_by)
        raise AlreadyDecided(
            earlier.full_name if earlier else None, approved=report.acknowledged_by_id is not None
        )
    if revision is not None and report.revision != revision:
        raise ReportChanged(report.revision)
    return report


async def acknowledge(
    session: AsyncSession, actor: User, report_id: int, revision: int | None = None
) -> SeizureReport:
    report = await _awaiting_decision(session, actor, report_id, revision)
    report.status = ReportStatus.ACKNOWLEDGED
    report.acknowledged_by_id, report.acknowledged_at = actor.id, utcnow()
    await audit.record(session, actor, "report.acknowledged", "report", report.id)
    await enqueue_for_officer(session, report, REPORT_ACKNOWLEDGED)
    return report


def validate_comment(comment: str) -> str:
    # Line breaks are kept: a supervisor may list several corrections.
    return bounded_text(comment, "comment", COMMENT_MIN, COMMENT_MAX, one_line=False)


async def return_for_correction(
    session: AsyncSession, actor: User, report_id: int, comment: str, revision: int | None = None
) -> SeizureReport:
    """Reopen a report for its officer, with the supervisor's reason, which the officer is told."""
    comment = validate_comment(comment)
    report = await _awaiting_decision(session, actor, report_id, revision)
    report.status = ReportStatus.RETURNED
    report.returned_by_id, report.return_comment = actor.id, comment
    await audit.record(session, actor, "report.returned", "report", report.id, comment=comment)
    await enqueue_for_officer(session, report, REPORT_RETURNED, note=comment)
    return report


async def get_own_report(session: AsyncSession, user: User, report_id: int) -> SeizureReport:
    report = await session.get(SeizureReport, report_id)
    if report is None:
        raise NotFound("report")
    if report.officer_id != user.id:
        raise AccessDenied()
    return report


async def my_reports(
    session: AsyncSession, user: User, page: int = 0
) -> tuple[list[SeizureReport], int]:
    require_active(user)
    where = SeizureReport.officer_id == user.id
    total = await session.scalar(select(func.count()).where(where)) or 0
    query = (
        select(SeizureReport)
        .where(where)
        .order_by(SeizureReport.occurred_at.desc(), SeizureReport.id.desc())
        .offset(max(page, 0) * REPORTS_PAGE_SIZE)
        .limit(REPORTS_PAGE_SIZE)
    )
    return list((await session.scalars(query)).all()), total


async def open_reports(session: AsyncSession, user: User, limit: int = 3) -> list[SeizureReport]:
    query = (
        select(SeizureReport)
        .where(SeizureReport.officer_id == user.id, SeizureReport.status.in_(OPEN_STATUSES))
        .order_by(SeizureReport.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


@dataclass(frozen=True)
class ReportDetails:
    report: SeizureReport
    photos: int
    runs: list[ProcedureRun]
    revisions: list[ReportRevision]

    @property
    def revision(self) -> ReportRevision | None:
        return self.revisions[-1] if self.revisions else None


async def report_details(session: AsyncSession, user: User, report_id: int) -> ReportDetails:
    return await details_of(session, await get_report_for(session, user, report_id))


async def details_of(session: AsyncSession, report: SeizureReport) -> ReportDetails:
    """Photos, procedures followed and revisions of a report already allowed to its reader."""
    photos = (
        await session.scalar(select(func.count()).where(ReportPhoto.report_id == report.id)) or 0
    )
    runs = await session.scalars(
        select(ProcedureRun)
        .join(ReportProcedureRun, ReportProcedureRun.run_id == ProcedureRun.id)
        .where(ReportProcedureRun.report_id == report.id)
        .order_by(ProcedureRun.id)
    )
    revisions = await session.scalars(
        select(ReportRevision)
        .where(ReportRevision.report_id == report.id)
        .order_by(ReportRevision.revision)
    )
    return ReportDetails(report, photos, list(runs.all()), list(revisions.all()))


async def report_history(
    session: AsyncSession, actor: User, report_id: int
) -> tuple[SeizureReport, list[tuple[AuditEntry, User | None]]]:
    """What happened to a report, oldest first, and who did it: for its officer and the
    supervisors of its unit."""
    report = await get_report_for(session, actor, report_id)
    entries = await session.execute(
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.object_type == "report", AuditEntry.object_id == report.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return report, [(entry, actor) for entry, actor in entries.all()]


async def inbox(
    session: AsyncSession,
    actor: User,
    page: int = 0,
    awaiting_only: bool = True,
    unit_id: int | None = None,
) -> tuple[list[SeizureReport], int]:
    """Reports of the units an actor supervises (or of one of them and the units below it);
    those awaiting acknowledgement oldest first."""
    managed = await managed_unit_ids(session, actor)
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN) or (managed is not None and not managed):
        raise AccessDenied()
    if unit_id:
        chosen = await subtree_ids(session, unit_id)
        managed = chosen if managed is None else managed & chosen
    conditions = [SeizureReport.status != ReportStatus.DRAFT]
    if managed is not None:
        conditions.append(SeizureReport.unit_id.in_(managed))
    if awaiting_only:
        conditions.append(SeizureReport.acknowledged_by_id.is_(None))
    order = SeizureReport.id.asc() if awaiting_only else SeizureReport.id.desc()
    total = await session.scalar(select(func.count()).where(*conditions)) or 0
    query = (
        select(SeizureReport)
        .where(*conditions)
        .order_by(order)
        .offset(max(page, 0) * REPORTS_PAGE_SIZE)
        .limit(REPORTS_PAGE_SIZE)
    )
    return list((await session.scalars(query)).all()), total
