"""The sheets of a period's export, filled in one pass over its reports: Reports (one row per
report), then one sheet per repeated section (Items, Persons, Agencies notified), Custody and
Tracing; every sheet starts with the report number, which joins them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SeizureReport, Unit, User
from bot.documents.spreadsheet import Cell, Sheet, SheetWriter
from bot.services import exports
from bot.services.drafts import COLUMN_FIELDS, ENTRY_LISTS
from bot.services.report_fields import (
    CONVEYANCE_FIELDS,
    FIELDS,
    INCIDENT_FIELDS,
    ITEM_FIELDS,
    REPEATED,
    ItemKind,
    Section,
    Values,
)
from handlers.common import report_texts, texts
from handlers.documents.custody_record import HandedOver, handed_over, status_name
from handlers.documents.export_columns import (
    Column,
    FieldCells,
    capitalised,
    cells,
    choice,
    code_header,
    headers,
    local,
    section_columns,
    yes_no,
)

INCIDENT_DETAIL_FIELDS = tuple(spec for spec in INCIDENT_FIELDS if spec.key not in COLUMN_FIELDS)
# Which field of an item names what it is, by kind.
ITEM_TYPE_KEYS = {
    ItemKind.FIREARM: "firearm_type",
    ItemKind.PART: "part_type",
    ItemKind.AMMUNITION: "ammunition_type",
    ItemKind.EXPLOSIVE: "explosive_kind",
}
# A firearm's tracing and checks; a row of the Tracing sheet for each firearm with any of them.
TRACING_KEYS = (
    "iarms_check",
    "iarms_details",
    "tracing",
    "tracing_date",
    "tracing_addressee",
    "tracing_legal_basis",
    "tracing_answered_on",
    "tracing_outcome",
    "traced_manufacture_country",
    "last_legal_import_country",
    "diversion_point",
    "iarms_reference",
)
TRACED_FIELDS = tuple(
    spec
    for spec in ITEM_FIELDS
    if spec.key in ("firearm_type", "make", "model", "calibre", "serial_number", *TRACING_KEYS)
)
SEIZURE, HANDOVER = "seizure", "handover"


class Names:
    """Units and officers by id, each read once per export; as data, so not HTML-escaped."""

    def __init__(self, session: AsyncSession, language: str) -> None:
        self.session, self.language = session, language
        self.units: dict[int, Unit] = {}
        self.officers: dict[int, str] = {}

    async def load_units(self) -> None:
        self.units = {unit.id: unit for unit in (await self.session.scalars(select(Unit))).all()}

    def unit(self, unit_id: int | None) -> str | None:
        unit = self.units.get(unit_id or 0)
        return unit.display_name(self.language) if unit else None

    def unit_code(self, unit_id: int | None) -> str | None:
        unit = self.units.get(unit_id or 0)
        return unit.code if unit else None

    async def officer(self, user_id: int) -> str:
        if user_id not in self.officers:
            person = await self.session.get(User, user_id)
            self.officers[user_id] = (person.full_name or person.username or "") if person else ""
        return self.officers[user_id]

    def place(self, report: SeizureReport) -> str | None:
        return self.unit(report.place_unit_id) if report.place_unit_id else report.place_text


@dataclass
class Seized:
    """What a report's row is made from: the report, its officer's name, the service's zone,
    and the hand-overs of its items."""

    report: SeizureReport
    officer: str
    timezone: ZoneInfo
    handovers: list[HandedOver] = field(default_factory=list)

    @property
    def details(self) -> Values:
        return self.report.details or {}

    def entries(self, section: Section) -> list[Values]:
        return self.details.get(ENTRY_LISTS[section], [])


def item_type(item: Values) -> str | None:
    key = ITEM_TYPE_KEYS.get(item.get("kind"))  # type: ignore[call-overload]
    return item.get(key) if key else None


def report_columns(names: Names, language: str, timezone: ZoneInfo) -> list[Column]:
    """The Reports sheet's columns, each read from a `Seized`."""
    incident = section_columns(INCIDENT_DETAIL_FIELDS, language, timezone)
    conveyance = section_columns(CONVEYANCE_FIELDS, language, timezone)
    status, unit, place = _("Status"), _("Unit"), report_texts.field_label("place")
    category = report_texts.field_label("category")
    return [
        Column(_("Report number"), lambda seized: seized.report.number),
        Column(status, lambda seized: capitalised(texts.report_status_name(seized.report.status))),
        Column(code_header(status), lambda seized: seized.report.status.value),
        Column(_("Revision"), lambda seized: seized.report.revision),
        Column(unit, lambda seized: names.unit(seized.report.unit_id)),
        Column(code_header(unit), lambda seized: names.unit_code(seized.report.unit_id)),
        Column(_("Officer"), lambda seized: seized.officer),
        Column(
            report_texts.field_label("occurred_at"),
            lambda seized: local(seized.report.occurred_at, timezone),
        ),
        Column(category, lambda seized: choice(seized.report.category.value)),
        Column(code_header(category), lambda seized: seized.report.category.value),
        Column(place, lambda seized: names.place(seized.report)),
        Column(code_header(place), lambda seized: names.unit_code(seized.report.place_unit_id)),
        Column(_("Latitude"), lambda seized: seized.report.latitude),
        Column(_("Longitude"), lambda seized: seized.report.longitude),
        Column(
            report_texts.field_label("anyone_in_danger"),
            lambda seized: yes_no(seized.report.anyone_in_danger),
        ),
        Column(_("Urgent"), lambda seized: yes_no(seized.report.urgent)),
        Column(_("Full report"), lambda seized: yes_no(seized.report.complete)),
        *[_within("incident", column) for column in incident],
        *[_within("conveyance", column) for column in conveyance],
        Column(_("Items"), lambda seized: len(seized.entries(Section.ITEM))),
        Column(_("Persons"), lambda seized: len(seized.entries(Section.PERSON))),
        Column(_("Submitted"), lambda seized: local(seized.report.submitted_at, timezone)),
        Column(_("Acknowledged"), lambda seized: local(seized.report.acknowledged_at, timezone)),
        Column(exercise_header(), exercise_cell),
    ]


