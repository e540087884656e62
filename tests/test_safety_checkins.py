"""End to end: after a report with explosives or someone in danger the officer is asked "Are you
safe?" until the sappers take over or the scene is closed; silence and calls for help reach the
supervisors. The clock of the checks is moved by calling the worker's step with a later time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import Notification, SeizureReport, utcnow
from bot.db.safety_models import SafetyWatch, WatchEnd
from bot.services import safety
from tests.conftest import RunningBot
from tests.record_fixtures import file_report_with_every_field
from tests.scenario import every_button_answered, i18n_for_tests, tr
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_quick_log import add_supervisor, file_quick_log

EVERY = timedelta(minutes=15)  # SAFETY_CHECK_MINUTES' default
CHECK = "🦺 Safety check · report No. {number}"
LAST_UNANSWERED = (
    "⚠️ The last check was not answered. If this one is not answered either, your supervisors "
    "will be alerted."
)
HELP_ASKED = (
    "🆘 Help was already asked at {time}, and your supervisors were told then. "
    "Nothing was sent again."
)
LOCATION_RECORDED = "📍 Location recorded: your supervisors will see it if alerted."
SILENT = "🆘 URGENT: {name} has not answered {count} safety check in a row."
SILENT_PLURAL = "🆘 URGENT: {name} has not answered {count} safety checks in a row."


async def file_explosives_log(officer, latitude: float = 42.87, longitude: float = 74.59):
    """A quick log of explosives at a shared location, nobody in danger."""
    await officer.send(tr("en", "📝 New report"))
    await officer.press(tr("en", "💣 Explosives"), await officer.receive())
    await officer.receive()
    await officer.receive()
    await officer.send_location(latitude, longitude)
    await officer.receive()
    await officer.press("1", await officer.receive())
    await officer.press(tr("en", "✅ Nobody in danger"), await officer.receive())
    return await officer.receive()


async def press_as_shown(person, message, label: str) -> None:
    """Press a button of `message` as it was first shown (a double tap, a slow network), even
    if the bot has since taken it away."""
    [data] = [data for row in message.inline_buttons for text, data, _url in row if text == label]
    await person.press_data(data, message.message_id)


async def checks_due(running_bot: RunningBot, minutes_later: float) -> list[SafetyWatch]:
    """What the delivery worker's periodic step does `minutes_later` from now."""
    async with running_bot.session_factory.begin() as session:
        now = utcnow() + timedelta(minutes=minutes_later)
        due = await safety.send_due_checks(session, EVERY, now=now)
    assert running_bot.app is not None
    running_bot.app.dispatcher["delivery"].wake()
    return due


async def the_watch(running_bot: RunningBot) -> SafetyWatch:
    async with running_bot.session_factory() as session:
        return (await session.scalars(select(SafetyWatch))).one()


async def notifications_of(running_bot: RunningBot, kind: str) -> int:
    async with running_bot.session_factory() as session:
        return await session.scalar(
            select(func.count()).select_from(Notification).where(Notification.kind == kind)
        )


async def report_number(running_bot: RunningBot) -> str:
    async with running_bot.session_factory() as session:
        return (await session.scalars(select(SeizureReport.number))).one()


async def test_officer_with_explosives_is_asked_until_the_sappers_take_over(running_bot, telegram):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, 7001, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(7001, "Chief")
    await file_explosives_log(officer)
    await chief.receive()  # the urgent report itself
    number = await report_number(running_bot)
    assert await checks_due(running_bot, 14) == []  # not yet: every 15 minutes

    await checks_due(running_bot, 16)
    check = await officer.receive()
    assert check.text.startswith(tr("en", CHECK, number=number))
    assert check.button_texts() == [
        tr("en", "✅ I am safe"),
        tr("en", "🧨 Sappers took over"),
        tr("en", "🏁 Scene closed"),
        tr("en", "🆘 Need help"),
    ]
    await officer.press(tr("en", "✅ I am safe"), check)
    answered = await officer.receive()
    assert answered.message_id == check.message_id
    assert tr("en", "✅ I am safe") not in answered.button_texts()
    watch = await the_watch(running_bot)
    assert (watch.checks_sent, watch.answered_check, watch.unanswered) == (1, 1, 0)

    await press_as_shown(officer, check, tr("en", "✅ I am safe"))  # a double tap
    assert (await officer.receive()).text.startswith(
        tr("en", "Your answer was already recorded at {time}. Nothing was changed.").split(
            "{time}"
        )[0]
    )
    await checks_due(running_bot, 16)
    second = await officer.receive()
    await officer.press(tr("en", "🧨 Sappers took over"), second)
    ended = await officer.receive()
    assert tr("en", "the sappers took over") in ended.text
    assert ended.button_texts() == [tr("en", "🆘 Need help")]
    watch = await the_watch(running_bot)
    assert watch.closed_reason is WatchEnd.SAPPERS_TOOK_OVER and watch.closed_at is not None

    assert await checks_due(running_bot, 120) == []
    await press_as_shown(officer, check, tr("en", "🏁 Scene closed"))  # an old check's
    refused = await officer.receive()
    assert tr("en", "the sappers took over") in refused.text
    assert (await the_watch(running_bot)).closed_reason is WatchEnd.SAPPERS_TOOK_OVER
    await officer.no_more_messages()
    await chief.no_more_messages()  # a quiet officer who answered: nobody alerted
    await every_button_answered(telegram, officer)


