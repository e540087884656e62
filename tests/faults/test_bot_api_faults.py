"""Bot API faults on the bot's replies to officers (and on news, where the other suites leave a
gap): flood control (429 with retry_after), server errors, a user who blocked the bot (403),
answers slower than the bot waits, and requests lost on the way. Whatever the Bot API does,
a stored change is stored once, under the question it answers, and never shown twice as new.

Already covered elsewhere, not repeated here: news under 429, 403, 500 and lost requests
(tests/test_quick_log.py, tests/test_delivery.py); a 502 or a refused button answer between two
questions (tests/test_answers_bound.py, tests/test_procedure_walkthrough.py); a failing reply
tried again (tests/test_update_confirmation.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.models import ProcedureStepEvent, ReportDraft, StepOutcome
from tests.conftest import RunningBot, make_settings
from tests.fakes.bot_api import FakeBotAPI
from tests.procedure_fixtures import write_library
from tests.scenario import eventually, every_button_answered, tr
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_full_report import en, field_asked, start_full_report
from tests.test_quick_log import add_supervisor, file_quick_log

COLLEAGUE = 3002
FLOOD = "Too Many Requests: retry after 1"
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_SEEN = (
    "Your answer was not saved: the question it would go to had not reached your screen. "
    "Here it is; please answer it."
)
ALREADY_HANDLED = "This step has already been handled; here is where you are now."
WENT_WRONG = (
    "Something went wrong on our side. Nothing saved before was lost, and the bot tries "
    "your last action again by itself: do not send it again unless nothing happens "
    "within a minute."
)


@pytest.fixture
async def bot(database_url: str, telegram: FakeBotAPI, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The bot with the small test procedures, and news told at once."""
    settings = make_settings(
        database_url,
        telegram.base_url,
        procedures_dir=write_library(tmp_path / "procedures"),
        notification_timeout_seconds=1,
        unknown_outcome_retry_minutes=0.05,  # a repeat after 3 s, not 30 minutes
    )
    runner = RunningBot(settings)
    await runner.start()
    yield runner
    await runner.stop()


async def incident(runner: RunningBot) -> dict:
    async with runner.session_factory() as session:
        draft = await session.scalar(select(ReportDraft))
    return draft.content["incident"]


async def step_events(runner: RunningBot) -> list[tuple[str, StepOutcome]]:
    async with runner.session_factory() as session:
        events = await session.scalars(select(ProcedureStepEvent).order_by(ProcedureStepEvent.id))
        return [(event.step_id, event.outcome) for event in events]


def texts_sent(telegram: FakeBotAPI, chat_id: int) -> list[str]:
    return [m.text for m in telegram.chat_messages(chat_id)]


async def first_step(officer):
    await officer.send(tr("en", "📋 Procedures"))
    await officer.press("🛑 " + tr("en", "First response and safety"), await officer.receive())
    await officer.receive()
    await officer.press("Check the scene")
    await officer.press(tr("en", "▶️ Start"), await officer.receive())
    return await officer.receive()


async def test_flood_control_on_the_replies_to_an_officer_is_waited_out_and_nothing_doubles(
    bot: RunningBot, telegram: FakeBotAPI
) -> None:
    await set_up_officer(bot)
    officer = telegram.user(OFFICER_ID, "Bekov", "en")
    await start_full_report(officer)
    category = await officer.receive()
    loop = asyncio.get_running_loop()
    started = loop.time()
    # A button answer: the next question (an edit) and the button's answer both meet a 429.
    telegram.fail_next("editMessageText", 429, FLOOD, retry_after=1)
    telegram.fail_next("answerCallbackQuery", 429, FLOOD, retry_after=1)
    await officer.press(en("🔀 Mixed"), category)
    assert field_asked(await officer.receive(timeout=10)) == en("Date and time of the seizure")
    # A typed answer: the next question (a new message) meets a 429.
    telegram.fail_next("sendMessage", 429, FLOOD, retry_after=1)
    await officer.send("28.11.2026 22:15")
    assert field_asked(await officer.receive(timeout=10)) == en("Place")
    assert loop.time() - started >= 2  # waited as told, not retried at once
    await officer.receive()  # the location keyboard
    await officer.no_more_messages(wait=1.0)
    await every_button_answered(telegram, officer)

    asked = [text for text in texts_sent(telegram, OFFICER_ID) if field_asked_text(text)]
    assert len(asked) == len(set(asked))  # no question shown twice
    stored = await incident(bot)
    assert stored["category"] == "mixed" and stored["occurred_at"] == "2026-11-28T16:15:00+00:00"
    await officer.send("Lane 3")  # the place, typed: it goes where it belongs
    await officer.receive_until(
        lambda message: field_asked(message) == en("Anyone in danger or hurt")
    )
    assert (await incident(bot))["place"] == {"text": "Lane 3"}


