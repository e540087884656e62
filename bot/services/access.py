"""Getting access: requests that admins or unit supervisors decide, and one-time invites."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AccessRequest,
    Invite,
    RequestStatus,
    Role,
    User,
    UserStatus,
    utcnow,
)
from bot.services import audit
from bot.services.errors import (
    AccessDenied,
    AlreadyDecided,
    InvalidInput,
    InviteRefused,
    NotFound,
    RequestOutdated,
)
from bot.services.notifications import (
    ACCESS_APPROVED,
    ACCESS_DECLINED,
    enqueue_access_news,
    enqueue_access_request,
)
from bot.services.permissions import require_active, require_manages_unit
from bot.services.units import ancestor_ids, get_unit, normalize_name

# What changes a person's access after they asked for it: such a request is not decided any more.
ACCESS_CHANGES = ("user.status", "user.role", "user.admin_from_settings", "user.set_up")


@dataclass(frozen=True)
class SubmittedRequest:
    request: AccessRequest
    reviewers: list[User]


async def reviewers_for_unit(session: AsyncSession, unit_id: int) -> list[User]:
    """Active admins, and active supervisors of the unit or of any unit above it."""
    chain = await ancestor_ids(session, unit_id)
    query = select(User).where(
        User.status == UserStatus.ACTIVE,
        or_(
            User.role == Role.ADMIN,
            (User.role == Role.SUPERVISOR) & User.unit_id.in_(chain),
        ),
    )
    return list((await session.scalars(query.order_by(User.id))).all())


def validate_person_name(name: str) -> str:
    normalized = normalize_name(name)
    if not any(character.isalpha() for character in normalized):
        raise InvalidInput("name", "no_letters")
    return normalized


async def submit_access_request(
    session: AsyncSession, user: User, full_name: str, unit_id: int
) -> SubmittedRequest:
    if user.status is not UserStatus.PENDING:
        raise AccessDenied()
    full_name = validate_person_name(full_name)
    await get_unit(session, unit_id)
    request = await session.scalar(
        select(AccessRequest).where(
            AccessRequest.user_id == user.id, AccessRequest.status == RequestStatus.PENDING
        )
    )
    if request is None:
        request = AccessRequest(user_id=user.id, full_name=full_name, unit_id=unit_id)
        session.add(request)
    else:
        request.full_name, request.unit_id = full_name, unit_id
    user.full_name = full_name
    await session.flush()
    await audit.record(
        session, user, "access.requested", "access_request", request.id, unit_id=unit_id
    )
    reviewers = await reviewers_for_unit(session, unit_id)
    enqueue_access_request(session, request.id, reviewers)
    return SubmittedRequest(request, reviewers)


async def pending_request_of(session: AsyncSession, user: User) -> AccessRequest | None:
    return await session.scalar(
        select(AccessRequest).where(
            AccessRequest.user_id == user.id, AccessRequest.status == RequestStatus.PENDING
        )
    )


@dataclass(frozen=True)
class Decision:
    request: AccessRequest
    applicant: User


async def decide_access_request(
    session: AsyncSession, actor: User, request_id: int, approve: bool
) -> Decision:
    request = await session.get(AccessRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound("access_request")
    await require_manages_unit(session, actor, request.unit_id)
    if request.status is not RequestStatus.PENDING:
        decider = await session.get(User, request.decided_by_id) if request.decided_by_id else None
        raise AlreadyDecided(
            decider.full_name if decider else None, request.status is RequestStatus.APPROVED
        )
    applicant = await session.get(User, request.user_id)
    if applicant is None:
        raise NotFound("user")
    if applicant.status is not UserStatus.PENDING:
        raise await _outdated(session, applicant)
    request.status = RequestStatus.APPROVED if approve else RequestStatus.DENIED
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    if approve:
        applicant.status, applicant.role = UserStatus.ACTIVE, Role.OFFICER
        applicant.unit_id, applicant.full_name = request.unit_id, request.full_name
    action = "access.approved" if approve else "access.denied"
    await audit.record(session, actor, action, "access_request", request.id, user_id=applicant.id)
    enqueue_access_news(session, applicant, ACCESS_APPROVED if approve else ACCESS_DECLINED)
    return Decision(request, applicant)


async def _outdated(session: AsyncSession, applicant: User) -> RequestOutdated:
    """Who last changed the applicant's access, and when, for the refusal."""
    changes = [
        entry
        for entry in await audit.entries_for(session, "user", applicant.id)
        if entry.action in ACCESS_CHANGES
    ]
    last = changes[-1] if changes else None
    changed_by = await session.get(User, last.actor_id) if last and last.actor_id else None
    return RequestOutdated(
        applicant.status.value,
        applicant.role.value,
        changed_by.full_name if changed_by else None,
        last.at if last else None,
    )


async def create_invite(
    session: AsyncSession, actor: User, role: Role, unit_id: int, ttl: timedelta
) -> Invite:
    require_active(actor)
    await get_unit(session, unit_id)
    await require_manages_unit(session, actor, unit_id)
    if actor.role is not Role.ADMIN and role is not Role.OFFICER:
        # Supervisors bring in officers; only admins hand out higher roles.
        raise AccessDenied()
    invite = Invite(
        code=secrets.token_urlsafe(12),
        role=role,
        unit_id=unit_id,
        created_by_id=actor.id,
        expires_at=utcnow() + ttl,
    )
    session.add(invite)
    await session.flush()
    await audit.record(session, actor, "invite.created", "invite", invite.id, role=role)
    return invite


async def redeem_invite(
    session: AsyncSession, user: User, code: str, now: datetime | None = None
) -> Invite:
    """Use an invite once; the single UPDATE makes two simultaneous uses impossible."""
    now = now or utcnow()
    if user.status is UserStatus.BLOCKED:
        raise InviteRefused("blocked")
    if user.status is UserStatus.ACTIVE:
        raise InviteRefused("already_active")
    invite = await session.scalar(select(Invite).where(Invite.code == code))
    if invite is None:
        raise InviteRefused("unknown")
    if invite.used_at is not None:
        raise InviteRefused("used")
    if invite.expires_at <= now:
        raise InviteRefused("expired")
    claimed = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None))
        .values(used_at=now, used_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise InviteRefused("used")
    user.status, user.role, user.unit_id = UserStatus.ACTIVE, invite.role, invite.unit_id
    await session.execute(
        update(AccessRequest)
        .where(AccessRequest.user_id == user.id, AccessRequest.status == RequestStatus.PENDING)
        .values(status=RequestStatus.APPROVED, decided_by_id=invite.created_by_id, decided_at=now)
    )
    await audit.record(session, user, "invite.used", "invite", invite.id, role=invite.role)
    return invite
