"""The fields an official record and a tracing request need (field review §D): asked where they
apply, checked against each other, kept in the filed report and its revision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import ReportDraft, ReportRevision, SeizureReport, utcnow
from bot.services import drafts, users
from bot.services.drafts import OFFICER_PREFIX, Target
from bot.services.errors import InvalidInput
from bot.services.report_fields import DuplicateItem, OutOfOrder, Section, applicable
from handlers.common.report_values import section_rows
from tests.record_fixtures import file_report_with_every_field
from tests.scenario import i18n_for_tests
from tests.test_report_numbering import BISHKEK, officer_at
from tests.test_report_rules import write_complete_draft


async def test_a_report_with_every_record_field_keeps_each_answer(session_factory):
    report_id, number = await file_report_with_every_field(session_factory)
    async with session_factory() as session:
        report = await session.get(SeizureReport, report_id)
        details = report.details
        revision = await session.scalar(
            select(ReportRevision).where(ReportRevision.report_id == report_id)
        )
    assert number.startswith("DOSTUK-")
    assert details["incident"]["seizure_protocol_number"] == {"text": "PR-2026/117"}
    assert details["incident"]["criminal_case_number"] == {"text": "01-279-2026-000117"}
    # A train's number is kept in capitals; the road vehicle's questions were never asked.
    assert details["conveyance"] == {
        "conveyance_type": "train",
        "train_number": "017Ф",
        "wagon_number": 7,
        "seat": {"text": "23"},
    }
    pistol, slide, cartridges, _more, grenade = details["items"]
    assert pistol["serial_number"] == {"text": "КА 1234", "confirmed": "twice"}
    assert pistol["barrel_serial"] == {"state": "partly_obliterated"}
    assert pistol["year_of_manufacture"] == 1978
    assert pistol["made_safe_by"]["name"] == "Officer 8101"
    assert pistol["verified_clear_by"]["name"] == "Officer 8102"
    assert pistol["tracing_outcome"] == "origin_established"
    assert pistol["last_legal_import_country"] == "TJ"
    assert slide["part_type"] == "slide" and "made_safe_by" not in slide
    assert cartridges["ammunition_state"] == "live"
    assert cartridges["headstamp_country"] == "RU"
    assert grenade["explosive_condition"] == "intact"
    assert "condition" not in grenade
    assert grenade["sappers_called_at"] < grenade["disposal_time"]
    assert [notice["agency"] for notice in details["notices"]] == ["prosecutor", "other"]
    assert details["notices"][1]["notified_by"] == {"name": "Sergeant A. Bekov"}
    # The revision, and so its digest, holds all of it.
    assert revision.content["details"]["notices"] == details["notices"]


async def _draft_with(session_factory, section: Section, first: dict) -> tuple[int, int, int]:
    officer_id = await officer_at(session_factory, 8201)
    draft_id = await write_complete_draft(session_factory, officer_id)
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        _draft, entry = await drafts.add_entry(session, officer, draft_id, section, first)
    return officer_id, draft_id, entry


async def _refused(session_factory, officer_id, draft_id, target, typed=None, code=None):
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        before = dict((await session.get(ReportDraft, draft_id)).content)
        with pytest.raises(InvalidInput) as refusal:
            if code is not None:
                await drafts.answer_choice(session, officer, draft_id, target, code)
            else:
                await drafts.answer_text(
                    session, officer, draft_id, target, typed, utcnow(), BISHKEK
                )
    async with session_factory() as session:
        assert (await session.get(ReportDraft, draft_id)).content == before
    return refusal.value


async def _typed(session_factory, officer_id, draft_id, target, text):
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        await drafts.answer_text(session, officer, draft_id, target, text, utcnow(), BISHKEK)


async def test_impossible_firearm_answers_are_refused_and_the_draft_kept(session_factory):
    officer_id, draft_id, pistol = await _draft_with(
        session_factory, Section.ITEM, {"kind": "firearm"}
    )
    next_year = str(utcnow().astimezone(BISHKEK).year + 1)
    year = await _refused(
        session_factory,
        officer_id,
        draft_id,
        Target(Section.ITEM, "year_of_manufacture", pistol),
        next_year,
    )
    assert year.reason == "in_future"
    barrel = Target(Section.ITEM, "barrel_length_mm", pistol)
    assert (await _refused(session_factory, officer_id, draft_id, barrel, "0")).reason == (
        "too_small"
    )
    assert (await _refused(session_factory, officer_id, draft_id, barrel, "9300")).reason == (
        "too_large"
    )


async def test_the_officer_who_made_a_weapon_safe_cannot_also_verify_it(session_factory):
    officer_id, draft_id, pistol = await _draft_with(
        session_factory, Section.ITEM, {"kind": "firearm"}
    )
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        await drafts.answer_choice(
            session,
            officer,
            draft_id,
            Target(Section.ITEM, "made_safe_by", pistol),
            f"{OFFICER_PREFIX}{officer_id}",
        )
    verified = Target(Section.ITEM, "verified_clear_by", pistol)
    same = await _refused(
        session_factory, officer_id, draft_id, verified, code=f"{OFFICER_PREFIX}{officer_id}"
    )
    assert same.reason == "same_person"
    # Typed, the same name is the same officer too.
    typed = await _refused(session_factory, officer_id, draft_id, verified, "officer  8201")
    assert typed.reason == "same_person"


async def test_an_officer_of_another_unit_cannot_be_named_by_button(session_factory):
    officer_id, draft_id, pistol = await _draft_with(
        session_factory, Section.ITEM, {"kind": "firearm"}
    )
    stranger = await officer_at(session_factory, 8301, unit_code="TORUGART")
    target = Target(Section.ITEM, "made_safe_by", pistol)
    refusal = await _refused(
        session_factory, officer_id, draft_id, target, code=f"{OFFICER_PREFIX}{stranger}"
    )
    assert refusal.reason == "stale"


async def test_sappers_cannot_arrive_before_they_were_called(session_factory):
    officer_id, draft_id, grenade = await _draft_with(
        session_factory, Section.ITEM, {"kind": "explosive"}
    )
    local = utcnow().astimezone(BISHKEK)
    called = (local - timedelta(minutes=10)).strftime("%d.%m.%Y %H:%M")
    earlier = (local - timedelta(minutes=30)).strftime("%d.%m.%Y %H:%M")
    await _typed(
        session_factory,
        officer_id,
        draft_id,
        Target(Section.ITEM, "sappers_called_at", grenade),
        called,
    )
    await _typed(
        session_factory,
        officer_id,
        draft_id,
        Target(Section.ITEM, "disposal_team", grenade),
        "Sappers",
    )
    arrived = Target(Section.ITEM, "disposal_time", grenade)
    refusal = await _refused(session_factory, officer_id, draft_id, arrived, earlier)
    assert isinstance(refusal, OutOfOrder) and refusal.reason == "before_other"
    assert refusal.other.key == "sappers_called_at"
    # Once the arrival is recorded, the call cannot be moved after it either.
    arrival = (local - timedelta(minutes=5)).strftime("%d.%m.%Y %H:%M")
    await _typed(session_factory, officer_id, draft_id, arrived, arrival)
    later_call = (local - timedelta(minutes=2)).strftime("%d.%m.%Y %H:%M")
    call = Target(Section.ITEM, "sappers_called_at", grenade)
    moved = await _refused(session_factory, officer_id, draft_id, call, later_call)
    assert isinstance(moved, OutOfOrder) and moved.reason == "after_other"
    assert moved.other.key == "disposal_time"


async def test_conveyance_questions_follow_the_kind_of_conveyance(session_factory):
    officer_id, draft_id, _entry = await _draft_with(session_factory, Section.PERSON, {})
    train_number = Target(Section.CONVEYANCE, "train_number")
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        await drafts.answer_choice(
            session, officer, draft_id, Target(Section.CONVEYANCE, "conveyance_type"), "train"
        )
    letters = await _refused(session_factory, officer_id, draft_id, train_number, "AB12")
    assert letters.reason == "format"
    asked = {spec.key for spec in applicable(Section.CONVEYANCE, {"conveyance_type": "train"})}
    assert {"train_number", "wagon_number", "seat"} <= asked
    assert not {"registration_plate", "vin", "flight_number"} & asked
    post = {
        spec.key for spec in applicable(Section.CONVEYANCE, {"conveyance_type": "post_courier"})
    }
    assert post == {"conveyance_type", "consignment_number", "carrier"}


async def test_a_report_filed_before_the_new_fields_prints_as_it_was_filed(session_factory):
    """A train's registration plate and a grenade's generic condition, asked by the old form,
    are printed from the report even though the form now asks other questions there."""
    officer_id = await officer_at(session_factory, 8401)
    draft_id = await write_complete_draft(session_factory, officer_id)
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        report = await drafts.submit(session, officer, draft_id, BISHKEK)
        filed = {
            **report.details,
            "conveyance": {"conveyance_type": "train", "registration_plate": {"text": "303"}},
            "items": [
                {
                    "number": 1,
                    "kind": "explosive",
                    "quantity": 1,
                    "condition": "working",
                    "explosive_kind": "hand_grenade",
                }
            ],
        }
    i18n = i18n_for_tests()
    with i18n.context(), i18n.use_locale("en"):
        conveyance = section_rows(
            Section.CONVEYANCE, filed["conveyance"], "en", BISHKEK, {}, True, False, True
        )
        grenade = section_rows(Section.ITEM, filed["items"][0], "en", BISHKEK, {}, True, False)
    assert ("Registration plate", "303") in conveyance
    assert ("Condition", "Working") in grenade


async def test_a_part_entered_twice_with_one_serial_is_explained(session_factory):
    """Two slides with the same serial in one report are one slide entered twice; a pistol
    whose slide and frame share a serial (matching numbers) is not refused."""
    officer_id, draft_id, first = await _draft_with(
        session_factory, Section.ITEM, {"kind": "part", "part_type": "slide"}
    )
    serial = Target(Section.ITEM, "serial_number", first)
    await _typed(session_factory, officer_id, draft_id, serial, "КВ 9876")
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        _draft, second = await drafts.add_entry(
            session, officer, draft_id, Section.ITEM, {"kind": "part", "part_type": "slide"}
        )
        _draft, pistol = await drafts.add_entry(
            session, officer, draft_id, Section.ITEM, {"kind": "firearm"}
        )
    twice = await _refused(
        session_factory,
        officer_id,
        draft_id,
        Target(Section.ITEM, "serial_number", second),
        "KB-9876",
    )
    assert isinstance(twice, DuplicateItem) and twice.number == 2
    for key in ("serial_number", "slide_serial"):
        await _typed(
            session_factory, officer_id, draft_id, Target(Section.ITEM, key, pistol), "КВ 9876"
        )