async def test_a_silent_officer_is_escalated_with_the_last_known_location(running_bot, telegram):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, 7001, "CHUY", "ru")
    await add_supervisor(running_bot, 7002, "BS", "ky")
    officer = telegram.user(OFFICER_ID, "Bekov")
    chief, headquarters = telegram.user(7001, "Chief"), telegram.user(7002, "HQ")
    await file_explosives_log(officer)
    await chief.receive()
    await headquarters.receive()

    await checks_due(running_bot, 16)
    first = await officer.receive()
    await checks_due(running_bot, 32)
    second = await officer.receive()
    assert tr("en", LAST_UNANSWERED) in second.text
    await chief.no_more_messages()  # one silent check is not yet an alarm

    await officer.send_location(42.9, 74.6)  # shared meanwhile: the last known location
    assert (await officer.receive()).text == tr("en", LOCATION_RECORDED)
    await checks_due(running_bot, 48)
    for person, language in ((chief, "ru"), (headquarters, "ky")):
        alert = await person.receive()
        silent = i18n_for_tests().gettext(SILENT, SILENT_PLURAL, 2, locale=language)
        assert alert.text.startswith(silent.format(name="Officer Bekov", count=2))
        assert "42.90000, 74.60000" in alert.text and "openstreetmap.org" in alert.html
    third = await officer.receive()
    assert third.text.startswith(tr("en", CHECK, number=await report_number(running_bot)))
    watch = await the_watch(running_bot)
    assert (watch.checks_sent, watch.unanswered, watch.alerted_levels) == (3, 2, 2)

    await press_as_shown(officer, first, tr("en", "✅ I am safe"))  # a stale check's
    again = await officer.receive()
    assert again.text.startswith(tr("en", "That was an earlier check. Answer this one:"))
    assert (await the_watch(running_bot)).answered_check == 0  # it did not count
    await officer.press(tr("en", "✅ I am safe"), again)
    await officer.receive()
    watch = await the_watch(running_bot)
    assert (watch.answered_check, watch.unanswered, watch.alerted_levels) == (3, 0, 0)
    all_clear = await chief.receive()
    assert all_clear.text.startswith("✅") and tr("ru", "safe") in all_clear.text
    await headquarters.receive()
    await every_button_answered(telegram, officer)


async def test_an_officer_who_blocked_the_bot_is_escalated_and_the_checks_go_on(
    running_bot, telegram
):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, 7001, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(7001, "Chief")
    await file_quick_log(officer, danger=True)
    await chief.receive()
    telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", times=2)

    for minutes in (16, 32, 48):
        await checks_due(running_bot, minutes)
    alert = await chief.receive(timeout=10)
    assert (
        alert.text.startswith("🆘")
        and tr("en", "Last known place: {place} (from the report)", place="Kainda") in alert.text
    )
    assert (await the_watch(running_bot)).checks_sent == 3


async def test_need_help_pressed_twice_alerts_once_and_says_when(running_bot, telegram):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, 7001, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(7001, "Chief")
    await file_quick_log(officer, danger=True)
    await chief.receive()

    await officer.send(tr("en", "🗂 My reports"))
    listing = await officer.receive()
    await officer.press(listing.button_texts()[0], listing)
    details = await officer.receive()
    await officer.press(tr("en", "🆘 Need help"), details)
    asked = await officer.receive()
    assert asked.text.startswith("🆘") and tr("en", "🆘 Need help") not in asked.button_texts()
    alert = await chief.receive()
    assert "Officer Bekov" in alert.text and "Kainda" in alert.text
    first_asked = (await the_watch(running_bot)).help_requested_at

    await officer.press(tr("en", "🆘 Need help"), details)
    repeated = await officer.receive()
    assert repeated.text.startswith(tr("en", HELP_ASKED).split("{time}")[0])
    assert (await the_watch(running_bot)).help_requested_at == first_asked
    assert await notifications_of(running_bot, safety.SAFETY_HELP) == 1
    await chief.no_more_messages()

    # The chief opening the report is not offered the officer's button.
    await chief.press(tr("en", "📂 Open"), alert)
    assert tr("en", "🆘 Need help") not in (await chief.receive()).button_texts()


async def test_checks_survive_a_restart_without_coming_twice(running_bot, telegram):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await file_quick_log(officer, danger=False)
    async with running_bot.session_factory() as session:
        assert (await session.scalars(select(SafetyWatch))).all() == []  # nothing dangerous
    await officer.send_location(42.9, 74.6)  # no check-ins: not for them, the menu answers
    assert (await officer.receive()).text != tr("en", LOCATION_RECORDED)
    await file_quick_log(officer, danger=True)

    await checks_due(running_bot, 16)
    await officer.receive()
    await running_bot.restart()
    assert await checks_due(running_bot, 16) == []  # that check was sent before the restart
    await checks_due(running_bot, 32)
    await officer.receive()
    assert await notifications_of(running_bot, safety.SAFETY_CHECK) == 2
    assert (await the_watch(running_bot)).unanswered == 1


async def test_a_full_report_with_an_explosive_item_starts_the_checks(running_bot, telegram):
    officer = telegram.user(8101, "Asanov")
    _report_id, number = await file_report_with_every_field(running_bot.session_factory)

    await checks_due(running_bot, 16)
    check = await officer.receive()
    assert check.text.startswith(tr("en", CHECK, number=number))
    await officer.press(tr("en", "🏁 Scene closed"), check)
    assert tr("en", "the scene is closed") in (await officer.receive()).text
    assert (await the_watch(running_bot)).closed_reason is WatchEnd.SCENE_CLOSED
