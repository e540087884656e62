"""What the fields of the full report are called, in the reader's language. The fields
themselves are data in `bot.services.report_fields`; how their values read is in
`handlers.common.report_values`."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.services import report_fields
from bot.services.report_fields import Section

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
    "disposal_time": __("Sappers arrived at"),
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
    # case references
    "seizure_protocol_number": __("Seizure protocol number"),
    "seizure_protocol_date": __("Seizure protocol date"),
    "criminal_case_number": __("Criminal case or register number"),
    # conveyance by type
    "train_number": __("Train number"),
    "wagon_number": __("Wagon number"),
    "flight_number": __("Flight number"),
    "seat": __("Seat"),
    "consignment_number": __("Consignment number"),
    "carrier": __("Postal or courier company"),
    # firearm
    "slide_serial": __("Serial number: slide"),
    "barrel_serial": __("Serial number: barrel"),
    "bolt_serial": __("Serial number: bolt"),
    "cylinder_serial": __("Serial number: cylinder"),
    "year_of_manufacture": __("Year of manufacture"),
    "action_type": __("Action type (firing mode)"),
    "barrel_length_mm": __("Barrel length, mm"),
    "barrels": __("Number of barrels"),
    "ifrt_reference": __("INTERPOL Firearms Reference Table (IFRT) ID"),
    "made_safe_by": __("Made safe by"),
    "verified_clear_by": __("Verified clear by"),
    # tracing
    "tracing_addressee": __("Tracing request sent to (state or body)"),
    "tracing_legal_basis": __("Tracing request: legal basis"),
    "tracing_answered_on": __("Tracing reply date"),
    "tracing_outcome": __("Tracing outcome"),
    "traced_manufacture_country": __("Traced: country of manufacture"),
    "last_legal_import_country": __("Traced: country of last legal import"),
    "diversion_point": __("Traced: point of diversion"),
    "iarms_reference": __("iARMS reference"),
    # ammunition
    "ammunition_state": __("State of the ammunition"),
    "headstamp_country": __("Headstamp: country"),
    # explosives
    "explosive_condition": __("Condition of the explosive"),
    "cordon_distance_m": __("Cordon distance set, m"),
    "sappers_called_at": __("Sappers called at"),
    # agencies notified
    "agency": __("Agency notified"),
    "agency_name": __("Name of the agency"),
    "notified_at": __("Notified at"),
    "notified_by": __("Notified by"),
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
    "post_courier": __("Post or courier"),
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
    # action types
    "single_shot": __("Single-shot"),
    "bolt_action": __("Bolt-action"),
    "lever_action": __("Lever-action"),
    "pump_action": __("Pump-action"),
    "break_action": __("Break-action"),
    "semi_automatic": __("Semi-automatic"),
    "selective_fire": __("Selective fire (single and automatic)"),
    "automatic": __("Automatic"),
    # state of ammunition
    "live": __("Live"),
    "spent": __("Spent (fired case)"),
    # condition of an explosive
    "intact": __("Intact"),
    "leaking": __("Leaking"),
    "armed": __("Armed (fuzed)"),
    # tracing outcome
    "origin_established": __("Origin established"),
    "origin_not_established": __("Origin not established"),
    # agencies
    "prosecutor": __("Prosecutor's office"),
    "police": __("Police (Ministry of Internal Affairs)"),
    "national_security": __("State Committee for National Security"),
    "customs": __("Customs Service"),
    "border_service_hq": __("Border Service headquarters"),
    "interpol_ncb": __("INTERPOL National Central Bureau"),
    # shared
    "other": __("Other"),
    "unknown": __("Unknown"),
}

SECTION_TITLES = {
    Section.INCIDENT: __("📝 Incident"),
    Section.CONVEYANCE: __("🚗 Conveyance"),
    Section.ITEM: __("📦 Item {number}"),
    Section.PERSON: __("👤 Person {number}"),
    Section.NOTICE: __("📣 Agency notified {number}"),
}


# The lists of a report's details, and the section of their entries.
ENTRY_SECTIONS = {"items": Section.ITEM, "persons": Section.PERSON, "notices": Section.NOTICE}


def field_label(key: str) -> str:
    return str(FIELD_LABELS[key])


def choice_name(code: str) -> str:
    return str(CHOICE_NAMES[code])


def country_name(code: str, language: str) -> str:
    if code == "unknown":
        return choice_name(code)
    return report_fields.country_name(code, language)


def section_title(section: Section, number: int = 0) -> str:
    return str(SECTION_TITLES[section]).format(number=number)


def changed_path_name(path: str) -> str:
    """A changed field of a revision ("details.items.2.calibre") as people call it."""
    parts = path.split(".")
    if parts[0] != "details" or len(parts) < 3:
        return ""
    if parts[1] in ENTRY_SECTIONS:
        section = ENTRY_SECTIONS[parts[1]]
        title = section_title(section, int(parts[2]))
        label = FIELD_LABELS.get(parts[3]) if len(parts) > 3 else None
        return f"{title}: {label}" if label else title
    label = FIELD_LABELS.get(parts[2])
    return str(label) if label else ""


def changed_field_name(field: str) -> str:
    """A field of a report as people call it, for "what changed" in the revision history."""
    if field.startswith("details."):
        return changed_path_name(field)
    place = _("place")
    return {
        "category": _("what was found"),
        "anyone_in_danger": _("danger"),
        "urgent": _("urgency"),
        "latitude": place,
        "longitude": place,
        "place_unit_id": place,
        "place_text": place,
        "item_estimate": _("number of items"),
        "occurred_at": _("time"),
        "photos": _("photos"),
        "procedure_runs": _("procedures followed"),
        "complete": _("completion"),
    }.get(field, field)
