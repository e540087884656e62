"""What a load balancer, an orchestrator and Prometheus ask a bot process over HTTP:

- `/healthz`: the process is alive and its event loop answers (restart it when not);
- `/readyz`: it can do its work: the database answers, its schema is at this code's migration,
  and Redis answers when configured (send it no traffic when not; 503 names what is missing);
- `/metrics`: Prometheus metrics (bot/metrics.py).

Served on the webhook server in webhook mode, and on HEALTH_PORT when set (also in polling mode).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.migrate import SCHEMA_REVISION, schema_revision
from bot.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)

# A probe is asked every few seconds; a dependency that takes longer than this is not ready.
CHECK_TIMEOUT_SECONDS = 3.0


@dataclass
class Readiness:
    engine: AsyncEngine
    redis_url: str | None = None

    async def check(self) -> dict[str, str]:
        """Each dependency's state: "ok", "not configured", or what is wrong."""
        states = {"database": "ok", "migrations": "ok", "redis": "not configured"}
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
                revision = await schema_revision(self.engine)
            if revision != SCHEMA_REVISION:
                states["migrations"] = f"at {revision or 'none'}, the code at {SCHEMA_REVISION}"
        except Exception as error:  # whatever the driver raises: not reachable
            states["database"] = f"unreachable ({type(error).__name__})"
            states["migrations"] = "unknown"
        if self.redis_url:
            states["redis"] = await self._redis()
        return states

    async def _redis(self) -> str:
        from redis.asyncio import Redis
        from redis.exceptions import RedisError

        client = Redis.from_url(
            self.redis_url or "",
            socket_timeout=CHECK_TIMEOUT_SECONDS,
            socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        )
        try:
            await client.ping()
        except (RedisError, OSError) as error:
            return f"unreachable ({type(error).__name__})"
        finally:
            await client.aclose()
        return "ok"


def add_health_routes(
    web_app: web.Application,
    readiness: Readiness,
    metrics: Metrics,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(_: web.Request) -> web.Response:
        states = await readiness.check()
        ready = all(state in ("ok", "not configured") for state in states.values())
        return web.json_response(
            {"status": "ready" if ready else "not ready", **states}, status=200 if ready else 503
        )

    async def exposition(_: web.Request) -> web.Response:
        try:
            await metrics.read_database(session_factory)
        except Exception as error:  # the database's numbers stay as last read
            log.warning("metrics: the database's numbers not read (%s)", type(error).__name__)
        return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/metrics", exposition)
