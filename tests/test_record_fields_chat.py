"""In the chat: the official record's new questions, and what an officer is told when an answer
cannot be right (a train number with letters, the same officer twice), with nothing lost."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import ReportDraft, SeizureReport
from tests.conftest import RunningBot
from tests.record_fixtures import file_report_with_every_field
from tests.scenario import eventually
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_full_report import INCIDENT, en, field_asked, start_full_report, walk


async def officer_with_incident_written(running_bot: RunningBot, telegram):
    """An officer of Kainda who began a full report and answered its incident: the review."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_full_report(officer)
    return officer, await walk(officer, INCIDENT)


async def test_a_train_number_with_letters_is_explained_and_asked_again(
    running_bot: RunningBot, telegram
):
    officer, review = await officer_with_incident_written(running_bot, telegram)
    await officer.press(en("🚗 Conveyance"), review)
    question = await officer.receive()
    await officer.press(en("Train"), question)
    asked = await officer.receive()
    assert field_asked(asked) == en("Train number")
    assert en("Registration plate") not in asked.text

    await officer.send("AB12")
    explained = await officer.receive()
    assert (
        en("Type the train number: digits, with at most one letter after them, e.g. 303 or 017Ф.")
        in explained.text
    )
    again = await officer.receive()
    assert field_asked(again) == en("Train number")

    await officer.send("017ф")
    assert field_asked(await officer.receive()) == en("Wagon number")
    async with running_bot.session_factory() as session:
        draft = await session.scalar(select(ReportDraft))
    assert draft.content["conveyance"] == {"conveyance_type": "train", "train_number": "017Ф"}
    assert (
        draft.content["incident"]["concealment_details"] == "Under the rear seat, in a welded box"
    )


async def test_the_officer_who_made_a_pistol_safe_is_told_another_must_verify_it(
    running_bot: RunningBot, telegram
):
    officer, review = await officer_with_incident_written(running_bot, telegram)
    await officer.press(en("➕ Item"), review)
    await officer.press(en("🔫 Firearm"), await officer.receive())
    screen = await officer.receive()
    while field_asked(screen) != en("Made safe by"):
        await officer.press(screen.button_texts()[0], screen)
        screen = await officer.receive()
        if field_asked(screen) in (en("Quantity"), en("Calibre"), en("Make (manufacturer)")):
            await officer.send({en("Quantity"): "1"}.get(field_asked(screen), "PM 9×18"))
            screen = await officer.receive()
    own_name = screen.button_texts()[0]
    await officer.press(own_name, screen)
    verify = await officer.receive()
    assert field_asked(verify) == en("Verified clear by")
    answered = len(officer.callback_answers())
    await officer.press(own_name, verify)

    def alerts() -> list[dict]:
        return [a for a in officer.callback_answers()[answered:] if a.get("show_alert")]

    await eventually(lambda: bool(alerts()))
    [refused] = alerts()
    assert refused["show_alert"] is True
    assert refused["text"].startswith(
        en("The weapon must be verified clear by another officer")[:40]
    )
    await officer.send("Sergeant A. Bekov")
    assert field_asked(await officer.receive()) != en("Verified clear by")
    async with running_bot.session_factory() as session:
        item = (await session.scalar(select(ReportDraft))).content["items"][0]
    assert item["made_safe_by"]["name"] == own_name
    assert item["verified_clear_by"] == {"name": "Sergeant A. Bekov"}


async def test_officer_starts_a_repeat_seizure_from_an_earlier_report(
    running_bot: RunningBot, telegram
):
    """Same crossing, same train: the new report starts with the place, the route and the
    conveyance, never with the items or the persons of the earlier one."""
    report_id, number = await file_report_with_every_field(running_bot.session_factory)
    officer = telegram.user(8101, "Officer 8101")
    await officer.send(en("🗂 My reports"))
    reports = await officer.receive()
    await officer.press(next(b for b in reports.button_texts() if number in b), reports)
    shown = await officer.receive()
    await officer.press(en("📋 New report: same place and route"), shown)
    asked = await officer.receive()
    assert field_asked(asked) == en("What was found")
    async with running_bot.session_factory() as session:
        draft = await session.scalar(select(ReportDraft))
        earlier = await session.get(SeizureReport, report_id)
    incident = draft.content["incident"]
    assert incident["place"] == {"text": earlier.place_text}
    assert incident["route_departure"] == "TJ" and incident["route_transit"] == ["UZ"]
    assert "category" not in incident and "narrative" not in incident
    assert draft.content["conveyance"] == earlier.details["conveyance"]
    assert draft.content["items"] == [] and draft.content["persons"] == []
    assert draft.content["notices"] == []
