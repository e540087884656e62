"""The supervisors' overview (the Mini App): seizures on a map, trends, the open work, each
limited to what the reader may see: a supervisor their units and those below, an admin all, an
officer their own reports. Filters are parsed here, so a bad one is refused the same way
wherever it comes from; every list is paged."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.custody_models import CustodyTransfer, TransferStatus
from bot.db.models import (
    FoundCategory,
    LinkStatus,
    ReportStatus,
    Role,
    SeizureReport,
    SerialLink,
    Unit,
    User,
    utcnow,
)
from bot.services.errors import AccessDenied, InvalidInput
from bot.services.permissions import managed_unit_ids, require_active
from bot.services.report_fields import ItemKind
from bot.services.units import subtree_ids

# The longest period a chart or the map covers: a year and a day, so a whole year fits.
MAX_PERIOD_DAYS = 366
DEFAULT_PERIOD_DAYS = 90
# Rows of a list (the open work, reports without a place) returned at once.
ROWS_PAGE = 25
# Points of the map returned at once: enough for a year of a detachment, still one phone screen.
POINTS_PAGE = 500
TOP_CALIBRES = 8
TOP_UNITS = 10
WORK_LISTS = ("awaiting", "returned", "handovers", "traces", "links")
AWAITING_STATUSES = (ReportStatus.INITIAL, ReportStatus.SUBMITTED)

Grouping = Literal["week", "month"]


@dataclass(frozen=True)
class Scope:
    """What a reader may see: `unit_ids` None means every unit (an admin); `officer_id` set
    means only that officer's reports."""

    reader: User
    unit_ids: frozenset[int] | None
    officer_id: int | None = None

    @property
    def supervises(self) -> bool:
        return self.officer_id is None


async def scope_of(session: AsyncSession, reader: User) -> Scope:
    """The reader's scope, or AccessDenied for a person without access or a supervisor without
    a unit."""
    require_active(reader)
    if reader.role is Role.OFFICER:
        return Scope(reader, None, officer_id=reader.id)
    managed = await managed_unit_ids(session, reader)
    if managed is not None and not managed:
        raise AccessDenied()
    return Scope(reader, None if managed is None else frozenset(managed))


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    unit_id: int | None = None
    category: FoundCategory | None = None
    # Exercise data only when asked for, and then only it: drills never mix into real numbers.
    exercise: bool = False
    grouping: Grouping = "week"
    page: int = 0


def parse_filters(raw: Mapping[str, str], today: date) -> Filters:
    """Filters from a request's query; whatever is not a date, a number or a known code is
    refused with InvalidInput naming the filter, never passed on to a query."""
    end = _date(raw, "end") or today
    start = _date(raw, "start") or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start > end:
        raise InvalidInput("period", "reversed")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput("period", "too_long")
    return Filters(
        start=start,
        end=end,
        unit_id=_number(raw, "unit"),
        category=_choice(raw, "category", FoundCategory),
        exercise=_choice(raw, "exercise", {"0": False, "1": True}) or False,
        grouping=_choice(raw, "group", {"week": "week", "month": "month"}) or "week",
        page=_number(raw, "page") or 0,
    )


def _date(raw: Mapping[str, str], name: str) -> date | None:
    value = raw.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(name, "not_a_date") from None


