"""Health and metrics: a load balancer asks /healthz and /readyz, Prometheus scrapes /metrics, on
the webhook server or, in polling mode, on HEALTH_PORT."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.db.engine import create_engine, create_session_factory
from bot.health import Readiness, add_health_routes
from bot.metrics import Metrics
from tests.conftest import RunningBot, make_settings
from tests.scenario import eventually
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_evidence import quick_log_with_photo
from tests.test_running import SECRET, free_port, help_update, webhook_server


def samples(exposition: str) -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


async def test_the_webhook_server_answers_probes_and_counts_updates(database_url, telegram):
    async with webhook_server(database_url, telegram) as (_, client, url):
        base = url.rsplit("/tg/", 1)[0]
        async with client.get(f"{base}/healthz") as alive:
            assert alive.status == 200 and (await alive.json())["status"] == "alive"
        async with client.get(f"{base}/readyz") as ready:
            assert ready.status == 200
            assert await ready.json() == {
                "status": "ready",
                "database": "ok",
                "migrations": "ok",
                "redis": "not configured",
            }
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with client.post(url, json=help_update(1), headers=headers) as response:
            assert response.status == 200

        async with client.get(f"{base}/metrics") as scraped:
            assert scraped.status == 200
            numbers = samples(await scraped.text())
    handled = {("type", "message"), ("outcome", "handled")}
    assert numbers[("seizure_updates_handled_total", frozenset(handled))] == 1
    assert numbers[("seizure_update_handling_seconds_count", frozenset({("type", "message")}))] == 1
    assert numbers[("seizure_outbox_depth", frozenset())] == 0


async def test_a_polling_bot_serves_metrics_on_its_health_port(database_url, telegram):
    port = free_port()
    settings = make_settings(
        database_url, telegram.base_url, health_port=port, replica_id="bishkek-2"
    )
    bot = RunningBot(settings)
    await bot.start()
    assert bot.app is not None
    health = await bot.app.serve_health()
    try:
        await set_up_officer(bot)
        officer = telegram.user(OFFICER_ID, "Bekov")
        await quick_log_with_photo(officer, "en")
        # The supervisor of the officer's unit has never written to the bot: Telegram refuses.
        registry = bot.app.metrics.registry
        await eventually(
            lambda: (
                registry.get_sample_value(
                    "seizure_notifications_failed_total", {"reason": "bad_request"}
                )
                is not None
            ),
            seconds=30,
        )
        async with (
            aiohttp.ClientSession() as client,
            client.get(f"http://127.0.0.1:{port}/metrics") as scraped,
        ):
            numbers = samples(await scraped.text())
    finally:
        assert health is not None
        await health.cleanup()
        await bot.stop()
    assert numbers[("seizure_replica_info", frozenset({("replica", "bishkek-2")}))] == 1
    assert numbers[("seizure_reports_filed", frozenset({("category", "firearms")}))] == 1
    assert numbers[("seizure_escalations_total", frozenset())] == 0
    message_updates = [
        value
        for (name, labels), value in numbers.items()
        if name == "seizure_updates_handled_total" and ("type", "message") in labels
    ]
    callback_updates = [
        value
        for (name, labels), value in numbers.items()
        if name == "seizure_updates_handled_total" and ("type", "callback_query") in labels
    ]
    assert sum(message_updates) >= 2 and sum(callback_updates) >= 3


async def test_readiness_names_what_is_missing_and_metrics_still_answer(tmp_path):
    unreachable = create_engine("postgresql+asyncpg://nobody:secret@127.0.0.1:1/nowhere")
    readiness = Readiness(unreachable, redis_url="redis://127.0.0.1:1/0")
    web_app = web.Application()
    add_health_routes(web_app, readiness, Metrics(), create_session_factory(unreachable))
    try:
        async with TestClient(TestServer(web_app)) as client:
            alive = await client.get("/healthz")
            assert alive.status == 200
            not_ready = await client.get("/readyz")
            assert not_ready.status == 503
            states = await not_ready.json()
            assert states["status"] == "not ready"
            assert states["database"].startswith("unreachable")
            assert states["redis"].startswith("unreachable")
            assert "secret" not in await not_ready.text()
            scraped = await client.get("/metrics")
            assert scraped.status == 200 and "seizure_outbox_depth" in await scraped.text()
    finally:
        await unreachable.dispose()

    unmigrated = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    try:
        states = await Readiness(unmigrated).check()
    finally:
        await unmigrated.dispose()
    assert states["database"] == "ok" and states["migrations"].startswith("at none")
