"""Serial hygiene and links between seizures: a serial typed on another keyboard, with other
spacing or misread letters is the same serial; a serial seen in an earlier report raises a
possible link that a supervisor of either unit confirms or calls unrelated, once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import (
    ItemSerial,
    LinkStatus,
    Notification,
    ReportDraft,
    Role,
    SerialLink,
    utcnow,
)
from bot.services import drafts, serials, units, users
from bot.services.drafts import Target
from bot.services.errors import AccessDenied, InvalidInput
from bot.services.report_fields import Section
from bot.services.serials import SERIAL_LINK, LinkDecided, normalise
from tests.conftest import RunningBot
from tests.scenario import tr
from tests.test_quick_log import add_supervisor
from tests.test_report_numbering import BISHKEK, officer_at
from tests.test_report_rules import write_complete_draft


@pytest.mark.parametrize(
    ("typed", "other"),
    [
        ("КА-1234", "KA 1234"),  # Cyrillic К and А against Latin K and A
        ("ka1234", "KA-12 34"),
        ("ОВ1О", "0B10"),  # Cyrillic О, Latin O and zero
        ("I-11l", "1111"),  # I, l and 1
        ("Х—РМ.7", "XPM7"),
    ],
)
def test_serials_that_differ_only_in_lookalikes_and_separators_compare_equal(typed, other):
    assert normalise(typed) == normalise(other)


def test_serials_that_differ_in_a_real_character_stay_different():
    assert normalise("KA1234") != normalise("KA1235")
    assert normalise("AB123") != normalise("AB1234")


async def file_firearm(
    session_factory, telegram_id: int, unit_code: str, serial: str, make="Izhmekh", model="PM"
) -> tuple[int, str]:
    """A full report of one pistol with the serial `serial`, filed by an officer of the unit."""
    officer_id = await officer_at(session_factory, telegram_id, unit_code)
    draft_id = await write_complete_draft(session_factory, officer_id)
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        _draft, pistol = await drafts.add_entry(
            session, officer, draft_id, Section.ITEM, {"kind": "firearm"}
        )
        # The serial is typed twice: the second time confirms it.
        answers = [("quantity", "1"), ("make", make), ("model", model), ("calibre", "9×18 mm")]
        answers += [("serial_number", serial)] * 2
        for key, text in answers:
            target = Target(Section.ITEM, key, pistol)
            await drafts.answer_text(session, officer, draft_id, target, text, utcnow(), BISHKEK)
        await drafts.answer_choice(
            session, officer, draft_id, Target(Section.ITEM, "firearm_type", pistol), "pistol"
        )
        report = await drafts.submit(session, officer, draft_id, BISHKEK)
        return report.id, report.number or ""


async def test_a_serial_seen_at_another_crossing_raises_a_link_for_both_units(session_factory):
    async with session_factory.begin() as session:
        dostuk_chief = await supervisor(session, 8601, "DOSTUK")
        kainda_chief = await supervisor(session, 8602, "KAINDA")
    first, _first_number = await file_firearm(session_factory, 8611, "DOSTUK", "КА 1234")
    second, _number = await file_firearm(session_factory, 8612, "KAINDA", "ka-1234")
    async with session_factory() as session:
        link = await session.scalar(select(SerialLink))
        told = (
            await session.scalars(select(Notification).where(Notification.kind == SERIAL_LINK))
        ).all()
        indexed = (await session.scalars(select(ItemSerial.normalised))).all()
    assert (link.report_id, link.earlier_report_id) == (second, first)
    assert (link.item_number, link.earlier_item_number, link.exact) == (2, 2, False)
    assert link.status is LinkStatus.POSSIBLE
    assert sorted(n.recipient_id for n in told) == sorted([dostuk_chief, kainda_chief])
    assert all(n.serial_link_id == link.id for n in told)
    assert indexed == ["KA1234", "KA1234"]


async def supervisor(session, telegram_id: int, unit_code: str) -> int:
    unit = await units.get_unit_by_code(session, unit_code)
    person = await users.upsert_user(
        session, telegram_id, Role.SUPERVISOR, unit.id, f"Chief {unit_code}"
    )
    return person.id


async def test_a_short_serial_links_only_the_same_make_and_model(session_factory):
    await file_firearm(session_factory, 8621, "DOSTUK", "123", make="Izhmekh", model="PM")
    await file_firearm(session_factory, 8622, "DOSTUK", "123", make="Glock", model="17")
    await file_firearm(session_factory, 8623, "KAINDA", "1-2-3", make="izhmekh", model="pm")
    async with session_factory() as session:
        links = (await session.scalars(select(SerialLink))).all()
    assert len(links) == 1 and links[0].normalised == "123"


async def test_a_link_is_decided_once_and_only_by_a_supervisor_of_either_unit(session_factory):
    async with session_factory.begin() as session:
        chief = await supervisor(session, 8631, "KAINDA")
        stranger = await supervisor(session, 8632, "TORUGART")
    await file_firearm(session_factory, 8641, "DOSTUK", "AK 47 1001")
    await file_firearm(session_factory, 8642, "KAINDA", "AK471001")
    async with session_factory() as session:
        link_id = await session.scalar(select(SerialLink.id))
    async with session_factory.begin() as session:
        outsider = await users.get_user(session, stranger)
        with pytest.raises(AccessDenied):
            await serials.decide(session, outsider, link_id, LinkStatus.CONFIRMED)
    async with session_factory.begin() as session:
        deciding = await users.get_user(session, chief)
        shown = await serials.decide(session, deciding, link_id, LinkStatus.UNRELATED)
        assert shown.link.status is LinkStatus.UNRELATED
    async with session_factory.begin() as session:
        deciding = await users.get_user(session, chief)
        with pytest.raises(LinkDecided) as decided:
            await serials.decide(session, deciding, link_id, LinkStatus.CONFIRMED)
    assert decided.value.shown.link.status is LinkStatus.UNRELATED
    assert decided.value.shown.decided_by.id == chief


async def test_a_supervisor_confirms_a_link_from_the_message(running_bot: RunningBot, telegram):
    await add_supervisor(running_bot, 8701, "KAINDA", "ru")
    await file_firearm(running_bot.session_factory, 8711, "DOSTUK", "ТТ 5005")
    second, number = await file_firearm(running_bot.session_factory, 8712, "KAINDA", "TT-5005")
    chief = telegram.user(8701, "Chief")
    message = await chief.receive_until(lambda m: "🔗" in m.text, timeout=10)
    assert number in message.text
    assert tr("ru", "✅ Same: confirm the link") in message.button_texts()
    await chief.press(tr("ru", "✅ Same: confirm the link"), message)
    # The news of the two reports goes at the chat's pace, and may come in between.
    confirmed = tr("ru", "✅ Link confirmed by {name}, {date}.").split("{name}")[0]
    decided = await chief.receive_until(lambda m: confirmed in m.text)
    assert not decided.has_button(tr("ru", "❌ Unrelated"))
    async with running_bot.session_factory() as session:
        link = await session.scalar(select(SerialLink).where(SerialLink.report_id == second))
    assert link.status is LinkStatus.CONFIRMED


async def test_a_serial_is_confirmed_by_typing_it_twice_alike_or_by_a_photo(session_factory):
    officer_id = await officer_at(session_factory, 8801)
    draft_id = await write_complete_draft(session_factory, officer_id)
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        _draft, pistol = await drafts.add_entry(
            session, officer, draft_id, Section.ITEM, {"kind": "firearm"}
        )
    serial = Target(Section.ITEM, "serial_number", pistol)

    async def typed(text: str) -> dict:
        async with session_factory.begin() as session:
            officer = await users.get_user(session, officer_id)
            draft = await drafts.answer_text(
                session, officer, draft_id, serial, text, utcnow(), BISHKEK
            )
            return draft.content["items"][-1]["serial_number"]

    assert await typed("KA 1234") == {"text": "KA 1234", "unconfirmed": True}
    # Typed otherwise the second time: the new reading waits for its own confirmation.
    assert await typed("КА 1234") == {"text": "КА 1234", "unconfirmed": True}
    async with session_factory() as session:
        draft = await session.get(ReportDraft, draft_id)
        assert Target(Section.ITEM, "serial_number", pistol) in [
            gap.target for gap in drafts.gaps(draft.content)
        ]
    assert await typed("КА 1234") == {"text": "КА 1234", "confirmed": "twice"}

    assert await typed("KB 77") == {"text": "KB 77", "unconfirmed": True}
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        with pytest.raises(InvalidInput) as no_photo:
            await drafts.answer_choice(session, officer, draft_id, serial, drafts.MARKING_PHOTO)
    assert no_photo.value.reason == "no_photo"
    async with session_factory.begin() as session:
        officer = await users.get_user(session, officer_id)
        await drafts.add_photo(session, officer, draft_id, "file-1", "unique-1", "ab" * 32, pistol)
        draft = await drafts.answer_choice(session, officer, draft_id, serial, drafts.MARKING_PHOTO)
    assert draft.content["items"][-1]["serial_number"] == {"text": "KB 77", "confirmed": "photo"}
