"""The audit log cannot be changed silently: a changed or deleted entry is named."""

from __future__ import annotations

from sqlalchemy import delete, update

from bot.db.models import AuditEntry, Role
from bot.services import audit, users
from tests.test_cli import cli


async def audited_history(session_factory) -> None:
    async with session_factory.begin() as session:
        for number in range(5):
            await users.upsert_user(session, 60_000 + number, Role.OFFICER, full_name=f"P{number}")
        await audit.seal_pending(session)
    async with session_factory.begin() as session:
        await users.upsert_user(session, 60_100, Role.SUPERVISOR, full_name="Later")
        await audit.seal_pending(session)


async def test_an_untouched_chain_verifies(session_factory):
    await audited_history(session_factory)
    async with session_factory() as session:
        check = await audit.verify_chain(session)
    assert (check.checked, check.broken_entry_id, check.unsealed) == (6, None, 0)


async def test_a_changed_entry_is_named(session_factory):
    await audited_history(session_factory)
    async with session_factory.begin() as session:
        await session.execute(
            update(AuditEntry).where(AuditEntry.id == 3).values(details={"role": "admin"})
        )
    async with session_factory() as session:
        check = await audit.verify_chain(session)
    assert (check.broken_entry_id, check.checked) == (3, 2)


async def test_a_deleted_entry_is_noticed(session_factory):
    await audited_history(session_factory)
    async with session_factory.begin() as session:
        await session.execute(delete(AuditEntry).where(AuditEntry.id == 4))
    async with session_factory() as session:
        check = await audit.verify_chain(session)
    assert check.broken_entry_id == 5 and "missing" in check.problem


async def test_verify_command_fails_on_a_broken_chain(session_factory, database_url):
    await audited_history(session_factory)
    assert "intact: 6 entries" in cli(database_url, "audit", "verify").stdout
    async with session_factory.begin() as session:
        await session.execute(update(AuditEntry).where(AuditEntry.id == 2).values(action="forged"))
    result = cli(database_url, "audit", "verify")
    assert result.returncode == 1 and "entry 2" in result.stderr
