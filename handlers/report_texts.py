"""What the fields of the full report are called and how their values read, in the reader's
language. The fields themselves are data in `bot.services.report_fields`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.text_decorations import html_decoration
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from bot.i18n import MINUTES, format_datetime
from bot.services.errors import InvalidInput
from bot.services.report_fields import Field, Kind, Section, Values, applicable

quote = html_decoration.quote

FIELD_LABELS = {
    "category": __("What was found"),
    "occurred_at": __("Date and time of the seizure"),
    "place": __("Place"),
    "anyone_in_danger": __("Anyone in danger or hurt"),
    "danger_details": __("Who is in danger or hurt, and how"),
    "location_type": __("Type of location"),
    "direction": __("Direction"),
    "detection_method": __("How it was detected"),
    "concealment": __("Concealment"),
    "concealment_details": __("Concealment details"),
    "context": __("Context"),
    "route_departure": __("Country of departure"),
    "route_transit": __("Transit countries"),
    "route_destination": __("Intended destination"),
    "persons_count": __("Number of persons involved"),
    "legal_basis": __("Legal basis of the seizure"),
    "narrative": __("Narrative"),
    "conveyance_type": __("Conveyance"),
    "vehicle_make": __("Vehicle make"),
    "vehicle_model": __("Vehicle model"),
    "registration_plate": __("Registration plate"),
    "registration_country": __("Country of registration"),
    "vin": __("VIN"),
    "kind": __("Kind of item"),
    "firearm_type": __("Type of weapon"),
    "part_type": __("Type of part or accessory"),
    "ammunition_type": __("Type of ammunition"),
    "explosive_kind": __("Kind of explosive"),
    "quantity": __("Quantity"),
    "net_weight": __("Net weight"),
    "make": __("Make (manufacturer)"),
    "model": __("Model"),
    "calibre": __("Calibre"),
    "serial_number": __("Serial number"),
    "markings": __("Other markings"),
    "headstamp": __("Headstamp"),
    "lot_number": __("Lot number"),
    "packaging": __("Packaging"),
    "country_of_manufacture": __("Country of manufacture"),
    "import_marking_country": __("Import marking: country"),
    "import_marking_year": __("Import marking: year"),
    "marking_status": __("Marking status"),
    "state_when_found": __("State when found"),
    "magazines": __("Magazines"),
    "magazine_capacity": __("Magazine capacity (rounds)"),
    "iarms_check": __("iARMS / national check"),
    "iarms_details": __("Check result details"),
    "tracing": __("Tracing request"),
    "tracing_date": __("Tracing request date"),
    "condition": __("Condition"),
    "disposal_team": __("Handled by disposal team"),
    "disposal_time": __("Disposal team: time"),
    "destroyed_in_place": __("Destroyed in place"),
    "storage_location": __("Storage location after hand-over"),
    "notes": __("Notes"),
    "role": __("Role"),
    "name": __("Name"),
    "birth_date": __("Date of birth"),
    "gender": __("Gender"),
    "nationality": __("Nationality"),
    "document_type": __("Identity document"),
    "document_number": __("Document number"),
    "document_country": __("Document issued by"),
    "detained": __("Detained"),
}

CHOICE_NAMES = {
    # what was found
    "firearms": __("🔫 Firearms"),
    "ammunition": __("🧰 Ammunition"),
    "explosives": __("💣 Explosives"),
    "mixed": __("🔀 Mixed"),
    # location type
    "bcp_road": __("Road crossing point"),
    "bcp_rail": __("Rail crossing point"),
    "bcp_air": __("Airport"),
    "green_border": __("Green border (between crossing points)"),
    "inland": __("Inland"),
    # direction
    "entry": __("Entry"),
    "exit": __("Exit"),
    "not_applicable": __("Not applicable"),
    # detection method
    "routine_check": __("Routine check"),
    "risk_profiling": __("Risk profiling"),
    "x_ray_scanner": __("X-ray scanner"),
    "detector_dog": __("Detector dog"),
    "intelligence": __("Intelligence"),
    "tip_off": __("Tip-off"),
    "physical_search": __("Physical search"),
    # concealment
    "luggage": __("Luggage"),
    "on_body": __("On the body"),
    "vehicle_compartment": __("Vehicle compartment"),
    "vehicle_fuel_tank": __("Vehicle fuel tank"),
    "vehicle_spare_wheel": __("Spare wheel"),
    "cargo": __("Cargo"),
    "postal_parcel": __("Postal parcel"),
    "animal_pack": __("Animal pack"),
    # context
    "trafficking": __("Trafficking"),
    "illegal_possession": __("Illegal possession"),
    "linked_to_other_crime": __("Linked to another crime"),
    "abandoned_found": __("Abandoned or found"),
    # conveyance
    "car": __("Car"),
    "truck": __("Truck"),
    "bus": __("Bus"),
    "train": __("Train"),
    "aircraft": __("Aircraft"),
    "pedestrian": __("On foot"),
    "animal": __("Animal"),
    # item kinds
    "firearm": __("🔫 Firearm"),
    "part": __("🔩 Part or accessory"),
    "explosive": __("💣 Explosive"),
    # firearm types
    "revolver": __("Revolver"),
    "pistol": __("Pistol (self-loading)"),
    "rifle_carbine": __("Rifle or carbine"),
    "shotgun": __("Shotgun"),
    "submachine_gun": __("Submachine gun"),
    "assault_rifle": __("Assault rifle"),
    "light_machine_gun": __("Light machine gun"),
    "heavy_machine_gun": __("Heavy machine gun"),
    "grenade_launcher": __("Grenade launcher"),
    "portable_anti_aircraft_gun": __("Portable anti-aircraft gun"),
    "portable_anti_tank_gun": __("Portable anti-tank gun"),
    "recoilless_rifle": __("Recoilless rifle"),
    "anti_tank_launcher": __("Anti-tank missile or rocket launcher"),
    "manpads": __("MANPADS"),
    "mortar_under_100mm": __("Mortar under 100 mm"),
    # parts and accessories
    "barrel": __("Barrel"),
    "frame_receiver": __("Frame or receiver"),
    "slide": __("Slide"),
    "bolt": __("Bolt"),
    "cylinder": __("Cylinder"),
    "magazine": __("Magazine"),
    "suppressor": __("Suppressor"),
    "sight": __("Sight"),
    # ammunition types
    "ball": __("Ball"),
    "tracer": __("Tracer"),
    "armour_piercing": __("Armour-piercing"),
    "incendiary": __("Incendiary"),
    "blank": __("Blank"),
    "shotgun_shell": __("Shotgun shell"),
    # explosives
    "hand_grenade": __("Hand grenade"),
    "landmine": __("Landmine"),
    "mortar_bomb": __("Mortar bomb"),
    "artillery_shell": __("Artillery shell"),
    "rocket": __("Rocket"),
    "detonator": __("Detonator"),
    "detonating_cord": __("Detonating cord"),
    "military_explosive": __("Military explosive (TNT, plastic)"),
    "commercial_explosive": __("Commercial explosive"),
    "ied": __("Improvised explosive device"),
    "fuze": __("Fuze"),
    # markings, state, checks
    "marked": __("Marked"),
    "unmarked": __("Unmarked"),
    "obliterated": __("Obliterated"),
    "partly_obliterated": __("Partly obliterated"),
    "altered": __("Altered"),
    "none": __("None"),
    "loaded": __("Loaded"),
    "unloaded": __("Unloaded"),
    "not_checked": __("Not checked"),
    "no_hit": __("No hit"),
    "hit": __("Hit"),
    "not_needed": __("Not needed"),
    "sent": __("Sent"),
    "answered": __("Answered"),
    # condition
    "working": __("Working"),
    "damaged": __("Damaged"),
    "converted": __("Converted"),
    "reactivated": __("Reactivated"),
    "modified": __("Modified"),
    "craft_made": __("Craft-made"),
    # persons
    "driver": __("Driver"),
    "passenger": __("Passenger"),
    "owner": __("Owner"),
    "sender": __("Sender"),
    "recipient": __("Recipient"),
    "male": __("Male"),
    "female": __("Female"),
    "passport": __("Passport"),
    "id_card": __("ID card"),
    "driving_licence": __("Driving licence"),
    # shared
    "other": __("Other"),
    "unknown": __("Unknown"),
}

SECTION_TITLES = {
    Section.INCIDENT: __("📝 Incident"),
    Section.CONVEYANCE: __("🚗 Conveyance"),
    Section.ITEM: __("📦 Item {number}"),
    Section.PERSON: __("👤 Person {number}"),
}


def field_label(key: str) -> str:
    return str(FIELD_LABELS[key])


def choice_name(code: str) -> str:
    return str(CHOICE_NAMES[code])


def country_name(code: str, language: str) -> str:
    if code == "unknown":
        return choice_name(code)
    return Locale.parse(language).territories.get(code, code)


def field_hint(spec: Field, language: str) -> str:
    """How to answer a field, with an example in the reader's conventions."""
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
        Kind.CHOICE: _("Choose with the buttons."),
        Kind.YES_NO: _("Choose with the buttons."),
    }
    return hints[spec.kind]


