"""Builds the bot once (database, i18n, storage, dispatcher) for polling, webhook and tests."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramNetworkError, TelegramServerError
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.utils.i18n import I18n
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_database
from bot.delivery import DeliveryWorker, Schedules
from bot.fsm_storage import (
    BoundedEventIsolation,
    DatabaseStorage,
    PostgresChatLocks,
    create_redis_storage,
)
from bot.health import Readiness, add_health_routes
from bot.i18n import create_i18n
from bot.media import open_media_store
from bot.metrics import Metrics
from bot.middlewares.callbacks import CallbackAnswers
from bot.middlewares.database import DuplicateUpdateMiddleware, UpdateTransactionMiddleware
from bot.middlewares.inflight import InFlightUpdates
from bot.middlewares.log_context import LogContext
from bot.middlewares.outage import OutageNotice
from bot.middlewares.people import PersonLocaleMiddleware, PersonMiddleware
from bot.procedures.last_good import load_at_startup
from bot.receiving import ConfirmingRequestHandler, FailureWatch, Poller
from bot.send_limits import SendLimiter, create_send_limiter
from bot.services.notifications import enqueue_procedures_refused
from bot.services.users import ensure_admins
from bot.telegram import RespectRetryAfter, SharedSendLimits
from handlers import (
    access,
    custody,
    documents,
    exercise,
    links,
    procedures,
    reports,
    safety,
    supervision,
    webapp,
)
from handlers.common import chats, errors, fallback, menu
from handlers.common.commands import register_commands
from handlers.common.routing import prepared

# The CLI's `export` writes what the Export screen writes; it takes the code from here, the one
# module of `bot/` that knows the handlers.
from handlers.documents import export_files as export_files
from handlers.supervision import render_notification

log = logging.getLogger(__name__)


def create_routers() -> list[Router]:
    """The bot's routers in the order they are tried, made fresh for each dispatcher (a router
    joins only one): errors first, then what is not in a private chat (never answered there),
    each feature's own screens, the catch-all fallback last."""
    return [
        prepared(errors.create_router()),
        prepared(chats.create_router()),
        prepared(menu.create_router()),
        access.create_router(),
        procedures.create_router(),
        reports.create_router(),
        custody.create_router(),
        supervision.create_router(),
        safety.create_router(),
        links.create_router(),
        exercise.create_router(),
        documents.create_router(),
        webapp.create_router(),
        prepared(fallback.create_router()),
    ]


