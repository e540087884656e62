"""A full report with every field of the official record answered, filed through the real
services: what the PDF, the spreadsheets and the national export are checked against."""

from __future__ import annotations

from datetime import timedelta

from bot.db.models import utcnow
from bot.services import drafts, users
from bot.services.drafts import OFFICER_PREFIX, Target
from bot.services.report_fields import Section, field_of
from tests.test_report_numbering import BISHKEK, officer_at

# A button's code is pressed; any other answer is typed.
Press = tuple[str, str]

INCIDENT: dict[str, str | Press] = {
    "category": ("press", "mixed"),
    "occurred_at": ("press", "started"),
    "place": "Kara-Suu station, platform 2",
    "anyone_in_danger": ("press", "no"),
    "location_type": ("press", "bcp_rail"),
    "direction": ("press", "entry"),
    "detection_method": ("press", "x_ray_scanner"),
    "concealment": ("press", "luggage"),
    "concealment_details": "Under the lining of a suitcase",
    "context": ("press", "trafficking"),
    "route_departure": "Tajikistan",
    "route_transit": "Uzbekistan",
    "route_destination": "KG",
    "persons_count": "1",
    "legal_basis": "Criminal Code, article 279",
    "seizure_protocol_number": "PR-2026/117",
    "seizure_protocol_date": "today",
    "criminal_case_number": "01-279-2026-000117",
    "narrative": "A pistol, a spare slide, cartridges and a grenade found in a suitcase.",
}
CONVEYANCE: dict[str, str | Press] = {
    "conveyance_type": ("press", "train"),
    "train_number": "017ф",
    "wagon_number": "7",
    "seat": "23",
}
FIREARM: dict[str, str | Press] = {
    "firearm_type": ("press", "pistol"),
    "quantity": "1",
    "make": "Izhmekh",
    "model": "PM",
    "calibre": "9×18 mm",
    "serial_number": "КА 1234",
    "slide_serial": "КА 1234",
    "barrel_serial": ("press", "partly_obliterated"),
    "year_of_manufacture": "1978",
    "action_type": ("press", "semi_automatic"),
    "barrel_length_mm": "93",
    "barrels": "1",
    "ifrt_reference": "IFRT-PM-0093",
    "country_of_manufacture": "RU",
    "marking_status": ("press", "marked"),
    "state_when_found": ("press", "loaded"),
    "made_safe_by": ("press", "officer"),
    "verified_clear_by": ("press", "colleague"),
    "tracing": ("press", "answered"),
    "tracing_date": "01.10.2026",
    "tracing_addressee": "Russian Federation, NCB Moscow",
    "tracing_legal_basis": "Agreement of the CIS states, 2003",
    "tracing_answered_on": "15.11.2026",
    "tracing_outcome": ("press", "origin_established"),
    "traced_manufacture_country": "RU",
    "last_legal_import_country": "TJ",
    "diversion_point": "Army depot stock, 1990s",
    "iarms_reference": "IARMS-2026-4471",
    "condition": ("press", "working"),
    "storage_location": "Evidence room, Kara-Suu",
}
PART: dict[str, str | Press] = {
    "part_type": ("press", "slide"),
    "quantity": "1",
    "make": "Izhmekh",
    "model": "PM",
    "calibre": "9×18 mm",
    "serial_number": "КБ 9876",
    "year_of_manufacture": "1981",
    "condition": ("press", "damaged"),
}
AMMUNITION: dict[str, str | Press] = {
    "ammunition_type": ("press", "ball"),
    "quantity": "16",
    "calibre": "9×18 mm",
    "ammunition_state": ("press", "live"),
    "headstamp": "539 78",
    "headstamp_country": "RU",
    "lot_number": "78-539",
}
EXPLOSIVE: dict[str, str | Press] = {
    "explosive_kind": ("press", "hand_grenade"),
    "quantity": "1",
    "markings": "RGD-5",
    "explosive_condition": ("press", "intact"),
    "cordon_distance_m": "300",
    "sappers_called_at": "earlier",
    "disposal_team": "Sappers of the Border Service",
    "disposal_time": "now",
    "destroyed_in_place": ("press", "no"),
}
PERSON: dict[str, str | Press] = {
    "role": ("press", "passenger"),
    "name": "Ivan Petrov",
    "birth_date": "14.03.1991",
    "gender": ("press", "male"),
    "nationality": "TJ",
    "document_type": ("press", "passport"),
    "document_number": "A1234567",
    "document_country": "TJ",
    "detained": ("press", "yes"),
}
NOTICES: list[dict[str, str | Press]] = [
    {
        "agency": ("press", "prosecutor"),
        "notified_at": "earlier",
        "notified_by": ("press", "officer"),
    },
    {
        "agency": ("press", "other"),
        "agency_name": "Sappers of the Border Service",
        "notified_at": "now",
        "notified_by": "Sergeant A. Bekov",
    },
]


async def file_report_with_every_field(
    session_factory, officer_telegram_id: int = 8101, colleague_telegram_id: int = 8102
) -> tuple[int, str]:
    """Files, as an officer of DOSTUK, a report answering every field of the official record
    (a colleague of the same unit verified the pistol clear). Returns the report's id and
    number."""
    officer_id = await officer_at(session_factory, officer_telegram_id)
    colleague_id = await officer_at(session_factory, colleague_telegram_id)
    now = utcnow()
    local_now = now.astimezone(BISHKEK)
    typed_words = {
        "today": local_now.strftime("%d.%m.%Y"),
        "earlier": (local_now - timedelta(minutes=20)).strftime("%d.%m.%Y %H:%M"),
        "now": local_now.strftime("%d.%m.%Y %H:%M"),
    }
    codes = {
        "officer": f"{OFFICER_PREFIX}{officer_id}",
        "colleague": f"{OFFICER_PREFIX}{colleague_id}",
    }
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        draft = await drafts.start_draft(session, officer, now - timedelta(minutes=40))

        async def answer(target: Target, value: str | Press) -> None:
            if isinstance(value, tuple):
                code = codes.get(value[1], value[1])
                await drafts.answer_choice(session, officer, draft.id, target, code)
            else:
                text = typed_words.get(value, value)
                # A serial is typed twice: the second time confirms it.
                for _typing in range(2 if field_of(target.section, target.key).confirm else 1):
                    await drafts.answer_text(session, officer, draft.id, target, text, now, BISHKEK)

        for key, value in INCIDENT.items():
            await answer(Target(Section.INCIDENT, key), value)
        for key, value in CONVEYANCE.items():
            await answer(Target(Section.CONVEYANCE, key), value)
        entries = [
            (Section.ITEM, {"kind": "firearm"}, FIREARM),
            (Section.ITEM, {"kind": "part"}, PART),
            (Section.ITEM, {"kind": "ammunition"}, AMMUNITION),
            (Section.ITEM, {"kind": "ammunition"}, {**AMMUNITION, "quantity": "24"}),
            (Section.ITEM, {"kind": "explosive"}, EXPLOSIVE),
            (Section.PERSON, {}, PERSON),
            *((Section.NOTICE, {}, notice) for notice in NOTICES),
        ]
        for section, first, answers in entries:
            _draft, entry = await drafts.add_entry(session, officer, draft.id, section, first)
            for key, value in answers.items():
                await answer(Target(section, key, entry), value)
        report = await drafts.submit(session, officer, draft.id, BISHKEK)
        return report.id, report.number or ""