def display_value(
    spec: Field, value: Any, language: str, timezone: ZoneInfo, unit_names: dict[int, str]
) -> str:
    """A stored answer as the reader reads it (not escaped: see `section_lines`)."""
    match spec.kind:
        case Kind.CHOICE:
            return choice_name(value)
        case Kind.YES_NO:
            return _("yes") if value else _("no")
        case Kind.SERIAL:
            return value["text"] if "text" in value else choice_name(value["state"])
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
        case Kind.PLACE:
            if "unit_id" in value:
                return unit_names.get(value["unit_id"], "—")
            if "text" in value:
                return value["text"]
            return f"{value['latitude']:.5f}, {value['longitude']:.5f}"
    if value == "unknown":
        return choice_name(value)
    return str(value)


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
) -> tuple[str, str]:
    """A field's label and its value as read (not escaped); "❗" marks a mandatory gap."""
    value = values.get(spec.key)
    if value is None:
        return field_label(spec.key), "❗" if spec.required else "—"
    shown = display_value(spec, value, language, timezone, unit_names)
    return field_label(spec.key), preview_of(shown) if preview else shown


def section_rows(
    section: Section,
    values: Values,
    language: str,
    timezone: ZoneInfo,
    unit_names: dict[int, str],
    answered_only: bool = False,
    preview: bool = True,
) -> list[tuple[str, str]]:
    return [
        field_row(spec, values, language, timezone, unit_names, preview)
        for spec in applicable(section, values)
        if not answered_only or values.get(spec.key) is not None
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
    else:
        if values.get("role"):
            parts.append(choice_name(values["role"]))
        if values.get("name"):
            parts.append(values["name"])
        if values.get("nationality"):
            parts.append(country_name(values["nationality"], language))
    return f"{number}. " + (" · ".join(parts) if parts else "…")


def section_title(section: Section, number: int = 0) -> str:
    return str(SECTION_TITLES[section]).format(number=number)


def changed_path_name(path: str) -> str:
    """A changed field of a revision ("details.items.2.calibre") as people call it."""
    parts = path.split(".")
    if parts[0] != "details" or len(parts) < 3:
        return ""
    if parts[1] in ("items", "persons"):
        section = Section.ITEM if parts[1] == "items" else Section.PERSON
        title = section_title(section, int(parts[2]))
        label = FIELD_LABELS.get(parts[3]) if len(parts) > 3 else None
        return f"{title}: {label}" if label else title
    label = FIELD_LABELS.get(parts[2])
    return str(label) if label else ""


def answer_problem(spec: Field, problem: InvalidInput, language: str) -> str | None:
    """Why a typed answer was refused, with the field's own limits; None for problems that are
    not about the value (those are explained by `handlers.messages.input_problem`)."""
    reasons = {
        "too_short": _("Too short: at least {limit} characters. Please type it again."),
        "too_long": _("Too long: at most {limit} characters. Please type it again."),
        "no_characters": _(
            "A number must contain letters or digits. If there is none, or it cannot be read, "
            "use the buttons."
        ),
        "not_a_number": _("Please type a whole number, e.g. 3."),
        "too_small": _("The number must be at least {minimum}."),
        "too_large": _("This number is too large. Please check it."),
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
    }
    if problem.field not in {kind.value for kind in Kind} or problem.reason not in reasons:
        return None
    if spec.kind is Kind.WEIGHT and problem.reason == "too_small":
        return _("The weight must be more than zero.")
    limit = spec.longest if problem.reason == "too_long" else spec.shortest
    return reasons[problem.reason].format(
        limit=limit, minimum=spec.minimum, hint=field_hint(spec, language)
    )
