"""How the answers to the full report's fields read, in the reader's language and time zone,
and why a typed answer was refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from babel.dates import format_date
from babel.numbers import format_decimal

from bot.i18n import MINUTES, format_datetime
from bot.services.errors import InvalidInput
from bot.services.report_fields import (
    COUNT_MAXIMUM,
    FIELDS,
    DuplicateItem,
    Field,
    Kind,
    OutOfOrder,
    Section,
    Values,
    applicable,
    unconfirmed,
)
from handlers.common.report_texts import choice_name, country_name, field_label
from handlers.common.texts import quote


def field_hint(spec: Field, language: str) -> str:
    """How to answer a field, with an example in the reader's conventions."""
    if own := _own_hint(spec.key):
        return own
    hints = {
        Kind.TEXT: _("Type it (at most {limit} characters).").format(limit=spec.longest),
        Kind.LONG_TEXT: _("Type it; several lines are kept (at most {limit} characters).").format(
            limit=spec.longest
        ),
        Kind.SERIAL: _(
            "Type it exactly as marked: letters, digits, dashes and spaces are kept as written."
        ),
        Kind.COUNT: _("Type a whole number, e.g. 3."),
        Kind.WEIGHT: _(
            "Type the weight in kilograms, e.g. {example} kg, or in grams: 500 g."
        ).format(example=format_decimal(2.5, locale=language)),
        Kind.YEAR: _("Type the year, e.g. 2019."),
        Kind.DATE: _("Type the date, e.g. 29.11.2026."),
        Kind.DATETIME: _(
            "Type the date and time, e.g. 29.11.2026 14:30, or only the time (14:30) for today."
        ),
        Kind.COUNTRY: _("Choose a country or type its name."),
        Kind.COUNTRIES: _("Type the countries separated by commas, e.g. Tajikistan, Uzbekistan."),
        Kind.PLACE: _(
            "Choose the crossing point, share your location, type the coordinates "
            "(e.g. 42.87, 74.59) or type the place."
        ),
        Kind.OFFICER: _("Choose the officer or type their name, rank and position."),
        Kind.CHOICE: _("Choose with the buttons."),
        Kind.YES_NO: _("Choose with the buttons."),
    }
    return hints[spec.kind]


def _own_hint(key: str) -> str | None:
    """Fields whose answer has a form of its own, with an example of it."""
    hints = {
        "train_number": _(
            "Type the train number: digits, with at most one letter after them, e.g. 303 or 017Ф."
        ),
        "flight_number": _(
            "Type the flight number: the airline's code and up to four digits, e.g. KC 110."
        ),
        "wagon_number": _("Type the wagon number, e.g. 7."),
        "barrel_length_mm": _("Type the length in millimetres, e.g. 93."),
        "barrels": _("Type the number of barrels, e.g. 1 (2 for a double-barrelled shotgun)."),
        "cordon_distance_m": _("Type the distance in metres, e.g. 300."),
    }
    return hints.get(key)


def display_value(
    spec: Field,
    value: Any,
    language: str,
    timezone: ZoneInfo,
    unit_names: dict[int, str],
    record: bool = False,
) -> str:
    """A stored answer as the reader reads it (not escaped: see `section_lines`). An official
    record (`record`) writes every date as dd.mm.yyyy and every time as dd.mm.yyyy HH:MM in the
    service's time zone, in all languages; the screens write them as the reader's language does."""
    if record and spec.kind in (Kind.DATE, Kind.DATETIME):
        return record_moment(value, timezone)
    match spec.kind:
        case Kind.CHOICE:
            return choice_name(value)
        case Kind.YES_NO:
            return _("yes") if value else _("no")
        case Kind.SERIAL:
            if "text" not in value:
                return choice_name(value["state"])
            if unconfirmed(spec, value):
                return _("{serial} (not confirmed yet)").format(serial=value["text"])
            return value["text"]
        case Kind.YEAR:
            return str(value)
        case Kind.COUNT:
            return format_decimal(value, locale=language)
        case Kind.WEIGHT:
            return _("{amount} kg").format(amount=format_decimal(value, locale=language))
        case Kind.DATE:
            return format_date(date.fromisoformat(value), format="medium", locale=language)
        case Kind.DATETIME:
            return format_datetime(datetime.fromisoformat(value), language, timezone, MINUTES)
        case Kind.COUNTRY:
            return country_name(value, language)
        case Kind.COUNTRIES:
            return ", ".join(country_name(code, language) for code in value)
        case Kind.OFFICER:
            return value["name"]
        case Kind.PLACE:
            if "unit_id" in value:
                return unit_names.get(value["unit_id"], "—")
            if "text" in value:
                return value["text"]
            return f"{value['latitude']:.5f}, {value['longitude']:.5f}"
    if value == "unknown":
        return choice_name(value)
    return str(value)


RECORD_DATE = "%d.%m.%Y"
RECORD_DATETIME = "%d.%m.%Y %H:%M"


def record_moment(value: str | date | datetime, timezone: ZoneInfo) -> str:
    """A date (dd.mm.yyyy) or a moment (dd.mm.yyyy HH:MM, local) as official records write it."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(timezone).strftime(RECORD_DATETIME)
    return value.strftime(RECORD_DATE)


# A narrative may be 4,000 characters: a screen of the whole report shows its beginning.
PREVIEW_LENGTH = 300


def preview_of(shown: str) -> str:
    return shown if len(shown) <= PREVIEW_LENGTH else shown[:PREVIEW_LENGTH].rstrip() + "…"


def field_row(
    spec: Field,
    values: Values,
    language: str,
    timezone: ZoneInfo,
    unit_names: dict[int, str],
    preview: bool = True,
    record: bool = False,
) -> tuple[str, str]:
    """A field's label and its value as read (not escaped); "❗" marks a mandatory gap."""
    value = values.get(spec.key)
    if value is None:
        return field_label(spec.key), "❗" if spec.required else "—"
    shown = display_value(spec, value, language, timezone, unit_names, record)
    return field_label(spec.key), preview_of(shown) if preview else shown


