"""Units: the border detachments, posts and crossing points, as one hierarchy."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Unit, UnitKind, User
from bot.services import audit
from bot.services.errors import InvalidInput, NotFound, bounded_text

_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
NAME_MAX_LENGTH = 128


@dataclass(frozen=True)
class UnitNode:
    unit: Unit
    depth: int


def normalize_code(code: str) -> str:
    normalized = code.strip().upper()
    if not _CODE_PATTERN.match(normalized):
        raise InvalidInput("code", "format")
    return normalized


def normalize_name(name: str) -> str:
    return bounded_text(name, "name", 2, NAME_MAX_LENGTH)


async def get_unit(session: AsyncSession, unit_id: int) -> Unit:
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit")
    return unit


async def get_unit_by_code(session: AsyncSession, code: str) -> Unit:
    unit = await session.scalar(select(Unit).where(Unit.code == code.strip().upper()))
    if unit is None:
        raise NotFound("unit")
    return unit


async def create_unit(
    session: AsyncSession,
    actor: User | None,
    code: str,
    name: str,
    parent_id: int | None = None,
    kind: UnitKind = UnitKind.POST,
) -> Unit:
    code = await free_code(session, code)
    name = normalize_name(name)
    if parent_id is not None:
        await get_unit(session, parent_id)
    unit = Unit(code=code, name=name, parent_id=parent_id, kind=kind)
    session.add(unit)
    await session.flush()
    await audit.record(
        session, actor, "unit.created", "unit", unit.id, code=code, parent_id=parent_id
    )
    return unit


async def unit_tree(session: AsyncSession) -> list[UnitNode]:
    """All units depth-first, each parent before its children (few enough to load at once)."""
    units = list((await session.scalars(select(Unit).order_by(Unit.code))).all())
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[UnitNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            ordered.append(UnitNode(unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered


async def subtree_ids(session: AsyncSession, unit_id: int) -> set[int]:
    """The unit and every unit below it."""
    rows = (await session.execute(select(Unit.id, Unit.parent_id))).all()
    children: dict[int | None, list[int]] = {}
    for child_id, parent_id in rows:
        children.setdefault(parent_id, []).append(child_id)
    found, pending = set(), [unit_id]
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(children.get(current, []))
    return found


async def ancestor_ids(session: AsyncSession, unit_id: int) -> list[int]:
    """The unit and its parents up to the top, nearest first."""
    parents = dict((await session.execute(select(Unit.id, Unit.parent_id))).all())
    chain: list[int] = []
    current: int | None = unit_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


async def free_code(session: AsyncSession, code: str) -> str:
    """A well-formed code nobody uses yet, checked before the rest of the form is asked."""
    code = normalize_code(code)
    if await session.scalar(select(func.count()).where(Unit.code == code)):
        raise InvalidInput("code", "taken")
    return code


async def update_unit(
    session: AsyncSession,
    actor: User | None,
    unit_id: int,
    name: str | None = None,
    parent_id: int | None = None,
) -> Unit:
    """Rename a unit or move it under another; a unit never ends up inside itself."""
    unit = await get_unit(session, unit_id)
    changes: dict[str, object] = {}
    if name is not None:
        unit.name = changes["name"] = normalize_name(name)
    if parent_id is not None and parent_id != unit.parent_id:
        if parent_id in await subtree_ids(session, unit.id):
            raise InvalidInput("parent", "cycle")
        await get_unit(session, parent_id)
        unit.parent_id = changes["parent_id"] = parent_id
    if changes:
        await audit.record(session, actor, "unit.changed", "unit", unit.id, **changes)
    return unit
