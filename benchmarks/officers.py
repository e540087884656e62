"""The people and the work in progress the benchmarks need, written straight to the database
(setting up 10,000 officers through the bot would take longer than the benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.updates import BOT_ID
from bot.config import LANGUAGES
from bot.db.models import FsmRecord, ProcedureRun, ReportDraft, Role, User, UserStatus, utcnow
from bot.fsm_storage import storage_key
from bot.procedures.library import ProcedureLibrary
from bot.services.drafts import empty_content
from bot.services.units import get_unit_by_code
from handlers.common.states import ReportForm

FIRST_TELEGRAM_ID = 100_000
# Officers serve at a crossing point; the quick log's place is that point.
UNIT_CODE = "KAINDA"
# Every step of it is a plain instruction, so "Done" always advances to the next step.
CHECKLIST = "tracing"
BATCH = 1_000


@dataclass(frozen=True)
class Officer:
    telegram_id: int
    user_id: int
    unit_id: int


async def add_officers(
    session_factory: async_sessionmaker[AsyncSession], count: int, first: int = FIRST_TELEGRAM_ID
) -> list[Officer]:
    """Active officers of one crossing point, in all three languages."""
    async with session_factory.begin() as session:
        unit = await get_unit_by_code(session, UNIT_CODE)
        rows = [
            {
                "telegram_id": first + number,
                "full_name": f"Officer {number}",
                "language": LANGUAGES[number % len(LANGUAGES)],
                "role": Role.OFFICER,
                "status": UserStatus.ACTIVE,
                "unit_id": unit.id,
            }
            for number in range(count)
        ]
        for start in range(0, count, BATCH):
            await session.execute(insert(User), rows[start : start + BATCH])
        found = await session.execute(
            select(User.telegram_id, User.id).where(User.telegram_id >= first)
        )
        ids = dict(found.all())
    return [Officer(telegram_id, ids[telegram_id], unit.id) for telegram_id in sorted(ids)]


async def open_procedure_runs(
    session_factory: async_sessionmaker[AsyncSession],
    officers: list[Officer],
    library: ProcedureLibrary,
) -> dict[int, int]:
    """Each officer at the first step of the checklist; returns run id by Telegram id."""
    item = library.get(CHECKLIST)
    assert item is not None, f"procedure {CHECKLIST!r} is missing"
    rows = [
        {
            "user_id": officer.user_id,
            "procedure_id": item.id,
            "procedure_version": item.procedure.version,
            "content_hash": item.content_hash,
            "current_step": item.procedure.steps[0].id,
            "path": [],
        }
        for officer in officers
    ]
    async with session_factory.begin() as session:
        for start in range(0, len(rows), BATCH):
            await session.execute(insert(ProcedureRun), rows[start : start + BATCH])
        found = await session.execute(
            select(User.telegram_id, ProcedureRun.id)
            .join(ProcedureRun, ProcedureRun.user_id == User.id)
            .where(User.id.in_([officer.user_id for officer in officers]))
        )
        return dict(found.all())


def fsm_key(telegram_id: int) -> str:
    """The storage key aiogram uses for a private chat with this person."""
    return storage_key(StorageKey(bot_id=BOT_ID, chat_id=telegram_id, user_id=telegram_id))


async def open_report_drafts(
    session_factory: async_sessionmaker[AsyncSession], officers: list[Officer]
) -> dict[int, int]:
    """Each officer with a full report half written and its "Direction" question open, as
    the bot keeps them (a draft row and the conversation state); returns draft id by officer."""
    now = utcnow()
    async with session_factory.begin() as session:
        drafts: dict[int, int] = {}
        for start in range(0, len(officers), BATCH):
            batch = officers[start : start + BATCH]
            rows = [
                {
                    "officer_id": officer.user_id,
                    "content": half_written_report(officer),
                    "started_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for officer in batch
            ]
            ids = await session.scalars(insert(ReportDraft).returning(ReportDraft.id), rows)
            drafts |= {
                officer.telegram_id: draft_id
                for officer, draft_id in zip(batch, ids.all(), strict=True)
            }
        states = [
            {
                "key": fsm_key(officer.telegram_id),
                "state": ReportForm.answer.state,
                "data": direction_question(drafts[officer.telegram_id]),
                "updated_at": now,
            }
            for officer in officers
        ]
        for start in range(0, len(states), BATCH):
            await session.execute(insert(FsmRecord), states[start : start + BATCH])
    return drafts


def half_written_report(officer: Officer) -> dict[str, object]:
    content = empty_content()
    content["incident"] = {
        "category": "firearms",
        "occurred_at": utcnow().isoformat(),
        "place": {"unit_id": officer.unit_id},
        "anyone_in_danger": False,
        "location_type": "bcp_road",
    }
    return content


def direction_question(draft_id: int) -> dict[str, object]:
    return {"draft": draft_id, "section": "incident", "key": "direction", "entry": 0, "walk": False}
