"""The parts of a report's PDF that make it an official record: the letterhead built from the
unit tree, the time zone named once, who printed it, and the signature block with room for the
stamp and the supervisor who acknowledged the report."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from babel.dates import get_timezone_location
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SeizureReport, UnitKind, User, utcnow
from bot.documents.pdf import Paragraph, Section, Table
from bot.services.units import ancestor_ids, get_unit
from handlers.common.report_values import record_moment


async def letterhead(session: AsyncSession, unit_id: int, language: str) -> list[str]:
    """The service, the unit's parents and the unit, top first: «Пограничная служба ГКНБ /
    Чуйский пограничный отряд / Пункт пропуска «Кайыңды»»."""
    lines = []
    for ancestor in reversed(await ancestor_ids(session, unit_id)):
        unit = await get_unit(session, ancestor)
        name = unit.display_name(language)
        # A detachment's or the service's name says what it is; a post's is a place name.
        if unit.kind is UnitKind.CROSSING_POINT:
            name = _("Border crossing point «{name}»").format(name=name)
        elif unit.kind is UnitKind.POST:
            name = _("Border post «{name}»").format(name=name)
        lines.append(name)
    return lines


def time_zone(timezone: ZoneInfo, language: str) -> str:
    """The service's time zone as a reader names it: "Bishkek, UTC+6"."""
    offset = datetime.now(timezone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else "+"
    utc = "UTC" if not minutes else f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    city = get_timezone_location(timezone, locale=language, return_city=True)
    return _("{city}, {offset}").format(city=city, offset=utc)


def printed_line(reader: User | None, timezone: ZoneInfo) -> str:
    """When a PDF was made and for whom; the CLI export has no person to name."""
    date = record_moment(utcnow(), timezone)
    if reader is None:
        return _("Printed {date} by the command-line export.").format(date=date)
    return _("Printed {date} by {name}.").format(date=date, name=reader.full_name or "—")


def signatures(
    report: SeizureReport, officer: User | None, supervisor: User | None, timezone: ZoneInfo
) -> Section:
    """Lines to sign by hand: the service keeps no rank or position, so they are filled in on
    paper. The supervisor who acknowledged the report in the bot is named, with the time."""
    acknowledged = report.acknowledged_at is not None and supervisor is not None
    supervisor_name = supervisor.full_name if acknowledged and supervisor else ""
    rows = [
        [_("Full name"), officer.full_name if officer else "", supervisor_name],
        [_("Rank"), "", ""],
        [_("Position"), "", ""],
        [_("Signature"), "", ""],
        [_("Date"), "", ""],
    ]
    headers = ["", _("Officer"), _("Supervisor")]
    blocks: list[Paragraph | Table] = [Table(headers, rows, hand_written=True)]
    if acknowledged and report.acknowledged_at and supervisor:
        blocks.insert(
            0,
            Paragraph(
                _("Receipt acknowledged in the bot by {name}, {date}.").format(
                    name=supervisor.full_name, date=record_moment(report.acknowledged_at, timezone)
                ),
                bold=True,
            ),
        )
    blocks.append(Paragraph(_("L.S.")))
    return Section(_("Signatures"), list(blocks), together=True)
