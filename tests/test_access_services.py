"""Access rules on both databases: requests, decisions, invites, supervisors' reach."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, RequestStatus, Role, UserStatus, utcnow
from bot.services import access, units, users
from bot.services.errors import (
    AccessDenied,
    AlreadyDecided,
    InvalidInput,
    InviteRefused,
    RequestOutdated,
)


async def person(session: AsyncSession, telegram_id: int, name: str = "Person"):
    return await users.register_contact(session, telegram_id, name, None)


async def active(session: AsyncSession, telegram_id: int, role: Role, unit_code: str | None):
    unit = await units.get_unit_by_code(session, unit_code) if unit_code else None
    return await users.upsert_user(
        session,
        telegram_id,
        role,
        unit_id=unit.id if unit else None,
        full_name=f"{role} {telegram_id}",
    )


async def test_stranger_request_reaches_admins_and_supervisors_above_the_unit(session):
    admin = await active(session, 1, Role.ADMIN, None)
    chuy_chief = await active(session, 2, Role.SUPERVISOR, "CHUY")
    osh_chief = await active(session, 3, Role.SUPERVISOR, "OSH")
    stranger = await person(session, 10)
    kainda = await units.get_unit_by_code(session, "KAINDA")

    submitted = await access.submit_access_request(
        session, stranger, "Sgt. Asanov Bakyt", kainda.id
    )

    assert {reviewer.id for reviewer in submitted.reviewers} == {admin.id, chuy_chief.id}
    assert osh_chief.id not in {reviewer.id for reviewer in submitted.reviewers}
    assert stranger.full_name == "Sgt. Asanov Bakyt"


async def test_a_name_without_letters_is_refused(session):
    stranger = await person(session, 10)
    kainda = await units.get_unit_by_code(session, "KAINDA")
    with pytest.raises(InvalidInput) as problem:
        await access.submit_access_request(session, stranger, "12345", kainda.id)
    assert problem.value.reason == "no_letters"


async def test_supervisor_of_another_unit_cannot_decide(session):
    osh_chief = await active(session, 3, Role.SUPERVISOR, "OSH")
    stranger = await person(session, 10)
    kainda = await units.get_unit_by_code(session, "KAINDA")
    submitted = await access.submit_access_request(session, stranger, "Asanov", kainda.id)

    with pytest.raises(AccessDenied):
        await access.decide_access_request(session, osh_chief, submitted.request.id, approve=True)
    assert stranger.status is UserStatus.PENDING


async def test_second_decision_names_who_decided_first(session):
    admin = await active(session, 1, Role.ADMIN, None)
    chuy_chief = await active(session, 2, Role.SUPERVISOR, "CHUY")
    stranger = await person(session, 10)
    kainda = await units.get_unit_by_code(session, "KAINDA")
    submitted = await access.submit_access_request(session, stranger, "Asanov", kainda.id)

    await access.decide_access_request(session, chuy_chief, submitted.request.id, approve=True)
    with pytest.raises(AlreadyDecided) as already:
        await access.decide_access_request(session, admin, submitted.request.id, approve=False)

    assert already.value.decided_by == chuy_chief.full_name and already.value.approved
    assert stranger.status is UserStatus.ACTIVE and stranger.unit_id == kainda.id
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "access.requested" in actions and "access.approved" in actions


@pytest.mark.parametrize("change", ["blocked", "promoted"])
async def test_an_old_request_cannot_undo_a_block_or_a_promotion_made_since(session, change):
    admin = await active(session, 1, Role.ADMIN, None)
    chuy_chief = await active(session, 2, Role.SUPERVISOR, "CHUY")
    stranger = await person(session, 10)
    kainda = await units.get_unit_by_code(session, "KAINDA")
    submitted = await access.submit_access_request(session, stranger, "Asanov", kainda.id)
    if change == "blocked":
        await users.set_status(session, admin, stranger.id, UserStatus.BLOCKED)
    else:
        await users.set_status(session, admin, stranger.id, UserStatus.ACTIVE)
        await users.set_role(session, admin, stranger.id, Role.SUPERVISOR)
    before = (stranger.status, stranger.role)

    for decider, approve in ((chuy_chief, True), (admin, False)):
        with pytest.raises(RequestOutdated) as outdated:
            await access.decide_access_request(session, decider, submitted.request.id, approve)
        assert outdated.value.changed_by == admin.full_name
        assert outdated.value.changed_at is not None
        assert (outdated.value.status, outdated.value.role) == (before[0].value, before[1].value)

    assert (stranger.status, stranger.role) == before
    assert submitted.request.status is RequestStatus.PENDING


async def test_invite_works_once(session):
    admin = await active(session, 1, Role.ADMIN, None)
    dostuk = await units.get_unit_by_code(session, "DOSTUK")
    invite = await access.create_invite(
        session, admin, Role.SUPERVISOR, dostuk.id, timedelta(hours=72)
    )
    first, second = await person(session, 20), await person(session, 21)

    await access.redeem_invite(session, first, invite.code)
    with pytest.raises(InviteRefused) as refused:
        await access.redeem_invite(session, second, invite.code)

    assert (first.status, first.role, first.unit_id) == (
        UserStatus.ACTIVE,
        Role.SUPERVISOR,
        dostuk.id,
    )
    assert refused.value.reason == "used" and second.status is UserStatus.PENDING


async def test_invite_expires(session):
    admin = await active(session, 1, Role.ADMIN, None)
    dostuk = await units.get_unit_by_code(session, "DOSTUK")
    invite = await access.create_invite(
        session, admin, Role.OFFICER, dostuk.id, timedelta(hours=72)
    )
    newcomer = await person(session, 20)

    with pytest.raises(InviteRefused) as refused:
        await access.redeem_invite(
            session, newcomer, invite.code, now=utcnow() + timedelta(hours=73)
        )
    assert refused.value.reason == "expired" and newcomer.status is UserStatus.PENDING


async def test_supervisor_invites_only_officers_of_own_units(session):
    chuy_chief = await active(session, 2, Role.SUPERVISOR, "CHUY")
    kainda = await units.get_unit_by_code(session, "KAINDA")
    dostuk = await units.get_unit_by_code(session, "DOSTUK")

    invite = await access.create_invite(
        session, chuy_chief, Role.OFFICER, kainda.id, timedelta(hours=1)
    )
    assert invite.role is Role.OFFICER
    with pytest.raises(AccessDenied):
        await access.create_invite(session, chuy_chief, Role.ADMIN, kainda.id, timedelta(hours=1))
    with pytest.raises(AccessDenied):
        await access.create_invite(session, chuy_chief, Role.OFFICER, dostuk.id, timedelta(hours=1))


async def test_invite_closes_a_pending_request(session):
    admin = await active(session, 1, Role.ADMIN, None)
    dostuk = await units.get_unit_by_code(session, "DOSTUK")
    newcomer = await person(session, 20)
    submitted = await access.submit_access_request(session, newcomer, "Asanov", dostuk.id)
    invite = await access.create_invite(session, admin, Role.OFFICER, dostuk.id, timedelta(hours=1))

    await access.redeem_invite(session, newcomer, invite.code)
    await session.refresh(submitted.request)
    assert submitted.request.status is RequestStatus.APPROVED


async def test_officer_cannot_administer(session):
    officer = await active(session, 5, Role.OFFICER, "DOSTUK")
    other = await person(session, 6)
    with pytest.raises(AccessDenied):
        await users.set_role(session, officer, other.id, Role.ADMIN)
    with pytest.raises(AccessDenied):
        await users.list_users(session, officer)


async def test_admin_cannot_block_themselves(session):
    admin = await active(session, 1, Role.ADMIN, None)
    with pytest.raises(AccessDenied):
        await users.set_status(session, admin, admin.id, UserStatus.BLOCKED)


async def test_admins_from_settings_are_active_admins(session):
    await users.ensure_admins(session, [77])
    admin = await users.find_by_telegram_id(session, 77)
    assert admin is not None and (admin.role, admin.status) == (Role.ADMIN, UserStatus.ACTIVE)


async def test_unit_codes_are_checked(session):
    with pytest.raises(InvalidInput) as bad:
        await units.create_unit(session, None, "не код", "Post")
    assert bad.value.reason == "format"
    with pytest.raises(InvalidInput) as taken:
        await units.create_unit(session, None, "dostuk", "Another Dostuk")
    assert taken.value.reason == "taken"
    created = await units.create_unit(session, None, "new-post", "New post")
    assert created.code == "NEW-POST"


async def test_crossing_points_are_seeded_in_the_hierarchy(session):
    kainda = await units.get_unit_by_code(session, "KAINDA")
    chain = await units.ancestor_ids(session, kainda.id)
    codes = [(await units.get_unit(session, unit_id)).code for unit_id in chain]
    assert codes == ["KAINDA", "CHUY", "BS"]
    assert kainda.crossing_type == "rail" and kainda.display_name("ky") == "Кайыңды"
