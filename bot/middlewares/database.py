"""One database transaction per update, inside the chat's lock: the conversation state is read,
the update claimed, the person loaded and the handler's work done in it, and it is committed
before the next update of the same chat may begin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any, cast

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.strategy import FSMStrategy
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ProcessedUpdate
from bot.db.upsert import insert_ignoring_duplicates
from bot.fsm_storage import DatabaseStorage, update_session

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
# The person behind the update, when already read with the conversation state.
KNOWN_PERSON = "known_person"
# Whether the update was claimed, when claimed in that same statement (PostgreSQL).
UPDATE_CLAIMED = "update_claimed"
# The factory of sessions, for work a handler leaves to run after its update (an export).
SESSION_FACTORY = "session_factory"


def _claimed_row(bot: Bot, update: Update) -> dict[str, int]:
    return {"bot_id": bot.id, "update_id": update.update_id}


class UpdateTransactionMiddleware(FSMContextMiddleware):
    """aiogram's conversation-state middleware, with the update's transaction opened inside the
    chat's lock. Handlers that confirm a change commit before saying so: a person is only told
    what is stored. Whatever else the update wrote is committed here, or rolled back on an
    error; the lock is released only after that, so the next update sees it."""

    def __init__(
        self,
        storage: BaseStorage,
        events_isolation: BaseEventIsolation,
        session_factory: async_sessionmaker[AsyncSession],
    ) -> None:
        super().__init__(
            storage=storage, strategy=FSMStrategy.USER_IN_CHAT, events_isolation=events_isolation
        )
        self._session_factory = session_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context = self.resolve_event_context(cast(Bot, data["bot"]), data)
        data["fsm_storage"] = self.storage
        data[SESSION_FACTORY] = self._session_factory
        lock: AbstractAsyncContextManager[Any] = (
            self.events_isolation.lock(key=context.key) if context else nullcontext()
        )
        async with lock, self._session_factory() as session:
            data["session"] = session
            token = update_session.set(session)
            try:
                sender = data.get("event_from_user")
                if context is not None and sender and isinstance(self.storage, DatabaseStorage):
                    claim = None
                    if isinstance(event, Update):
                        claim = _claimed_row(data["bot"], event)
                    data[KNOWN_PERSON], data[UPDATE_CLAIMED] = await self.storage.read_with_person(
                        session, context.key, sender.id, claim
                    )
                if context is not None:
                    data.update({"state": context, "raw_state": await context.get_state()})
                result = await handler(event, data)
                await session.commit()
                return result
            finally:
                update_session.reset(token)


class DuplicateUpdateMiddleware(BaseMiddleware):
    """Claims each update id in the update's own transaction before handling it.

    Telegram may deliver an update again (webhook retries, a second process); the claim makes
    the second delivery a no-op even across processes sharing the database: it waits for the
    first one's transaction and then finds the claim. An update whose handling failed is rolled
    back with its claim, so a delivery again is handled again.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        claimed = data.get(UPDATE_CLAIMED)
        if claimed is None:
            claimed = await insert_ignoring_duplicates(
                data["session"], ProcessedUpdate, _claimed_row(data["bot"], event)
            )
        if not claimed:
            return None
        return await handler(event, data)