def create_bot(
    settings: Settings, session: BaseSession | None = None, limiter: SendLimiter | None = None
) -> Bot:
    """The Telegram client; TELEGRAM_API_URL points it at a local Bot API server (or a fake).

    `session` replaces the HTTP session, e.g. by an in-process fake for benchmarks; `limiter`
    keeps every message within Telegram's limits (by default in this process's memory).
    """
    if session is None:
        session = (
            AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
            if settings.telegram_api_url
            else AiohttpSession()
        )
    session.middleware(RespectRetryAfter())
    session.middleware(
        SharedSendLimits(limiter or create_send_limiter(settings.messages_per_second))
    )
    return Bot(
        settings.bot_token or "",
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_storage(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis when configured (also isolating chats across processes), else our database; the
    chats' locks then in PostgreSQL (shared by replicas), or in this process for SQLite."""
    if settings.redis_url:
        return create_redis_storage(settings.redis_url)
    if settings.database_url.startswith("postgresql"):
        return DatabaseStorage(session_factory), PostgresChatLocks(settings.database_url)
    return DatabaseStorage(session_factory), BoundedEventIsolation()


@dataclass
class BotApplication:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    i18n: I18n
    bot: Bot
    dispatcher: Dispatcher
    in_flight: InFlightUpdates = field(default_factory=InFlightUpdates)
    metrics: Metrics = field(default_factory=Metrics)
    send_limiter: SendLimiter | None = None

    @classmethod
    async def create(
        cls, settings: Settings, api_session: BaseSession | None = None
    ) -> BotApplication:
        # First: procedure files refused with no good copy to serve stop the start before the
        # database is touched.
        served = load_at_startup(settings)
        engine = create_engine(settings.database_url)
        await upgrade_database(engine)
        session_factory = create_session_factory(engine)
        async with session_factory.begin() as session:
            await ensure_admins(session, settings.admin_ids)
        # Old update claims are pruned by the delivery worker, at start and every hour.
        i18n = create_i18n(settings.default_language)
        in_flight = InFlightUpdates()
        if served.refused:
            # The edited files are refused and the last good ones served: the admins must know.
            async with session_factory.begin() as session:
                await enqueue_procedures_refused(session, served.refused, served.kept_since)
        procedures = served.library
        # Telegram's limits, shared by the replicas through Redis or PostgreSQL.
        send_limiter = create_send_limiter(
            settings.messages_per_second, settings.redis_url, settings.database_url
        )
        bot = create_bot(settings, api_session, send_limiter)
        metrics = Metrics(settings.replica_id)
        delivery = DeliveryWorker(
            session_factory,
            bot,
            i18n,
            partial(render_notification, timezone=settings.tz, webapp_url=settings.webapp_url),
            settings.default_language,
            schedules=Schedules.from_settings(settings),
            send_timeout=settings.notification_timeout_seconds,
            metrics=metrics,
        )
        dispatcher = build_dispatcher(settings, session_factory, i18n, in_flight, delivery)
        dispatcher["procedures"] = procedures
        dispatcher["media"] = open_media_store(settings)
        # Each update's type, outcome and time are counted where it is handled (bot/receiving.py).
        dispatcher["metrics"] = metrics
        return cls(
            settings,
            engine,
            session_factory,
            i18n,
            bot,
            dispatcher,
            in_flight,
            metrics,
            send_limiter,
        )

    def add_health_routes(self, web_app: web.Application) -> None:
        """/healthz, /readyz and /metrics (bot/health.py)."""
        readiness = Readiness(self.engine, self.settings.redis_url)
        add_health_routes(web_app, readiness, self.metrics, self.session_factory)

    def add_webapp_routes(self, web_app: web.Application) -> None:
        """The supervisors' Mini App (handlers/webapp), when WEBAPP_URL is set."""
        if self.settings.webapp_url:
            tools = webapp.WebAppTools(
                self.bot,
                self.session_factory,
                self.settings,
                self.i18n,
                self.dispatcher["delivery"],
                self.dispatcher["procedures"],
                self.dispatcher["media"],
            )
            webapp.add_webapp_routes(web_app, tools, self.settings.webapp_url)

    async def serve_health(self, with_webapp: bool = False) -> web.AppRunner | None:
        """The health routes on HEALTH_PORT of their own, when set; in polling mode the Mini
        App's too (in webhook mode it is on the public webhook server)."""
        port = self.settings.health_port
        if port is None:
            return None
        web_app = web.Application()
        self.add_health_routes(web_app)
        if with_webapp:
            self.add_webapp_routes(web_app)
        runner = web.AppRunner(web_app, handle_signals=False, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, self.settings.webhook_host, port).start()
        log.info("health and metrics on %s:%s", self.settings.webhook_host, port)
        return runner

    async def poll(self, stop: asyncio.Event, polling_timeout: int = 10) -> None:
        """Long polling until `stop` is set; an update is confirmed only once handled."""
        await Poller(
            self.dispatcher,
            self.bot,
            polling_timeout=polling_timeout,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
            drain_seconds=self.settings.shutdown_timeout_seconds,
        ).run(stop)

    async def close(self) -> None:
        await self.dispatcher.storage.close()
        await self.dispatcher.fsm.events_isolation.close()
        await self.bot.session.close()
        if self.send_limiter is not None:
            await self.send_limiter.close()
        self.dispatcher["media"].close()
        await self.engine.dispose()


def build_dispatcher(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    i18n: I18n,
    in_flight: InFlightUpdates,
    delivery: DeliveryWorker,
) -> Dispatcher:
    storage, isolation = create_storage(settings, session_factory)
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        # Registered below as part of the update's transaction.
        disable_fsm=True,
        settings=settings,
        i18n=i18n,
        delivery=delivery,
    )
    # Log lines written while an update is handled name it and its person (bot/log_context.py).
    LogContext().setup(dispatcher)
    # Then: tells a person once that the database or Redis is out of reach (and "busy" when
    # the chat's previous update holds its lock too long), outside everything that needs them.
    dispatcher.update.outer_middleware(OutageNotice())
    # Outside the update's transaction: a failed commit is a failure too (bot/receiving.py).
    dispatcher.update.outer_middleware(FailureWatch())
    dispatcher.update.outer_middleware(in_flight)
    dispatcher.update.outer_middleware(
        UpdateTransactionMiddleware(storage, isolation, session_factory)
    )
    dispatcher.update.outer_middleware(DuplicateUpdateMiddleware())
    dispatcher.update.outer_middleware(PersonMiddleware())
    PersonLocaleMiddleware(i18n).setup(dispatcher)
    # Every button press is answered, even when a handler forgets, so no button spins forever.
    dispatcher.callback_query.middleware(CallbackAnswers())
    dispatcher.include_routers(*create_routers())

    async def on_startup(bot: Bot) -> None:
        await register_commands(bot, i18n, settings.default_language)
        if settings.webapp_url:
            await webapp.set_overview_menu_buttons(
                bot, session_factory, i18n, settings.webapp_url, settings.default_language
            )
        delivery.start()

    async def on_shutdown() -> None:
        await in_flight.drain(settings.shutdown_timeout_seconds)
        # A notification cut off mid-send stays claimed until its lease ends, then goes again.
        await delivery.stop()

    dispatcher.startup.register(on_startup)
    dispatcher.shutdown.register(on_shutdown)
    return dispatcher


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, for the waits that happen outside aiogram's polling."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    return stop


def release_signals() -> None:
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(signal_number)


async def wait_for_bot_api(bot: Bot, stop: asyncio.Event) -> bool:
    """Until the Bot API answers: a border post's link may be down when the bot starts.

    False if asked to stop meanwhile; a token the Bot API rejects is raised at once.
    """
    delay = 1.0
    while not stop.is_set():
        try:
            await bot.get_me()
            return True
        except (TelegramNetworkError, TelegramServerError) as error:
            log.warning("Bot API not reachable (%s); trying again in %.0f s", error, delay)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, 60.0)
    return False


