"""End to end: the full structured report, written over several sessions, checked field by
field, reviewed, submitted, completed from a quick log and corrected as new revisions."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import func, select

from bot.db.models import (
    AuditEntry,
    Notification,
    ReportDraft,
    ReportPhoto,
    ReportRevision,
    ReportStatus,
    SeizureReport,
)
from tests.conftest import RunningBot
from tests.scenario import eventually, every_button_answered, tr
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_quick_log import add_supervisor, start_quick_log
from tests.test_report_rules import submit, write_complete_draft

SUPERVISOR_ID = 5001
SKIP = "⏭ Skip"


def en(text: str, **values: object) -> str:
    return tr("en", text, **values)


def field_asked(message) -> str | None:
    """The label of the field a question screen asks, or None for any other screen."""
    first = message.text.split("\n", 1)[0]
    return first.rsplit(" · ", 1)[1] if " · " in first else None


async def walk(officer, answers: dict[str, str | tuple[str, ...]], screen=None):
    """Answer a guided walk: a label's answer is typed, or a ("press", button) is pressed;
    optional fields not given are skipped. Returns the first screen that asks nothing."""
    screen = screen or await officer.receive()
    while (label := field_asked(screen)) is not None:
        answer = answers.get(label)
        if answer is None:
            assert screen.has_button(en(SKIP)), f"{label!r} must be answered: {screen.summary()}"
            await officer.press(en(SKIP), screen)
        elif isinstance(answer, tuple):
            await officer.press(en(answer[1]), screen)
        else:
            await officer.send(answer)
        screen = await officer.receive()
        while field_asked(screen) is None and screen.kind == "text" and not screen.inline_buttons:
            screen = await officer.receive()  # "Place noted." and other short notes
    return screen


INCIDENT = {
    "What was found": ("press", "🔀 Mixed"),
    "Date and time of the seizure": "28.11.2026 22:15",
    "Place": ("press", "Kainda"),
    "Anyone in danger or hurt": ("press", "No"),
    "Type of location": ("press", "Road crossing point"),
    "Direction": ("press", "Entry"),
    "How it was detected": ("press", "X-ray scanner"),
    "Concealment": ("press", "Vehicle compartment"),
    "Concealment details": "Under the rear seat, in a welded box",
    "Context": ("press", "Trafficking"),
    "Country of departure": "Таджикистан",
    "Intended destination": ("press", "Kazakhstan"),
    "Number of persons involved": "2",
    "Narrative": "During the X-ray check of a car entering from Tajikistan the officer "
    "saw a dense object under the rear seat.\nA welded box held a pistol, cartridges and TNT.",
}
FIREARM = {
    "Type of weapon": ("press", "Pistol (self-loading)"),
    "Quantity": "1",
    "Make (manufacturer)": "Izhmekh",
    "Model": "PM",
    "Calibre": "9×18 mm",
    "Serial number": "  ТК 4417-b ",
    "State when found": ("press", "Loaded"),
}
AMMUNITION = {
    "Type of ammunition": ("press", "Ball"),
    "Quantity": "48",
    "Calibre": "9×18 mm",
    "Headstamp": "539 78",
}
EXPLOSIVE = {
    "Kind of explosive": ("press", "Military explosive (TNT, plastic)"),
    "Quantity": "2",
    "Net weight": "0,4 кг",
    "Destroyed in place": ("press", "No"),
}


async def start_full_report(officer):
    await officer.send(en("📝 New report"))
    await officer.press(en("📝 Full report instead"), await officer.receive())


async def add_item(officer, review, kind: str, answers):
    await officer.press(en("➕ Item"), review)
    await officer.press(en(kind), await officer.receive())
    item_screen = await walk(officer, answers)
    await officer.send_photo()
    saved = await officer.receive()
    assert saved.text == en("📷 Photo of this item saved ({count}).", count=1)
    await officer.press(en("« Back to the report"), item_screen)
    return await officer.receive()


async def test_officer_writes_a_full_report_with_three_items_and_photos(
    running_bot: RunningBot, telegram
):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, SUPERVISOR_ID, "KAINDA", "en")
    supervisor = telegram.user(SUPERVISOR_ID, "Chief")
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_full_report(officer)
    review = await walk(officer, INCIDENT)
    assert en("<b>Full report</b> (draft, saved)").replace("<b>", "").replace("</b>", "") in (
        review.text
    )
    assert "Tajikistan" in review.text and "Under the rear seat" in review.text

    review = await add_item(officer, review, "🔫 Firearm", FIREARM)
    review = await add_item(officer, review, "🧰 Ammunition", AMMUNITION)
    review = await add_item(officer, review, "💣 Explosive", EXPLOSIVE)
    await officer.press(en("➕ Person"), review)
    person = await walk(
        officer,
        {
            "Role": ("press", "Driver"),
            "Name": "Rustam Nazarov",
            "Nationality": ("press", "Tajikistan"),
            "Detained": ("press", "Yes"),
        },
    )
    await officer.press(en("« Back to the report"), person)
    review = await officer.receive()
    await officer.press(en("🚗 Conveyance"), review)
    conveyance = await walk(
        officer,
        {
            "Conveyance": ("press", "Car"),
            "Vehicle make": "Toyota",
            "Registration plate": "01 KG 123 ABC",
        },
    )
    await officer.press(en("« Back to the report"), conveyance)
    review = await officer.receive()
    await officer.press(review.button_texts()[3], review)  # the second item
    second = await officer.receive()
    item = en("📦 Item {number}", number=1)
    assert second.has_button(f"◀️ {item}")
    assert second.has_button(en("📦 Item {number}", number=3) + " ▶️")
    await officer.press(en("« Back to the report"), second)
    review = await officer.receive()
    await officer.send_photo()
    assert (await officer.receive()).text == en("📷 Photo of the report saved ({count}).", count=1)
    assert "1. Pistol (self-loading) · Izhmekh · PM · 9×18 mm · ТК 4417-b · × 1" in review.text
    await officer.press(en("✅ Submit"), review)
    done = await officer.receive()

    async with running_bot.session_factory() as session:
        report = await session.scalar(select(SeizureReport))
        photos = (await session.scalars(select(ReportPhoto).order_by(ReportPhoto.id))).all()
        revision = await session.scalar(select(ReportRevision))
        drafts_left = await session.scalar(select(func.count()).select_from(ReportDraft))
        told = (await session.scalars(select(Notification))).all()
    assert report.number in done.text and report.number.startswith("KAINDA-2026-")
    assert (report.status, report.complete, report.urgent) == (ReportStatus.SUBMITTED, True, True)
    items = report.details["items"]
    assert [item["kind"] for item in items] == ["firearm", "ammunition", "explosive"]
    # Exactly as marked, and typed twice alike: confirmed.
    assert items[0]["serial_number"] == {"text": "ТК 4417-b", "confirmed": "twice"}
    assert items[2]["net_weight"] == 0.4 and items[1]["quantity"] == 48
    assert "magazines" not in items[2] and "firearm_type" not in items[1]
    assert report.details["incident"]["route_departure"] == "TJ"
    assert report.details["persons"][0]["detained"] is True
    assert [photo.item_number for photo in photos] == [1, 2, 3, None]
    assert revision.content["details"] == report.details and len(revision.digest) == 64
    assert drafts_left == 0
    assert [n.recipient_id for n in told] and all(n.report_id == report.id for n in told)

    notice = await supervisor.receive(timeout=10)
    assert en("📝 Full report No. {number}", number=report.number) in notice.text
    await supervisor.press(en("📂 Open"), notice)
    details = await supervisor.receive()
    assert "Rustam Nazarov" in details.text and "Toyota" in details.text
    await supervisor.press(details.button_texts()[0], details)
    item = await supervisor.receive()
    assert "ТК 4417-b" in item.text and en("Loaded") in item.text
    await every_button_answered(telegram, officer)


async def test_officer_takes_back_a_photo_sent_by_mistake(running_bot: RunningBot, telegram):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_full_report(officer)
    review = await add_item(officer, await walk(officer, INCIDENT), "🔫 Firearm", FIREARM)

    await officer.send_photo()
    wrong = await officer.receive()
    assert wrong.text == en("📷 Photo of the report saved ({count}).", count=1)
    assert wrong.reply_to is not None  # among several photos, the button names its own
    [[(_, remove_button, _)]] = wrong.inline_buttons
    await officer.press(en("🗑 Remove this photo"), wrong)
    question = await officer.receive()
    assert question.text == en(
        "Remove this photo from the draft? It will not be part of the report."
    )
    await officer.press(en("« No, keep it"), question)
    assert (await officer.receive()).text == wrong.text
    await officer.press(en("🗑 Remove this photo"), wrong)
    await officer.press(en("🗑 Yes, remove it"), await officer.receive())
    removed = await officer.receive()
    assert removed.text == en(
        "🗑 Photo removed from the draft. Photos of the report: {count}.", count=0
    )
    assert not removed.inline_buttons

    await officer.press_data(remove_button, removed.message_id)  # an old button, pressed again
    await every_button_answered(telegram, officer)
    assert officer.callback_answers()[-1]["text"] == en(
        "This photo is no longer in the draft. Nothing was changed."
    )
    await officer.press(en("✅ Submit"), review)
    await officer.receive_until(lambda message: message.text.startswith("✅"))
    async with running_bot.session_factory() as session:
        photos = (await session.scalars(select(ReportPhoto))).all()
        [taken_back] = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "draft.photo_removed")
            )
        ).all()
    assert [photo.item_number for photo in photos] == [1]  # the item's photo went with it
    assert len(taken_back.details["sha256"]) == 64


async def test_wrong_answers_are_explained_and_the_same_field_asked_again(
    running_bot: RunningBot, telegram
):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_full_report(officer)
    category = await officer.receive()
    await officer.send("firearms")
    assert (await officer.receive()).text == en(
        "Please choose with the buttons above. Nothing entered is lost."
    )
    await officer.receive()  # the same question again
    await officer.press(en("🔫 Firearms"), category)
    asked = await officer.receive()
    assert field_asked(asked) == en("Date and time of the seizure")
    for wrong, reason in (
        ("yesterday evening", "This is not understood."),
        ("31.12.2099 10:00", "This is in the future."),
        ("28.11.2026", "Please add the time, e.g. 29.11.2026 14:30."),
    ):
        await officer.send(wrong)
        assert (await officer.receive()).text.startswith(en(reason).split(" {")[0][:20])
        assert field_asked(await officer.receive()) == en("Date and time of the seizure")
    await officer.send_sticker()
    assert "text" in (await officer.receive()).text
    await officer.send("2026-11-28 09:05")
    place = await officer.receive()
    assert field_asked(place) == en("Place")
    await officer.receive()  # the location keyboard
    await officer.send("x")
    assert (await officer.receive()).text == en(
        "Too short: at least {limit} characters. Please type it again.", limit=2
    )
    await officer.receive()
    await officer.receive()
    await officer.send("42.8746, 74.5698")
    await officer.receive_until(lambda m: field_asked(m) == en("Anyone in danger or hurt"))

    async with running_bot.session_factory() as session:
        draft = await session.scalar(select(ReportDraft))
    incident = draft.content["incident"]
    assert incident["category"] == "firearms"
    assert incident["occurred_at"] == "2026-11-28T03:05:00+00:00"  # 09:05 in Bishkek
    assert incident["place"] == {"latitude": 42.8746, "longitude": 74.5698}


async def test_a_draft_survives_a_restart_and_is_continued_from_my_drafts(
    running_bot: RunningBot, telegram
):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_full_report(officer)
    await officer.press(en("💣 Explosives"), await officer.receive())
    await officer.receive()
    await running_bot.restart()
    await officer.send("28.11.2026 14:30")  # the question still waits after the restart
    assert field_asked(await officer.receive()) == en("Place")
    await officer.receive()  # the location keyboard

    await officer.send(en("📝 My drafts"))
    listing = await officer.receive()
    [entry] = listing.button_texts()
    open_draft = listing.inline_buttons[0][0][1]
    assert entry.startswith("📝 " + en("💣 Explosives"))
    await officer.press(entry, listing)
    review = await officer.receive()
    assert en("💣 Explosives") in review.text and "Nov 28, 2026, 2:30" in review.text
    assert review.has_button(en("▶️ Continue: {field}", field=en("Place")))
    await officer.press(en("🗑 Discard draft"), review)
    await officer.press(en("« No, keep it"), await officer.receive())
    review = await officer.receive()
    await officer.press(en("🗑 Discard draft"), review)
    await officer.press(en("🗑 Yes, discard it"), await officer.receive())
    assert (await officer.receive()).text == en("🗑 Draft discarded.")
    async with running_bot.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ReportDraft)) == 0
    # The discarded draft's old buttons, and a forged one, change nothing and say so.
    before = len(officer.callback_answers())
    await officer.press_data(open_draft)
    await officer.press_data("drq:1:n:no_such_field:0:0")
    await eventually(lambda: len(officer.callback_answers()) >= before + 2)
    texts = [answer.get("text") for answer in officer.callback_answers()[-2:]]
    assert texts == [en("This item no longer exists. Nothing was changed.")] * 2


async def quick_log(officer) -> None:
    where = await start_quick_log(officer)
    await officer.press("Kainda", where)
    await officer.receive()
    await officer.press("1", await officer.receive())
    await officer.press(en("✅ Nobody in danger"), await officer.receive())
    await officer.receive()


async def open_own_report(officer, language: str = "en"):
    await officer.send(tr(language, "🗂 My reports"))
    listing = await officer.receive()
    await officer.press(listing.button_texts()[0], listing)
    return await officer.receive()


async def test_a_quick_log_is_completed_then_corrected_each_a_new_revision(
    running_bot: RunningBot, telegram
):
    await set_up_officer(running_bot)
    await add_supervisor(running_bot, SUPERVISOR_ID, "KAINDA", "en")
    officer = telegram.user(OFFICER_ID, "Bekov")
    supervisor = telegram.user(SUPERVISOR_ID, "Chief")
    await quick_log(officer)
    await supervisor.receive(timeout=10)

    details = await open_own_report(officer)
    await officer.press(en("📝 Complete the full report"), details)
    review = await officer.receive()
    assert en("Kainda") in review.text  # what the quick log said is kept
    await officer.press(en("▶️ Continue: {field}", field=en("Type of location")), review)
    remaining = {k: v for k, v in INCIDENT.items() if k not in ("What was found", "Place")}
    review = await walk(officer, remaining)
    review = await add_item(officer, review, "🔫 Firearm", FIREARM)
    await officer.press(en("✅ Submit"), review)
    await officer.receive()

    completed = await supervisor.receive(timeout=10)
    assert en("✏️ Changed by the officer (revision {number})", number=2) in completed.text
    await supervisor.press(en("↩️ Return for correction"), completed)
    await supervisor.receive()
    await supervisor.send("The calibre of the pistol is 9×19 mm, check the markings.")
    await supervisor.receive()
    await officer.receive(timeout=10)  # returned, with the comment

    details = await open_own_report(officer)
    await officer.press(en("✏️ Correct the report"), details)
    review = await officer.receive()
    await officer.press(review.button_texts()[2], review)  # the firearm
    item = await officer.receive()
    await officer.press("✏️ " + en("Calibre"), item)
    await officer.receive()
    await officer.send("9×19 mm")
    item = await officer.receive()
    await officer.press(en("« Back to the report"), item)
    await officer.press(en("✅ Submit"), await officer.receive())
    await officer.receive()

    async with running_bot.session_factory() as session:
        report = await session.scalar(select(SeizureReport))
        revisions = (
            await session.scalars(select(ReportRevision).order_by(ReportRevision.revision))
        ).all()
    assert [revision.revision for revision in revisions] == [1, 2, 3]
    assert "details.incident.direction" in revisions[1].changes
    assert revisions[2].changes == ["details.items.1.calibre"]
    assert revisions[2].author_id == revisions[0].author_id
    assert len({revision.digest for revision in revisions}) == 3
    assert report.status is ReportStatus.SUBMITTED and report.revision == 3

    history = await open_own_report(officer)
    calibre = en("📦 Item {number}", number=1) + ": " + en("Calibre")
    assert en("changed: {fields}", fields=calibre) in history.text
    await officer.press(en("🕓 History"), history)
    story = (await officer.receive()).text
    for event in ("quick log filed", "completed as a full report", "returned for correction"):
        assert en(event) in story, event
    assert "The calibre of the pistol is 9×19 mm" in story
    assert en("(revision {number})", number=3) in story


async def test_a_report_prints_as_a_pdf_in_kyrgyz_with_every_field(running_bot, telegram):
    officer_id = await set_up_officer(running_bot, language="ky")
    officer = telegram.user(OFFICER_ID, "Bekov")
    draft_id = await write_complete_draft(running_bot.session_factory, officer_id)
    number = await submit(running_bot.session_factory, officer_id, draft_id)

    details = await open_own_report(officer, "ky")
    await officer.press(tr("ky", "📄 PDF"), details)
    document = await officer.receive()
    assert document.kind == "document"
    [call] = telegram.calls_of("sendDocument")
    upload = call.params["document"]
    assert upload["filename"] == f"{number}.pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(upload["content"])).pages)
    for expected in (
        number,
        tr("ky", "Narrative"),
        "Cartridges found in a bag.",
        "5.45×39 mm",
        tr("ky", "Ball"),
        "SHA-256",
        tr("ky", "Signatures"),
    ):
        assert expected in text, expected
    assert any(letter in text for letter in "ңөү")
