"""PostgreSQL and Redis cut (or silenced) in the middle of an officer's quick log, through a
TCP proxy in front of each: the officer is told once, in their language, that the service is
unavailable; nothing is stored twice or lost; once the service is back the bot answers again
within seconds. Also: a chat whose lock is held answers "busy" instead of hanging, and an export
runs outside the chat's lock.

The PostgreSQL cases need TEST_DATABASE_URL, the Redis ones a Redis on 127.0.0.1:6379 (db 7,
flushed); both are skipped otherwise.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import DEFAULT_DESTINY, StorageKey
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.db import engine as db_engine
from bot.db.models import AuditEntry, SeizureReport
from bot.middlewares.outage import busy_notice
from tests.conftest import RunningBot, make_settings, reset_postgresql
from tests.fakes.bot_api import BotMessage, FakeBotAPI, FakeUser
from tests.faults.proxy import TcpProxy
from tests.scenario import eventually, i18n_for_tests, tr
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_quick_log import start_quick_log

REDIS = ("127.0.0.1", 6379)
REDIS_DB = 7
# The promise: after the service is back, the bot answers within this.
RECOVERY_SECONDS = 5.0
NOTICE = (
    "The service is temporarily unavailable. Nothing you sent is lost: it will be handled "
    "as soon as the service is back."
)


def notice(language: str) -> str:
    return tr(language, NOTICE)


def busy(language: str) -> str:
    with i18n_for_tests().context(), i18n_for_tests().use_locale(language):
        return busy_notice()


async def _redis_reachable() -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(*REDIS), 1)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


@pytest.fixture
async def postgres_proxy() -> AsyncIterator[tuple[TcpProxy, str]]:
    """A proxy in front of the test database, and the database's URL through it."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set")
    url = Settings(_env_file=None, database_url=url).database_url
    await reset_postgresql(url)
    target = make_url(url)
    async with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        proxied = target.set(host="127.0.0.1", port=proxy.port)
        yield proxy, proxied.render_as_string(hide_password=False)


@asynccontextmanager
async def redis_behind_proxy() -> AsyncIterator[tuple[TcpProxy, str]]:
    if not await _redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    from redis.asyncio import Redis

    direct = Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB)
    await direct.flushdb()
    await direct.aclose()
    async with TcpProxy(*REDIS) as proxy:
        yield proxy, f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}"


@pytest.fixture
async def redis_proxy() -> AsyncIterator[tuple[TcpProxy, str]]:
    """A proxy in front of Redis (db 7, emptied), and its URL through the proxy."""
    async with redis_behind_proxy() as proxied:
        yield proxied


@pytest.fixture(params=["database", "redis"])
async def chat_storage(request: pytest.FixtureRequest) -> AsyncIterator[dict[str, object]]:
    """Settings for each place the chat's lock can live: this process, or Redis."""
    if request.param == "database":
        yield {}
        return
    async with redis_behind_proxy() as (_, url):
        yield {"redis_url": url}


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
async def start_bot(telegram: FakeBotAPI) -> AsyncIterator:
    runners: list[RunningBot] = []

    async def start(database_url: str, **overrides: object) -> RunningBot:
        runner = RunningBot(make_settings(database_url, telegram.base_url, **overrides))
        await runner.start()
        runners.append(runner)
        return runner

    yield start
    for runner in runners:
        await runner.stop()


async def officer_at_the_place_question(
    running_bot: RunningBot, telegram: FakeBotAPI, language: str = "en"
) -> FakeUser:
    """An officer who has used the bot (so it knows their language) and has just been asked
    where the seizure was."""
    await set_up_officer(running_bot, language=language)
    # Telegram never reports Kyrgyz: a notice in Kyrgyz is the language the bot remembered.
    officer = telegram.user(OFFICER_ID, "Bekov", language_code="ru")
    await start_quick_log(officer, language)
    await settled(running_bot)
    return officer


async def settled(running_bot: RunningBot) -> None:
    """Every update handled to its commit: what the officer saw is stored."""
    assert running_bot.app is not None
    in_flight = running_bot.app.in_flight
    await eventually(lambda: in_flight.count == 0)


