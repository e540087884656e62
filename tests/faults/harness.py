"""The real dispatcher fed one update at a time, for the fuzz and log tests.

Updates are built by the fake Bot API's people (so they look like Telegram's) and handed
straight to `Dispatcher.feed_update` with the real bot, which still talks HTTP to the fake:
each call returns once the update is handled, committed and answered.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Update
from sqlalchemy import func, select

from bot.app import BotApplication
from bot.db.models import (
    AccessRequest,
    AuditEntry,
    Invite,
    Notification,
    ProcedureRun,
    ProcedureStepEvent,
    ReportDraft,
    ReportPhoto,
    ReportRevision,
    SeizureReport,
    Unit,
    User,
)
from bot.log_context import UpdateContext, configure_logging
from tests.conftest import BOT_TOKEN
from tests.fakes.bot_api import BotMessage, FakeBotAPI, FakeUser

WEBHOOK_SECRET = "webhook-s3cret_42"
COUNTED = (
    SeizureReport,
    ReportRevision,
    ReportDraft,
    ReportPhoto,
    Notification,
    AccessRequest,
    Invite,
    Unit,
    ProcedureRun,
    ProcedureStepEvent,
)


class Records(logging.Handler):
    """Every log record, as emitted (the level of the logger decides what arrives)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def at_least(self, level: int) -> list[logging.LogRecord]:
        return [record for record in self.records if record.levelno >= level]


class Captured:
    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.records = Records()
        self.records.addFilter(UpdateContext())


@pytest.fixture(name="captured")
def captured_logs() -> Iterator[Captured]:
    """The process's log configuration at INFO, writing to a buffer; restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    capture = Captured()
    secrets = (BOT_TOKEN, WEBHOOK_SECRET)
    configure_logging("INFO", secrets=secrets, stream=capture.stream, force=True)
    root.addHandler(capture.records)
    try:
        yield capture
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@dataclass
class Snapshot:
    state: str | None
    data: dict[str, Any] = field(default_factory=dict)


class Harness:
    def __init__(self, app: BotApplication, telegram: FakeBotAPI) -> None:
        self.app, self.telegram = app, telegram
        self.records = Records()

    async def feed(self) -> Any:
        """Handle the update the fake queued last, as polling or the webhook would."""
        raw = self.telegram.pushed_updates[-1]
        update = Update.model_validate(raw, context={"bot": self.app.bot})
        return await self.app.dispatcher.feed_update(self.app.bot, update)

    async def push(self, update: dict[str, Any]) -> int:
        update_id = self.telegram.push_update(update)
        await self.feed()
        return update_id

    async def send(self, user: FakeUser, text: str) -> BotMessage:
        await user.send(text)
        await self.feed()
        return await user.receive()

    async def press(self, user: FakeUser, label: str, message: BotMessage | None = None) -> None:
        await user.press(label, message)
        await self.feed()

    async def press_data(self, user: FakeUser, data: str, message_id: int | None = None) -> None:
        await user.press_data(data, message_id)
        await self.feed()

    def events(self, user: FakeUser) -> int:
        """How many messages the bot sent or edited in this chat so far."""
        return len(self.telegram._events[user.id])

    def skip_to_end(self, user: FakeUser) -> None:
        user._cursor = self.events(user)

    def key(self, user: FakeUser) -> StorageKey:
        return StorageKey(bot_id=self.app.bot.id, chat_id=user.id, user_id=user.id)

    async def snapshot(self, user: FakeUser) -> Snapshot:
        storage = self.app.dispatcher.storage
        key = self.key(user)
        return Snapshot(await storage.get_state(key), await storage.get_data(key))

    async def restore(self, user: FakeUser, snapshot: Snapshot) -> None:
        storage = self.app.dispatcher.storage
        key = self.key(user)
        await storage.set_state(key, snapshot.state)
        await storage.set_data(key, snapshot.data)

    async def fingerprint(self) -> dict[str, Any]:
        """What a refused input must leave as it was: row counts, the drafts' content, people's
        access, and the audit trail (a stranger's first contact aside)."""
        async with self.app.session_factory() as session:
            counts = {
                model.__tablename__: await session.scalar(select(func.count()).select_from(model))
                for model in COUNTED
            }
            counts["audit_log"] = await session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action != "user.first_contact")
            )
            drafts = [
                (draft.id, json.dumps(draft.content, sort_keys=True, default=str))
                for draft in await session.scalars(select(ReportDraft).order_by(ReportDraft.id))
            ]
            people = {
                user.telegram_id: (user.role, user.status, user.unit_id)
                for user in await session.scalars(select(User))
            }
        counts["drafts"] = hashlib.sha256(repr(drafts).encode()).hexdigest()
        counts["people"] = people
        return counts


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What differs between two fingerprints; a person met for the first time is no change."""
    differences = {
        name: (value, after[name])
        for name, value in before.items()
        if name != "people" and after[name] != value
    }
    people = {
        telegram_id: (access, after["people"].get(telegram_id))
        for telegram_id, access in before["people"].items()
        if after["people"].get(telegram_id) != access
    }
    return differences | ({"people": people} if people else {})
