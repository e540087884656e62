"""An export of a period, run after the button press that asked for it has been answered.

The update only checks the choice and says "⏳ Preparing the export…"; the export itself
(reading every report of the period, writing the file, sending it) runs here, with its own
session, outside the chat's lock and the update's transaction. Thousands of reports take
seconds: the officer's other messages are answered meanwhile, and a Redis or database outage
in the middle does not leave the chat locked. Shutdown waits for it as for an update
(bot/middlewares/inflight.py); one export per person at a time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from aiogram import Bot
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.engine import READS_ONLY
from bot.db.models import User
from bot.media import MediaStore
from bot.middlewares.outage import is_outage, outage_notice
from bot.procedures.library import ProcedureLibrary
from bot.services import audit
from bot.services.errors import DomainError, NotFound
from handlers.common.errors import explain
from handlers.common.ui import show

log = logging.getLogger(__name__)


@dataclass
class ExportJob:
    callback: CallbackQuery  # the press on the format screen, whose message shows the progress
    user_id: int
    first: date
    last: date
    file_format: str
    language: str
    # The national sheet leaves exercises out unless asked for them.
    include_exercises: bool = False


@dataclass
class ExportTools:
    bot: Bot
    i18n: I18n
    session_factory: async_sessionmaker[AsyncSession]
    settings: Settings
    procedures: ProcedureLibrary
    media: MediaStore


def export_key(user: User) -> tuple[str, int]:
    return ("export", user.id)


async def run_export_job(job: ExportJob, tools: ExportTools) -> None:
    """The export, its audit entry, the files; every failure told on the progress message."""
    with tools.i18n.context(), tools.i18n.use_locale(job.language):
        try:
            text = await _export(job, tools)
        except DomainError as refused:
            text = explain(refused)
        except Exception as error:
            if not is_outage(error):
                log.exception("export for user %s failed", job.user_id)
                text = explain(error)
            else:
                log.warning("export for user %s cut off by an outage: %r", job.user_id, error)
                text = outage_notice()
        await show(job.callback, text)


async def _export(job: ExportJob, tools: ExportTools) -> str:
    # Imported here: export.py starts this job, and this job uses export.py's writers.
    from handlers.documents.export import export_files

    bot, chat_id = tools.bot, job.callback.from_user.id
    status = job.callback.message if isinstance(job.callback.message, Message) else None
    await bot.send_chat_action(chat_id, "upload_document")

    async def progress(done: int, total: int) -> None:
        if status is not None:
            text = _("⏳ Preparing the export… {done} of {total} reports").format(
                done=done, total=total
            )
            await status.edit_text(text)
            await bot.send_chat_action(chat_id, "upload_document")

    async with tools.session_factory() as session:
        # Only reads: on SQLite it then does not keep every other update waiting.
        await session.connection(execution_options={READS_ONLY: True})
        # Read again: the person's rights are those of now, not of the press.
        user = await session.get(User, job.user_id)
        if user is None:  # never None for the CLI's "everything": the person is gone
            raise NotFound("user")
        files, total = await export_files(
            session,
            user,
            job.first,
            job.last,
            job.file_format,
            job.language,
            tools.settings,
            tools.procedures,
            tools.media,
            progress=progress,
            include_exercises=job.include_exercises,
        )
    async with tools.session_factory.begin() as session:
        await audit.record(
            session,
            await session.get(User, job.user_id),
            "report.exported",
            "export",
            None,
            first=job.first.isoformat(),
            last=job.last.isoformat(),
            format=job.file_format,
            reports=total,
            exercises=job.include_exercises,
        )
    for file in files:
        await bot.send_document(chat_id, BufferedInputFile(file.content, file.name))
    return _("✅ Export ready: {count} reports, {first} – {last}.").format(
        count=total, first=job.first.strftime("%d.%m.%Y"), last=job.last.strftime("%d.%m.%Y")
    )