def section_rows(
    section: Section,
    values: Values,
    language: str,
    timezone: ZoneInfo,
    unit_names: dict[int, str],
    answered_only: bool = False,
    preview: bool = True,
    record: bool = False,
) -> list[tuple[str, str]]:
    """The rows of a section: of a draft, every field that applies (gaps marked); of a filed
    report (`answered_only`), every field it holds, so a report prints as it was filed even
    after the form asks other questions."""
    specs = (
        (spec for spec in FIELDS[section] if values.get(spec.key) is not None)
        if answered_only
        else applicable(section, values)
    )
    return [
        field_row(spec, values, language, timezone, unit_names, preview, record) for spec in specs
    ]


def section_lines(
    section: Section,
    values: Values,
    language: str,
    timezone: ZoneInfo,
    unit_names: dict[int, str],
    answered_only: bool = False,
) -> list[str]:
    rows = section_rows(section, values, language, timezone, unit_names, answered_only)
    return [f"{label}: {quote(value)}" for label, value in rows]


def entry_summary(section: Section, values: Values, number: int, language: str) -> str:
    """One line naming an item or a person: "2. Pistol (self-loading) · 9×19 · AB-123 · 1"."""
    parts: list[str] = []
    if section is Section.ITEM:
        for key in ("firearm_type", "part_type", "ammunition_type", "explosive_kind"):
            if values.get(key):
                parts.append(choice_name(values[key]))
        if not parts and values.get("kind"):
            parts.append(choice_name(values["kind"]))
        for key in ("make", "model", "calibre"):
            if values.get(key):
                parts.append(values[key] if values[key] != "unknown" else choice_name("unknown"))
        serial = values.get("serial_number")
        if serial:
            parts.append(serial.get("text") or choice_name(serial["state"]))
        if values.get("quantity"):
            parts.append("× " + format_decimal(values["quantity"], locale=language))
    elif section is Section.NOTICE:
        if values.get("agency"):
            parts.append(values.get("agency_name") or choice_name(values["agency"]))
        if values.get("notified_by"):
            parts.append(values["notified_by"]["name"])
    else:
        if values.get("role"):
            parts.append(choice_name(values["role"]))
        if values.get("name"):
            parts.append(values["name"])
        if values.get("nationality"):
            parts.append(country_name(values["nationality"], language))
    return f"{number}. " + (" · ".join(parts) if parts else "…")


def answer_problem(
    spec: Field, problem: InvalidInput, language: str, timezone: ZoneInfo
) -> str | None:
    """Why a typed answer was refused, with the field's own limits; None for problems that are
    not about the value (those are explained by `handlers.common.messages.input_problem`)."""
    reasons = {
        "too_short": _("Too short: at least {limit} characters. Please type it again."),
        "too_long": _("Too long: at most {limit} characters. Please type it again."),
        "no_characters": _(
            "A number must contain letters or digits. If there is none, or it cannot be read, "
            "use the buttons."
        ),
        "not_a_number": _("Please type a whole number, e.g. 3."),
        "too_small": _("The number must be at least {minimum}."),
        "too_large": _("This number is too large: at most {maximum}. Please check it."),
        "same_person": _(
            "The weapon must be verified clear by another officer than the one who made it "
            "safe. Please choose or type the second officer."
        ),
        "not_a_weight": _("Please type a weight, e.g. 2.5 kg or 500 g."),
        "format": _("This is not understood. {hint}"),
        "no_time": _("Please add the time, e.g. 29.11.2026 14:30."),
        "in_future": _("This is in the future. Please check it and type it again."),
        "too_early": _("This is too far in the past. Please check it and type it again."),
        "unknown_country": _(
            "No country of this name is known. Type it again (in Kyrgyz, Russian or English) "
            "or choose with the buttons."
        ),
        "use_buttons": _("Please choose with the buttons above. Nothing entered is lost."),
        "no_photo": _(
            "This item has no photo yet. Send a photo of the marking with "
            "“📷 Add photos of this item”, then confirm."
        ),
    }
    if isinstance(problem, DuplicateItem):
        return _(
            "Item {number} already has this serial ({serial}): the same weapon or part may have "
            "been entered twice. If so, remove one of them; if not, check the marking and type "
            "it again."
        ).format(number=problem.number, serial=problem.serial)
    if isinstance(problem, OutOfOrder):
        order = {
            "before_other": _("This is before “{other}” ({value}). Please check it."),
            "after_other": _("This is after “{other}” ({value}). Please check it."),
        }
        other = problem.other
        return order[problem.reason].format(
            other=field_label(other.key),
            value=display_value(other, problem.other_value, language, timezone, {}),
        )
    if problem.field not in {kind.value for kind in Kind} or problem.reason not in reasons:
        return None
    if spec.kind is Kind.WEIGHT and problem.reason == "too_small":
        return _("The weight must be more than zero.")
    limit = spec.longest if problem.reason == "too_long" else spec.shortest
    return reasons[problem.reason].format(
        limit=limit,
        minimum=spec.minimum,
        maximum=format_decimal(min(spec.maximum, COUNT_MAXIMUM), locale=language),
        hint=field_hint(spec, language),
    )
