"""Chain of custody: items handed over from a report and confirmed by both sides, through the
running bot and straight through the services (two hand-overs of one item at once)."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.db.custody_models import CustodyHolding, CustodyTransfer, TransferStatus
from bot.db.models import AuditEntry, Notification, Role, UserStatus, utcnow
from bot.media import MediaStore
from bot.procedures.library import load_library
from bot.services import audit, custody, units, users
from bot.services.errors import InvalidInput
from handlers.common.callbacks import CustodyAction, CustodyDecide, ReportOpen
from tests.conftest import RunningBot
from tests.procedure_fixtures import write_library
from tests.record_fixtures import file_report_with_every_field
from tests.scenario import every_button_answered, tr
from tests.test_exports import code, export, rows_of
from tests.test_report_numbering import officer_at
from tests.test_report_pdf import page_texts, printed

OFFICER, COLLEAGUE, CHIEF = 8101, 8102, 8103


def en(text: str, **values: object) -> str:
    return tr("en", text, **values)


def handover(items: list[int], receiver=None, seal: str = "SEAL-001", intact: bool = True):
    return custody.Handover(
        items=items,
        receiver=receiver or custody.Receiver(outside_body="Forensic laboratory"),
        purpose="Ballistic examination",
        seal_number=seal,
        seal_photo=custody.SealPhoto("seal-photo", "a" * 64),
        seal_intact=intact,
    )


async def stored(session_factory, model, *conditions) -> list:
    async with session_factory() as session:
        return list((await session.scalars(select(model).where(*conditions))).all())


async def audit_actions(session_factory) -> list[str]:
    entries = await stored(session_factory, AuditEntry, AuditEntry.object_type == "custody")
    return [entry.action for entry in sorted(entries, key=lambda entry: entry.id)]


# Through the running bot ---------------------------------------------------------------------


async def report_with_people(running_bot: RunningBot, telegram):
    """A filed report of five items by an officer of DOSTUK, a colleague there, and a chief."""
    report_id, number = await file_report_with_every_field(running_bot.session_factory)
    async with running_bot.session_factory.begin() as session:
        unit = await units.get_unit_by_code(session, "DOSTUK")
        await users.upsert_user(session, CHIEF, Role.SUPERVISOR, unit.id, "Chief Dostuk")
    return report_id, number, telegram.user(OFFICER, "Officer"), telegram.user(COLLEAGUE, "Mate")


async def open_custody(person, report_id: int):
    await person.press_data(ReportOpen(report=report_id).pack())
    details = await person.receive()
    await person.press(en("🔗 Custody"), details)
    return await person.receive()


async def answer_handover(officer, screen, items: list[str], receiver: str, seal: str, intact):
    """Choose items, the receiver (a user when it is digits, else an outside body), the
    purpose, the seal and its photo; returns the answer to "Is the seal intact?"."""
    await officer.press(en("🤝 Hand over items"), screen)
    picker = await officer.receive()
    for label in items:
        button = next(text for text in picker.button_texts() if label in text)
        await officer.press(button, picker)
        picker = await officer.receive()
    await officer.press(en("Next ▶️"), picker)
    kind = await officer.receive()
    outside = not receiver.isdigit()
    await officer.press(
        en("🏛 An outside body (laboratory, court…)" if outside else "👤 A user of the bot"), kind
    )
    await officer.receive()
    for answer in (receiver, "Ballistic examination", seal):
        await officer.send(answer)
        await officer.receive()
    await officer.send_photo()
    question = await officer.receive()
    assert question.text == en("🔖 Is the seal intact?")
    await officer.press(en("✅ Intact" if intact else "⚠️ Not intact"), question)
    return await officer.receive()


async def test_a_colleague_confirms_a_handover_and_holds_the_items(running_bot, telegram):
    report_id, number, officer, colleague = await report_with_people(running_bot, telegram)
    screen = await open_custody(officer, report_id)
    assert en("📦 Item {item}: {holder}, since", item=1, holder="Officer 8101") in screen.text

    started = await answer_handover(
        officer, screen, ["Pistol", "Slide"], str(COLLEAGUE), "SEAL-001", True
    )
    assert started.text.startswith(en("🤝 Hand-over {id} started.", id=1).rstrip("."))

    offer = await colleague.receive()
    assert "items 1, 2 of report No. " + number in offer.text
    assert "SEAL-001" in offer.text
    # Only the receiver may refuse: a forged press by the officer is refused, nothing asked.
    await officer.press_data(
        CustodyDecide(transfer=1, action=CustodyAction.REFUSE).pack(), started.message_id
    )
    await every_button_answered(telegram, officer)
    refusal = en("You are not allowed to do this. Nothing was changed.")
    assert officer.callback_answers()[-1]["text"] == refusal
    await colleague.press(en("✅ Confirm receipt (hand-over {number})", number=1), offer)
    screen = await colleague.receive()
    assert en("📦 Item {item}: {holder}, since", item=1, holder="Officer 8102") in screen.text
    assert en("📦 Item {item}: {holder}, since", item=3, holder="Officer 8101") in screen.text

    told = await officer.receive()
    assert told.text.startswith("✅ Officer 8102 confirmed receiving items 1, 2")
    holdings = await stored(running_bot.session_factory, CustodyHolding)
    assert {(row.item_number, row.open_transfer_id) for row in holdings} == {(1, None), (2, None)}
    actions = await audit_actions(running_bot.session_factory)
    assert actions == ["custody.started", "custody.confirmed"]

    # Pressed again (a repeated notification): refused, nothing changes.
    await colleague.press(en("✅ Confirm receipt (hand-over {number})", number=1), offer)
    await every_button_answered(telegram, colleague)
    assert colleague.callback_answers()[-1]["text"].startswith(
        en("This hand-over was already confirmed.")
    )
    assert await audit_actions(running_bot.session_factory) == actions
    async with running_bot.session_factory.begin() as session:
        await audit.seal_pending(session)
    async with running_bot.session_factory() as session:
        check = await audit.verify_chain(session)
    assert check.broken_entry_id is None and check.unsealed == 0


async def test_a_broken_seal_alerts_the_chief_and_a_refusal_keeps_the_items(running_bot, telegram):
    report_id, _number, officer, colleague = await report_with_people(running_bot, telegram)
    chief = telegram.user(CHIEF, "Chief")
    screen = await open_custody(officer, report_id)
    await answer_handover(officer, screen, ["Pistol"], str(COLLEAGUE), "SEAL-002", False)

    alert = await chief.receive()
    assert alert.text.startswith("🚨 Seal NOT intact: Officer 8101 hands over items 1")
    offer = await colleague.receive()
    await colleague.press(en("❌ Refuse (hand-over {number})", number=1), offer)
    question = await colleague.receive()
    assert question.text == en("❌ Type why you refuse the hand-over {id}.", id=1)
    await colleague.send("no")
    assert (await colleague.receive()).text == en("The reason is too short. Please type it again.")
    await colleague.receive()  # asked again
    await colleague.send("The package is torn open")
    assert (await colleague.receive()).text.startswith("❌")

    told = await officer.receive()
    assert "they stay with you" in told.text and "The package is torn open" in told.text
    transfer = (await stored(running_bot.session_factory, CustodyTransfer))[0]
    assert transfer.status is TransferStatus.REFUSED
    assert not transfer.seal_intact
    holding = (await stored(running_bot.session_factory, CustodyHolding))[0]
    assert holding.holder_id != transfer.receiver_id and holding.open_transfer_id is None


async def test_an_outside_body_is_confirmed_by_the_giver_with_the_signed_act(running_bot, telegram):
    report_id, _number, officer, _colleague = await report_with_people(running_bot, telegram)
    screen = await open_custody(officer, report_id)
    await answer_handover(
        officer, screen, ["Hand grenade"], "Forensic laboratory of the MVD", "PKG-77", True
    )
    screen = await open_custody(officer, report_id)
    assert en("⏳ hand-over open") in screen.text
    await officer.press(en("📎 Signed act (hand-over {number})", number=1), screen)
    await officer.receive()
    await officer.send("here it is")
    assert (await officer.receive()).text == en(
        "That is not a photo. Please send a photo of the signed act."
    )
    await officer.receive()
    await officer.send_photo()
    done = await officer.receive()
    assert done.text == en("✅ Hand-over {id} confirmed with the signed act.", id=1)

    screen = await open_custody(officer, report_id)
    assert "Item 5: Forensic laboratory of the MVD" in screen.text
    assert "PKG-77 (intact)" in screen.text
    transfer = (await stored(running_bot.session_factory, CustodyTransfer))[0]
    assert transfer.status is TransferStatus.CONFIRMED and transfer.act_photo_sha256


async def test_wrong_receivers_a_used_seal_and_a_text_for_a_photo_are_explained(
    running_bot, telegram
):
    report_id, _number, officer, _colleague = await report_with_people(running_bot, telegram)
    async with running_bot.session_factory.begin() as session:
        blocked = await users.upsert_user(session, 8104, Role.OFFICER, full_name="Blocked One")
        blocked.status = UserStatus.BLOCKED
        customs = await units.create_unit(session, None, "CUSTOMS", "Customs Service")
        await users.upsert_user(session, 8105, Role.OFFICER, customs.id, "Customs Officer")
    screen = await open_custody(officer, report_id)
    await answer_handover(officer, screen, ["Pistol"], str(COLLEAGUE), "SEAL-9", True)
    screen = await open_custody(officer, report_id)
    await officer.press(en("🤝 Hand over items"), screen)
    picker = await officer.receive()
    await officer.press(next(t for t in picker.button_texts() if "Hand grenade" in t), picker)
    await officer.press(en("Next ▶️"), await officer.receive())
    await officer.press(en("👤 A user of the bot"), await officer.receive())
    await officer.receive()
    refusals = {
        "8104": "This person is blocked or has no access yet: they cannot receive items.",
        "8105": "This person belongs to another agency: hand items over to them as an "
        "outside body, with a signed act.",
        str(OFFICER): "You cannot hand items over to yourself.",
        "99999": "Nobody with this @username or Telegram id uses the bot. Check it and type "
        "it again.",
        "Sergeant": "Type the receiver as @username or as their Telegram id (digits only).",
    }
    for typed, explanation in refusals.items():
        await officer.send(typed)
        assert (await officer.receive()).text == en(explanation)
        asked = await officer.receive()
        assert asked.text == en(
            "👤 Type the receiver's @username or Telegram id (they must use this bot)."
        )
    await officer.send(str(COLLEAGUE))
    await officer.receive()
    await officer.send("Storage")
    await officer.receive()
    await officer.send("SEAL-9")
    assert (await officer.receive()).text.startswith(
        en("This seal number is already used in a hand-over not confirmed yet.")[:40]
    )
    await officer.receive()
    await officer.send("SEAL-10")
    await officer.receive()
    await officer.send("a sticker would do")
    assert (await officer.receive()).text == en(
        "That is not a photo. Please send a photo of the sealed package."
    )
    transfers = await stored(running_bot.session_factory, CustodyTransfer)
    assert [transfer.seal_number for transfer in transfers] == ["SEAL-9"]


async def test_an_unconfirmed_handover_reminds_both_then_their_supervisors(running_bot, telegram):
    report_id, number, officer, colleague = await report_with_people(running_bot, telegram)
    chief = telegram.user(CHIEF, "Chief")
    screen = await open_custody(officer, report_id)
    await answer_handover(officer, screen, ["Pistol"], str(COLLEAGUE), "SEAL-3", True)
    await colleague.receive()  # the offer, left unanswered
    after = timedelta(hours=running_bot.settings.custody_remind_hours)

    async def remind(later: timedelta) -> int:
        async with running_bot.session_factory.begin() as session:
            return len(await custody.remind_due(session, after, utcnow() + later))

    assert await remind(after / 2) == 0
    assert await remind(after) == 1
    reminder = f"⏰ The hand-over 1 of items 1 of report No. {number}"
    assert (await officer.receive()).text.startswith(reminder)
    assert (await colleague.receive()).text.startswith(reminder)
    assert await remind(after * 1.5) == 0
    assert await remind(after * 2) == 1
    assert (await chief.receive()).text.startswith("⏫ The hand-over 1 of items 1")
    assert await remind(after * 3) == 0
    assert await audit_actions(running_bot.session_factory) == [
        "custody.started",
        "custody.reminded",
        "custody.escalated",
    ]


# Straight through the services ---------------------------------------------------------------


@pytest.fixture
async def filed(session_factory):
    report_id, _number = await file_report_with_every_field(session_factory)
    colleague = await officer_at(session_factory, COLLEAGUE)
    async with session_factory() as session:
        officer = await users.find_by_telegram_id(session, OFFICER)
    return report_id, officer.id, colleague


async def start(session_factory, giver_id: int, report_id: int, plan: custody.Handover):
    async with session_factory.begin() as session:
        giver = await users.get_user(session, giver_id)
        return (await custody.start_handover(session, giver, report_id, plan)).id


async def test_two_handovers_of_one_item_at_once_cannot_both_succeed(session_factory, filed):
    report_id, officer, _colleague = filed
    outcomes = await asyncio.gather(
        start(session_factory, officer, report_id, handover([1, 2], seal="A")),
        start(session_factory, officer, report_id, handover([2, 3], seal="B")),
        return_exceptions=True,
    )
    succeeded = [outcome for outcome in outcomes if isinstance(outcome, int)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, custody.ItemsNotHeld)]
    assert len(succeeded) == 1 and len(refused) == 1
    transfers = await stored(session_factory, CustodyTransfer)
    assert [transfer.id for transfer in transfers] == succeeded
    holdings = await stored(session_factory, CustodyHolding)
    open_items = sorted(row.item_number for row in holdings if row.open_transfer_id)
    assert open_items == transfers[0].items


async def test_two_handovers_under_one_seal_at_once_cannot_both_succeed(session_factory, filed):
    report_id, officer, _colleague = filed
    outcomes = await asyncio.gather(
        start(session_factory, officer, report_id, handover([1], seal="SAME")),
        start(session_factory, officer, report_id, handover([4], seal="SAME")),
        return_exceptions=True,
    )
    assert sum(isinstance(outcome, int) for outcome in outcomes) == 1
    refusal = next(outcome for outcome in outcomes if not isinstance(outcome, int))
    assert isinstance(refusal, InvalidInput) and refusal.reason == "in_use"
    assert len(await stored(session_factory, CustodyTransfer)) == 1


async def test_nobody_hands_over_what_they_do_not_hold(session_factory, filed):
    report_id, officer, colleague = filed
    async with session_factory.begin() as session:
        mate = await users.get_user(session, colleague)
    # The colleague holds nothing (and may not even read the report).
    with pytest.raises((custody.ItemsNotHeld, custody.AccessDenied)):
        await start(session_factory, colleague, report_id, handover([1]))
    transfer = await start(
        session_factory, officer, report_id, handover([1], custody.Receiver(user=mate))
    )
    async with session_factory.begin() as session:
        await custody.confirm(session, await users.get_user(session, colleague), transfer)
    # The officer no longer holds item 1; the colleague now does, and hands it on.
    with pytest.raises(custody.ItemsNotHeld):
        await start(session_factory, officer, report_id, handover([1], seal="X"))
    await start(session_factory, colleague, report_id, handover([1], seal="Y"))
    async with session_factory() as session:
        report = await custody.readable_report(session, mate, report_id)
        rows = await custody.timeline(session, report)
    firsts = [(row.items, row.holder.id if row.holder else row.holder_text) for row in rows]
    assert firsts[0] == ([1], officer)
    assert ([1], colleague) in firsts
    pending = [row for row in rows if row.status == TransferStatus.PENDING.value]
    assert [(row.seal_number, row.holder_text) for row in pending] == [("Y", "Forensic laboratory")]
    assert await audit_actions(session_factory) == [
        "custody.started",
        "custody.confirmed",
        "custody.started",
    ]
    async with session_factory() as session:
        told = await session.scalars(select(Notification.kind).order_by(Notification.id))
        assert [kind for kind in told.all() if kind.startswith("custody.")] == [
            custody.CUSTODY_OFFERED,
            custody.CUSTODY_CONFIRMED,
        ]


async def test_the_pdf_and_the_spreadsheet_carry_the_chain_of_custody(
    session_factory, filed, tmp_path
):
    report_id, officer, colleague = filed
    async with session_factory() as session:
        mate = await users.get_user(session, colleague)
    to_mate = custody.Receiver(user=mate)
    transfer = await start(session_factory, officer, report_id, handover([1, 2], to_mate, "S-1"))
    async with session_factory.begin() as session:
        await custody.confirm(session, await users.get_user(session, colleague), transfer)
    await start(session_factory, officer, report_id, handover([5], seal="S-2", intact=False))

    library = load_library(write_library(tmp_path / "procedures"))
    pdf = await printed(session_factory, report_id, "en", library, MediaStore(tmp_path / "media"))
    text = " ".join(" ".join(page_texts(pdf)).split())
    assert "Chain of custody" in text
    assert "S-1 (intact)" in text and "S-2 (NOT intact)" in text
    assert "Officer 8102" in text and "Forensic laboratory" in text
    assert "Forensic laboratory (awaiting confirmation)" in text

    [file], _total = await export(session_factory, None, "xlsx")
    rows = rows_of(load_workbook(io.BytesIO(file.content)), "Custody")
    seal = tr("ru", "Seal or package number")
    handed = [
        (row[tr("ru", "Item number")].value, row[code("Hand-over status")].value, row[seal].value)
        for row in rows
        if row[code("Purpose")].value == "handover"
    ]
    assert handed == [(1, "confirmed", "S-1"), (2, "confirmed", "S-1"), (5, "pending", "S-2")]
    assert [row[tr("ru", "Received by")].value for row in rows][-3:] == [
        "Officer 8102",
        "Officer 8102",
        "Forensic laboratory",
    ]
