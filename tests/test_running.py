"""Running for real: webhook secret checks, SIGTERM, and updates in flight at shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest

from bot.app import BotApplication, start_webhook_server
from bot.middlewares.inflight import InFlightUpdates
from tests.conftest import BOT_TOKEN, make_settings
from tests.scenario import eventually
from tests.test_access_flow import OFFICER_ID, set_up_officer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def help_update(update_id: int) -> dict:
    sender = {"id": OFFICER_ID, "is_bot": False, "first_name": "Bekov", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": OFFICER_ID, "type": "private", "first_name": "Bekov"},
            "from": sender,
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


SECRET = "s3cret-token"


@asynccontextmanager
async def webhook_server(
    database_url: str, telegram, secret: str = SECRET, path: str = "/tg/hook"
) -> AsyncIterator[tuple[BotApplication, aiohttp.ClientSession, str]]:
    """The real application in webhook mode on a free local port, with an officer set up: the
    application, an HTTP client and the webhook's URL."""
    port = free_port()
    settings = make_settings(
        database_url,
        telegram.base_url,
        webhook_url=f"http://127.0.0.1:{port}{path}",
        webhook_secret=secret,
        webhook_host="127.0.0.1",
        webhook_port=port,
    )
    app = await BotApplication.create(settings)
    runner = await start_webhook_server(app)
    telegram.user(OFFICER_ID, "Bekov", "en")
    try:
        await set_up_officer(app)
        async with aiohttp.ClientSession() as client:
            yield app, client, f"http://127.0.0.1:{port}{path}"
    finally:
        await runner.cleanup()
        await app.close()


async def test_webhook_accepts_only_requests_with_the_secret(database_url, telegram):
    async with webhook_server(database_url, telegram) as (_, client, url):
        officer = telegram.user(OFFICER_ID)
        registered = telegram.calls_of("setWebhook")[-1].params
        assert registered["secret_token"] == SECRET
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with client.post(url, json=help_update(1), headers=headers) as response:
                assert response.status == 401
        await officer.no_more_messages()
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with client.post(url, json=help_update(2), headers=headers) as response:
            assert response.status == 200
        answer = await officer.receive()
        assert "/cancel" in answer.text


@pytest.mark.parametrize(
    ("mode", "first_call"), [("polling", "getUpdates"), ("webhook", "setWebhook")]
)
async def test_sigterm_stops_the_bot_cleanly(tmp_path, telegram, mode, first_call):
    port = free_port()
    env = {
        **os.environ,
        "BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_API_URL": telegram.base_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "LOG_LEVEL": "INFO",
        "WEBHOOK_URL": f"https://bot.example.org:{port}/tg",
        "WEBHOOK_SECRET": "s3cret",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        mode,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        try:
            await eventually(lambda: bool(telegram.calls_of(first_call)), seconds=30)
        except AssertionError:
            process.kill()
            raise AssertionError((await process.communicate())[0].decode()) from None
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
    log = output.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log and "ERROR" not in log


async def test_shutdown_waits_for_updates_in_flight():
    in_flight = InFlightUpdates()
    finished = []

    async def slow_handler(event, data):
        await asyncio.sleep(0.2)
        finished.append(event)

    task = asyncio.create_task(in_flight(slow_handler, "update", {}))
    await asyncio.sleep(0)
    assert in_flight.count == 1
    assert await in_flight.drain(seconds=5)
    assert finished == ["update"]
    await task


async def test_shutdown_gives_up_after_its_timeout():
    in_flight = InFlightUpdates()
    never = asyncio.Event()

    async def stuck_handler(event, data):
        await never.wait()

    task = asyncio.create_task(in_flight(stuck_handler, "update", {}))
    await asyncio.sleep(0)
    assert not await in_flight.drain(seconds=0.05)
    task.cancel()


async def start_bot_process(tmp_path, api_url: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_API_URL": api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def test_bot_waits_for_an_unreachable_bot_api_and_still_stops_cleanly(tmp_path):
    process = await start_bot_process(tmp_path, f"http://127.0.0.1:{free_port()}")
    output = b""
    try:
        while b"Bot API not reachable" not in output:
            output += await asyncio.wait_for(process.stdout.readline(), timeout=30)
        process.send_signal(signal.SIGTERM)
        output += (await asyncio.wait_for(process.communicate(), timeout=30))[0]
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0 and b"Traceback" not in output


async def test_a_token_the_bot_api_rejects_is_named_and_exits_2(tmp_path, telegram):
    telegram.fail_next("getMe", 401, "Unauthorized")
    process = await start_bot_process(tmp_path, telegram.base_url)
    output = (await asyncio.wait_for(process.communicate(), timeout=60))[0].decode()
    assert process.returncode == 2
    assert "BOT_TOKEN was rejected by the Bot API" in output and "Traceback" not in output
