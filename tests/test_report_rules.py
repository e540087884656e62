"""The rules of the full report's fields, and drafts submitted by many officers at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.db.models import ReportRevision, SeizureReport, utcnow
from bot.services import drafts, users
from bot.services.drafts import Incomplete, Target
from bot.services.errors import AccessDenied, InvalidInput
from bot.services.report_fields import (
    FIELDS,
    AmbiguousCountry,
    Section,
    check_count,
    check_countries,
    check_country,
    check_date,
    check_datetime,
    check_text,
    check_weight,
    check_year,
    country_codes,
    field_of,
    kept,
    typed_coordinates,
)
from tests.test_report_numbering import BISHKEK, officer_at

# 14:00 in Bishkek on 29 November 2026: what the officer's phone stamped on the message.
SENT_AT = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def refused(check, *args) -> str:
    with pytest.raises(InvalidInput) as problem:
        check(*args)
    return problem.value.reason


@pytest.mark.parametrize(
    "typed",
    ["29.11.2026 13:30", "29/11/2026 13:30", "2026-11-29 13:30", "2026-11-29T13:30", "13:30"],
)
def test_a_date_and_time_is_read_in_every_usual_form_as_bishkek_time(typed):
    stored = check_datetime(field_of(Section.INCIDENT, "occurred_at"), typed, SENT_AT, BISHKEK)
    assert stored == "2026-11-29T07:30:00+00:00"


def test_a_date_and_time_in_the_future_without_time_or_unreadable_is_refused():
    spec = field_of(Section.INCIDENT, "occurred_at")
    assert refused(check_datetime, spec, "29.11.2026 15:00", SENT_AT, BISHKEK) == "in_future"
    # A phone's clock a minute or two ahead is not the future.
    check_datetime(spec, "29.11.2026 14:03", SENT_AT, BISHKEK)
    assert refused(check_datetime, spec, "29.11.2026", SENT_AT, BISHKEK) == "no_time"
    assert refused(check_datetime, spec, "last night", SENT_AT, BISHKEK) == "format"
    assert refused(check_datetime, spec, "31.02.2026 10:00", SENT_AT, BISHKEK) == "format"
    assert refused(check_datetime, spec, "29.11.2026 25:10", SENT_AT, BISHKEK) == "format"
    assert refused(check_datetime, spec, "01.01.1850 10:00", SENT_AT, BISHKEK) == "too_early"


def test_a_date_of_birth_and_a_year():
    birth = field_of(Section.PERSON, "birth_date")
    assert check_date(birth, "07.03.1985", SENT_AT, BISHKEK) == "1985-03-07"
    assert refused(check_date, birth, "07.03.2030", SENT_AT, BISHKEK) == "in_future"
    year = field_of(Section.ITEM, "import_marking_year")
    assert check_year(year, "2019", SENT_AT) == 2019
    assert refused(check_year, year, "19", SENT_AT) == "format"
    assert refused(check_year, year, "2031", SENT_AT) == "in_future"


def test_quantities_are_positive_whole_numbers_and_weights_become_kilograms():
    quantity = field_of(Section.ITEM, "quantity")
    assert check_count(quantity, "1 200") == 1200
    for wrong, reason in (("0", "too_small"), ("-3", "too_small"), ("ten", "not_a_number")):
        assert refused(check_count, quantity, wrong) == reason
    assert refused(check_count, quantity, "2.5") == "not_a_number"
    assert check_count(field_of(Section.INCIDENT, "persons_count"), "0") == 0
    weight = field_of(Section.ITEM, "net_weight")
    assert check_weight(weight, "2,5 кг") == 2.5
    assert check_weight(weight, "2.5") == 2.5
    assert check_weight(weight, "400 g") == 0.4
    assert check_weight(weight, "750г") == 0.75
    assert refused(check_weight, weight, "0 kg") == "too_small"
    assert refused(check_weight, weight, "heavy") == "not_a_weight"
    assert refused(check_weight, weight, "2 t") == "not_a_weight"


def test_a_serial_number_is_kept_exactly_as_marked():
    serial = field_of(Section.ITEM, "serial_number")
    assert check_text(serial, "  ТК 4417-b  ") == "ТК 4417-b"
    assert check_text(serial, "AB  12") == "AB  12"  # two spaces stay two spaces
    assert refused(check_text, serial, "--") == "no_characters"
    assert serial.choices == ("none", "obliterated", "partly_obliterated")


def test_free_text_has_its_limits_and_a_narrative_keeps_its_lines():
    narrative = field_of(Section.INCIDENT, "narrative")
    assert check_text(narrative, "Line one\n\nLine two ") == "Line one\n\nLine two"
    assert refused(check_text, narrative, "short") == "too_short"
    assert refused(check_text, narrative, "x" * 4001) == "too_long"
    check_text(narrative, "x" * 4000)
    calibre = field_of(Section.ITEM, "calibre")
    assert check_text(calibre, "  7.62 ×  39  mm ") == "7.62 × 39 mm"
    assert refused(check_text, calibre, "x" * 51) == "too_long"


def test_countries_are_found_by_name_in_any_language_or_by_code():
    spec = field_of(Section.INCIDENT, "route_departure")
    assert check_country(spec, "Тажикстан") == "TJ"  # Kyrgyz
    assert check_country(spec, "таджикистан") == "TJ"  # Russian
    assert check_country(spec, "Uzbekistan") == "UZ"
    assert check_country(spec, "cn") == "CN"
    assert refused(check_country, spec, "Atlantis") == "unknown_country"
    with pytest.raises(AmbiguousCountry) as several:
        check_country(spec, "Guin")
    assert {"GN", "GW"} <= set(several.value.candidates)
    transit = field_of(Section.INCIDENT, "route_transit")
    assert check_countries(transit, "Uzbekistan, Казахстан; KZ") == ["UZ", "KZ"]
    assert refused(check_countries, transit, "Uzbekistan, Narnia") == "unknown_country"


def test_coordinates_typed_or_shared_are_checked():
    assert typed_coordinates("42.8746, 74.5698") == (42.8746, 74.5698)
    assert typed_coordinates("42,8746 74,5698") == (42.8746, 74.5698)
    assert typed_coordinates("Dostuk, lane 3") is None
    with pytest.raises(InvalidInput):
        typed_coordinates("95.0, 74.0")


def test_fields_that_do_not_apply_to_an_items_kind_are_not_kept():
    values = {"id": 1, "kind": "explosive", "explosive_kind": "landmine", "calibre": "9 mm"}
    assert kept(Section.ITEM, values) == {"kind": "explosive", "explosive_kind": "landmine"}


async def write_complete_draft(session_factory, officer_id: int) -> int:
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        draft = await drafts.start_draft(session, officer, utcnow() - timedelta(minutes=30))
        incident = {
            "category": "ammunition",
            "anyone_in_danger": "no",
            "location_type": "bcp_road",
            "direction": "exit",
            "detection_method": "routine_check",
            "concealment": "luggage",
            "context": "illegal_possession",
        }
        for key, code in incident.items():
            await drafts.answer_choice(
                session, officer, draft.id, Target(Section.INCIDENT, key), code
            )
        for key, text in (("place", "Lane 3"), ("narrative", "Cartridges found in a bag.")):
            await drafts.answer_text(
                session, officer, draft.id, Target(Section.INCIDENT, key), text, utcnow(), BISHKEK
            )
        await drafts.answer_choice(
            session, officer, draft.id, Target(Section.INCIDENT, "occurred_at"), "started"
        )
        draft, item = await drafts.add_entry(
            session, officer, draft.id, Section.ITEM, {"kind": "ammunition"}
        )
        for key, text in (("quantity", "30"), ("calibre", "5.45×39 mm")):
            await drafts.answer_text(
                session, officer, draft.id, Target(Section.ITEM, key, item), text, utcnow(), BISHKEK
            )
        await drafts.answer_choice(
            session, officer, draft.id, Target(Section.ITEM, "ammunition_type", item), "ball"
        )
        return draft.id


async def submit(session_factory, officer_id: int, draft_id: int) -> str:
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        report = await drafts.submit(session, officer, draft_id, BISHKEK)
        return report.number


async def test_fifty_full_reports_submitted_at_once_get_fifty_consecutive_numbers(
    session_factory,
):
    officer_ids = [await officer_at(session_factory, 7000 + n) for n in range(50)]
    draft_ids = [await write_complete_draft(session_factory, officer) for officer in officer_ids]
    numbers = await asyncio.gather(
        *(submit(session_factory, *pair) for pair in zip(officer_ids, draft_ids, strict=True))
    )
    year = utcnow().astimezone(BISHKEK).year
    assert sorted(numbers) == [f"DOSTUK-{year}-{n:04d}" for n in range(1, 51)]
    async with session_factory() as session:
        revisions = (await session.scalars(select(ReportRevision))).all()
        assert len({revision.digest for revision in revisions}) == 50


async def test_an_incomplete_draft_names_what_is_missing_and_stays(session_factory):
    officer_id = await officer_at(session_factory, 1)
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        draft = await drafts.start_draft(session, officer, utcnow())
    with pytest.raises(Incomplete) as incomplete:
        await submit(session_factory, officer_id, draft.id)
    missing = {gap.target.key for gap in incomplete.value.gaps}
    assert {"category", "narrative", "kind"} <= missing
    async with session_factory() as session:
        assert await session.scalar(select(SeizureReport.id)) is None
        assert await drafts.get_draft(session, officer, draft.id)


async def test_another_officers_draft_cannot_be_read_or_changed(session_factory):
    owner = await officer_at(session_factory, 1)
    other = await officer_at(session_factory, 2)
    draft_id = await write_complete_draft(session_factory, owner)
    async with session_factory() as session:
        stranger = await users.get_user(session, other)
        target = Target(Section.INCIDENT, "narrative")
        with pytest.raises(AccessDenied):
            await drafts.answer_text(
                session, stranger, draft_id, target, "Changed by someone else", utcnow(), BISHKEK
            )
        with pytest.raises(AccessDenied):
            await drafts.submit(session, stranger, draft_id, ZoneInfo("Asia/Bishkek"))


async def test_a_photo_sent_twice_is_kept_once_and_only_its_officer_takes_it_back(
    session_factory,
):
    owner_id = await officer_at(session_factory, 1)
    draft_id = await write_complete_draft(session_factory, owner_id)
    async with session_factory.begin() as session:
        owner = await users.get_user(session, owner_id)
        sent = [
            await drafts.add_photo(session, owner, draft_id, f"file-{n}", "same", "ab" * 32, None)
            for n in range(2)
        ]
        assert sent[0] == sent[1] and sent[0].count == 1
        draft = await drafts.get_draft(session, owner, draft_id, for_update=True)
        # A photo kept before photos were numbered is numbered when sent again.
        draft.content = {**draft.content, "photos": [{**draft.content["photos"][0]}]}
        del draft.content["photos"][0]["id"]
    async with session_factory.begin() as session:
        again = await drafts.add_photo(session, owner, draft_id, "file-2", "same", "ab" * 32, None)
        assert again.id > sent[0].id and again.count == 1
    stranger_id = await officer_at(session_factory, 2)
    with pytest.raises(AccessDenied):
        async with session_factory.begin() as session:
            stranger = await users.get_user(session, stranger_id)
            await drafts.remove_photo(session, stranger, draft_id, again.id)
    async with session_factory.begin() as session:
        left = await drafts.remove_photo(session, owner, draft_id, again.id)
        assert left.count == 0
        with pytest.raises(InvalidInput):
            await drafts.remove_photo(session, owner, draft_id, again.id)


def test_every_answer_button_fits_telegrams_64_bytes():
    from handlers.common.callbacks import DraftAsk, DraftChoice

    large = {"draft": 10**9, "entry": 100}
    for section, fields in FIELDS.items():
        for spec in fields:
            codes = [*spec.choices, *country_codes(), "unknown", "started", "u1000000", "_clear"]
            for code in codes:
                choice = DraftChoice(section=section, key=spec.key, code=code, walk=True, **large)
                assert len(choice.pack().encode()) <= 64, choice.pack()
            assert len(DraftAsk(section=section, key=spec.key, walk=True, **large).pack()) <= 64
