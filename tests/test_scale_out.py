"""Three replicas, one truth (issue 20): three bot processes in webhook mode on one PostgreSQL,
behind a small round-robin load balancer on 127.0.0.1, take 1,000 updates from 50 officers and
10 supervisors. Every update is handled once, each chat's updates in the order they were sent,
every notification of the officers' quick logs reaches each supervisor once, and the fake Bot
API's flood control (30 messages a second for the bot, three in three seconds per chat) never
has to refuse a message: the replicas keep Telegram's limits together.

Runs on PostgreSQL only (TEST_DATABASE_URL): SQLite serves one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import sys
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_database
from bot.db.models import AuditEntry, DeliveryStatus, Notification, ProcessedUpdate, Role
from bot.services import units, users
from tests.conftest import ADMIN_ID, BOT_TOKEN, reset_postgresql
from tests.fakes.bot_api import FakeBotAPI, FakeUser, FloodControl
from tests.faults.bot_process import PROJECT_ROOT, bot_environment
from tests.scenario import tr
from tests.test_running import free_port

REPLICAS, OFFICERS, SUPERVISORS = 3, 50, 10
QUICK_LOG_UPDATES, OTHER_OFFICER_UPDATES, SUPERVISOR_UPDATES = 5, 13, 10
# The replicas' limit, below the fake's 30: Telegram (and the fake) count a message when it
# arrives, the limiter when it lets it go, and on a loaded machine a burst let go in one second
# can arrive squeezed into the next. Three replicas each keeping 20 a second on their own
# would still send 60 a second and be refused: only the shared window keeps them under 30.
MESSAGES_PER_SECOND = 20
SECRET = "scale-out_secret"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
OFFICER_IDS = range(40_001, 40_001 + OFFICERS)
SUPERVISOR_IDS = range(41_001, 41_001 + SUPERVISORS)


@pytest.fixture
async def postgresql_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgres"):
        pytest.skip("replicas share PostgreSQL: TEST_DATABASE_URL is not set")
    url = Settings(_env_file=None, database_url=url).database_url
    await reset_postgresql(url)
    return url


async def set_up_people(url: str, telegram: FakeBotAPI) -> None:
    """Officers at the Kainda post and supervisors of its Chüy detachment, in English."""
    engine = create_engine(url)
    await upgrade_database(engine)
    async with create_session_factory(engine).begin() as session:
        chuy = await units.get_unit_by_code(session, "CHUY")
        kainda = await units.get_unit_by_code(session, "KAINDA")
        for number, telegram_id in enumerate(SUPERVISOR_IDS):
            await users.upsert_user(
                session, telegram_id, Role.SUPERVISOR, chuy.id, f"Chief {number}", "en"
            )
            telegram.user(telegram_id, f"Chief{number}", "en")
        for number, telegram_id in enumerate(OFFICER_IDS):
            await users.upsert_user(
                session, telegram_id, Role.OFFICER, kainda.id, f"Officer {number}", "en"
            )
            telegram.user(telegram_id, f"Officer{number}", "en")
    await engine.dispose()


@contextlib.asynccontextmanager
async def load_balancer(ports: list[int]) -> AsyncIterator[str]:
    """Round robin over the replicas' webhooks: each request to the next one, as it came."""
    turns = itertools.cycle(ports)
    async with aiohttp.ClientSession() as client:

        async def forward(request: web.Request) -> web.Response:
            url = f"http://127.0.0.1:{next(turns)}{request.path}"
            headers = {HEADER: request.headers.get(HEADER, "")}
            body = await request.read()
            async with client.post(url, data=body, headers=headers) as answer:
                return web.Response(status=answer.status, body=await answer.read())

        app = web.Application()
        app.router.add_post("/{path:.*}", forward)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            await runner.cleanup()


@contextlib.asynccontextmanager
async def replicas(
    url: str, telegram: FakeBotAPI, balancer: str, tmp_path: Path, ports: list[int]
) -> AsyncIterator[None]:
    """`python -m bot webhook` three times, each on its own port, ready once /readyz says so."""
    started = []
    try:
        for number, port in enumerate(ports):
            workdir = tmp_path / f"replica-{number}"
            workdir.mkdir()
            settings = {
                "BOT_TOKEN": BOT_TOKEN,
                "DATABASE_URL": url,
                "TELEGRAM_API_URL": telegram.base_url,
                "ADMIN_IDS": str(ADMIN_ID),
                "DEFAULT_LANGUAGE": "en",
                "DIGEST_TIME": "off",
                "MESSAGES_PER_SECOND": str(MESSAGES_PER_SECOND),
                "WEBHOOK_URL": f"{balancer}/tg/hook",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_HOST": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
                "REPLICA_ID": f"replica-{number}",
                "MEDIA_DIR": str(tmp_path / "media"),
                "LAST_GOOD_PROCEDURES": str(workdir / "last-good.json"),
            }
            with (workdir / "bot.log").open("wb") as log:
                started.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        "bot",
                        "webhook",
                        cwd=workdir,
                        env=bot_environment(settings, workdir) | {"PYTHONPATH": str(PROJECT_ROOT)},
                        stdin=asyncio.subprocess.DEVNULL,
                        stdout=log,
                        stderr=asyncio.subprocess.STDOUT,
                    )
                )
        async with aiohttp.ClientSession() as client:
            for process, port in zip(started, ports, strict=True):
                await ready(client, process, port, tmp_path)
        yield
    finally:
        for process in started:
            if process.returncode is None:
                process.terminate()
        for process in started:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def ready(
    client: aiohttp.ClientSession, process: asyncio.subprocess.Process, port: int, logs: Path
) -> None:
    for _ in range(1200):
        if process.returncode is not None:
            break
        with contextlib.suppress(aiohttp.ClientError):
            async with client.get(f"http://127.0.0.1:{port}/readyz") as answer:
                if answer.status == 200:
                    return
        await asyncio.sleep(0.1)
    output = await asyncio.to_thread(replica_logs, logs)
    raise AssertionError(f"a replica did not become ready:\n{output[-4000:]}")


