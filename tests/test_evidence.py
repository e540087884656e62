"""Evidence photos: downloaded into the media store under their SHA-256 as they arrive, covered
by the report's digest, printed in the report's PDF, and a changed or lost file is caught."""

from __future__ import annotations

import asyncio
import hashlib
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from bot.db.models import ReportPhoto, ReportRevision
from bot.media import MediaStore
from tests.conftest import RunningBot
from tests.scenario import tr
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_cli import cli
from tests.test_full_report import open_own_report
from tests.test_quick_log import start_quick_log


async def quick_log_with_photo(officer, language: str) -> None:
    where = await start_quick_log(officer, language)
    await officer.press(where.button_texts()[0], where)  # the officer's crossing point
    await officer.receive()
    await officer.press(tr(language, "1"), await officer.receive())
    danger = await officer.receive()
    await officer.send_photo()
    await officer.receive()
    await officer.press(tr(language, "✅ Nobody in danger"), danger)
    await officer.receive()


async def stored_photo(running_bot: RunningBot) -> tuple[ReportPhoto, ReportRevision]:
    async with running_bot.session_factory() as session:
        photo = await session.scalar(select(ReportPhoto))
        revision = await session.scalar(select(ReportRevision))
    return photo, revision


async def test_a_photo_is_kept_under_its_hash_and_the_digest_covers_it(
    running_bot: RunningBot, telegram
):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await quick_log_with_photo(officer, "en")

    photo, revision = await stored_photo(running_bot)
    media = MediaStore(running_bot.settings.media_dir)
    kept = media.read(photo.sha256)
    assert kept == telegram.file_content(photo.file_id)
    assert hashlib.sha256(kept).hexdigest() == photo.sha256
    assert revision.content["photos"] == [
        {"photo": photo.file_unique_id, "item": None, "sha256": photo.sha256}
    ]


async def test_a_changed_or_lost_photo_is_named_by_the_verify_command(
    running_bot: RunningBot, telegram, database_url
):
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await quick_log_with_photo(officer, "en")
    photo, _revision = await stored_photo(running_bot)
    media_dir = str(running_bot.settings.media_dir)
    media = MediaStore(running_bot.settings.media_dir)

    # In a thread: the bot runs on this event loop and must go on while the command waits.
    intact = await asyncio.to_thread(cli, database_url, "audit", "verify", media_dir=media_dir)
    assert intact.returncode == 0 and "evidence photos intact: 1" in intact.stdout

    path = media.path_of(photo.sha256)
    content = bytearray(path.read_bytes())
    content[-1] ^= 0xFF  # one byte
    path.write_bytes(bytes(content))
    altered = await asyncio.to_thread(cli, database_url, "audit", "verify", media_dir=media_dir)
    assert altered.returncode == 1
    assert f"photo {photo.id}" in altered.stderr and "altered" in altered.stderr

    path.unlink()
    lost = await asyncio.to_thread(cli, database_url, "audit", "verify", media_dir=media_dir)
    assert lost.returncode == 1 and "missing" in lost.stderr


async def test_a_quick_log_prints_in_kyrgyz_with_its_photo(running_bot: RunningBot, telegram):
    await set_up_officer(running_bot, language="ky")
    officer = telegram.user(OFFICER_ID, "Bekov")
    await quick_log_with_photo(officer, "ky")
    details = await open_own_report(officer, "ky")
    await officer.press(tr("ky", "📄 PDF"), details)
    await officer.receive_until(lambda message: message.kind == "document")

    upload = telegram.calls_of("sendDocument")[0].params["document"]
    pdf = PdfReader(BytesIO(upload["content"]))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    photo, _revision = await stored_photo(running_bot)
    assert photo.sha256 in text.replace("\n", "")
    assert tr("ky", "Photo {number}", number=1) in text
    assert any(letter in text for letter in "ңөү")
    assert sum(len(page.images) for page in pdf.pages) == 1
