"""A typed answer lands under the question the officer is looking at, whatever failed between
one question and the next (a refused screen, a refused button answer)."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import ReportDraft
from tests.conftest import RunningBot
from tests.scenario import eventually
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_full_report import INCIDENT, en, field_asked, start_full_report

TRANSIT, DESTINATION = "Transit countries", "Intended destination"


async def _walk_to(officer, label: str):
    """Answer the incident's questions up to `label`; the screen that asks it."""
    before = {}
    for key, answer in INCIDENT.items():
        if key == label:
            break
        before[key] = answer
    await officer.press(en("🔀 Mixed"), await officer.receive())
    screen = await officer.receive()
    answers = {key: value for key, value in before.items() if key != "What was found"}
    while field_asked(screen) != en(label):
        label_now = field_asked(screen)
        answer = answers.get(label_now)
        if answer is None:
            await officer.press(en("⏭ Skip"), screen)
        elif isinstance(answer, tuple):
            await officer.press(en(answer[1]), screen)
        else:
            await officer.send(answer)
        screen = await officer.receive()
        while field_asked(screen) is None:
            screen = await officer.receive()
    return screen


async def _incident(running_bot: RunningBot) -> dict:
    async with running_bot.session_factory() as session:
        draft = await session.scalar(select(ReportDraft))
    return draft.content["incident"]


async def test_an_answer_typed_under_an_old_question_is_refused_when_the_next_one_never_arrived(
    running_bot: RunningBot, telegram
):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_full_report(officer)
    transit = await _walk_to(officer, TRANSIT)
    # The officer skips the transit countries; the next question never reaches the phone.
    telegram.fail_next("editMessageText", 400, "Bad Request: message to edit not found")
    telegram.fail_next("sendMessage", 502, "Bad Gateway")
    await officer.press(en("⏭ Skip"), transit)
    await eventually(lambda: bool(officer.callback_answers()[-1].get("text")))
    # Still looking at the transit question, the officer types them after all.
    await officer.send("Uzbekistan")
    refused = await officer.receive()
    assert refused.text == en(
        "Your answer was not saved: the question it would go to had not reached your screen. "
        "Here it is; please answer it."
    )
    assert field_asked(await officer.receive()) == en(DESTINATION)
    incident = await _incident(running_bot)
    assert incident.get("route_destination") is None and incident.get("route_transit") is None
    # Answered on screen, it goes where it belongs.
    await officer.send("Казахстан")
    await officer.receive_until(lambda m: field_asked(m) != en(DESTINATION))
    assert (await _incident(running_bot))["route_destination"] == "KZ"


async def test_a_refused_button_answer_does_not_leave_the_next_typed_answer_under_the_old_question(
    running_bot: RunningBot, telegram
):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_full_report(officer)
    transit = await _walk_to(officer, TRANSIT)
    telegram.fail_next(
        "answerCallbackQuery",
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    await officer.press(en("⏭ Skip"), transit)
    assert field_asked(await officer.receive()) == en(DESTINATION)
    await officer.send("Казахстан")
    await officer.receive_until(lambda m: field_asked(m) != en(DESTINATION))
    incident = await _incident(running_bot)
    assert incident["route_destination"] == "KZ"
    assert incident.get("route_transit") is None
