"""One database session per update, committed once when the handler succeeds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ProcessedUpdate
from bot.db.upsert import insert_ignoring_duplicates
from bot.fsm_storage import update_session

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DatabaseSessionMiddleware(BaseMiddleware):
    """Handlers that confirm a change commit before saying so: a person is only told what is
    stored. Whatever else the update wrote is committed here, or rolled back on an error."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._session_factory() as session:
            data["session"] = session
            token = update_session.set(session)
            try:
                result = await handler(event, data)
                await session.commit()
                return result
            finally:
                update_session.reset(token)


class DuplicateUpdateMiddleware(BaseMiddleware):
    """Claims each update id in its own short transaction before handling it.

    Telegram may deliver an update again (webhook retries, a second process); the claim makes
    the second delivery a no-op even across processes sharing the database.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        async with self._session_factory.begin() as session:
            claimed = await insert_ignoring_duplicates(
                session,
                ProcessedUpdate,
                {"bot_id": data["bot"].id, "update_id": event.update_id},
            )
        if not claimed:
            return None
        return await handler(event, data)