async def finish_quick_log(officer: FakeUser, language: str, place: str) -> BotMessage:
    """From the place question to the filed report; the place typed (again, after an outage)
    is taken once, whichever of the two deliveries gets there first."""
    await officer.send(place)
    start = time.monotonic()
    await officer.receive_until(lambda m: m.text == tr(language, "📍 Place noted."), 5)
    waited = time.monotonic() - start
    count = await officer.receive_until(lambda m: m.has_button(tr(language, "1")), 5)
    await officer.press(tr(language, "1"), count)
    danger = await officer.receive_until(
        lambda m: m.has_button(tr(language, "✅ Nobody in danger")), 5
    )
    await officer.press(tr(language, "✅ Nobody in danger"), danger)
    filed = await officer.receive_until(lambda m: m.text.startswith("⚡"), 5)
    assert waited < RECOVERY_SECONDS, f"answered {waited:.1f} s after the service came back"
    return filed


def notices_seen(telegram: FakeBotAPI, officer: FakeUser, text: str) -> int:
    """The notice as a message in the chat or as the answer to a button press."""
    messages = [m for m in telegram.chat_messages(officer.id) if m.text == text]
    alerts = [a for a in officer.callback_answers() if a.get("text") == text]
    return len(messages) + len(alerts)


async def stored_reports(running_bot: RunningBot) -> list[SeizureReport]:
    async with running_bot.session_factory() as session:
        return list(await session.scalars(select(SeizureReport)))


# --- PostgreSQL --------------------------------------------------------------------------------


async def test_a_database_outage_is_told_once_and_the_report_goes_on_after_it(
    postgres_proxy, start_bot, telegram
):
    proxy, url = postgres_proxy
    running_bot = await start_bot(url)
    officer = await officer_at_the_place_question(running_bot, telegram, "ky")

    await proxy.cut()
    await officer.send("Parking lot B")
    told = await officer.receive(timeout=5)
    # In Kyrgyz, which Telegram never reports: the language the bot remembered for them.
    assert told.text == notice("ky")
    # Sent again, and tried again by the bot meanwhile: still one notice for this outage.
    await officer.send("Parking lot B")
    await asyncio.sleep(2.5)
    assert notices_seen(telegram, officer, notice("ky")) == 1

    await proxy.restore()
    filed = await finish_quick_log(officer, "ky", "Parking lot B")

    [report] = await stored_reports(running_bot)
    assert report.place_text == "Parking lot B" and report.number in filed.text
    assert notices_seen(telegram, officer, notice("ky")) == 1


async def test_connections_closed_while_idle_are_replaced_at_once(
    postgres_proxy, start_bot, telegram
):
    """A database restart between two messages: the pooled connections are dead, and the next
    message is answered as usual (pool_pre_ping), not with the notice."""
    proxy, url = postgres_proxy
    running_bot = await start_bot(url)
    officer = await officer_at_the_place_question(running_bot, telegram)

    await proxy.cut()
    await proxy.restore()
    await finish_quick_log(officer, "en", "Parking lot B")
    assert notices_seen(telegram, officer, notice("en")) == 0
    assert len(await stored_reports(running_bot)) == 1


