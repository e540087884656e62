"""Quick logs are numbered per unit and year without gaps or duplicates, and frozen."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.db.models import FoundCategory, ReportRevision, Role, SeizureReport, utcnow
from bot.services import reports, units, users
from bot.services.errors import InvalidInput
from bot.services.report_fields import check_coordinates

BISHKEK = ZoneInfo("Asia/Bishkek")


async def officer_at(session_factory, telegram_id: int, unit_code: str = "DOSTUK"):
    async with session_factory.begin() as session:
        unit = await units.get_unit_by_code(session, unit_code)
        return (
            await users.upsert_user(
                session, telegram_id, Role.OFFICER, unit.id, f"Officer {telegram_id}"
            )
        ).id


async def quick_log(session_factory, officer_id: int, **answers) -> str:
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        log = reports.QuickLog(
            category=answers.pop("category", FoundCategory.FIREARMS),
            occurred_at=utcnow() - timedelta(minutes=5),
            **answers,
        )
        report, _ = await reports.submit_quick_log(session, officer, log, BISHKEK)
        return report.number


async def test_fifty_officers_submitting_at_once_get_fifty_consecutive_numbers(session_factory):
    officer_ids = [await officer_at(session_factory, 9000 + n) for n in range(50)]
    numbers = await asyncio.gather(
        *(quick_log(session_factory, officer) for officer in officer_ids)
    )
    year = utcnow().astimezone(BISHKEK).year
    assert sorted(numbers) == [f"DOSTUK-{year}-{n:04d}" for n in range(1, 51)]


async def test_each_unit_counts_on_its_own(session_factory):
    dostuk = await officer_at(session_factory, 1, "DOSTUK")
    kainda = await officer_at(session_factory, 2, "KAINDA")
    year = utcnow().astimezone(BISHKEK).year
    assert await quick_log(session_factory, dostuk) == f"DOSTUK-{year}-0001"
    assert await quick_log(session_factory, kainda) == f"KAINDA-{year}-0001"
    assert await quick_log(session_factory, dostuk) == f"DOSTUK-{year}-0002"


async def test_explosives_or_danger_make_a_report_urgent_and_the_record_is_digested(
    session_factory,
):
    officer = await officer_at(session_factory, 1)
    await quick_log(session_factory, officer, category=FoundCategory.EXPLOSIVES)
    await quick_log(session_factory, officer, anyone_in_danger=True)
    await quick_log(session_factory, officer, photos=[reports.NewPhoto("file-1", "unique-1", None)])
    async with session_factory() as session:
        urgent = [
            report.urgent
            for report in await session.scalars(select(SeizureReport).order_by(SeizureReport.id))
        ]
        assert urgent == [True, True, False]
        revision = await session.scalar(select(ReportRevision).order_by(ReportRevision.id.desc()))
        assert revision.content["photos"] == ["unique-1"]
        assert revision.digest == reports.canonical_digest(revision.content)
        assert len(revision.digest) == 64


async def test_a_future_time_and_a_missing_unit_are_refused(session_factory):
    officer = await officer_at(session_factory, 1)
    async with session_factory.begin() as session:
        person = await users.get_user(session, officer)
        log = reports.QuickLog(
            category=FoundCategory.OTHER, occurred_at=utcnow() + timedelta(hours=1)
        )
        with pytest.raises(InvalidInput) as future:
            await reports.submit_quick_log(session, person, log, BISHKEK)
        assert future.value.reason == "in_future"
        person.unit_id = None
        log.occurred_at = utcnow()
        with pytest.raises(InvalidInput) as no_unit:
            await reports.submit_quick_log(session, person, log, BISHKEK)
        assert no_unit.value.field == "unit"


def test_coordinates_and_place_text_are_checked():
    assert check_coordinates(42.87, 74.59) == (42.87, 74.59)
    for latitude, longitude in ((91, 0), (0, 181), (-90.5, 10)):
        with pytest.raises(InvalidInput):
            check_coordinates(latitude, longitude)
    with pytest.raises(InvalidInput):
        reports.validate_place_text("x")
    with pytest.raises(InvalidInput):
        reports.validate_place_text("x" * 201)
