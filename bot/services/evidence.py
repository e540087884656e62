"""Whether the evidence photos are still what was received: each file is compared with the
SHA-256 recorded when it arrived (which a report's digest covers for its photos, and the audit
log's chain for a procedure step's)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProcedureStepEvent, ReportPhoto, SeizureReport
from bot.media import MediaStore, PhotoState


@dataclass(frozen=True)
class PhotoProblem:
    """An evidence photo whose file is altered or missing, and what it was sent to."""

    held_by: str  # "report KAINDA-2026-0001", "procedure run 12"
    photo_id: int
    sha256: str
    state: PhotoState


def _report_photos() -> Select[tuple[int, str | None, str | None]]:
    return (
        select(ReportPhoto.id, ReportPhoto.sha256, SeizureReport.number)
        .join(SeizureReport, SeizureReport.id == ReportPhoto.report_id)
        .where(ReportPhoto.sha256.is_not(None))
        .order_by(ReportPhoto.id)
    )


def _procedure_photos() -> Select[tuple[int, str | None, int]]:
    return (
        select(ProcedureStepEvent.id, ProcedureStepEvent.photo_sha256, ProcedureStepEvent.run_id)
        .where(ProcedureStepEvent.photo_sha256.is_not(None))
        .order_by(ProcedureStepEvent.id)
    )


async def photo_problems(
    session: AsyncSession, media: MediaStore
) -> tuple[int, list[PhotoProblem]]:
    """How many photos were checked, and those altered or missing."""
    checked, problems = 0, []
    held_by: tuple[tuple[str, Select], ...] = (
        ("report {}", _report_photos()),
        ("procedure run {}", _procedure_photos()),
    )
    for holder, query in held_by:
        for photo_id, sha256, holder_key in (await session.execute(query)).all():
            assert sha256 is not None
            checked += 1
            state = media.check(sha256)
            if state is not PhotoState.INTACT:
                problems.append(PhotoProblem(holder.format(holder_key), photo_id, sha256, state))
    return checked, problems