async def test_a_silent_database_is_given_up_on_within_its_timeouts(
    postgres_proxy, start_bot, telegram, monkeypatch
):
    """Packets dropped instead of connections closed: only the driver's timeouts end the wait
    — on a pooled connection (command timeout) and on a new one (connect timeout)."""
    monkeypatch.setattr(db_engine, "COMMAND_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(db_engine, "CONNECT_TIMEOUT_SECONDS", 1.0)
    proxy, url = postgres_proxy
    running_bot = await start_bot(url)
    officer = await officer_at_the_place_question(running_bot, telegram)

    await proxy.stall()
    await officer.send("Parking lot B")
    assert (await officer.receive(timeout=4)).text == notice("en")
    await proxy.restore()
    await finish_quick_log(officer, "en", "Parking lot B")

    await settled(running_bot)
    await proxy.stall()
    assert running_bot.app is not None
    await running_bot.app.engine.dispose()  # nothing pooled: the next update must connect
    await officer.send(tr("en", "🗂 My reports"))
    assert (await officer.receive(timeout=4)).text == notice("en")
    await proxy.restore()
    start = time.monotonic()
    listing = await officer.receive(timeout=RECOVERY_SECONDS)
    assert listing.inline_buttons, listing.summary()
    assert time.monotonic() - start < RECOVERY_SECONDS
    assert len(await stored_reports(running_bot)) == 1


# --- Redis -------------------------------------------------------------------------------------


def chat_lock_key(running_bot: RunningBot, chat_id: int) -> StorageKey:
    assert running_bot.app is not None
    return StorageKey(
        bot_id=running_bot.app.bot.id, chat_id=chat_id, user_id=chat_id, destiny=DEFAULT_DESTINY
    )


async def photo_held_at_the_danger_question(running_bot: RunningBot, telegram, monkeypatch):
    """An officer's quick log at its danger question, and a photo whose keeping waits, holding
    the chat's lock, until the event returned is set: (officer, danger question, event)."""
    from handlers.reports import quick_log

    officer = await officer_at_the_place_question(running_bot, telegram)
    await officer.send("Parking lot B")
    await officer.press(tr("en", "1"), await officer.receive_until(lambda m: m.has_button("1")))
    danger = await officer.receive_until(lambda m: m.has_button(tr("en", "✅ Nobody in danger")))
    await settled(running_bot)

    entered, go_on = asyncio.Event(), asyncio.Event()
    keep_photo = quick_log.keep_photo

    async def slow_keep_photo(*args, **kwargs):
        entered.set()
        await go_on.wait()
        return await keep_photo(*args, **kwargs)

    monkeypatch.setattr(quick_log, "keep_photo", slow_keep_photo)
    await officer.send_photo()
    await asyncio.wait_for(entered.wait(), 5)
    return officer, danger, go_on


async def test_a_redis_outage_while_an_update_holds_the_chat_lock(
    redis_proxy, sqlite_url, start_bot, telegram, monkeypatch
):
    """Redis goes away while a photo is being handled: the officer is told once, the chat's
    lock (which the update could not release) is released as soon as Redis is back, and the
    next press is answered within seconds, not when the lock expires."""
    from redis.asyncio import Redis

    proxy, url = redis_proxy
    running_bot = await start_bot(sqlite_url, redis_url=url)
    officer, danger, go_on = await photo_held_at_the_danger_question(
        running_bot, telegram, monkeypatch
    )
    direct = Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB)
    try:
        [lock] = await direct.keys("*:lock")
        # The lock expires in seconds unless renewed, not aiogram's 60 s.
        assert 0 < await direct.pttl(lock) <= 10_000
        await proxy.cut()
        go_on.set()
        assert (await officer.receive(timeout=5)).text == notice("en")
        assert await direct.exists(lock)  # left behind: the update could not release it

        await proxy.restore()
        start = time.monotonic()
        await officer.press(tr("en", "✅ Nobody in danger"), danger)
        filed = await officer.receive_until(lambda m: m.text.startswith("⚡"), 10)
        waited = time.monotonic() - start
        assert waited < RECOVERY_SECONDS, f"answered {waited:.1f} s after Redis came back"
        await settled(running_bot)
        assert not await direct.exists(lock)
    finally:
        await direct.aclose()
    [report] = await stored_reports(running_bot)
    assert report.number in filed.text and report.place_text == "Parking lot B"
    assert notices_seen(telegram, officer, notice("en")) == 1


async def test_the_chat_lock_is_kept_while_its_update_runs(
    redis_proxy, sqlite_url, start_bot, telegram, monkeypatch
):
    """The lock expires soon unless renewed, and its update renews it while it runs: a slow
    update keeps its chat to itself past the expiry."""
    from redis.asyncio import Redis

    from bot import fsm_storage

    monkeypatch.setattr(fsm_storage, "LOCK_EXPIRY_SECONDS", 0.6)
    _, url = redis_proxy
    running_bot = await start_bot(sqlite_url, redis_url=url)
    officer, _, go_on = await photo_held_at_the_danger_question(running_bot, telegram, monkeypatch)
    direct = Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB)
    try:
        await asyncio.sleep(1.5)  # well past the expiry
        assert len(await direct.keys("*:lock")) == 1
        go_on.set()
        assert (await officer.receive()).text == tr("en", "📷 Photo added ({count}).", count=1)
        await settled(running_bot)
        assert await direct.keys("*:lock") == []
    finally:
        await direct.aclose()


