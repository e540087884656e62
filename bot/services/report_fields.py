"""The structured seizure report as data: every field, where it applies, and how an answer is
checked. One engine walks, edits and validates all of it (see `bot.services.drafts`); the
words people read are in `handlers/report_texts.py`.

Fields follow `shared/domain/report-fields.md` (UNODC IAFQ, ITI, iARMS). Values are JSON: codes
for enumerations, ISO 3166 codes for countries, ISO 8601 for dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale

from bot.db.models import FoundCategory
from bot.services.errors import InvalidInput, visible_length, without_controls

Values = dict[str, Any]


class Kind(StrEnum):
    CHOICE = "choice"
    YES_NO = "yes_no"
    TEXT = "text"
    LONG_TEXT = "long_text"
    SERIAL = "serial"
    COUNT = "count"
    WEIGHT = "weight"
    YEAR = "year"
    DATETIME = "datetime"
    DATE = "date"
    COUNTRY = "country"
    COUNTRIES = "countries"
    PLACE = "place"
    # An officer: a user of the bot chosen with a button, or a name typed.
    OFFICER = "officer"


class Section(StrEnum):
    INCIDENT = "incident"
    CONVEYANCE = "conveyance"
    ITEM = "item"
    PERSON = "person"
    NOTICE = "notice"


class ItemKind(StrEnum):
    FIREARM = "firearm"
    PART = "part"
    AMMUNITION = "ammunition"
    EXPLOSIVE = "explosive"


SERIAL_STATES = ("none", "obliterated", "partly_obliterated")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Field:
    key: str
    kind: Kind
    choices: tuple[str, ...] = ()
    required: bool = False
    shortest: int = 1
    longest: int = 200
    minimum: int = 1
    # Whether the field is asked at all, given what is already answered (an item's kind, a
    # previous choice): fields that do not apply are neither asked nor kept.
    applies: Callable[[Values], bool] = lambda values: True
    allows_unknown: bool = False
    # The largest whole number a COUNT takes (a barrel of 3 m is a typo, not a weapon).
    maximum: int = 1_000_000
    # What a typed TEXT must look like, when it has a fixed form (a train or flight number).
    pattern: re.Pattern[str] | None = None
    # A field of the same entry whose moment or person this one must follow or differ from:
    # sappers arrive after they are called; the officer who verifies a weapon clear is not the
    # one who made it safe.
    not_before: str | None = None
    not_same_as: str | None = None
    # A serial that identifies a weapon is confirmed: typed twice alike, or shown in a photo
    # of the marking (issue 19); until then the draft cannot be submitted.
    confirm: bool = False


def _for_kinds(*kinds: ItemKind) -> Callable[[Values], bool]:
    codes = {kind.value for kind in kinds}
    return lambda values: values.get("kind") in codes


def _when(key: str, *codes: Any) -> Callable[[Values], bool]:
    return lambda values: values.get(key) in codes


def _answered_other_than(key: str, *codes: Any) -> Callable[[Values], bool]:
    return lambda values: values.get(key) is not None and values.get(key) not in codes


INCIDENT_FIELDS = (
    Field("category", Kind.CHOICE, tuple(c.value for c in FoundCategory), required=True),
    Field("occurred_at", Kind.DATETIME, required=True),
    Field("place", Kind.PLACE, required=True, shortest=2),
    Field("anyone_in_danger", Kind.YES_NO, required=True),
    Field("danger_details", Kind.TEXT, longest=500, applies=_when("anyone_in_danger", True)),
    Field(
        "location_type",
        Kind.CHOICE,
        ("bcp_road", "bcp_rail", "bcp_air", "green_border", "inland", "other"),
        required=True,
    ),
    Field("direction", Kind.CHOICE, ("entry", "exit", "not_applicable"), required=True),
    Field(
        "detection_method",
        Kind.CHOICE,
        (
            "routine_check",
            "risk_profiling",
            "x_ray_scanner",
            "detector_dog",
            "intelligence",
            "tip_off",
            "physical_search",
            "other",
        ),
        required=True,
    ),
    Field(
        "concealment",
        Kind.CHOICE,
        (
            "none",
            "luggage",
            "on_body",
            "vehicle_compartment",
            "vehicle_fuel_tank",
            "vehicle_spare_wheel",
            "cargo",
            "postal_parcel",
            "animal_pack",
            "other",
        ),
        required=True,
    ),
    Field(
        "concealment_details",
        Kind.TEXT,
        longest=500,
        applies=_answered_other_than("concealment", "none"),
    ),
    Field(
        "context",
        Kind.CHOICE,
        ("trafficking", "illegal_possession", "linked_to_other_crime", "abandoned_found", "other"),
        required=True,
    ),
    Field("route_departure", Kind.COUNTRY, allows_unknown=True),
    Field("route_transit", Kind.COUNTRIES),
    Field("route_destination", Kind.COUNTRY, allows_unknown=True),
    Field("persons_count", Kind.COUNT, minimum=0),
    Field("legal_basis", Kind.TEXT, shortest=3, longest=500),
    Field("seizure_protocol_number", Kind.SERIAL, longest=40),
    Field("seizure_protocol_date", Kind.DATE),
    Field("criminal_case_number", Kind.SERIAL, longest=40),
    Field("narrative", Kind.LONG_TEXT, required=True, shortest=10, longest=4000),
)

ROAD_VEHICLES = ("car", "truck", "bus", "other")
_ROAD_VEHICLE = _when("conveyance_type", *ROAD_VEHICLES)
# A train's number is digits with at most one letter after them (303, 017Ф); a flight's is the
# airline's two- or three-character code and up to four digits (KC 110, SU1883).
TRAIN_NUMBER = re.compile(r"\d{1,4} ?[^\W\d_]?")
FLIGHT_NUMBER = re.compile(r"[^\W_]{2,3} ?\d{1,4}[^\W\d_]?")
CONVEYANCE_FIELDS = (
    Field(
        "conveyance_type",
        Kind.CHOICE,
        (
            "car",
            "truck",
            "bus",
            "train",
            "aircraft",
            "post_courier",
            "pedestrian",
            "animal",
            "other",
        ),
    ),
    Field("vehicle_make", Kind.TEXT, longest=100, applies=_ROAD_VEHICLE),
    Field("vehicle_model", Kind.TEXT, longest=100, applies=_ROAD_VEHICLE),
    Field("registration_plate", Kind.SERIAL, longest=20, applies=_ROAD_VEHICLE),
    Field("registration_country", Kind.COUNTRY, applies=_ROAD_VEHICLE, allows_unknown=True),
    Field("vin", Kind.SERIAL, longest=32, applies=_ROAD_VEHICLE),
    Field(
        "train_number",
        Kind.TEXT,
        longest=8,
        pattern=TRAIN_NUMBER,
        applies=_when("conveyance_type", "train"),
    ),
    Field("wagon_number", Kind.COUNT, maximum=99, applies=_when("conveyance_type", "train")),
    Field(
        "flight_number",
        Kind.TEXT,
        longest=9,
        pattern=FLIGHT_NUMBER,
        applies=_when("conveyance_type", "aircraft"),
    ),
    Field("seat", Kind.SERIAL, longest=8, applies=_when("conveyance_type", "train", "aircraft")),
    Field(
        "consignment_number",
        Kind.SERIAL,
        longest=40,
        applies=_when("conveyance_type", "post_courier"),
    ),
    Field("carrier", Kind.TEXT, longest=100, applies=_when("conveyance_type", "post_courier")),
)

FIREARM_TYPES = (
    "revolver",
    "pistol",
    "rifle_carbine",
    "shotgun",
    "submachine_gun",
    "assault_rifle",
    "light_machine_gun",
    "heavy_machine_gun",
    "grenade_launcher",
    "portable_anti_aircraft_gun",
    "portable_anti_tank_gun",
    "recoilless_rifle",
    "anti_tank_launcher",
    "manpads",
    "mortar_under_100mm",
    "other",
)
PART_TYPES = (
    "barrel",
    "frame_receiver",
    "slide",
    "bolt",
    "cylinder",
    "magazine",
    "suppressor",
    "sight",
    "other",
)
AMMUNITION_TYPES = (
    "ball",
    "tracer",
    "armour_piercing",
    "incendiary",
    "blank",
    "shotgun_shell",
    "other",
)
EXPLOSIVE_KINDS = (
    "hand_grenade",
    "landmine",
    "mortar_bomb",
    "artillery_shell",
    "rocket",
    "detonator",
    "detonating_cord",
    "military_explosive",
    "commercial_explosive",
    "ied",
    "fuze",
    "other",
)
ACTION_TYPES = (
    "single_shot",
    "bolt_action",
    "lever_action",
    "pump_action",
    "break_action",
    "semi_automatic",
    "selective_fire",
    "automatic",
    UNKNOWN,
)
AMMUNITION_STATES = ("live", "spent", "blank", "damaged")
EXPLOSIVE_CONDITIONS = ("intact", "damaged", "leaking", "armed", UNKNOWN)
TRACING_OUTCOMES = ("origin_established", "origin_not_established")
_FIREARM = _for_kinds(ItemKind.FIREARM)
_WEAPON_OR_PART = _for_kinds(ItemKind.FIREARM, ItemKind.PART)
_EXPLOSIVE = _for_kinds(ItemKind.EXPLOSIVE)


def _and(*conditions: Callable[[Values], bool]) -> Callable[[Values], bool]:
    return lambda values: all(condition(values) for condition in conditions)


_TRACED = _and(_FIREARM, _when("tracing", "sent", "answered"))
_ANSWERED = _and(_FIREARM, _when("tracing", "answered"))
_ORIGIN_FOUND = _and(_ANSWERED, _when("tracing_outcome", "origin_established"))


ITEM_FIELDS = (
    Field("kind", Kind.CHOICE, tuple(k.value for k in ItemKind), required=True),
    Field("firearm_type", Kind.CHOICE, FIREARM_TYPES, required=True, applies=_FIREARM),
    Field("part_type", Kind.CHOICE, PART_TYPES, required=True, applies=_for_kinds(ItemKind.PART)),
    Field(
        "ammunition_type",
        Kind.CHOICE,
        AMMUNITION_TYPES,
        required=True,
        applies=_for_kinds(ItemKind.AMMUNITION),
    ),
    Field("explosive_kind", Kind.CHOICE, EXPLOSIVE_KINDS, required=True, applies=_EXPLOSIVE),
    Field("quantity", Kind.COUNT, required=True),
    Field("net_weight", Kind.WEIGHT, applies=_EXPLOSIVE),
    Field("make", Kind.TEXT, longest=100, applies=_WEAPON_OR_PART, allows_unknown=True),
    Field("model", Kind.TEXT, longest=100, applies=_WEAPON_OR_PART),
    Field(
        "calibre",
        Kind.TEXT,
        longest=50,
        applies=_for_kinds(ItemKind.FIREARM, ItemKind.PART, ItemKind.AMMUNITION),
        required=True,
    ),
    # The frame's or receiver's serial is the weapon's primary one (ITI); a part's own serial
    # is its only one.
    Field(
        "serial_number",
        Kind.SERIAL,
        SERIAL_STATES,
        required=True,
        longest=64,
        applies=_WEAPON_OR_PART,
        confirm=True,
    ),
    # The procedure asks for the serial of every marked part (firearm-record.yaml).
    Field("slide_serial", Kind.SERIAL, SERIAL_STATES, longest=64, applies=_FIREARM, confirm=True),
    Field("barrel_serial", Kind.SERIAL, SERIAL_STATES, longest=64, applies=_FIREARM, confirm=True),
    Field("bolt_serial", Kind.SERIAL, SERIAL_STATES, longest=64, applies=_FIREARM, confirm=True),
    Field(
        "cylinder_serial",
        Kind.SERIAL,
        SERIAL_STATES,
        longest=64,
        applies=_and(_FIREARM, _when("firearm_type", "revolver")),
        confirm=True,
    ),
    Field("year_of_manufacture", Kind.YEAR, applies=_WEAPON_OR_PART),
    Field("action_type", Kind.CHOICE, ACTION_TYPES, applies=_FIREARM),
    Field("barrel_length_mm", Kind.COUNT, maximum=2000, applies=_FIREARM),
    Field("barrels", Kind.COUNT, maximum=10, applies=_FIREARM),
    Field("ifrt_reference", Kind.SERIAL, longest=40, applies=_FIREARM),
    Field(
        "markings",
        Kind.TEXT,
        longest=500,
        applies=_for_kinds(ItemKind.FIREARM, ItemKind.PART, ItemKind.EXPLOSIVE),
    ),
    Field(
        "ammunition_state",
        Kind.CHOICE,
        AMMUNITION_STATES,
        applies=_for_kinds(ItemKind.AMMUNITION),
    ),
    Field("headstamp", Kind.TEXT, longest=100, applies=_for_kinds(ItemKind.AMMUNITION)),
    Field(
        "headstamp_country",
        Kind.COUNTRY,
        applies=_for_kinds(ItemKind.AMMUNITION),
        allows_unknown=True,
    ),
    Field(
        "lot_number",
        Kind.SERIAL,
        longest=64,
        applies=_for_kinds(ItemKind.AMMUNITION, ItemKind.EXPLOSIVE),
    ),
    Field("packaging", Kind.TEXT, longest=200, applies=_for_kinds(ItemKind.AMMUNITION)),
    Field("country_of_manufacture", Kind.COUNTRY, applies=_WEAPON_OR_PART, allows_unknown=True),
    Field("import_marking_country", Kind.COUNTRY, applies=_FIREARM),
    Field(
        "import_marking_year",
        Kind.YEAR,
        applies=_and(_FIREARM, _answered_other_than("import_marking_country")),
    ),
    Field(
        "marking_status",
        Kind.CHOICE,
        ("marked", "unmarked", "obliterated", "altered"),
        applies=_FIREARM,
    ),
    Field("state_when_found", Kind.CHOICE, ("loaded", "unloaded", UNKNOWN), applies=_FIREARM),
    # The two officers `firearm-safe` requires: one unloads, another sees it clear.
    Field("made_safe_by", Kind.OFFICER, longest=200, applies=_FIREARM),
    Field(
        "verified_clear_by",
        Kind.OFFICER,
        longest=200,
        applies=_FIREARM,
        not_same_as="made_safe_by",
    ),
    Field("magazines", Kind.COUNT, minimum=0, applies=_FIREARM),
    Field(
        "magazine_capacity",
        Kind.COUNT,
        applies=_and(_FIREARM, lambda values: (values.get("magazines") or 0) > 0),
    ),
    Field("iarms_check", Kind.CHOICE, ("not_checked", "no_hit", "hit"), applies=_FIREARM),
    Field(
        "iarms_details", Kind.TEXT, longest=500, applies=_and(_FIREARM, _when("iarms_check", "hit"))
    ),
    Field("tracing", Kind.CHOICE, ("not_needed", "sent", "answered"), applies=_FIREARM),
    Field("tracing_date", Kind.DATE, applies=_TRACED),
    Field("tracing_addressee", Kind.TEXT, shortest=2, longest=200, applies=_TRACED),
    Field("tracing_legal_basis", Kind.TEXT, shortest=3, longest=500, applies=_TRACED),
    Field("tracing_answered_on", Kind.DATE, applies=_ANSWERED, not_before="tracing_date"),
    Field("tracing_outcome", Kind.CHOICE, TRACING_OUTCOMES, applies=_ANSWERED),
    Field("traced_manufacture_country", Kind.COUNTRY, applies=_ORIGIN_FOUND),
    Field("last_legal_import_country", Kind.COUNTRY, applies=_ORIGIN_FOUND),
    Field("diversion_point", Kind.TEXT, longest=300, applies=_ORIGIN_FOUND),
    Field("iarms_reference", Kind.SERIAL, longest=60, applies=_TRACED),
    Field(
        "condition",
        Kind.CHOICE,
        ("working", "damaged", "converted", "reactivated", "modified", "craft_made", UNKNOWN),
        applies=_WEAPON_OR_PART,
    ),
    Field("explosive_condition", Kind.CHOICE, EXPLOSIVE_CONDITIONS, applies=_EXPLOSIVE),
    Field("cordon_distance_m", Kind.COUNT, maximum=10_000, applies=_EXPLOSIVE),
    Field("sappers_called_at", Kind.DATETIME, applies=_EXPLOSIVE),
    Field("disposal_team", Kind.TEXT, longest=200, applies=_EXPLOSIVE),
    Field(
        "disposal_time",
        Kind.DATETIME,
        applies=_and(_EXPLOSIVE, _answered_other_than("disposal_team")),
        not_before="sappers_called_at",
    ),
    Field("destroyed_in_place", Kind.YES_NO, applies=_EXPLOSIVE),
    Field("storage_location", Kind.TEXT, longest=200),
    Field("notes", Kind.LONG_TEXT, longest=1000),
)

_HAS_DOCUMENT = _answered_other_than("document_type")
PERSON_FIELDS = (
    Field(
        "role",
        Kind.CHOICE,
        ("driver", "passenger", "owner", "sender", "recipient", "other"),
        required=True,
    ),
    Field("name", Kind.TEXT, shortest=2, longest=200),
    Field("birth_date", Kind.DATE),
    Field("gender", Kind.CHOICE, ("male", "female", UNKNOWN)),
    Field("nationality", Kind.COUNTRY, allows_unknown=True),
    Field("document_type", Kind.CHOICE, ("passport", "id_card", "driving_licence", "other")),
    Field("document_number", Kind.SERIAL, longest=40, applies=_HAS_DOCUMENT),
    Field("document_country", Kind.COUNTRY, applies=_HAS_DOCUMENT),
    Field("detained", Kind.YES_NO),
)

AGENCIES = (
    "prosecutor",
    "police",
    "national_security",
    "customs",
    "border_service_hq",
    "interpol_ncb",
    "other",
)
# Whom the seizure was reported to, when and by whom (notification.yaml: "record whom and when").
NOTICE_FIELDS = (
    Field("agency", Kind.CHOICE, AGENCIES, required=True),
    Field("agency_name", Kind.TEXT, shortest=2, longest=200, applies=_when("agency", "other")),
    Field("notified_at", Kind.DATETIME, required=True),
    Field("notified_by", Kind.OFFICER, longest=200),
)

FIELDS: dict[Section, tuple[Field, ...]] = {
    Section.INCIDENT: INCIDENT_FIELDS,
    Section.CONVEYANCE: CONVEYANCE_FIELDS,
    Section.ITEM: ITEM_FIELDS,
    Section.PERSON: PERSON_FIELDS,
    Section.NOTICE: NOTICE_FIELDS,
}
# Sections of which a report holds several, each entry numbered within the report.
REPEATED = (Section.ITEM, Section.PERSON, Section.NOTICE)


def field_of(section: Section, key: str) -> Field:
    for spec in FIELDS[section]:
        if spec.key == key:
            return spec
    raise InvalidInput("field", "unknown")


def applicable(section: Section, values: Values) -> Iterator[Field]:
    return (spec for spec in FIELDS[section] if spec.applies(values))


def missing(section: Section, values: Values) -> list[Field]:
    return [
        spec
        for spec in applicable(section, values)
        if spec.required and values.get(spec.key) is None
    ]


def unconfirmed(spec: Field, value: Any) -> bool:
    """A serial typed once, not yet typed again nor shown in a photo of the marking."""
    return spec.confirm and isinstance(value, dict) and bool(value.get("unconfirmed"))


def unconfirmed_fields(section: Section, values: Values) -> list[Field]:
    return [spec for spec in applicable(section, values) if unconfirmed(spec, values.get(spec.key))]


def kept(section: Section, values: Values) -> Values:
    """Only the answers of fields that apply: changing an item's kind drops the old kind's."""
    keys = {spec.key for spec in applicable(section, values)}
    return {key: value for key, value in values.items() if key in keys and value is not None}


# --- checking typed answers -------------------------------------------------------------------

# What "now" may be ahead of the officer's phone: clocks differ by a little.
CLOCK_TOLERANCE = timedelta(minutes=5)
EARLIEST_YEAR = 1900
COUNT_MAXIMUM = 1_000_000
WEIGHT_MAXIMUM_KG = Decimal(100_000)
_DATE_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%y")
_INTEGER = re.compile(r"-?\d+")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_WEIGHT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(kg|кг|g|г|gr|гр)?\.?$", re.IGNORECASE)
_COORDINATES = re.compile(r"^(-?\d{1,2}(?:[.,]\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:[.,]\d+)?)$")


def check_text(spec: Field, text: str) -> str:
    text = without_controls(text)
    if spec.kind is Kind.LONG_TEXT:
        # Paragraphs of a narrative are kept as written.
        cleaned = text.strip()
    elif spec.kind is Kind.SERIAL:
        # Exactly as marked: letters, digits, dashes and inner spaces are evidence.
        cleaned = text.strip()
        if not any(character.isalnum() for character in cleaned):
            raise InvalidInput(spec.kind, "no_characters")
    else:
        cleaned = " ".join(text.split())
    # Text that shows nothing (zero-width or direction marks alone) says nothing.
    if len(cleaned) < spec.shortest or not visible_length(cleaned):
        raise InvalidInput(spec.kind, "too_short")
    if len(cleaned) > spec.longest:
        raise InvalidInput(spec.kind, "too_long")
    if spec.pattern is not None:
        # Numbers of trains and flights are written in capitals whatever the keyboard gave.
        cleaned = cleaned.upper()
        if not spec.pattern.fullmatch(cleaned):
            raise InvalidInput(spec.kind, "format")
    return cleaned


def check_count(spec: Field, text: str) -> int:
    digits = re.sub(r"[\s\u00a0\u202f]", "", text)
    # Decimal digits only: str.isdigit() also admits "²", which int() refuses.
    if not _INTEGER.fullmatch(digits):
        raise InvalidInput(spec.kind, "not_a_number")
    if len(digits) > len(str(COUNT_MAXIMUM)) + 1:  # and int() refuses 4,300 digits
        raise InvalidInput(spec.kind, "too_small" if digits.startswith("-") else "too_large")
    value = int(digits)
    if value < spec.minimum:
        raise InvalidInput(spec.kind, "too_small")
    if value > min(spec.maximum, COUNT_MAXIMUM):
        raise InvalidInput(spec.kind, "too_large")
    return value


def check_weight(spec: Field, text: str) -> float:
    """Kilograms, from "2,5", "2.5 kg", "500 g" or "500 г"."""
    match = _WEIGHT.match(text.strip())
    if match is None:
        raise InvalidInput(spec.kind, "not_a_weight")
    try:
        amount = Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(spec.kind, "not_a_weight") from None
    unit = (match.group(2) or "kg").lower()
    kilograms = amount if unit in ("kg", "кг") else amount / 1000
    if kilograms <= 0:
        raise InvalidInput(spec.kind, "too_small")
    if kilograms > WEIGHT_MAXIMUM_KG:
        raise InvalidInput(spec.kind, "too_large")
    return float(round(kilograms, 3))


def check_year(spec: Field, text: str, now: datetime) -> int:
    if not text.strip().isdecimal() or len(text.strip()) != 4:
        raise InvalidInput(spec.kind, "format")
    year = int(text.strip())
    if year < 1800:
        raise InvalidInput(spec.kind, "too_early")
    if year > now.year:
        raise InvalidInput(spec.kind, "in_future")
    return year


def parse_day(text: str) -> date | None:
    """A day in one of the forms people write (29.11.2026, 29/11/2026, 2026-11-29), or None."""
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _parse_time(text: str) -> time | None:
    match = _TIME.match(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def check_date(spec: Field, text: str, now: datetime, timezone: ZoneInfo) -> str:
    day = parse_day(text.strip())
    if day is None:
        raise InvalidInput(spec.kind, "format")
    if day > now.astimezone(timezone).date():
        raise InvalidInput(spec.kind, "in_future")
    if day.year < EARLIEST_YEAR:
        raise InvalidInput(spec.kind, "too_early")
    return day.isoformat()


def check_datetime(spec: Field, text: str, now: datetime, timezone: ZoneInfo) -> str:
    """A local date and time in one of the forms people write ("29.11.2026 14:30",
    "2026-11-29 14:30", "14:30" for today), not after `now`, stored in UTC."""
    words = text.strip().replace("T", " ").replace(",", " ").split()
    local_now = now.astimezone(timezone)
    if len(words) == 1 and (only_time := _parse_time(words[0])) is not None:
        day, moment = local_now.date(), only_time
    elif len(words) == 2:
        day, moment = parse_day(words[0]), _parse_time(words[1])  # type: ignore[assignment]
        if day is None or moment is None:
            raise InvalidInput(spec.kind, "format")
    elif len(words) == 1 and parse_day(words[0]) is not None:
        raise InvalidInput(spec.kind, "no_time")
    else:
        raise InvalidInput(spec.kind, "format")
    value = datetime.combine(day, moment, tzinfo=timezone)
    if value > now + CLOCK_TOLERANCE:
        raise InvalidInput(spec.kind, "in_future")
    if value.year < EARLIEST_YEAR:
        raise InvalidInput(spec.kind, "too_early")
    return value.astimezone(UTC).isoformat()


class DuplicateItem(InvalidInput):
    """The serial typed for an item is already that of another item of the same kind and type
    in the report: the same weapon or part entered twice."""

    def __init__(self, number: int, serial: str) -> None:
        super().__init__(Kind.SERIAL, "duplicate_item")
        self.number, self.serial = number, serial


class OutOfOrder(InvalidInput):
    """A moment before the one it must follow (sappers arriving before they were called, a
    reply before its request), or after one that must follow it: `other` names that field."""

    def __init__(self, spec: Field, reason: str, other: Field, other_value: str) -> None:
        super().__init__(spec.kind, reason)
        self.other, self.other_value = other, other_value


def same_officer(first: Values | None, second: Values | None) -> bool:
    if not first or not second:
        return False
    if first.get("user_id") is not None and second.get("user_id") is not None:
        return first["user_id"] == second["user_id"]
    # A name typed for one and chosen for the other: the same name is the same officer.
    return " ".join(first["name"].split()).casefold() == " ".join(second["name"].split()).casefold()


def check_related(section: Section, spec: Field, value: Any, values: Values) -> None:
    """Refuses an answer that contradicts another answer of the same entry (see `Field`).
    Dates and UTC moments are stored as ISO 8601 text, which sorts as time does."""
    if spec.not_same_as and same_officer(value, values.get(spec.not_same_as)):
        raise InvalidInput(spec.kind, "same_person")
    for other in FIELDS[section]:
        if other.not_same_as == spec.key and same_officer(value, values.get(other.key)):
            raise InvalidInput(spec.kind, "same_person")
    if spec.not_before:
        earlier = values.get(spec.not_before)
        if earlier is not None and value < earlier:
            raise OutOfOrder(spec, "before_other", field_of(section, spec.not_before), earlier)
    for other in FIELDS[section]:
        later = values.get(other.key)
        if other.not_before == spec.key and later is not None and value > later:
            raise OutOfOrder(spec, "after_other", other, later)


def check_coordinates(latitude: float, longitude: float) -> tuple[float, float]:
    if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        raise InvalidInput("location", "out_of_range")
    return latitude, longitude


def typed_coordinates(text: str) -> tuple[float, float] | None:
    """ "42.8746, 74.5698" typed or pasted from a map; None when the text is not a pair."""
    match = _COORDINATES.match(text.strip())
    if match is None:
        return None
    latitude, longitude = (float(group.replace(",", ".")) for group in match.groups())
    return check_coordinates(latitude, longitude)


# --- countries ---------------------------------------------------------------------------------

COUNTRY_LANGUAGES = ("ky", "ru", "en")
# Offered as buttons: Kyrgyzstan, its neighbours, and the routes most seen at its borders.
NEARBY_COUNTRIES = ("KG", "KZ", "UZ", "TJ", "CN", "AF", "RU", "TR")

# Where a country's CLDR name is not the one official records use. In the documents of the
# Kyrgyz Republic the Russian name of the country is «Кыргызстан» (CLDR has «Киргизия»).
# The ky («Кыргызстан») and en ("Kyrgyzstan") names of CLDR are right.
COUNTRY_NAME_OVERRIDES: dict[tuple[str, str], str] = {("ru", "KG"): "Кыргызстан"}

# What officers type besides the CLDR names: the abbreviations and official long forms of
# official documents, in Russian, Kyrgyz and English. Ambiguities, and how they are settled:
# - Latin "KR" is the ISO code of South Korea and stays so (two Latin letters that are an ISO
#   code are always that code): Kyrgyzstan in Latin letters is KG, "Kyrgyz Republic" or
#   "Kyrgyzstan"; only the Cyrillic «КР» is Kyrgyzstan.
# - «РК» is the Republic of Kazakhstan, as in the documents of both countries. In Russian it
#   may also stand for the Republic of Korea, which is typed «Республика Корея» (its CLDR
#   name) or KR; the Latin "RK" (no ISO code) is Kazakhstan too. Korea's is ROK.
# - «РТ» (Latin "RT", no ISO code) is Tajikistan; the Russian republic of Tatarstan, also «РТ»,
#   is no country.
# - «КНР» is China; North Korea is «КНДР» (its CLDR name), which «КНР» does not begin.
# - Cyrillic «КР», «РК», «РТ» look like the Latin ISO codes KP (North Korea), PK (Pakistan) and
#   PT (Portugal). Latin letters alone are read as the ISO code; a text mixing both scripts is
#   read as Cyrillic (see `_cyrillic_lookalikes`).
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "KG": (
        "КР",
        "Кыргызская Республика",
        "Киргизская Республика",
        "Республика Кыргызстан",
        "Кыргыз Республикасы",
        "Kyrgyz Republic",
        "Republic of Kyrgyzstan",
    ),
    "RU": (
        "РФ",
        "Российская Федерация",
        "Россия Федерациясы",
        "RF",
        "Russian Federation",
    ),
    "KZ": (
        "РК",
        "Республика Казахстан",
        "Казакстан Республикасы",
        "RK",
        "Republic of Kazakhstan",
    ),
    "UZ": (
        "РУз",
        "Республика Узбекистан",
        "Өзбекстан Республикасы",
        "RUz",
        "Republic of Uzbekistan",
    ),
    "TJ": (
        "РТ",
        "Республика Таджикистан",
        "Тажикстан Республикасы",
        "RT",
        "Republic of Tajikistan",
    ),
    "CN": (
        "КНР",
        "Китайская Народная Республика",
        "Кытай Эл Республикасы",
        "PRC",
        "People's Republic of China",
    ),
}
_NOT_COUNTRIES = ("ZZ", "EU", "EZ", "UN", "QO")
# Latin letters drawn like Cyrillic ones, for a text typed partly on each keyboard ("РK").
_LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXYaceopxy", "АВСЕНКМОРТХУасеорху")
_CYRILLIC = re.compile(r"[а-яёңөү]", re.IGNORECASE)


@cache
def _territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)


def country_name(code: str, language: str) -> str:
    """The name of the country with ISO code `code` in `language`, as official records write
    it. Every screen, PDF, spreadsheet and CSV that prints a country calls this (CLDR's names
    with `COUNTRY_NAME_OVERRIDES`); an unknown code is printed as it is."""
    return COUNTRY_NAME_OVERRIDES.get((language, code)) or _territories(language).get(code, code)


@cache  # built when a country is first asked for: the three languages' CLDR data weigh ~8 MB
def _country_names() -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    for language in COUNTRY_LANGUAGES:
        for code, name in _territories(language).items():
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                names.setdefault(code, set()).add(name.casefold())
    for (_, code), name in COUNTRY_NAME_OVERRIDES.items():
        names[code].add(name.casefold())
    for code, aliases in COUNTRY_ALIASES.items():
        names[code].update(alias.casefold() for alias in aliases)
    return names


def country_codes() -> frozenset[str]:
    return frozenset(_country_names())


def _cyrillic_lookalikes(text: str) -> str:
    """A text with a Cyrillic letter in it is Cyrillic: its Latin look-alikes become Cyrillic."""
    return text.translate(_LATIN_TO_CYRILLIC) if _CYRILLIC.search(text) else text


def find_countries(text: str) -> list[str]:
    """ISO codes whose name in Kyrgyz, Russian or English (or an abbreviation or official long
    form of `COUNTRY_ALIASES`) is the text, or begins with it. Two Latin letters that are an
    ISO code are that code."""
    wanted = _cyrillic_lookalikes(" ".join(text.split())).casefold()
    if len(wanted) == 2 and wanted.upper() in _country_names():
        return [wanted.upper()]
    exact = [code for code, names in _country_names().items() if wanted in names]
    if exact or len(wanted) < 3:
        return sorted(exact)
    return sorted(
        code
        for code, names in _country_names().items()
        if any(name.startswith(wanted) for name in names)
    )


def check_country(spec: Field, text: str) -> str:
    found = find_countries(text)
    if not found:
        raise InvalidInput(spec.kind, "unknown_country")
    if len(found) > 1:
        raise AmbiguousCountry(found)
    return found[0]


def check_countries(spec: Field, text: str) -> list[str]:
    parts = [part for part in re.split(r"[,;\n]", text) if part.strip()]
    if not parts:
        raise InvalidInput(spec.kind, "unknown_country")
    codes: list[str] = []
    for part in parts:
        found = find_countries(part)
        if len(found) != 1:
            raise InvalidInput(spec.kind, "unknown_country")
        if found[0] not in codes:
            codes.append(found[0])
    return codes


class AmbiguousCountry(InvalidInput):
    """Several countries match what was typed: the officer picks one of them."""

    def __init__(self, candidates: list[str]) -> None:
        super().__init__(Kind.COUNTRY, "ambiguous")
        self.candidates = candidates
