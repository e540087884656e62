"""An item of a report described in words, as an official record lists it: «Патроны 9×18 мм,
с обыкновенной пулей», "Pistol (self-loading) Izhmekh PM, 9×18 mm, No. ТК 4417-b". Built from
the names the form shows, with no emoji and without the quantity, which has a column of its
own wherever an item is listed."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.numbers import format_decimal

from bot.services.report_fields import UNKNOWN, Values
from handlers.common.report_texts import choice_name, field_label

# A cartridge is named by its bullet: «с обыкновенной пулей» is not the form's label «Обычный».
CARTRIDGES = {
    "ball": __("Cartridges {calibre}, ball"),
    "tracer": __("Cartridges {calibre}, tracer"),
    "armour_piercing": __("Cartridges {calibre}, armour-piercing"),
    "incendiary": __("Cartridges {calibre}, incendiary"),
    "blank": __("Blank cartridges {calibre}"),
    "shotgun_shell": __("Shotgun cartridges {calibre}"),
}
# What an item is when the form's type of it is missing: the kind's name without its emoji.
KIND_NOUNS = {
    "firearm": __("Firearm"),
    "part": __("Part or accessory"),
    "ammunition": __("Cartridges {calibre}"),
    "explosive": __("Explosive"),
}


def item_in_words(item: Values, language: str) -> str:
    kind = item.get("kind", "")
    calibre = _known(item.get("calibre")) or "—"
    if kind == "ammunition":
        template = CARTRIDGES.get(item.get("ammunition_type", ""), KIND_NOUNS["ammunition"])
        return str(template).format(calibre=calibre)
    type_key = {"firearm": "firearm_type", "part": "part_type", "explosive": "explosive_kind"}
    kind_type = item.get(type_key.get(kind, ""))
    name = choice_name(kind_type) if kind_type else str(KIND_NOUNS.get(kind, _("Item")))
    if kind == "explosive":
        weight = item.get("net_weight")
        if weight is None:
            return name
        amount = _("{amount} kg").format(amount=format_decimal(weight, locale=language))
        return _("{what}, net weight {weight}").format(what=name, weight=amount)
    named = " ".join(part for part in (name, _known(item.get("make")), item.get("model")) if part)
    parts = [named, _known(item.get("calibre")), _serial(item.get("serial_number"))]
    return ", ".join(part for part in parts if part)


def _known(value: str | None) -> str | None:
    return None if value in (None, UNKNOWN) else value


def _serial(serial: dict[str, str] | None) -> str | None:
    if not serial:
        return None
    if "text" in serial:
        return _("No. {number}").format(number=serial["text"])
    return f"{field_label('serial_number')}: {choice_name(serial['state']).lower()}"
