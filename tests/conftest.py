"""Fixtures: a fresh database of each kind, a fake Bot API over HTTP, and the real bot on it."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import BotApplication
from bot.config import ENV_FILE_VARIABLE, Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_database

if TYPE_CHECKING:
    from tests.fakes.bot_api import FakeBotAPI


def pytest_configure(config: pytest.Config) -> None:
    """Hermetic tests: neither this process nor the CLI processes the tests start (which inherit
    its environment) read a `.env` or the developer's bot settings (BOT_TOKEN, DATABASE_URL,
    REDIS_URL, LOG_FORMAT, ...). tests/test_first_run.py proves it with a hostile `.env`."""
    for name in list(os.environ):
        if name.lower() in Settings.model_fields:
            del os.environ[name]
    os.environ[ENV_FILE_VARIABLE] = os.devnull


ADMIN_ID = 1000
BOT_TOKEN = "123456:TEST-token"
DATABASE_KINDS = ["sqlite", "postgresql"]


async def reset_postgresql(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=DATABASE_KINDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every database test runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set")
    url = Settings(_env_file=None, database_url=url).database_url
    await reset_postgresql(url)
    return url


@pytest.fixture
async def session_factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await upgrade_database(engine)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@pytest.fixture
async def telegram() -> AsyncIterator[FakeBotAPI]:
    from tests.fakes.bot_api import FakeBotAPI

    async with FakeBotAPI() as api:
        yield api


def make_settings(database_url: str, api_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": BOT_TOKEN,
        "database_url": database_url,
        "telegram_api_url": api_url,
        "admin_ids": frozenset({ADMIN_ID}),
        "default_language": "en",
        "shutdown_timeout_seconds": 5,
        # Tests that want a digest queue it with their own clock; none arrives by surprise.
        "digest_time": None,
        "media_dir": Path(tempfile.mkdtemp(prefix="seizure-media-")),
        "last_good_procedures": Path(tempfile.mkdtemp(prefix="seizure-procedures-"))
        / "last-good.json",
        **overrides,
    }
    return Settings(_env_file=None, **values)


class RunningBot:
    """The real application polling the fake Bot API, as `python -m bot` would run it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app: BotApplication | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    async def start(self) -> None:
        self.app = await BotApplication.create(self.settings)
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.app.poll(self._stop, polling_timeout=1))

    async def stop(self) -> None:
        if self.app is None or self._task is None:
            return
        self._stop.set()
        await self._task
        await self.app.close()
        self.app, self._task = None, None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def session_factory(self) -> async_sessionmaker[AsyncSession]:
        assert self.app is not None
        return self.app.session_factory


@pytest.fixture
async def bot_settings(database_url: str, telegram: FakeBotAPI) -> Settings:
    return make_settings(database_url, telegram.base_url)


@pytest.fixture
async def running_bot(bot_settings: Settings) -> AsyncIterator[RunningBot]:
    runner = RunningBot(bot_settings)
    await runner.start()
    yield runner
    await runner.stop()
