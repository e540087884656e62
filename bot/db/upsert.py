"""INSERT … ON CONFLICT for both dialects we run on."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session


def _insert_for(session: AsyncSession | Session, model: type[Any]) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


async def insert_ignoring_duplicates(
    session: AsyncSession, model: type[Any], values: dict[str, Any]
) -> bool:
    """Insert a row unless its key exists; True when this call inserted it."""
    statement = _insert_for(session, model).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(result.rowcount)


def lock_or_create(session: AsyncSession, model: type[Any], values: dict[str, Any]) -> Any:
    """INSERT of a new row, or a lock on the existing one (an update that changes nothing);
    add `.returning(...)` to read the row in the same statement."""
    statement = _insert_for(session, model).values(**values)
    key = [column.name for column in model.__table__.primary_key]
    unchanged = next(name for name in values if name not in key)
    return statement.on_conflict_do_update(
        index_elements=key, set_={unchanged: model.__table__.c[unchanged]}
    )


def upsert_statement(
    session: AsyncSession | Session,
    model: type[Any],
    values: dict[str, Any],
    key: list[str],
    update: list[str] | None = None,
) -> Any:
    """Insert the row, or update an existing one's `update` columns (default: all given)."""
    statement = _insert_for(session, model).values(**values)
    changes = {name: statement.excluded[name] for name in update or values if name not in key}
    return statement.on_conflict_do_update(index_elements=key, set_=changes)


async def upsert_returning_increment(
    session: AsyncSession, model: type[Any], key: dict[str, Any], counter: str
) -> int:
    """Add one to a counter row (creating it at 1) and return the new value, atomically."""
    statement = _insert_for(session, model).values(**key, **{counter: 1})
    column = getattr(model, counter)
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={counter: column + 1}
    ).returning(column)
    return int((await session.execute(statement)).scalar_one())
