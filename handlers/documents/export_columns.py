"""How a report's fields become spreadsheet columns, data rather than screen text: a name in the
reader's language without emoji and, beside every enumeration, a column with the stored code;
beside every country its ISO 3166 alpha-2 code; dates as date cells and moments as datetimes in
the service's time zone; numbers as numbers; yes and no as the capitalised words "Yes"/"No" of
the reader's language (the same in XLSX and CSV, where a boolean would read TRUE/FALSE)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.documents.spreadsheet import Cell
from bot.services.report_fields import UNKNOWN, Field, Kind, Values
from handlers.common import report_texts, report_values, texts


@dataclass(frozen=True)
class Column:
    """A header and how its cell is read from a row's source (a field's values, a report)."""

    header: str
    cell: Callable[[Any], Cell]
    # The field whose answer the cell shows, for a column of a section's fields.
    key: str | None = None


def headers(columns: list[Column]) -> list[str]:
    return [column.header for column in columns]


def cells(columns: list[Column], source: Any) -> list[Cell]:
    return [column.cell(source) for column in columns]


def code_header(label: str) -> str:
    return _("{label} (code)").format(label=label)


def iso_header(label: str) -> str:
    return _("{label} (ISO 3166 code)").format(label=label)


def capitalised(name: str) -> str:
    """Names written for the middle of a sentence ("submitted") start a cell with a capital."""
    return name[:1].upper() + name[1:]


def choice(code: str | None) -> str | None:
    """An enumeration's name as data: plain words, capitalised."""
    return capitalised(texts.plain_name(report_texts.choice_name(code))) if code else None


def yes_no(value: bool | None) -> str | None:
    if value is None:
        return None
    return _("Yes") if value else _("No")


def local(moment: datetime | str | None, timezone: ZoneInfo) -> datetime | None:
    """Spreadsheet cells have no time zone: the local time of the service, as people read it."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(timezone).replace(tzinfo=None)


def country(code: str | None, language: str) -> str | None:
    return report_texts.country_name(code, language) if code else None


def iso_code(code: str | None) -> str | None:
    """The ISO code; "unknown" is not one, and its name column says "Unknown"."""
    return code if code and code != UNKNOWN else None


def once_per_value(shown: Callable[[Any], Cell]) -> Callable[[Any], Cell]:
    """`shown`, worked out once for each distinct value: a column's codes and countries are a
    handful of names repeated over a hundred thousand rows."""
    names: dict[Any, Cell] = {}

    def name(value: Any) -> Cell:
        if value not in names:
            names[value] = shown(value)
        return names[value]

    return name


class FieldCells:
    """A row of a section's field columns, filled from the fields an entry answered rather than
    by asking every column: an item answers a dozen of the sixty fields of the Items sheet."""

    def __init__(self, columns: list[Column]) -> None:
        self.width = len(columns)
        self.by_field: dict[str | None, list[tuple[int, Callable[[Values], Cell]]]] = {}
        for position, column in enumerate(columns):
            self.by_field.setdefault(column.key, []).append((position, column.cell))

    def __call__(self, values: Values) -> list[Cell]:
        row: list[Cell] = [None] * self.width
        for key in values:
            for position, cell in self.by_field.get(key, ()):
                row[position] = cell(values)
        return row


def field_columns(spec: Field, language: str, timezone: ZoneInfo) -> list[Column]:
    """The field's columns, each shown from its answer (none when unanswered)."""
    return [
        Column(column.header, column.cell, spec.key)
        for column in _field_columns(spec, language, timezone)
    ]


def _field_columns(spec: Field, language: str, timezone: ZoneInfo) -> list[Column]:
    label, key = report_texts.field_label(spec.key), spec.key

    def cell(shown: Callable[[Any], Cell]) -> Callable[[Values], Cell]:
        return lambda values: None if values.get(key) is None else shown(values[key])

    match spec.kind:
        case Kind.CHOICE:
            return [
                Column(label, cell(once_per_value(choice))),
                Column(code_header(label), cell(str)),
            ]
        case Kind.SERIAL if spec.choices:
            # As marked, or the state a serial is in ("Obliterated"), with the state's code.
            return [
                Column(label, cell(lambda serial: serial.get("text") or choice(serial["state"]))),
                Column(code_header(label), cell(lambda serial: serial.get("state"))),
            ]
        case Kind.SERIAL:
            return [Column(label, cell(lambda serial: serial.get("text")))]
        case Kind.YES_NO:
            return [Column(label, cell(yes_no))]
        case Kind.COUNTRY:
            return [
                Column(label, cell(once_per_value(lambda code: country(code, language)))),
                Column(iso_header(label), cell(iso_code)),
            ]
        case Kind.COUNTRIES:
            return [
                Column(label, cell(lambda codes: ", ".join(country(c, language) for c in codes))),
                Column(iso_header(label), cell(", ".join)),
            ]
        case Kind.DATE:
            return [Column(label, cell(date.fromisoformat))]
        case Kind.DATETIME:
            return [Column(label, cell(lambda moment: local(moment, timezone)))]
        case Kind.COUNT | Kind.YEAR | Kind.WEIGHT:
            # Numbers stay numbers, so a spreadsheet can sum them.
            return [Column(label, cell(lambda number: number))]
        case Kind.OFFICER:
            return [Column(label, cell(lambda officer: officer["name"]))]
    # Text as typed ("unknown" in words).
    shown = report_values.display_value
    return [Column(label, cell(lambda value: shown(spec, value, language, timezone, {})))]


def section_columns(specs: tuple[Field, ...], language: str, timezone: ZoneInfo) -> list[Column]:
    return [column for spec in specs for column in field_columns(spec, language, timezone)]