def exercise_header() -> str:
    return _("Exercise")


def exercise_cell(seized: Seized) -> Cell:
    """The last cell of every row of every sheet: whether the report is an exercise."""
    return yes_no(seized.report.exercise)


def _within(part: str, column: Column) -> Column:
    """A field column of one part of a report's details ("incident", "conveyance")."""
    return Column(column.header, lambda seized: column.cell(seized.details.get(part, {})))


def entry_sheet_names(section: Section) -> tuple[str, str]:
    """A repeated section's sheet title and the header of its entries' numbers."""
    return {
        Section.ITEM: (_("Items"), _("Item number")),
        Section.PERSON: (_("Persons"), _("Person number")),
        Section.NOTICE: (_("Agencies notified"), _("Notification number")),
    }[section]


def custody_headers() -> list[str]:
    item = _("Item")
    return [
        _("Report number"),
        _("Item number"),
        item,
        code_header(item),
        _("Handed over by"),
        _("Received by"),
        _("When"),
        _("Purpose"),
        code_header(_("Purpose")),
        _("Seal or package number"),
        _("Seal intact"),
        report_texts.field_label("storage_location"),
        _("Hand-over status"),
        code_header(_("Hand-over status")),
    ]


def custody_rows(seized: Seized) -> list[list[Cell]]:
    """Each item taken by the report's officer when it was seized and kept where the report
    says, then each hand-over of it (confirmed, open, refused or cancelled), oldest first."""
    return _seizure_rows(seized) + [
        [
            seized.report.number,
            number,
            choice(item_type(item) or item.get("kind")),
            item_type(item) or item.get("kind"),
            handover.giver,
            handover.receiver,
            local(handover.at, seized.timezone),
            handover.purpose,
            HANDOVER,
            handover.seal_number,
            yes_no(handover.seal_intact),
            None,
            capitalised(status_name(handover.status)),
            handover.status,
        ]
        for handover in seized.handovers
        for number in handover.items
        for item in [_item(seized, number)]
    ]


def _item(seized: Seized, number: int) -> Values:
    return next((item for item in seized.entries(Section.ITEM) if item["number"] == number), {})


def _seizure_rows(seized: Seized) -> list[list[Cell]]:
    return [
        [
            seized.report.number,
            item["number"],
            choice(item_type(item) or item.get("kind")),
            item_type(item) or item.get("kind"),
            None,
            seized.officer,
            local(seized.report.occurred_at, seized.timezone),
            _("Seizure"),
            SEIZURE,
            None,
            None,
            item.get("storage_location"),
            None,
            None,
        ]
        for item in seized.entries(Section.ITEM)
    ]


def traced(item: Values) -> bool:
    return item.get("kind") == ItemKind.FIREARM and any(
        item.get(key) is not None for key in TRACING_KEYS
    )


# A CSV export's files, one per sheet of `ReportSheets`, in its order.
CSV_NAMES = ("reports", *(ENTRY_LISTS[section] for section in REPEATED), "custody", "tracing")


class ReportSheets:
    """Every sheet of the export, each filled as the reports come."""

    def __init__(self, writer: SheetWriter, names: Names, language: str, timezone: ZoneInfo):
        self.timezone = timezone
        self.report_columns = report_columns(names, language, timezone)
        self.reports = writer.sheet(_("Reports"), headers(self.report_columns))
        entry_columns = {
            section: section_columns(FIELDS[section], language, timezone) for section in REPEATED
        }
        self.entry_cells = {section: FieldCells(entry_columns[section]) for section in REPEATED}
        self.entry_sheets: dict[Section, Sheet] = {}
        for section in REPEATED:
            title, number = entry_sheet_names(section)
            columns = headers(entry_columns[section])
            self.entry_sheets[section] = writer.sheet(
                title, [_("Report number"), number, *columns, exercise_header()]
            )
        self.custody = writer.sheet(_("Custody"), [*custody_headers(), exercise_header()])
        tracing_columns = section_columns(TRACED_FIELDS, language, timezone)
        self.tracing_cells = FieldCells(tracing_columns)
        self.tracing = writer.sheet(
            _("Tracing"),
            [
                _("Report number"),
                _("Item number"),
                *headers(tracing_columns),
                exercise_header(),
            ],
        )

    def add(self, seized: Seized) -> None:
        number, exercise = seized.report.number, exercise_cell(seized)
        self.reports.append(cells(self.report_columns, seized))
        for section in REPEATED:
            for entry in seized.entries(section):
                row = [number, entry["number"], *self.entry_cells[section](entry)]
                self.entry_sheets[section].append([*row, exercise])
        for row in custody_rows(seized):
            self.custody.append([*row, exercise])
        for item in filter(traced, seized.entries(Section.ITEM)):
            row = [number, item["number"], *self.tracing_cells(item)]
            self.tracing.append([*row, exercise])


async def seized_reports(
    batches: AsyncIterator[list[SeizureReport]], names: Names, timezone: ZoneInfo
) -> AsyncIterator[Seized]:
    async for reports in batches:
        transfers = await exports.hand_overs_of(names.session, reports)
        for report in reports:
            handovers = await handed_over(transfers.get(report.id, []), names.officer)
            yield Seized(report, await names.officer(report.officer_id), timezone, handovers)
