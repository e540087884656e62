"""The audit log: who did what, to what, and when."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, User


async def record(
    session: AsyncSession,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    **details: Any,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
    session.add(entry)
    await session.flush()
    return entry


async def entries_for(session: AsyncSession, object_type: str, object_id: int) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.id)
    )
    return list((await session.scalars(query)).all())


GENESIS = "0" * 64


def entry_digest(previous_hash: str, entry: AuditEntry) -> str:
    body = {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "details": entry.details,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((previous_hash + canonical).encode("utf-8")).hexdigest()


async def seal_pending(session: AsyncSession, limit: int = 1000) -> int:
    """Chain the entries not sealed yet, oldest first, onto the last sealed one.

    Sealing after the fact keeps the event's own transaction free of a global lock; two sealers
    at once collide on the unique seal number and one of them simply retries later.
    """
    last = (
        await session.execute(
            select(AuditEntry.seal, AuditEntry.hash)
            .where(AuditEntry.seal.is_not(None))
            .order_by(AuditEntry.seal.desc())
            .limit(1)
            .with_for_update()
        )
    ).first()
    seal, previous = (last.seal, last.hash) if last else (0, GENESIS)
    pending = await session.scalars(
        select(AuditEntry).where(AuditEntry.seal.is_(None)).order_by(AuditEntry.id).limit(limit)
    )
    count = 0
    for entry in pending.all():
        seal += 1
        entry.seal, entry.previous_hash = seal, previous
        entry.hash = previous = entry_digest(previous, entry)
        count += 1
    await session.flush()
    return count


@dataclass(frozen=True)
class ChainCheck:
    checked: int
    broken_entry_id: int | None
    problem: str | None
    unsealed: int


async def verify_chain(session: AsyncSession) -> ChainCheck:
    """Recompute every hash in seal order; name the first entry where the chain breaks."""
    previous, expected_seal, checked = GENESIS, 1, 0
    entries = await session.stream_scalars(
        select(AuditEntry).where(AuditEntry.seal.is_not(None)).order_by(AuditEntry.seal)
    )
    async for entry in entries:
        if entry.seal != expected_seal:
            return ChainCheck(checked, entry.id, "an entry before it is missing", 0)
        if entry.previous_hash != previous or entry_digest(previous, entry) != entry.hash:
            return ChainCheck(checked, entry.id, "its content or hash was changed", 0)
        previous, expected_seal, checked = entry.hash, expected_seal + 1, checked + 1
    unsealed = await session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.seal.is_(None))
    )
    return ChainCheck(checked, None, None, unsealed or 0)
