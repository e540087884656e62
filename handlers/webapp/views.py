"""What the Mini App's pages show, as JSON in the reader's language: the same texts (categories,
statuses, field labels, items in words) the bot's screens use. Values are plain text; the page
puts them in as text, never as HTML."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aiogram.utils.i18n import gettext as _
from babel.dates import format_date, format_timedelta
from babel.numbers import format_percent
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import (
    FoundCategory,
    ReportPhoto,
    ReportStatus,
    Role,
    SeizureReport,
    Unit,
    User,
    utcnow,
)
from bot.i18n import MINUTES, format_datetime
from bot.services import custody, overview, reports
from bot.services.overview import OverdueTrace, Page, Trends
from bot.services.report_fields import ItemKind
from bot.services.report_fields import Section as ReportSection
from handlers.common import report_texts, texts
from handlers.common.item_words import item_in_words
from handlers.common.report_values import section_rows
from handlers.custody import custody_status_name
from handlers.reports import action_name

CATEGORY_ORDER = tuple(category.value for category in FoundCategory)


def person_name(person: User | None) -> str:
    if person is None:
        return "—"
    name = person.full_name or _("(no name)")
    return f"{name} @{person.username}" if person.username else name


def unit_name(unit: Unit | None, language: str) -> str:
    return f"{unit.display_name(language)} ({unit.code})" if unit else "—"


async def unit_names(session: AsyncSession, ids: set[int], language: str) -> dict[int, str]:
    if not ids:
        return {}
    found = await session.scalars(select(Unit).where(Unit.id.in_(sorted(ids))))
    return {unit.id: unit_name(unit, language) for unit in found}


def _place(report: SeizureReport, names: dict[int, str]) -> str:
    if report.place_unit_id:
        return names.get(report.place_unit_id, "—")
    if report.place_text:
        return report.place_text
    if report.latitude is not None and report.longitude is not None:
        return f"{report.latitude:.5f}, {report.longitude:.5f}"
    return "—"


def age_text(since: datetime | None, language: str, now: datetime | None = None) -> str:
    if since is None:
        return "—"
    return format_timedelta((now or utcnow()) - since, threshold=1.5, locale=language)


async def report_rows(
    session: AsyncSession, found: list[SeizureReport], language: str, settings: Settings
) -> list[dict[str, Any]]:
    """Each report as a line of a list or a point of the map."""
    names = await unit_names(
        session,
        {r.unit_id for r in found} | {r.place_unit_id for r in found if r.place_unit_id},
        language,
    )
    return [
        {
            "id": report.id,
            "number": report.number or "—",
            "category": report.category.value,
            "category_name": texts.found_name(report.category),
            "urgent": report.urgent,
            "status": report.status.value,
            "status_name": texts.report_status_name(report.status),
            "occurred": format_datetime(report.occurred_at, language, settings.tz, MINUTES),
            "age": age_text(report.submitted_at, language),
            "unit": names.get(report.unit_id, "—"),
            "place": _place(report, names),
            "lat": report.latitude,
            "lon": report.longitude,
        }
        for report in found
    ]


def category_choices() -> list[dict[str, str]]:
    return [{"code": c.value, "name": texts.found_name(c)} for c in FoundCategory]


def page_of(page: Page, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"rows": rows, "total": page.total, "page": page.page, "more": page.more}


def _bucket_label(bucket: date, grouping: str, language: str) -> str:
    if grouping == "month":
        return format_date(bucket, "LLL yyyy", locale=language)
    return format_date(bucket, "d MMM", locale=language)


def _share(part: int, whole: int, language: str) -> str:
    return format_percent(part / whole, locale=language) if whole else "—"


def trends_view(found: Trends, grouping: str, language: str) -> dict[str, Any]:
    return {
        "seizures": found.seizures,
        "labels": [_bucket_label(bucket, grouping, language) for bucket in found.buckets],
        "by_category": [
            {
                "category": code,
                "name": texts.found_name(FoundCategory(code)),
                "counts": found.by_category[code],
            }
            for code in CATEGORY_ORDER
        ],
        "by_unit": [
            {"unit": unit_name(found.unit_names.get(unit_id), language), "count": count}
            for unit_id, count in found.by_unit
        ],
        "items_by_kind": [
            {"kind": kind.value, "name": report_texts.choice_name(kind.value), "count": count}
            for kind in ItemKind
            for count in [found.items_by_kind.get(kind.value, 0)]
        ],
        "top_calibres": [
            {"calibre": calibre, "count": count} for calibre, count in found.top_calibres
        ],
        "tracing": {
            "firearms": found.firearms,
            "sent": found.traces_sent,
            "answered": found.traces_answered,
            "established": found.origin_established,
            "answered_share": _share(found.traces_answered, found.traces_sent, language),
            "established_share": _share(found.origin_established, found.firearms, language),
        },
    }


async def work_rows(
    session: AsyncSession, which: str, page: Page, language: str, settings: Settings
) -> list[dict[str, Any]]:
    """The rows of one list of the open work, each naming the report it leads to."""
    if which in ("awaiting", "returned"):
        return await report_rows(session, page.rows, language, settings)
    if which == "traces":
        traces: list[OverdueTrace] = page.rows
        return [
            {
                "id": trace.report.id,
                "number": trace.report.number or "—",
                "text": _("Item {item}: trace sent on {date}, no reply").format(
                    item=trace.item_number, date=format_date(trace.sent_on, locale=language)
                ),
                "age": age_text(_midnight(trace.sent_on), language),
                "urgent": False,
            }
            for trace in traces
        ]
    people = await _people(session, [row[0] for row in page.rows], which)
    rows = []
    for record, report in page.rows:
        if which == "handovers":
            text = _("Items {items} to {holder}: awaiting confirmation").format(
                items=", ".join(str(number) for number in record.items),
                holder=person_name(people.get(record.receiver_id))
                if record.receiver_id
                else (record.receiver_text or "—"),
            )
        else:
            text = _("Item {item}: the same serial as in an earlier report").format(
                item=record.item_number
            )
        rows.append(
            {
                "id": report.id,
                "number": report.number or "—",
                "text": text,
                "age": age_text(record.created_at, language),
                "urgent": report.urgent,
            }
        )
    return rows


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=utcnow().tzinfo)


async def _people(session: AsyncSession, records: list[Any], which: str) -> dict[int, User]:
    if which != "handovers":
        return {}
    ids = {record.receiver_id for record in records if record.receiver_id}
    if not ids:
        return {}
    return {
        person.id: person for person in await session.scalars(select(User).where(User.id.in_(ids)))
    }


def can_decide(reader: User, report: SeizureReport) -> bool:
    """Whether Acknowledge and Return are offered (the service decides again when pressed)."""
    return (
        reader.role in (Role.SUPERVISOR, Role.ADMIN)
        and report.status in overview.AWAITING_STATUSES
        and report.acknowledged_by_id is None
        and report.returned_by_id is None
    )


async def report_view(
    session: AsyncSession, reader: User, report_id: int, language: str, settings: Settings
) -> dict[str, Any]:
    """A report's page: its fields, items, photos, custody and history, and what the reader
    may do with it. Refused (AccessDenied, NotFound) as the bot's own screen refuses it."""
    report, entries = await reports.report_history(session, reader, report_id)
    (row,) = await report_rows(session, [report], language, settings)
    officer = await session.get(User, report.officer_id)
    tz = settings.tz
    fields = [
        (_("Status"), texts.report_status_name(report.status)),
        (_("What was found"), texts.found_name(report.category)),
        (_("Date and time of the seizure"), row["occurred"]),
        (_("Place"), row["place"]),
        (_("Unit"), row["unit"]),
        (_("Officer"), person_name(officer)),
        (_("Items"), texts.estimate_name(report.item_estimate)),
        (_("Anyone in danger or hurt"), _("yes") if report.anyone_in_danger else _("no")),
        (_("Revision"), str(report.revision)),
    ]
    if report.status is ReportStatus.RETURNED and report.return_comment:
        fields.append((_("Returned for correction"), report.return_comment))
    if report.complete:
        incident = report.details.get("incident", {})
        fields += section_rows(
            ReportSection.INCIDENT, incident, language, tz, {}, True, False, True
        )
    items = [
        {
            "number": item["number"],
            "text": item_in_words(item, language),
            "quantity": item.get("quantity"),
        }
        for item in report.details.get("items", [])
    ]
    photos = await session.scalars(
        select(ReportPhoto.id)
        .where(ReportPhoto.report_id == report.id, ReportPhoto.sha256.is_not(None))
        .order_by(ReportPhoto.id)
    )

    def when(moment: datetime | None) -> str:
        return format_datetime(moment, language, tz, MINUTES) if moment else "…"

    timeline = [
        {
            "period": f"{when(line.since)} – {when(line.until)}",
            "items": ", ".join(str(number) for number in line.items),
            "holder": person_name(line.holder) if line.holder else (line.holder_text or "—"),
            "seal": line.seal_number or "",
            "status": custody_status_name(line.status),
        }
        for line in await custody.timeline(session, report)
    ]
    history = [
        {
            "when": when(entry.at),
            "who": person_name(actor) if actor else _("system"),
            "what": action_name(entry.action),
            "comment": str(entry.details.get("comment") or ""),
        }
        for entry, actor in entries
    ]
    return {
        **row,
        "title": texts.exercise_marked(
            _("Seizure report No. {number}").format(number=row["number"]), report.exercise
        ),
        "revision": report.revision,
        "fields": [{"label": label, "value": value} for label, value in fields],
        "items": items,
        "photos": list(photos.all()),
        "custody": timeline,
        "history": history,
        "can_decide": can_decide(reader, report),
    }
