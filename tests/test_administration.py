"""End to end: an administrator manages people and units from the Users menu."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AuditEntry, Notification, Role, UserStatus
from bot.services import units, users
from tests.conftest import ADMIN_ID
from tests.scenario import first_contact, has_menu, tr
from tests.test_access_flow import OFFICER_ID, set_up_officer

BLOCKED = "Your access is blocked. Contact your supervisor."


async def open_officer_card(admin):
    """The admin's first contact, then Users and the officer's card."""
    await first_contact(admin, "en")
    await admin.send(tr("en", "👥 Users"))
    people = await admin.receive()
    await admin.press(f"✅ Officer Bekov · {tr('en', 'officer')}", people)
    return await admin.receive()


async def test_admin_blocks_unblocks_promotes_and_moves_an_officer(running_bot, telegram):
    officer_id = await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    admin = telegram.user(ADMIN_ID, "Chief")
    card = await open_officer_card(admin)
    assert "Officer Bekov" in card.text and tr("en", "Role: {role}", role="officer") in card.text

    await admin.press(tr("en", "⛔ Block"), card)
    card = await admin.receive()
    assert card.has_button(tr("en", "Unblock"))
    assert (await officer.receive()).text == tr("en", BLOCKED)
    await officer.send("/menu")
    assert (await officer.receive()).text == tr("en", BLOCKED)

    await admin.press(tr("en", "Unblock"), card)
    await admin.receive()
    assert has_menu(await officer.receive())

    await admin.press(tr("en", "supervisor"))
    card = await admin.receive()
    assert card.has_button("✓ " + tr("en", "supervisor"))
    await admin.press(tr("en", "🏢 Set unit"), card)
    await admin.receive()
    await admin.press("Border Service")
    card = await admin.receive()
    assert "Border Service (BS)" in card.text

    async with running_bot.session_factory() as session:
        person = await users.get_user(session, officer_id)
        headquarters = await units.get_unit_by_code(session, "BS")
        assert (person.role, person.status, person.unit_id) == (
            Role.SUPERVISOR,
            UserStatus.ACTIVE,
            headquarters.id,
        )
        actions = (
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.object_id == officer_id)
            )
        ).all()
        assert actions.count("user.status") == 2
        assert "user.role" in actions and "user.unit" in actions


async def test_the_person_blocked_is_told_through_the_outbox_even_when_telegram_fails_first(
    running_bot, telegram
):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    admin = telegram.user(ADMIN_ID, "Chief")
    card = await open_officer_card(admin)

    telegram.fail_next("sendMessage", 502, "Bad Gateway")
    await admin.press(tr("en", "⛔ Block"), card)
    assert (await admin.receive()).has_button(tr("en", "Unblock"))
    # The first send failed; the outbox sends it again, once.
    assert (await officer.receive(timeout=10)).text == tr("en", BLOCKED)
    await officer.no_more_messages()
    async with running_bot.session_factory() as session:
        kinds = (await session.scalars(select(Notification.kind))).all()
    assert kinds == ["access.blocked"]


async def test_admin_creates_a_unit_and_a_wrong_code_is_asked_again(running_bot, telegram):
    admin = telegram.user(ADMIN_ID, "Chief")
    await first_contact(admin, "en")
    await admin.send(tr("en", "👥 Users"))
    await admin.press(tr("en", "🏢 Units"), await admin.receive())
    screen = await admin.receive()
    assert "Kainda (KAINDA)" in screen.text
    await admin.press(tr("en", "➕ New unit"), screen)
    await admin.receive()

    await admin.send("не код")
    assert "Latin letters" in (await admin.receive()).text
    await admin.send("dostuk")
    assert (await admin.receive()).text == tr(
        "en", "A unit with this code already exists. Please type another code."
    )
    await admin.send("dostuk-2")
    assert (await admin.receive()).text == tr("en", "Type the unit's name.")
    await admin.send("Dostuk, second line")
    kinds = await admin.receive()
    await admin.press(tr("en", "border post"), kinds)
    await admin.receive()
    await admin.press("Border Service")
    created = await admin.receive()
    assert "Dostuk, second line (DOSTUK-2)" in created.text

    async with running_bot.session_factory() as session:
        unit = await units.get_unit_by_code(session, "DOSTUK-2")
        headquarters = await units.get_unit_by_code(session, "BS")
        assert unit.parent_id == headquarters.id


async def test_an_unexpected_failure_shows_no_traceback_and_keeps_the_conversation(
    running_bot, telegram, monkeypatch
):
    stranger = telegram.user(2001, "Bakyt")
    intro = await first_contact(stranger, "en")
    await stranger.press(tr("en", "Request access"), intro)
    await stranger.receive()

    async def broken_unit_tree(session):
        raise RuntimeError("database exploded")

    with monkeypatch.context() as patch:
        patch.setattr("handlers.access.start.unit_tree", broken_unit_tree)
        await stranger.send("Asanov Bakyt")
        failure = await stranger.receive()
        # The bot tries the update again by itself; still failing, it does not say so again.
        await stranger.no_more_messages(wait=2.5)
    assert failure.text == tr(
        "en",
        "Something went wrong on our side. Nothing saved before was lost, and the bot tries "
        "your last action again by itself: do not send it again unless nothing happens "
        "within a minute.",
    )
    assert "exploded" not in failure.text and "Traceback" not in failure.text

    # Mended, the next attempt goes through without the person sending anything again.
    picker = await stranger.receive(timeout=10)
    assert picker.has_button("Border Service")