def field_asked_text(text: str) -> bool:
    return " · " in text.split("\n", 1)[0]


async def test_a_server_error_on_the_next_step_records_the_step_once_and_a_second_press_nothing(
    bot: RunningBot, telegram: FakeBotAPI
) -> None:
    await set_up_officer(bot)
    officer = telegram.user(OFFICER_ID, "Bekov", "en")
    step = await first_step(officer)
    # The step is done and recorded; showing the next one fails (the bot tries the update
    # again by itself: it finds it done).
    await every_button_answered(telegram, officer)
    telegram.fail_next("editMessageText", 500, "Internal Server Error")
    await officer.press(tr("en", "✅ Done"), step)
    await every_button_answered(telegram, officer)
    assert officer.callback_answers()[-1]["text"] == en(WENT_WRONG)[:200]
    assert await step_events(bot) == [("hands-off", StepOutcome.DONE)]
    await asyncio.sleep(2.5)  # the bot's own retries of the update are over
    assert await step_events(bot) == [("hands-off", StepOutcome.DONE)]

    # Still looking at the first step, the officer presses Done again.
    await officer.press(tr("en", "✅ Done"), step)
    now = await officer.receive(timeout=10)
    assert "Keep people back." in now.text
    await every_button_answered(telegram, officer)
    assert officer.callback_answers()[-1]["text"] == tr("en", ALREADY_HANDLED)
    assert await step_events(bot) == [("hands-off", StepOutcome.DONE)]


async def test_an_officer_who_blocked_the_bot_keeps_the_answer_given_and_others_are_served(
    bot: RunningBot, telegram: FakeBotAPI
) -> None:
    await set_up_officer(bot)
    await set_up_officer(bot, COLLEAGUE)
    officer = telegram.user(OFFICER_ID, "Bekov", "en")
    colleague = telegram.user(COLLEAGUE, "Toktogulov", "en")
    await start_full_report(officer)
    await officer.press(en("🔀 Mixed"), await officer.receive())
    date_question = await officer.receive()
    assert field_asked(date_question) == en("Date and time of the seizure")

    # The officer answers and blocks the bot: nothing the bot sends arrives.
    telegram.fail_next("sendMessage", 403, BLOCKED, times=20)
    update_id = await officer.send("28.11.2026 22:15")
    await eventually(lambda: telegram.confirmed_offset > update_id, seconds=10)
    assert telegram.deliveries[update_id] == 1  # a blocked bot is not helped by trying again
    telegram.stop_failing("sendMessage")  # the colleague has not blocked the bot
    await colleague.send("/help")
    assert "/cancel" in (await colleague.receive(timeout=10)).text
    assert (await incident(bot))["occurred_at"] == "2026-11-28T16:15:00+00:00"

    # Unblocked, the officer goes on from what their screen shows: the date question.
    await officer.send("28.11.2026 22:15")
    assert (await officer.receive(timeout=10)).text == en(NOT_SEEN)
    place = await officer.receive()
    assert field_asked(place) == en("Place")
    stored = await incident(bot)
    assert stored["occurred_at"] == "2026-11-28T16:15:00+00:00" and stored.get("place") is None