async def test_redis_connections_closed_while_idle_are_replaced_at_once(
    redis_proxy, sqlite_url, start_bot, telegram
):
    """Redis restarted between two messages: the next one is answered as usual (the client's
    pool checks a connection when it takes it), not with the notice."""
    proxy, url = redis_proxy
    running_bot = await start_bot(sqlite_url, redis_url=url)
    officer = await officer_at_the_place_question(running_bot, telegram)

    await proxy.cut()
    await proxy.restore()
    await finish_quick_log(officer, "en", "Parking lot B")
    assert notices_seen(telegram, officer, notice("en")) == 0


async def test_a_silent_redis_is_given_up_on_within_its_socket_timeout(
    redis_proxy, sqlite_url, start_bot, telegram, monkeypatch
):
    from bot import fsm_storage

    monkeypatch.setattr(fsm_storage, "REDIS_SOCKET_TIMEOUT_SECONDS", 1.0)
    proxy, url = redis_proxy
    running_bot = await start_bot(sqlite_url, redis_url=url)
    officer = await officer_at_the_place_question(running_bot, telegram)

    await proxy.stall()
    await officer.send("Parking lot B")
    assert (await officer.receive(timeout=4)).text == notice("en")
    await proxy.restore()
    await finish_quick_log(officer, "en", "Parking lot B")
    assert len(await stored_reports(running_bot)) == 1


# --- The chat's lock and long work ---------------------------------------------------------------


async def test_a_chat_whose_lock_stays_taken_answers_busy_instead_of_hanging(
    chat_storage, sqlite_url, start_bot, telegram, monkeypatch
):
    """Another replica's update (or a stuck one) holds the chat's lock: the next update waits a
    bounded time and then says so."""
    from bot import fsm_storage

    monkeypatch.setattr(fsm_storage, "LOCK_WAIT_SECONDS", 1.0)
    running_bot = await start_bot(sqlite_url, **chat_storage)
    officer = await officer_at_the_place_question(running_bot, telegram)
    assert running_bot.app is not None
    isolation = running_bot.app.dispatcher.fsm.events_isolation

    release = asyncio.Event()

    async def hold() -> None:
        async with isolation.lock(chat_lock_key(running_bot, OFFICER_ID)):
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0.1)
    await officer.send("Parking lot B")
    start = time.monotonic()
    answer = await officer.receive(timeout=4)
    assert answer.text == busy("en") and time.monotonic() - start < 3
    release.set()
    await holder
    await finish_quick_log(officer, "en", "Parking lot B")
    assert len(await stored_reports(running_bot)) == 1


async def test_an_export_runs_outside_the_chat_lock(sqlite_url, start_bot, telegram, monkeypatch):
    """While a long export is being written, the officer's other messages are answered; the
    file, the 'ready' message and the audit entry come once it is done."""
    from handlers.documents import export

    running_bot = await start_bot(sqlite_url)
    officer = await officer_at_the_place_question(running_bot, telegram)
    await finish_quick_log(officer, "en", "Parking lot B")

    entered, go_on = asyncio.Event(), asyncio.Event()
    export_files = export.export_files

    async def slow_export_files(*args, **kwargs):
        entered.set()
        await go_on.wait()
        return await export_files(*args, **kwargs)

    monkeypatch.setattr(export, "export_files", slow_export_files)
    await officer.send(tr("en", "🗂 My reports"))
    await officer.press(tr("en", "📤 Export"), await officer.receive())
    await officer.press(tr("en", "Last 30 days"), await officer.receive())
    await officer.press(tr("en", "📊 Spreadsheet (XLSX)"), await officer.receive())
    assert (await officer.receive()).text == tr("en", "⏳ Preparing the export…")
    await asyncio.wait_for(entered.wait(), 5)

    await officer.send(tr("en", "🗂 My reports"))
    listing = await officer.receive(timeout=2)
    assert listing.inline_buttons and not listing.text.startswith("⏳")
    go_on.set()
    document = await officer.receive_until(lambda m: m.kind == "document")
    assert document.kind == "document"
    await officer.receive_until(lambda m: m.text.startswith("✅"))
    async with running_bot.session_factory() as session:
        exported = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report.exported")
        )
        assert len(exported.all()) == 1