def freeze_startup_objects() -> None:
    """Keep what start-up loaded out of every later garbage collection.

    Modules, aiogram's validators, SQLAlchemy's mappers and the procedures live as long as the
    process; a full collection walked them all, about 110 ms during which no update was
    handled. Frozen after one last collection, they are no longer walked (3 ms measured).
    """
    gc.collect()
    gc.freeze()


async def run_polling(settings: Settings) -> None:
    app = await BotApplication.create(settings)
    freeze_startup_objects()
    stop = stop_on_signals()
    health = None
    try:
        health = await app.serve_health(with_webapp=True)
        if not await wait_for_bot_api(app.bot, stop):
            return
        await app.bot.delete_webhook(drop_pending_updates=False)
        await app.poll(stop)
    finally:
        release_signals()
        if health is not None:
            await health.cleanup()
        await app.close()


# Telegram's largest update is well under this: a 4,096-character text \u-escaped is 25 KB, and
# with an entity on every character 216 KB (tests/faults/test_webhook.py sends it). A longer body
# is refused (413) as it is read, after the secret was checked.
WEBHOOK_BODY_LIMIT = 512 * 1024


async def start_webhook_server(app: BotApplication) -> web.AppRunner:
    """Serve webhook updates; requests without the right secret header get 401, bodies over
    `WEBHOOK_BODY_LIMIT` 413."""
    settings = app.settings
    web_app = web.Application(client_max_size=WEBHOOK_BODY_LIMIT)
    # Shutdown hooks run in order: drain in-flight updates first, then the handler closes the bot.
    setup_application(web_app, app.dispatcher, bot=app.bot)
    # Answers 200 only once the update is handled and committed (bot/receiving.py).
    ConfirmingRequestHandler(
        dispatcher=app.dispatcher, bot=app.bot, secret_token=settings.webhook_secret
    ).register(web_app, path=settings.webhook_path)
    if settings.health_port is None:
        app.add_health_routes(web_app)
    app.add_webapp_routes(web_app)

    async def set_webhook(_: web.Application) -> None:
        await app.bot.set_webhook(
            settings.webhook_url or "",
            secret_token=settings.webhook_secret,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )

    web_app.on_startup.append(set_webhook)
    runner = web.AppRunner(web_app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    log.info("webhook server listening on %s:%s", settings.webhook_host, settings.webhook_port)
    return runner


async def run_webhook(settings: Settings) -> None:
    app = await BotApplication.create(settings)
    freeze_startup_objects()
    stop = stop_on_signals()
    health = None
    try:
        health = await app.serve_health()
        if not await wait_for_bot_api(app.bot, stop):
            return
        runner = await start_webhook_server(app)
        try:
            await stop.wait()
            log.info("stopping: finishing updates in flight")
        finally:
            await runner.cleanup()
    finally:
        if health is not None:
            await health.cleanup()
        await app.close()
