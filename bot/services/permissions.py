"""Who may do what: checked on the server for every action, whatever the button said."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Role, User
from bot.services.errors import AccessDenied
from bot.services.units import subtree_ids


def require_active(actor: User) -> None:
    if not actor.is_active:
        raise AccessDenied()


def require_admin(actor: User) -> None:
    require_active(actor)
    if actor.role is not Role.ADMIN:
        raise AccessDenied()


async def managed_unit_ids(session: AsyncSession, actor: User) -> set[int] | None:
    """Units an actor manages: None means all (admins); a supervisor manages their subtree."""
    require_active(actor)
    if actor.role is Role.ADMIN:
        return None
    if actor.role is Role.SUPERVISOR and actor.unit_id is not None:
        return await subtree_ids(session, actor.unit_id)
    return set()


async def require_manages_unit(session: AsyncSession, actor: User, unit_id: int) -> None:
    managed = await managed_unit_ids(session, actor)
    if managed is not None and unit_id not in managed:
        raise AccessDenied()
