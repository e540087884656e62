"""No accepted update lost: Telegram hears that an update arrived (the polling offset, the
webhook's 200) only once it was handled and committed; cut off or failed, it comes again."""

from __future__ import annotations

import asyncio
import signal

from sqlalchemy import select

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_database
from bot.db.models import ProcessedUpdate
from bot.receiving import UpdateRetries
from tests.conftest import RunningBot, make_settings
from tests.scenario import eventually
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_running import (
    SECRET,
    help_update,
    start_bot_process,
    webhook_server,
)

HELP_TEXT = "/cancel"  # in the help's text, in every language


def sent_to(telegram, chat_id: int) -> bool:
    return any(call.params.get("chat_id") == chat_id for call in telegram.calls_of("sendMessage"))


def confirmed(telegram, update_id: int) -> bool:
    """A getUpdates call carried an offset past the update."""
    return any(
        int(call.params.get("offset") or 0) > update_id for call in telegram.calls_of("getUpdates")
    )


async def test_an_update_in_flight_when_the_bot_is_killed_is_handled_after_restart(
    tmp_path, telegram
):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await upgrade_database(engine)

    class Database:
        session_factory = create_session_factory(engine)

    await set_up_officer(Database)
    await engine.dispose()
    officer = telegram.user(OFFICER_ID, "Bekov", "en")
    # The answer hangs: the bot is killed while it handles the update.
    telegram.lose_next("sendMessage", seconds=30)
    process = await start_bot_process(tmp_path, telegram.base_url)
    try:
        update_id = await officer.send("/help")
        await eventually(lambda: sent_to(telegram, OFFICER_ID), seconds=30)
        await asyncio.sleep(0.5)  # aiogram's polling had confirmed the update long before this
        assert not confirmed(telegram, update_id)
        process.kill()
        await process.wait()

        process = await start_bot_process(tmp_path, telegram.base_url)
        answer = await officer.receive(timeout=30)
        assert HELP_TEXT in answer.text
        await eventually(lambda: confirmed(telegram, update_id), seconds=15)
        await officer.no_more_messages(wait=1.0)
        process.send_signal(signal.SIGTERM)
        output = (await asyncio.wait_for(process.communicate(), timeout=30))[0].decode()
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0 and "Traceback" not in output


async def test_an_update_cut_off_at_shutdown_is_handled_after_restart(database_url, telegram):
    settings = make_settings(database_url, telegram.base_url, shutdown_timeout_seconds=0.3)
    runner = RunningBot(settings)
    await runner.start()
    try:
        await set_up_officer(runner)
        officer = telegram.user(OFFICER_ID, "Bekov", "en")
        telegram.lose_next("sendMessage", seconds=30)
        update_id = await officer.send("/help")
        await eventually(lambda: sent_to(telegram, OFFICER_ID))
        await runner.restart()  # waits 0.3 s for the update, then cuts it off

        answer = await officer.receive(timeout=10)
        assert HELP_TEXT in answer.text
        await eventually(lambda: confirmed(telegram, update_id))
        async with runner.session_factory() as session:
            claims = (await session.scalars(select(ProcessedUpdate.update_id))).all()
        assert claims.count(update_id) == 1
    finally:
        await runner.stop()


async def test_an_update_whose_handling_failed_is_handled_again(running_bot, telegram):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov", "en")
    telegram.fail_next("sendMessage", 500, "Internal Server Error")
    update_id = await officer.send("/help")

    answer = await officer.receive_until(lambda message: HELP_TEXT in message.text, timeout=10)
    assert answer.text.count(HELP_TEXT) == 1
    await eventually(lambda: confirmed(telegram, update_id))
    await officer.no_more_messages(wait=1.5)


async def test_the_webhook_answers_only_once_the_update_is_committed(database_url, telegram):
    async with webhook_server(database_url, telegram) as (app, client, url):

        async def claimed(update_id: int) -> bool:
            async with app.session_factory() as session:
                found = await session.scalar(
                    select(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id)
                )
                return found is not None

        officer = telegram.user(OFFICER_ID)
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        telegram.fail_next("sendMessage", 500, "Internal Server Error")
        async with client.post(url, json=help_update(7), headers=headers) as response:
            assert response.status == 500  # Telegram sends it again
        assert not await claimed(7)

        async with client.post(url, json=help_update(7), headers=headers) as response:
            assert response.status == 200
            assert await claimed(7)
        async with client.post(url, json=help_update(7), headers=headers) as response:
            assert response.status == 200
        await officer.receive_until(lambda message: HELP_TEXT in message.text)
        await officer.no_more_messages(wait=0.5)


def test_a_failing_update_is_retried_later_and_later_and_given_up_only_while_others_work():
    now = [0.0]
    retries = UpdateRetries(give_up_after=3, longest_pause=4.0, clock=lambda: now[0])

    pauses = []
    for _ in range(5):  # an outage: nothing else is handled, so it is never given up
        assert retries.may_try(10)
        assert not retries.failed(10)
        pauses.append(retries.seconds_to_next_retry())
        assert not retries.may_try(10)
        now[0] += pauses[-1]
    assert pauses == [1.0, 2.0, 4.0, 4.0, 4.0]

    retries.handled(11)  # the bot works again, for another update
    assert retries.failed(10)  # this one keeps failing: given up (confirmed, logged)
    assert retries.may_try(10) and retries.seconds_to_next_retry() is None

    assert not retries.failed(12)
    retries.handled(12)  # handled on its second try: forgotten
    assert retries.may_try(12) and retries.seconds_to_next_retry() is None
