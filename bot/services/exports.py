"""Which reports an export holds: those its requester may read (an officer their own, a
supervisor their units', an admin and headquarters all), of a period of seizure dates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.custody_models import CustodyTransfer
from bot.db.models import ReportStatus, Role, SeizureReport, Unit, UnitKind, User
from bot.services.errors import AccessDenied, InvalidInput
from bot.services.permissions import managed_unit_ids, require_active
from bot.services.units import subtree_ids

# Read from the database in batches: an export of a year stays small in memory.
BATCH = 500
LONGEST_PERIOD = timedelta(days=3 * 366)
# A PDF of many reports is for a case file, not a year: beyond this, a spreadsheet.
PDF_REPORTS_LIMIT = 200


def period_bounds(first: date, last: date, timezone: ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of the first day to the end of the last, in the service's time zone."""
    if last < first:
        raise InvalidInput("period", "reversed")
    if last - first > LONGEST_PERIOD:
        raise InvalidInput("period", "too_long")
    start = datetime.combine(first, time.min, tzinfo=timezone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=timezone)
    return start, end


async def export_query(
    session: AsyncSession,
    requester: User | None,
    first: date,
    last: date,
    timezone: ZoneInfo,
    unit_id: int | None = None,
    include_exercises: bool = True,
) -> Select[tuple[SeizureReport]]:
    """The reports of the period, oldest first; `requester` None is headquarters (the CLI)."""
    start, end = period_bounds(first, last, timezone)
    conditions = [
        SeizureReport.occurred_at >= start,
        SeizureReport.occurred_at < end,
        SeizureReport.status != ReportStatus.DRAFT,
    ]
    if not include_exercises:
        conditions.append(SeizureReport.exercise.is_(False))
    if requester is not None:
        require_active(requester)
        managed = await managed_unit_ids(session, requester)
        if requester.role is Role.OFFICER:
            conditions.append(SeizureReport.officer_id == requester.id)
        elif managed is not None:
            conditions.append(SeizureReport.unit_id.in_(managed))
    if unit_id:
        conditions.append(SeizureReport.unit_id.in_(await subtree_ids(session, unit_id)))
    return select(SeizureReport).where(*conditions).order_by(SeizureReport.occurred_at)


async def may_report_nationally(session: AsyncSession, user: User) -> bool:
    """National returns (the IAFQ sheet) are headquarters' work: an administrator's, or a
    supervisor's of a headquarters unit."""
    if not user.is_active:
        return False
    if user.role is Role.ADMIN:
        return True
    if user.role is not Role.SUPERVISOR or user.unit_id is None:
        return False
    unit = await session.get(Unit, user.unit_id)
    return unit is not None and unit.kind is UnitKind.HEADQUARTERS


async def require_national_reporting(session: AsyncSession, user: User) -> None:
    if not await may_report_nationally(session, user):
        raise AccessDenied()


async def stream_reports(
    session: AsyncSession, query: Select[tuple[SeizureReport]]
) -> AsyncIterator[list[SeizureReport]]:
    """The reports in batches as they are read, so what goes with them is read a batch at once."""
    result = await session.stream_scalars(query.execution_options(yield_per=BATCH))
    async for batch in result.partitions():
        yield batch


async def hand_overs_of(
    session: AsyncSession, reports: list[SeizureReport]
) -> dict[int, list[CustodyTransfer]]:
    """The hand-overs of each of these reports' items, oldest first: one query for a batch."""
    query = (
        select(CustodyTransfer)
        .where(CustodyTransfer.report_id.in_([report.id for report in reports]))
        .order_by(CustodyTransfer.id)
    )
    found: dict[int, list[CustodyTransfer]] = {}
    for transfer in await session.scalars(query):
        found.setdefault(transfer.report_id, []).append(transfer)
    return found
