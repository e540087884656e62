"""The national-reporting export: one row per seized firearm, part or accessory, and ammunition
lot, with the columns of the seizure sheet of UNODC's Illicit Arms Flows Questionnaire (IAFQ).
Each enumeration has its name, the report's code and, where the questionnaire groups codes
differently, the IAFQ category (README, "IAFQ export")."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.documents.spreadsheet import Cell, SheetWriter
from bot.services.report_fields import ItemKind, Section, Values, field_of
from handlers.common import report_texts
from handlers.documents.export_columns import (
    choice,
    code_header,
    country,
    field_columns,
    iso_code,
    iso_header,
)
from handlers.documents.export_sheets import (
    Names,
    Seized,
    exercise_cell,
    exercise_header,
    item_type,
)

IAFQ_KINDS = (ItemKind.FIREARM, ItemKind.PART, ItemKind.AMMUNITION)
IAFQ_CATEGORIES = {
    ItemKind.FIREARM: "firearms",
    ItemKind.PART: "parts_components",
    ItemKind.AMMUNITION: "ammunition",
}
# The questionnaire's firearm types (UN Panel of Governmental Experts, 1997): machine guns are
# one type, rifles and carbines one, and the light weapons are counted together.
IAFQ_FIREARM_TYPES = {
    "revolver": "revolver",
    "pistol": "pistol",
    "rifle_carbine": "rifle",
    "assault_rifle": "rifle",
    "shotgun": "shotgun",
    "submachine_gun": "submachine_gun",
    "light_machine_gun": "machine_gun",
    "heavy_machine_gun": "machine_gun",
    "grenade_launcher": "light_weapon",
    "portable_anti_aircraft_gun": "light_weapon",
    "portable_anti_tank_gun": "light_weapon",
    "recoilless_rifle": "light_weapon",
    "anti_tank_launcher": "light_weapon",
    "manpads": "light_weapon",
    "mortar_under_100mm": "light_weapon",
    "other": "other",
}
# Parts and components in the sense of the UN Firearms Protocol (art. 3 (b)), a suppressor
# among them; magazines and sights are accessories.
IAFQ_PART_TYPES = {
    "barrel": "parts_components",
    "frame_receiver": "parts_components",
    "slide": "parts_components",
    "bolt": "parts_components",
    "cylinder": "parts_components",
    "suppressor": "parts_components",
    "magazine": "accessory",
    "sight": "accessory",
    "other": "other",
}
IAFQ_CONTEXTS = {
    "trafficking": "illicit_trafficking",
    "illegal_possession": "illicit_possession",
    "linked_to_other_crime": "other_crime",
    "abandoned_found": "other",
    "other": "other",
}
IAFQ_TRACING = {"not_needed": "not_initiated", "sent": "initiated", "answered": "initiated"}
IAFQ_OUTCOMES = {"origin_established": "successful", "origin_not_established": "unsuccessful"}
PENDING = "pending"


def iafq_header(label: str) -> str:
    return _("{label} (IAFQ category)").format(label=label)


def iafq_type(item: Values) -> str | None:
    code = item_type(item)
    if item.get("kind") == ItemKind.FIREARM:
        return IAFQ_FIREARM_TYPES.get(code or "")
    if item.get("kind") == ItemKind.PART:
        return IAFQ_PART_TYPES.get(code or "")
    return code  # ammunition: its own types


def tracing_outcome(item: Values) -> str | None:
    """Successful or not once answered; pending while a request is out."""
    if outcome := item.get("tracing_outcome"):
        return IAFQ_OUTCOMES.get(outcome)
    return PENDING if item.get("tracing") == "sent" else None


def manufacture_country(item: Values) -> str | None:
    # Ammunition shows its maker's country in the headstamp.
    return item.get("country_of_manufacture") or item.get("headstamp_country")


def iafq_headers() -> list[str]:
    label = report_texts.field_label
    category, kind, place, context = _("Category"), _("Type"), label("place"), label("context")
    serial, made_in = label("serial_number"), label("country_of_manufacture")
    marking, tracing, outcome = label("marking_status"), label("tracing"), label("tracing_outcome")
    imported = label("last_legal_import_country")
    return [
        _("Report number"),
        _("Item number"),
        _("Date of the seizure"),
        place,
        code_header(place),
        context,
        code_header(context),
        iafq_header(context),
        category,
        iafq_header(category),
        kind,
        code_header(kind),
        iafq_header(kind),
        label("make"),
        label("model"),
        label("calibre"),
        serial,
        code_header(serial),
        label("quantity"),
        made_in,
        iso_header(made_in),
        label("year_of_manufacture"),
        marking,
        code_header(marking),
        tracing,
        code_header(tracing),
        iafq_header(tracing),
        outcome,
        code_header(outcome),
        iafq_header(outcome),
        imported,
        iso_header(imported),
        exercise_header(),
    ]


class IafqSheet:
    def __init__(self, writer: SheetWriter, names: Names, language: str, timezone: ZoneInfo):
        self.names, self.language = names, language
        self.sheet = writer.sheet(_("IAFQ seizures"), iafq_headers())
        make, model, calibre, serial = (
            field_columns(field_of(Section.ITEM, key), language, timezone)
            for key in ("make", "model", "calibre", "serial_number")
        )
        self.described = [*make, *model, *calibre, *serial]

    def add(self, seized: Seized) -> None:
        for item in seized.entries(Section.ITEM):
            if item.get("kind") in IAFQ_KINDS:
                self.sheet.append(self.row(seized, item))

    def row(self, seized: Seized, item: Values) -> list[Cell]:
        report, kind = seized.report, ItemKind(item["kind"])
        context = seized.details.get("incident", {}).get("context")
        made_in, imported = manufacture_country(item), item.get("last_legal_import_country")
        occurred = report.occurred_at.astimezone(seized.timezone).date()
        return [
            report.number,
            item["number"],
            occurred,
            self.names.place(report),
            self.names.unit_code(report.place_unit_id),
            choice(context),
            context,
            IAFQ_CONTEXTS.get(context or ""),
            choice(kind.value),
            IAFQ_CATEGORIES[kind],
            choice(item_type(item)),
            item_type(item),
            iafq_type(item),
            *[column.cell(item) for column in self.described],
            item.get("quantity"),
            country(made_in, self.language),
            iso_code(made_in),
            item.get("year_of_manufacture"),
            choice(item.get("marking_status")),
            item.get("marking_status"),
            choice(item.get("tracing")),
            item.get("tracing"),
            IAFQ_TRACING.get(item.get("tracing") or ""),
            choice(item.get("tracing_outcome")),
            item.get("tracing_outcome"),
            tracing_outcome(item),
            country(imported, self.language),
            iso_code(imported),
            exercise_cell(seized),
        ]