@pytest.mark.parametrize("fault", ["slow", "lost"])
async def test_a_reply_the_bot_gave_up_waiting_for_stores_nothing_twice_or_misplaced(
    bot: RunningBot, telegram: FakeBotAPI, fault: str
) -> None:
    """The Bot API answers after the bot stopped waiting (the question did arrive), or never
    (it did not): the answer before it is stored once, the answer after it lands only under
    the question it answers."""
    assert bot.app is not None
    bot.app.bot.session.timeout = 1.0  # seconds the bot waits for the Bot API (60 in service)
    await set_up_officer(bot)
    officer = telegram.user(OFFICER_ID, "Bekov", "en")
    await start_full_report(officer)
    await officer.press(en("🔀 Mixed"), await officer.receive())
    await officer.receive()
    if fault == "slow":
        telegram.slow_next("sendMessage", 2.5)
    else:
        telegram.lose_next("sendMessage", 2.5)
    await officer.send("28.11.2026 22:15")
    if fault == "slow":  # the question arrived; the bot does not know it did
        assert field_asked(await officer.receive(timeout=5)) == en("Place")
        await officer.send("Lane 3")  # the answer to what is on the screen
    else:  # nothing arrived; the date question is still on the screen
        await asyncio.sleep(1.5)
        await officer.send("28.11.2026 22:15")
    # Told once that something went wrong (the bot cannot know whether the question arrived),
    # then the question again, with a word that the answer was not taken.
    told = await officer.receive(timeout=10)
    assert told.text.startswith(en(WENT_WRONG)[:30])
    assert (await officer.receive(timeout=10)).text == en(NOT_SEEN)
    assert field_asked(await officer.receive()) == en("Place")
    stored = await incident(bot)
    assert stored["occurred_at"] == "2026-11-28T16:15:00+00:00" and stored.get("place") is None
    await officer.send("Lane 3")
    await officer.receive_until(lambda m: field_asked(m) == en("Anyone in danger or hurt"))
    assert (await incident(bot))["place"] == {"text": "Lane 3"}


@pytest.mark.parametrize("fault", ["slow", "lost"])
async def test_a_step_whose_next_screen_timed_out_is_recorded_once(
    bot: RunningBot, telegram: FakeBotAPI, fault: str
) -> None:
    assert bot.app is not None
    bot.app.bot.session.timeout = 1.0
    await set_up_officer(bot)
    officer = telegram.user(OFFICER_ID, "Bekov", "en")
    step = await first_step(officer)
    if fault == "slow":
        telegram.slow_next("editMessageText", 2.5)
    else:
        telegram.lose_next("editMessageText", 2.5)
    await officer.press(tr("en", "✅ Done"), step)
    if fault == "slow":  # the next step is on the screen: the officer goes on from it
        shown = await officer.receive(timeout=5)
        assert "Keep people back." in shown.text
    else:  # the first step is still on the screen: pressed again, it says where they are
        await eventually(lambda: len(officer.callback_answers()) >= 1, seconds=10)
        await asyncio.sleep(1.5)
        await officer.press(tr("en", "✅ Done"), step)
        shown = await officer.receive(timeout=10)
        assert "Keep people back." in shown.text
    await officer.press(tr("en", "⚠️ Confirm done"), shown)
    await officer.press(tr("en", "✅ Yes, it is done"), await officer.receive(timeout=10))
    assert "Could it explode?" in (await officer.receive(timeout=10)).text
    assert await step_events(bot) == [
        ("hands-off", StepOutcome.DONE),
        ("keep-back", StepOutcome.DONE),
    ]


async def test_news_answered_slower_than_the_bot_waits_comes_again_only_marked_as_a_repeat(
    bot: RunningBot, telegram: FakeBotAPI
) -> None:
    """The trial's case: the Bot API took the news but answered late; sending it again blindly
    gave the supervisor the same news twice, as new."""
    await set_up_officer(bot)
    await add_supervisor(bot, 7001, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov", "en"), telegram.user(7001, "Chief")
    telegram.slow_next("sendMessage", 2.5, chat_id=7001)  # the news to the supervisor
    await file_quick_log(officer, danger=False)

    first = await chief.receive(timeout=10)
    assert first.text.startswith(en("⚡ Quick log No. {number}", number=""))
    again = await chief.receive(timeout=15)
    repeat = en("🔁 Repeat (the first sending may not have arrived):")
    assert again.text == f"{repeat}\n\n{first.text}"
    await chief.no_more_messages(wait=1.0)