def replica_logs(folder: Path) -> str:
    return "\n".join(path.read_text() for path in sorted(folder.glob("replica-*/bot.log")))


class Chat:
    """One person sending their updates one after another through the load balancer, as
    Telegram sends a chat's updates: the next once the previous was answered."""

    def __init__(self, telegram: FakeBotAPI, person: FakeUser, webhook: str) -> None:
        self.telegram, self.person, self.webhook = telegram, person, webhook
        self.sent: list[int] = []
        # The bot's messages in the chat after each update was answered.
        self.seen_after: list[int] = []

    async def post(self, client: aiohttp.ClientSession, update_id: int) -> None:
        [update] = [u for u in self.telegram.pushed_updates[-50:] if u["update_id"] == update_id]
        async with client.post(self.webhook, json=update, headers={HEADER: SECRET}) as answer:
            assert answer.status == 200, await answer.text()
        self.sent.append(update_id)
        self.seen_after.append(len(self.telegram.chat_events(self.person.id)))

    async def send(self, client: aiohttp.ClientSession, text: str) -> None:
        await self.post(client, await self.person.send(text))

    async def press(self, client: aiohttp.ClientSession, label: str) -> None:
        await self.post(client, await self.person.press(label))


async def officer_day(chat: Chat, client: aiohttp.ClientSession) -> None:
    """A quick log of a firearm found at Kainda (five updates), and thirteen other requests."""
    await chat.send(client, tr("en", "📝 New report"))
    await chat.press(client, tr("en", "🔫 Firearms"))
    await chat.press(client, "Kainda")
    await chat.press(client, "1")
    await chat.press(client, tr("en", "✅ Nobody in danger"))
    for _ in range(OTHER_OFFICER_UPDATES):
        await chat.send(client, "/help")


async def supervisor_day(chat: Chat, client: aiohttp.ClientSession) -> None:
    for _ in range(SUPERVISOR_UPDATES):
        await chat.send(client, "/help")


async def test_three_replicas_handle_a_thousand_updates_once_in_order_within_limits(
    postgresql_url, tmp_path
):
    async with FakeBotAPI() as telegram:
        telegram.flood_control = FloodControl(per_second=30, chat_messages=3, chat_seconds=3.0)
        await set_up_people(postgresql_url, telegram)
        ports = [free_port() for _ in range(REPLICAS)]
        async with (
            load_balancer(ports) as balancer,
            replicas(postgresql_url, telegram, balancer, tmp_path, ports),
            aiohttp.ClientSession() as client,
        ):
            webhook = f"{balancer}/tg/hook"
            officers = [Chat(telegram, telegram.user(i), webhook) for i in OFFICER_IDS]
            supervisors = [Chat(telegram, telegram.user(i), webhook) for i in SUPERVISOR_IDS]
            await asyncio.gather(
                *(officer_day(chat, client) for chat in officers),
                *(supervisor_day(chat, client) for chat in supervisors),
            )
            engine = create_engine(postgresql_url)
            session_factory = create_session_factory(engine)
            try:
                await all_notifications_sent(session_factory)
                await check_the_database(session_factory, officers + supervisors)
            finally:
                await engine.dispose()

    chats = officers + supervisors
    # Per-chat order: each update was answered in its chat before the next one was sent.
    for chat in chats:
        assert all(before < after for before, after in itertools.pairwise([0, *chat.seen_after])), (
            chat.person.id
        )
    # Every quick log's news reached each supervisor once.
    news = Counter(
        (call.params["chat_id"], call.params["text"])
        for call in telegram.calls_of("sendMessage")
        if call.params["chat_id"] in SUPERVISOR_IDS and "KAINDA-" in call.params["text"]
    )
    assert len(news) == OFFICERS * SUPERVISORS and set(news.values()) == {1}
    assert telegram.too_many == []


async def all_notifications_sent(session_factory) -> None:
    for _ in range(1200):
        async with session_factory() as session:
            waiting = await session.scalar(
                select(func.count()).where(Notification.status != DeliveryStatus.SENT)
            )
        if not waiting:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{waiting} notifications not sent")


async def check_the_database(session_factory, chats: list[Chat]) -> None:
    sent = {update_id: chat for chat in chats for update_id in chat.sent}
    assert len(sent) == OFFICERS * (QUICK_LOG_UPDATES + OTHER_OFFICER_UPDATES) + (
        SUPERVISORS * SUPERVISOR_UPDATES
    )
    assert len(sent) == 1000
    async with session_factory() as session:
        claims = (
            await session.execute(select(ProcessedUpdate.update_id, ProcessedUpdate.processed_at))
        ).all()
        reports_filed = await session.scalar(
            select(func.count()).where(AuditEntry.action == "report.quick_logged")
        )
        notifications = await session.scalar(select(func.count()).select_from(Notification))
    # Handled once each: one claim per update, no more, no fewer.
    assert sorted(update_id for update_id, _ in claims) == sorted(sent)
    # And in each chat's order: claimed in the order the chat sent them.
    claimed_at = dict(claims)
    by_chat: dict[int, list[int]] = defaultdict(list)
    for update_id in sorted(sent, key=claimed_at.__getitem__):
        by_chat[sent[update_id].person.id].append(update_id)
    for chat in chats:
        assert by_chat[chat.person.id] == chat.sent
    assert reports_filed == OFFICERS
    assert notifications == OFFICERS * SUPERVISORS
