"""People: first contact, languages, roles, units and status, with every change audited."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import LANGUAGES
from bot.db.models import Role, User, UserStatus
from bot.db.upsert import insert_ignoring_duplicates
from bot.services import audit
from bot.services.errors import AccessDenied, InvalidInput, NotFound
from bot.services.notifications import ACCESS_BLOCKED, ACCESS_GRANTED, enqueue_access_news
from bot.services.permissions import require_admin
from bot.services.units import get_unit, normalize_name

USERS_PAGE_SIZE = 8


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    return user


async def find_by_telegram_id(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.scalar(select(User).where(User.telegram_id == telegram_id))


async def register_contact(
    session: AsyncSession,
    telegram_id: int,
    full_name: str,
    username: str | None,
    known: User | None = None,
) -> User:
    """The user behind an update (`known` when already read), created as pending on first
    contact."""
    user = known or await find_by_telegram_id(session, telegram_id)
    if user is None:
        user = User(
            telegram_id=telegram_id,
            full_name=full_name[:128],
            username=username,
            role=Role.OFFICER,
            status=UserStatus.PENDING,
        )
        session.add(user)
        await session.flush()
        await audit.record(session, user, "user.first_contact", "user", user.id)
    else:
        if username != user.username:
            user.username = username
        if not user.full_name and full_name:
            # People set up by id (ADMIN_IDS, the CLI) get the name Telegram knows them by.
            user.full_name = full_name[:128]
    return user


async def ensure_admins(session: AsyncSession, telegram_ids: Iterable[int]) -> None:
    """ADMIN_IDS are admins from the first start; the setting stays authoritative."""
    for telegram_id in telegram_ids:
        user = await find_by_telegram_id(session, telegram_id)
        if user is None:
            # Replicas start at the same moment: the first insert wins, the others find its row.
            new = {"telegram_id": telegram_id, "full_name": "", "status": UserStatus.PENDING}
            await insert_ignoring_duplicates(session, User, new)
            user = await find_by_telegram_id(session, telegram_id)
            assert user is not None
        if user.role is not Role.ADMIN or user.status is not UserStatus.ACTIVE:
            user.role, user.status = Role.ADMIN, UserStatus.ACTIVE
            await audit.record(session, None, "user.admin_from_settings", "user", user.id)


async def set_language(session: AsyncSession, user: User, language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput("language", "unknown")
    user.language = language


async def list_users(session: AsyncSession, actor: User, page: int = 0) -> tuple[list[User], int]:
    """One page of users, pending first (they wait for someone), then by name."""
    require_admin(actor)
    total = await session.scalar(select(func.count()).select_from(User)) or 0
    pending_first = (User.status != UserStatus.PENDING).asc()
    query = (
        select(User)
        .order_by(pending_first, User.full_name, User.id)
        .offset(max(page, 0) * USERS_PAGE_SIZE)
        .limit(USERS_PAGE_SIZE)
    )
    return list((await session.scalars(query)).all()), total


async def _administer(session: AsyncSession, actor: User, target_id: int) -> User:
    require_admin(actor)
    target = await get_user(session, target_id)
    if target.id == actor.id:
        # An admin locking themselves out would leave nobody to undo it.
        raise AccessDenied()
    return target


async def set_status(
    session: AsyncSession, actor: User, target_id: int, status: UserStatus
) -> User:
    target = await _administer(session, actor, target_id)
    if target.status is not status:
        previous = target.status
        target.status = status
        await audit.record(
            session, actor, "user.status", "user", target.id, old=previous, new=status
        )
        news = {UserStatus.ACTIVE: ACCESS_GRANTED, UserStatus.BLOCKED: ACCESS_BLOCKED}
        if status in news:
            enqueue_access_news(session, target, news[status])
    return target


async def set_role(session: AsyncSession, actor: User, target_id: int, role: Role) -> User:
    target = await _administer(session, actor, target_id)
    if target.role is not role:
        previous = target.role
        target.role = role
        await audit.record(session, actor, "user.role", "user", target.id, old=previous, new=role)
    return target


async def set_unit(session: AsyncSession, actor: User, target_id: int, unit_id: int) -> User:
    target = await _administer(session, actor, target_id)
    await get_unit(session, unit_id)
    if target.unit_id != unit_id:
        previous = target.unit_id
        target.unit_id = unit_id
        await audit.record(
            session, actor, "user.unit", "user", target.id, old=previous, new=unit_id
        )
    return target


async def upsert_user(
    session: AsyncSession,
    telegram_id: int,
    role: Role,
    unit_id: int | None = None,
    full_name: str | None = None,
    language: str | None = None,
) -> User:
    """Set up a person from the command line: active, with the given role and unit."""
    if language is not None and language not in LANGUAGES:
        raise InvalidInput("language", "unknown")
    user = await find_by_telegram_id(session, telegram_id)
    if user is None:
        user = User(telegram_id=telegram_id, full_name="")
        session.add(user)
    user.role, user.status = role, UserStatus.ACTIVE
    if unit_id is not None:
        user.unit_id = unit_id
    if full_name is not None:
        user.full_name = normalize_name(full_name)
    if language is not None:
        user.language = language
    await session.flush()
    await audit.record(
        session, None, "user.set_up", "user", user.id, role=role, unit_id=unit_id, source="cli"
    )
    return user


async def all_users(session: AsyncSession) -> list[User]:
    return list((await session.scalars(select(User).order_by(User.id))).all())
