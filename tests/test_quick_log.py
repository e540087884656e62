"""End to end: a quick log from the field in five taps, wrong input explained, nothing lost."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db.models import (
    AuditEntry,
    Notification,
    ReportPhoto,
    ReportRevision,
    ReportStatus,
    Role,
    SeizureReport,
    utcnow,
)
from bot.services import notifications, units, users
from tests.conftest import ADMIN_ID, RunningBot, make_settings
from tests.scenario import every_button_answered, first_contact, tr
from tests.test_access_flow import OFFICER_ID, set_up_officer


async def start_quick_log(officer, language: str = "en"):
    await officer.send(tr(language, "📝 New report"))
    categories = await officer.receive()
    await officer.press(tr(language, "🔫 Firearms"), categories)
    where = await officer.receive()
    location_prompt = await officer.receive()
    assert location_prompt.reply_keyboard == [[tr(language, "📍 Send my location")]]
    return where


async def stored_reports(running_bot):
    async with running_bot.session_factory() as session:
        return list(await session.scalars(select(SeizureReport)))


async def test_officer_files_a_quick_log_in_five_taps(running_bot, telegram):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    where = await start_quick_log(officer)  # taps 1 and 2
    await officer.press("Kainda", where)  # tap 3
    await officer.receive()
    await officer.press("2–5", await officer.receive())  # tap 4
    danger = await officer.receive()
    await officer.send_photo()
    assert (await officer.receive()).text == tr("en", "📷 Photo added ({count}).", count=1)
    await officer.press(tr("en", "⚠️ Someone in danger or hurt"), danger)  # tap 5
    filed = await officer.receive()

    [report] = await stored_reports(running_bot)
    assert report.number in filed.text and report.number.startswith("KAINDA-")
    assert tr("en", "Marked urgent.") in filed.text
    assert (report.status, report.urgent, report.anyone_in_danger) == (
        ReportStatus.INITIAL,
        True,
        True,
    )
    assert not report.notification_pending and report.item_estimate.value == "2-5"
    assert utcnow() - report.occurred_at < timedelta(minutes=1)
    async with running_bot.session_factory() as session:
        assert len((await session.scalars(select(ReportPhoto))).all()) == 1


async def test_wrong_answers_are_explained_and_the_log_resumes_after_a_restart(
    running_bot, telegram
):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_quick_log(officer)

    await officer.send_sticker()
    assert (await officer.receive()).text == tr(
        "en", "Please choose the crossing point, send your location, or type the place as text."
    )
    await officer.send_location(95.0, 74.6)
    assert "location" in (await officer.receive()).text.lower()
    await running_bot.restart()
    await officer.send_location(42.87, 74.59)
    assert (await officer.receive()).text == tr("en", "📍 Place noted.")
    count = await officer.receive()
    await officer.send("about ten")
    assert (await officer.receive()).text == tr(
        "en", "Please answer with the buttons above. What you entered so far is kept."
    )
    await officer.press(tr("en", "not known yet"), count)
    await officer.press(tr("en", "✅ Nobody in danger"), await officer.receive())
    await officer.receive()

    [report] = await stored_reports(running_bot)
    assert (report.latitude, report.longitude, report.urgent) == (42.87, 74.59, False)


async def test_my_reports_lists_newest_first_and_opens_the_details(running_bot, telegram):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    for place in ("Train 17, carriage 4", "Parking lot B"):
        await start_quick_log(officer)
        await officer.send(place)
        await officer.receive()
        await officer.press(tr("en", "1"), await officer.receive())
        await officer.press(tr("en", "✅ Nobody in danger"), await officer.receive())
        await officer.receive()

    await officer.send(tr("en", "🗂 My reports"))
    listing = await officer.receive()
    numbers = sorted(report.number for report in await stored_reports(running_bot))
    assert listing.button_texts()[0].startswith(numbers[1])
    await officer.press(listing.button_texts()[0], listing)
    details = await officer.receive()
    assert "Parking lot B" in details.text and "SHA-256" in details.text


async def add_supervisor(running_bot, telegram_id: int, unit_code: str, language: str) -> None:
    async with running_bot.session_factory.begin() as session:
        unit = await units.get_unit_by_code(session, unit_code)
        await users.upsert_user(
            session, telegram_id, Role.SUPERVISOR, unit.id, f"Chief {unit_code}", language
        )


async def answer_up_to_danger(officer):
    """Start a quick log at Kainda with one item; returns the danger question."""
    where = await start_quick_log(officer)
    await officer.press("Kainda", where)
    await officer.receive()
    await officer.press("1", await officer.receive())
    return await officer.receive()


async def file_quick_log(officer, danger: bool) -> None:
    label = "⚠️ Someone in danger or hurt" if danger else "✅ Nobody in danger"
    await officer.press(tr("en", label), await answer_up_to_danger(officer))
    await officer.receive()


async def test_supervisors_learn_of_a_quick_log_in_their_language_and_acknowledge(
    running_bot, telegram
):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, 7001, "CHUY", "ru")
    await add_supervisor(running_bot, 7002, "BS", "ky")
    officer = telegram.user(OFFICER_ID, "Bekov")
    chief, headquarters = telegram.user(7001, "Chief"), telegram.user(7002, "HQ")

    await file_quick_log(officer, danger=False)
    news = await chief.receive()
    assert tr("ru", "URGENT") not in news.text and "Kainda" not in news.text
    assert tr("ru", "Place: {place}", place="Каинды") in news.text
    await headquarters.no_more_messages()

    await chief.press(tr("ru", "✅ Acknowledge"), news)
    acknowledged = await chief.receive()
    assert "Chief CHUY" in acknowledged.text
    told = await officer.receive()
    assert told.text.startswith("✅") and "Chief CHUY" in told.text
    [report] = await stored_reports(running_bot)
    assert report.status is ReportStatus.ACKNOWLEDGED

    await file_quick_log(officer, danger=True)
    urgent_chief = await chief.receive()
    urgent_top = await headquarters.receive()
    assert tr("ru", "URGENT") in urgent_chief.text and tr("ky", "URGENT") in urgent_top.text


async def test_flood_control_is_waited_out_and_nothing_arrives_twice(running_bot, telegram):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, 7001, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(7001, "Chief")
    telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)

    await file_quick_log(officer, danger=False)
    news = await chief.receive(timeout=10)
    assert tr("en", "✅ Acknowledge") in news.button_texts()
    await chief.no_more_messages(wait=1.5)


async def test_a_supervisor_who_blocked_the_bot_does_not_stop_the_others(running_bot, telegram):
    await set_up_officer(running_bot)
    admin = telegram.user(ADMIN_ID, "Admin")
    await first_contact(admin, "en")
    await add_supervisor(running_bot, 7003, "CHUY", "en")
    await add_supervisor(running_bot, 7001, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(7001, "Chief")
    danger = await answer_up_to_danger(officer)
    telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await officer.press(tr("en", "✅ Nobody in danger"), danger)

    assert tr("en", "✅ Acknowledge") in (await chief.receive(timeout=10)).button_texts()
    async with running_bot.session_factory() as session:
        gone = await users.find_by_telegram_id(session, 7003)
        outcome = {
            notification.recipient_id: notification.status.value
            for notification in await session.scalars(select(Notification))
        }
        assert outcome[gone.id] == "undeliverable"
        actions = await session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor_id == gone.id)
        )
        assert "notification.undeliverable" in actions.all()
    warning = await admin.receive(timeout=10)
    assert warning.text.startswith("⚠️") and "Chief CHUY" in warning.text


async def test_a_menu_press_during_a_quick_log_opens_the_menu_and_the_log_waits(
    running_bot, telegram
):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_quick_log(officer)
    await officer.send(tr("en", "📋 Procedures"))
    procedures = await officer.receive()
    assert procedures.has_button("🛑 " + tr("en", "First response and safety"))
    await officer.send("Lane 5")
    assert (await officer.receive()).text == tr("en", "📍 Place noted.")


async def test_an_unacknowledged_report_climbs_one_level_at_a_time(running_bot, telegram):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, 7001, "CHUY", "en")
    await add_supervisor(running_bot, 7002, "BS", "en")
    officer = telegram.user(OFFICER_ID, "Bekov")
    chief, headquarters = telegram.user(7001, "Chief"), telegram.user(7002, "HQ")
    await file_quick_log(officer, danger=False)
    await chief.receive()

    def escalate(minutes_later: int):
        async def run():
            async with running_bot.session_factory.begin() as session:
                return await notifications.escalate_due(
                    session,
                    timedelta(minutes=30),
                    timedelta(minutes=10),
                    now=utcnow() + timedelta(minutes=minutes_later),
                )

        return run()

    assert await escalate(29) == []
    [report] = await escalate(31)
    assert report.notified_levels == 2
    climbed = await headquarters.receive()
    assert climbed.text.startswith(tr("en", "⏫ Not acknowledged yet: passed up to you."))
    assert await escalate(120) == []  # the top is reached: nobody further up
    async with running_bot.session_factory() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
        assert actions.count("report.escalated") == 1


async def test_inbox_lists_reports_awaiting_acknowledgement_oldest_first(running_bot, telegram):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, 7001, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(7001, "Chief")
    for _ in range(2):
        await file_quick_log(officer, danger=False)
    first_news = await chief.receive()
    await chief.receive()
    await chief.press(tr("en", "✅ Acknowledge"), first_news)
    await chief.receive()

    await chief.send(tr("en", "📥 Inbox"))
    inbox = await chief.receive()
    numbers = sorted(report.number for report in await stored_reports(running_bot))
    assert tr("en", "Awaiting acknowledgement, oldest first: {count}", count=1) == inbox.text
    assert inbox.button_texts()[0].startswith(numbers[1])
    await chief.press(tr("en", "Show all reports"), inbox)
    everything = await chief.receive()
    assert [label.split(" · ")[0] for label in everything.button_texts()[:2]] == numbers[::-1]

    await chief.press(tr("en", "🏢 Unit: {unit}", unit=tr("en", "all my units")), everything)
    await chief.press("· · Ak-Zhol", await chief.receive())
    ak_zhol = await chief.receive()
    assert ak_zhol.text == tr("en", "Awaiting acknowledgement, oldest first: {count}", count=0)
    await chief.press(tr("en", "🏢 Unit: {unit}", unit="Ak-Zhol"), ak_zhol)
    await chief.press("· · Kainda", await chief.receive())
    kainda = await chief.receive()
    assert kainda.text == tr("en", "Awaiting acknowledgement, oldest first: {count}", count=1)

    await officer.send(tr("en", "📥 Inbox"))
    assert not (await officer.receive()).text.startswith("Awaiting")


async def test_supervisor_returns_a_report_and_a_second_one_sees_who_did(running_bot, telegram):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, 7001, "CHUY", "en")
    await add_supervisor(running_bot, 7004, "CHUY", "en")
    officer = telegram.user(OFFICER_ID, "Bekov")
    chief, deputy = telegram.user(7001, "Chief"), telegram.user(7004, "Deputy")
    await file_quick_log(officer, danger=False)
    news, deputy_news = await chief.receive(), await deputy.receive()

    await chief.press(tr("en", "↩️ Return for correction"), news)
    await chief.receive()
    await chief.send("ok")
    assert "too short" in (await chief.receive()).text
    await chief.send("Place <exact lane> & time missing")
    await chief.receive()
    told = await officer.receive()
    assert "Place <exact lane> & time missing" in told.text

    await deputy.press(tr("en", "✅ Acknowledge"), deputy_news)
    await every_button_answered(telegram, deputy)
    assert "Chief CHUY" in deputy.callback_answers()[-1]["text"]
    [report] = await stored_reports(running_bot)
    assert report.status is ReportStatus.RETURNED and report.acknowledged_by_id is None


async def test_daily_digest_goes_once_after_digest_time(running_bot, telegram):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, 7001, "CHUY", "ru")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(7001, "Chief")
    await file_quick_log(officer, danger=False)
    await chief.receive()
    bishkek = ZoneInfo("Asia/Bishkek")
    today = utcnow().astimezone(bishkek).date()

    async def queue_at(hour: int) -> int:
        moment = datetime.combine(today, time(hour, 30), tzinfo=bishkek)
        async with running_bot.session_factory.begin() as session:
            return await notifications.enqueue_digests(session, moment, bishkek, time(20, 0))

    assert await queue_at(19) == 0
    assert await queue_at(21) == 1
    assert await queue_at(22) == 0
    digest = await chief.receive(timeout=10)
    assert tr("ru", "Awaiting acknowledgement: {count}", count=1) in digest.text
    assert "🔫" in digest.text and digest.text.startswith("🗓")


async def test_pressing_new_report_again_keeps_the_log_in_progress(running_bot, telegram):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_quick_log(officer)
    await officer.send(tr("en", "📝 New report"))
    assert "/cancel" in (await officer.receive()).text
    await officer.send("Lane 7")
    assert (await officer.receive()).text == tr("en", "📍 Place noted.")


async def test_a_server_error_is_retried_and_the_news_still_arrives_once(running_bot, telegram):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, 7001, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(7001, "Chief")
    danger = await answer_up_to_danger(officer)
    telegram.fail_next("sendMessage", 500, "Internal Server Error")
    await officer.press(tr("en", "✅ Nobody in danger"), danger)

    news = await chief.receive(timeout=15)
    assert tr("en", "✅ Acknowledge") in news.button_texts()
    await chief.no_more_messages(wait=1.0)


async def test_officer_corrects_a_returned_report_as_a_new_revision(running_bot, telegram):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, 7001, "CHUY", "en")
    officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(7001, "Chief")
    await file_quick_log(officer, danger=False)
    first_news = await chief.receive()
    await chief.press(tr("en", "↩️ Return for correction"), first_news)
    await chief.receive()
    await chief.send("Give the lane, not the crossing point")
    await chief.receive()
    await officer.receive()

    await officer.send(tr("en", "🗂 My reports"))
    listing = await officer.receive()
    await officer.press(listing.button_texts()[0], listing)
    details = await officer.receive()
    assert "Give the lane, not the crossing point" in details.text
    await officer.press(tr("en", "⚡ Correct the quick log"), details)
    await officer.press(tr("en", "🔫 Firearms"), await officer.receive())
    await officer.receive()
    await officer.receive()
    await officer.send("Kainda, lane 4")
    await officer.receive()
    await officer.press("1", await officer.receive())
    await officer.press(tr("en", "✅ Nobody in danger"), await officer.receive())
    await officer.receive()

    again = await chief.receive()
    assert tr("en", "✏️ Changed by the officer (revision {number})", number=2) in again.text
    async with running_bot.session_factory() as session:
        [report] = (await session.scalars(select(SeizureReport))).all()
        revisions = (
            await session.scalars(select(ReportRevision).order_by(ReportRevision.revision))
        ).all()
    assert report.status is ReportStatus.INITIAL and report.place_text == "Kainda, lane 4"
    assert [revision.revision for revision in revisions] == [1, 2]
    assert set(revisions[1].changes) == {"place_text", "place_unit_id"}
    assert revisions[0].digest != revisions[1].digest

    # The first message's buttons speak of revision 1: they decide nothing on revision 2.
    await chief.press(tr("en", "✅ Acknowledge"), first_news)
    refused = await chief.receive_until(lambda m: m.message_id == first_news.message_id)
    assert tr("en", "it is now revision {number}", number=2) in refused.text.replace("\n", " ")
    async with running_bot.session_factory() as session:
        assert (await session.get(SeizureReport, report.id)).acknowledged_by_id is None
    await chief.press(tr("en", "✅ Acknowledge"), again)
    await chief.receive_until(lambda m: m.message_id == again.message_id)
    async with running_bot.session_factory() as session:
        assert (await session.get(SeizureReport, report.id)).status is ReportStatus.ACKNOWLEDGED


async def test_a_lost_request_times_out_and_the_news_still_arrives_once(database_url, telegram):
    """A timed-out send may have arrived: it goes again only after the delay (3 s here, 30 min
    by default), as a repeat, and not at once (at least once, not a blind retry)."""
    settings = make_settings(
        database_url,
        telegram.base_url,
        notification_timeout_seconds=1,
        unknown_outcome_retry_minutes=0.05,
    )
    runner = RunningBot(settings)
    await runner.start()
    try:
        await set_up_officer(runner)
        await add_supervisor(runner, 7001, "CHUY", "en")
        officer, chief = telegram.user(OFFICER_ID, "Bekov"), telegram.user(7001, "Chief")
        danger = await answer_up_to_danger(officer)
        telegram.lose_next("sendMessage", seconds=3)
        await officer.press(tr("en", "✅ Nobody in danger"), danger)
        news = await chief.receive(timeout=15)
        assert news.text.startswith(tr("en", "🔁 Repeat (the first sending may not have arrived):"))
        assert tr("en", "✅ Acknowledge") in news.button_texts()
        await chief.no_more_messages(wait=1.0)
        to_chief = [c for c in telegram.calls_of("sendMessage") if c.params["chat_id"] == 7001]
        assert len(to_chief) == 2  # the lost one, and its repeat
    finally:
        await runner.stop()
