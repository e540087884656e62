"""End to end over HTTP: strangers, admins, invites and forged buttons against the real bot."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.db.models import AccessRequest, AuditEntry, Invite, Role, UserStatus, utcnow
from bot.services import access, units, users
from handlers.common.callbacks import UserRolePick, UsersPage
from tests.conftest import ADMIN_ID
from tests.scenario import (
    eventually,
    every_button_answered,
    first_contact,
    has_menu,
    invite_code,
    keyboard_labels,
    tr,
)

STRANGER_ID = 2001
OFFICER_ID = 3001


async def set_up_officer(running_bot, telegram_id=OFFICER_ID, language="en"):
    async with running_bot.session_factory.begin() as session:
        unit = await units.get_unit_by_code(session, "KAINDA")
        officer = await users.upsert_user(
            session, telegram_id, Role.OFFICER, unit.id, "Officer Bekov", language
        )
        return officer.id


async def request_access(stranger, language: str, name: str, unit: str) -> None:
    """A stranger asks for access, naming themselves and choosing a unit on the second page."""
    intro = await first_contact(stranger, language)
    assert not has_menu(intro)
    await stranger.press(tr(language, "Request access"), intro)
    await stranger.receive()
    await stranger.send(name)
    picker = await stranger.receive()
    await stranger.press("▶️", picker)
    await stranger.receive()
    await stranger.press(unit)


async def test_admin_from_settings_gets_the_admin_menu(running_bot, telegram):
    admin = telegram.user(ADMIN_ID, "Chief")

    welcome = await first_contact(admin, "en")

    assert has_menu(welcome)
    assert tr("en", "👥 Users") in keyboard_labels(welcome)
    assert tr("en", "🔗 Invite") in keyboard_labels(welcome)


async def test_stranger_requests_access_and_admin_approves(running_bot, telegram):
    admin = telegram.user(ADMIN_ID, "Chief")
    await first_contact(admin, "en")
    stranger = telegram.user(STRANGER_ID, "Bakyt", language_code="ru")

    await request_access(stranger, "ru", "<b>Асанов</b> & Co", "· Чуйский пограничный отряд")
    await every_button_answered(telegram, stranger)
    sent = await stranger.receive()
    assert (
        tr(
            "ru",
            "Your access request has been sent. You will get a message here when it is reviewed.",
        )
        in sent.text
    )

    notification = await admin.receive_until(lambda message: message.has_button("✅ Approve"))
    # What the stranger typed is shown as typed, not interpreted as formatting.
    assert "<b>Асанов</b> & Co" in notification.text
    await admin.press("✅ Approve", notification)
    decided = await admin.receive_until(
        lambda message: message.message_id == notification.message_id
    )
    assert "Approved by" in decided.text and not decided.inline_buttons

    approved = await stranger.receive()
    assert has_menu(approved)
    assert tr("ru", "📋 Procedures") in keyboard_labels(approved)
    assert tr("ru", "👥 Users") not in keyboard_labels(approved)
    async with running_bot.session_factory() as session:
        person = await users.find_by_telegram_id(session, STRANGER_ID)
        chuy = await units.get_unit_by_code(session, "CHUY")
        assert (person.status, person.role, person.unit_id) == (
            UserStatus.ACTIVE,
            Role.OFFICER,
            chuy.id,
        )


async def test_approve_on_an_old_request_does_not_unblock_a_person_blocked_since(
    running_bot, telegram
):
    admin = telegram.user(ADMIN_ID, "Chief")
    await first_contact(admin, "en")
    stranger = telegram.user(STRANGER_ID, "Bakyt")
    await request_access(stranger, "en", "Asanov Bakyt", "· Chüy border detachment")
    request = await admin.receive_until(lambda message: message.has_button("✅ Approve"))
    async with running_bot.session_factory.begin() as session:
        chief = await users.find_by_telegram_id(session, ADMIN_ID)
        person = await users.find_by_telegram_id(session, STRANGER_ID)
        await users.set_status(session, chief, person.id, UserStatus.BLOCKED)

    await admin.press("✅ Approve", request)
    refused = await admin.receive_until(lambda message: message.message_id == request.message_id)
    assert tr("en", "This request is out of date: nothing was changed.") in refused.text
    assert "Changed by" in refused.text
    async with running_bot.session_factory() as session:
        person = await users.find_by_telegram_id(session, STRANGER_ID)
        assert person.status is UserStatus.BLOCKED


async def test_stranger_sees_nothing_but_the_access_request(running_bot, telegram):
    stranger = telegram.user(STRANGER_ID, "Bakyt")
    intro = await first_contact(stranger, "en")

    for attempt in ("/menu", tr("en", "👥 Users"), tr("en", "📋 Procedures"), "/invite"):
        await stranger.send(attempt)
        answer = await stranger.receive()
        assert answer.has_button(tr("en", "Request access")) and not has_menu(answer)
    await stranger.press_data(UsersPage(page=0).pack(), intro.message_id)
    await every_button_answered(telegram, stranger)
    await stranger.no_more_messages()
    assert "not available to you" in stranger.callback_answers()[-1]["text"]


async def test_invite_link_works_once_and_not_after_expiry(running_bot, telegram):
    admin = telegram.user(ADMIN_ID, "Chief")
    await first_contact(admin, "en")
    await admin.send(tr("en", "🔗 Invite"))
    await admin.press(tr("en", "supervisor"), await admin.receive())
    await admin.receive()
    await admin.press("Border Service")
    link = await admin.receive()
    code = invite_code(link.text)

    newcomer = telegram.user(4001, "Aida")
    granted = await first_contact(newcomer, "ky", start=f"/start {code}")
    assert has_menu(granted)
    assert tr("ky", "📥 Inbox") in keyboard_labels(granted)

    latecomer = telegram.user(4002, "Nurlan")
    refused = await first_contact(latecomer, "en", start=f"/start {code}")
    assert refused.text == tr("en", "This invite link has already been used. Ask for a new one.")
    assert (await latecomer.receive()).has_button(tr("en", "Request access"))

    async with running_bot.session_factory.begin() as session:
        admin_user = await users.find_by_telegram_id(session, ADMIN_ID)
        bs = await units.get_unit_by_code(session, "BS")
        expired = await access.create_invite(
            session, admin_user, Role.OFFICER, bs.id, timedelta(hours=1)
        )
        await session.execute(
            update(Invite)
            .where(Invite.id == expired.id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    await latecomer.send(f"/start {expired.code}")
    too_late = await latecomer.receive()
    assert too_late.text == tr("en", "This invite link has expired. Ask for a new one.")
    async with running_bot.session_factory() as session:
        assert (await users.find_by_telegram_id(session, 4002)).status is UserStatus.PENDING


async def test_forged_admin_button_from_an_officer_changes_nothing(running_bot, telegram):
    officer_id = await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")

    await officer.press_data(UserRolePick(user_id=officer_id, role="admin").pack())
    await every_button_answered(telegram, officer)
    await officer.no_more_messages()

    answer = officer.callback_answers()[-1]
    assert answer["text"] == tr(
        "en", "This button is outdated or not available to you. Nothing was changed."
    )
    async with running_bot.session_factory() as session:
        assert (await users.get_user(session, officer_id)).role is Role.OFFICER
        changes = await session.scalars(select(AuditEntry).where(AuditEntry.action == "user.role"))
        assert changes.all() == []


async def test_access_request_resumes_after_a_restart(running_bot, telegram):
    stranger = telegram.user(STRANGER_ID, "Bakyt")
    intro = await first_contact(stranger, "en")
    await stranger.press(tr("en", "Request access"), intro)
    await stranger.receive()
    await stranger.send("Lt. Asanov Bakyt")
    await stranger.receive()

    await running_bot.restart()

    await stranger.press("Border Service")
    sent = await stranger.receive()
    assert (
        tr(
            "en",
            "Your access request has been sent. You will get a message here when it is reviewed.",
        )
        in sent.text
    )
    async with running_bot.session_factory() as session:
        request = await session.scalar(select(AccessRequest))
        assert request.full_name == "Lt. Asanov Bakyt"


async def send_and_deliver_again(telegram, person, text: str) -> None:
    """The person's message is answered, then Telegram delivers the same update once more."""
    update_id = await person.send(text)
    await person.receive()
    duplicate = next(call for call in telegram.pushed_updates if call["update_id"] == update_id)
    telegram.push_raw_update(duplicate)


