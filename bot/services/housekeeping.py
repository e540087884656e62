"""Keeps the helper tables that only guard against doing a thing twice from growing forever: a
row is deleted once the thing can no longer come twice. Run by the delivery worker every hour."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DigestDay, ProcessedUpdate, utcnow

# Telegram keeps an update for 24 hours, so it cannot be delivered again after that.
PROCESSED_UPDATES_KEPT = timedelta(days=2)
# Only the current local day's digest is ever queued.
DIGEST_DAYS_KEPT = timedelta(days=7)


async def prune(session: AsyncSession, now: datetime | None = None) -> int:
    """Delete claims of updates and digest days too old to come again; how many rows went.

    Conversation states (`fsm_states`) are not helper rows: a state is deleted when the
    conversation ends, and the ones left belong to drafts and runs someone may come back to.
    """
    now = now or utcnow()
    deleted = 0
    for statement in (
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - PROCESSED_UPDATES_KEPT),
        delete(DigestDay).where(DigestDay.queued_at < now - DIGEST_DAYS_KEPT),
    ):
        result = await session.execute(statement)
        deleted += max(getattr(result, "rowcount", 0) or 0, 0)
    return deleted