def _number(raw: Mapping[str, str], name: str) -> int | None:
    value = raw.get(name, "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise InvalidInput(name, "not_a_number")
    return int(value)


def _choice(raw: Mapping[str, str], name: str, choices: Any) -> Any:
    value = raw.get(name, "").strip()
    if not value:
        return None
    if isinstance(choices, dict):
        if value not in choices:
            raise InvalidInput(name, "unknown")
        return choices[value]
    try:
        return choices(value)
    except ValueError:
        raise InvalidInput(name, "unknown") from None


def _local_bounds(filters: Filters, timezone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(filters.start, time.min, timezone).astimezone(UTC)
    end = datetime.combine(filters.end + timedelta(days=1), time.min, timezone).astimezone(UTC)
    return start, end


async def _visible(
    session: AsyncSession, scope: Scope, unit_id: int | None, exercise: bool
) -> list[ColumnElement[bool]]:
    """Conditions every report shown must meet: filed, in the scope, in the chosen unit (and
    below); a unit outside the scope leaves nothing."""
    conditions: list[ColumnElement[bool]] = [
        SeizureReport.status != ReportStatus.DRAFT,
        SeizureReport.exercise.is_(exercise),
    ]
    if scope.officer_id is not None:
        conditions.append(SeizureReport.officer_id == scope.officer_id)
    units = scope.unit_ids
    if unit_id is not None:
        chosen = await subtree_ids(session, unit_id)
        units = frozenset(chosen if units is None else chosen & units)
    if units is not None:
        conditions.append(SeizureReport.unit_id.in_(sorted(units)))
    return conditions


async def _in_period(
    session: AsyncSession, scope: Scope, filters: Filters, timezone: ZoneInfo
) -> list[ColumnElement[bool]]:
    start, end = _local_bounds(filters, timezone)
    conditions = await _visible(session, scope, filters.unit_id, filters.exercise)
    conditions += [SeizureReport.occurred_at >= start, SeizureReport.occurred_at < end]
    if filters.category is not None:
        conditions.append(SeizureReport.category == filters.category)
    return conditions


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    total: int
    page: int
    size: int

    @property
    def more(self) -> bool:
        return (self.page + 1) * self.size < self.total


async def _paged(session: AsyncSession, query: Any, page: int, size: int) -> Page:
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list((await session.execute(query.offset(page * size).limit(size))).all())
    return Page(rows, total, page, size)


async def map_points(
    session: AsyncSession, scope: Scope, filters: Filters, timezone: ZoneInfo
) -> tuple[Page, Page]:
    """Reports of the period with coordinates (for the map) and without (listed beside it),
    newest first."""
    conditions = await _in_period(session, scope, filters, timezone)
    placed = SeizureReport.latitude.is_not(None) & SeizureReport.longitude.is_not(None)
    newest = (SeizureReport.occurred_at.desc(), SeizureReport.id.desc())
    query = select(SeizureReport).where(*conditions)
    points = await _paged(session, query.where(placed).order_by(*newest), filters.page, POINTS_PAGE)
    unplaced = await _paged(
        session, query.where(~placed).order_by(*newest), filters.page, ROWS_PAGE
    )
    return _reports_of(points), _reports_of(unplaced)


def _reports_of(page: Page) -> Page:
    return Page([row[0] for row in page.rows], page.total, page.page, page.size)


@dataclass
class Trends:
    buckets: list[date]
    # category -> count in each bucket, in the order of `buckets`
    by_category: dict[str, list[int]]
    by_unit: list[tuple[int, int]]  # (unit id, seizures), most first
    items_by_kind: dict[str, int]  # kind -> quantity
    top_calibres: list[tuple[str, int]]  # (calibre as typed, quantity)
    firearms: int = 0  # firearm items (entries) seized
    traces_sent: int = 0
    traces_answered: int = 0
    origin_established: int = 0
    seizures: int = 0
    unit_names: dict[int, Unit] = field(default_factory=dict)


def bucket_of(moment: date, grouping: Grouping) -> date:
    if grouping == "month":
        return moment.replace(day=1)
    return moment - timedelta(days=moment.weekday())


def _buckets(filters: Filters) -> list[date]:
    found, current = [], bucket_of(filters.start, filters.grouping)
    while current <= filters.end:
        found.append(current)
        current = (
            (current + timedelta(days=32)).replace(day=1)
            if filters.grouping == "month"
            else current + timedelta(days=7)
        )
    return found


async def trends(
    session: AsyncSession, scope: Scope, filters: Filters, timezone: ZoneInfo
) -> Trends:
    """Seizures of the period per week or month by category and by unit, items by kind, the
    most seized calibres, and the tracing of firearms (SDG indicator 16.4.2: the share of seized
    arms whose illicit origin was traced)."""
    conditions = await _in_period(session, scope, filters, timezone)
    rows = await session.execute(
        select(
            SeizureReport.occurred_at,
            SeizureReport.category,
            SeizureReport.unit_id,
            SeizureReport.details,
        ).where(*conditions)
    )
    buckets = _buckets(filters)
    position = {bucket: index for index, bucket in enumerate(buckets)}
    result = Trends(buckets, {c.value: [0] * len(buckets) for c in FoundCategory}, [], {}, [])
    units: Counter[int] = Counter()
    kinds: Counter[str] = Counter({kind.value: 0 for kind in ItemKind})
    calibres: Counter[str] = Counter()
    for occurred_at, category, unit_id, details in rows.all():
        result.seizures += 1
        bucket = bucket_of(occurred_at.astimezone(timezone).date(), filters.grouping)
        result.by_category[category.value][position[bucket]] += 1
        units[unit_id] += 1
        for item in (details or {}).get("items", []):
            _count_item(item, result, kinds, calibres)
    result.by_unit = units.most_common(TOP_UNITS)
    result.items_by_kind = dict(kinds)
    result.top_calibres = calibres.most_common(TOP_CALIBRES)
    if result.by_unit:
        found = await session.scalars(select(Unit).where(Unit.id.in_(dict(result.by_unit))))
        result.unit_names = {unit.id: unit for unit in found}
    return result


def _count_item(
    item: dict[str, Any], result: Trends, kinds: Counter[str], calibres: Counter[str]
) -> None:
    quantity = item.get("quantity") if isinstance(item.get("quantity"), int) else 1
    kind = item.get("kind")
    if kind in kinds:
        kinds[kind] += quantity
    calibre = item.get("calibre")
    if isinstance(calibre, str) and calibre.strip():
        calibres[" ".join(calibre.split())] += quantity
    if kind != ItemKind.FIREARM:
        return
    result.firearms += 1
    tracing = item.get("tracing")
    if tracing in ("sent", "answered"):
        result.traces_sent += 1
    if tracing == "answered":
        result.traces_answered += 1
        if item.get("tracing_outcome") == "origin_established":
            result.origin_established += 1


@dataclass(frozen=True)
class OverdueTrace:
    report: SeizureReport
    item_number: int
    sent_on: date


async def open_work(
    session: AsyncSession,
    scope: Scope,
    which: str,
    page: int,
    exercise: bool,
    overdue_trace_days: int,
    now: datetime | None = None,
) -> Page:
    """One list of the open work, oldest first: reports awaiting acknowledgement, returned
    reports, unconfirmed hand-overs, traces sent without a reply for `overdue_trace_days`,
    possible links between seizures."""
    if which not in WORK_LISTS:
        raise InvalidInput("list", "unknown")
    visible = await _visible(session, scope, None, exercise)
    oldest = (SeizureReport.submitted_at, SeizureReport.id)
    if which == "awaiting":
        query = select(SeizureReport).where(
            *visible,
            SeizureReport.status.in_(AWAITING_STATUSES),
            SeizureReport.acknowledged_by_id.is_(None),
        )
        return _reports_of(await _paged(session, query.order_by(*oldest), page, ROWS_PAGE))
    if which == "returned":
        query = select(SeizureReport).where(*visible, SeizureReport.status == ReportStatus.RETURNED)
        return _reports_of(await _paged(session, query.order_by(*oldest), page, ROWS_PAGE))
    if which == "handovers":
        query = (
            select(CustodyTransfer, SeizureReport)
            .join(SeizureReport, SeizureReport.id == CustodyTransfer.report_id)
            .where(*visible, CustodyTransfer.status == TransferStatus.PENDING)
            .order_by(CustodyTransfer.created_at, CustodyTransfer.id)
        )
        return await _paged(session, query, page, ROWS_PAGE)
    if which == "links":
        query = (
            select(SerialLink, SeizureReport)
            .join(SeizureReport, SeizureReport.id == SerialLink.report_id)
            .where(*visible, SerialLink.status == LinkStatus.POSSIBLE)
            .order_by(SerialLink.created_at, SerialLink.id)
        )
        return await _paged(session, query, page, ROWS_PAGE)
    return await _overdue_traces(session, visible, page, overdue_trace_days, now or utcnow())


async def _overdue_traces(
    session: AsyncSession,
    visible: list[ColumnElement[bool]],
    page: int,
    overdue_days: int,
    now: datetime,
) -> Page:
    """Firearms whose tracing request was sent `overdue_days` ago or earlier and not answered.
    The request lives inside the report's details, so complete reports are read here."""
    due = now.date() - timedelta(days=overdue_days)
    query = select(SeizureReport).where(*visible, SeizureReport.complete.is_(True))
    found: list[OverdueTrace] = []
    for report in await session.scalars(query.order_by(SeizureReport.id)):
        for item in report.details.get("items", []):
            sent_on = _sent_on(item)
            if item.get("tracing") == "sent" and sent_on is not None and sent_on <= due:
                found.append(OverdueTrace(report, int(item["number"]), sent_on))
    found.sort(key=lambda trace: (trace.sent_on, trace.report.id, trace.item_number))
    return Page(found[page * ROWS_PAGE : (page + 1) * ROWS_PAGE], len(found), page, ROWS_PAGE)


def _sent_on(item: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(item.get("tracing_date")))
    except ValueError:
        return None


async def work_counts(
    session: AsyncSession, scope: Scope, exercise: bool, overdue_trace_days: int
) -> dict[str, int]:
    """How long each list of the open work is."""
    return {
        which: (await open_work(session, scope, which, 0, exercise, overdue_trace_days)).total
        for which in WORK_LISTS
    }


async def scope_units(session: AsyncSession, scope: Scope) -> list[Unit]:
    """The units a reader may filter by: a supervisor's subtree, every unit for an admin, the
    officer's own unit."""
    query = select(Unit).order_by(Unit.code)
    if scope.officer_id is not None:
        query = query.where(Unit.id == scope.reader.unit_id)
    elif scope.unit_ids is not None:
        query = query.where(Unit.id.in_(sorted(scope.unit_ids)))
    return list((await session.scalars(query)).all())