async def test_the_same_update_delivered_twice_is_handled_once(running_bot, telegram):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await send_and_deliver_again(telegram, officer, "/help")
    await officer.no_more_messages(wait=1.0)


async def test_a_strangers_first_message_delivered_twice_is_answered_once(running_bot, telegram):
    # On PostgreSQL the update is claimed in the statement that finds nobody: still claimed.
    stranger = telegram.user(STRANGER_ID, "Asanov")
    await send_and_deliver_again(telegram, stranger, "/start")
    await stranger.no_more_messages(wait=1.0)


async def test_fast_taps_are_answered_in_order_and_every_button_is_answered(running_bot, telegram):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    for command in ("/help", "/menu", "/cancel"):
        await officer.send(command)
    replies = [await officer.receive() for _ in range(3)]
    assert replies[1].text == tr("en", "Choose an action below.")
    assert replies[2].text == tr("en", "There is nothing to cancel.")

    await officer.send(tr("en", "🌐 Language"))
    picker = await officer.receive()
    await officer.press("🇷🇺 Русский", picker)
    await officer.receive()
    relabelled = await officer.receive()
    assert tr("ru", "📝 New report") in keyboard_labels(relabelled)
    await every_button_answered(telegram, officer)


async def test_commands_menu_is_registered_in_each_language(running_bot, telegram):
    await eventually(lambda: bool(telegram.calls_of("getUpdates")))
    registered = {
        call.params.get("language_code"): [
            entry["description"] for entry in call.params["commands"]
        ]
        for call in telegram.calls_of("setMyCommands")
        if "scope" not in call.params
    }
    assert set(registered) == {None, "ky", "ru", "en"}
    for language in ("ky", "ru", "en"):
        assert tr(language, "Change language") in registered[language]
    assert registered[None] == registered["en"]
