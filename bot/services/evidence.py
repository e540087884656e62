"""Whether the evidence photos are still what was received: each file is compared with the
SHA-256 recorded when it arrived (and covered by its report's digest)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ReportPhoto, SeizureReport
from bot.media import MediaStore, PhotoState


@dataclass(frozen=True)
class PhotoProblem:
    report_number: str | None
    photo_id: int
    sha256: str
    state: PhotoState


async def photo_problems(
    session: AsyncSession, media: MediaStore, report_id: int | None = None
) -> tuple[int, list[PhotoProblem]]:
    """How many photos were checked, and those altered or missing."""
    query = (
        select(ReportPhoto, SeizureReport.number)
        .join(SeizureReport, SeizureReport.id == ReportPhoto.report_id)
        .where(ReportPhoto.sha256.is_not(None))
        .order_by(ReportPhoto.id)
    )
    if report_id is not None:
        query = query.where(ReportPhoto.report_id == report_id)
    checked, problems = 0, []
    for photo, number in (await session.execute(query)).all():
        assert photo.sha256 is not None
        checked += 1
        state = media.check(photo.sha256)
        if state is not PhotoState.INTACT:
            problems.append(PhotoProblem(number, photo.id, photo.sha256, state))
    return checked, problems
