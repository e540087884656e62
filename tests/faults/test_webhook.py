"""Webhook: the real server (`start_webhook_server`) on 127.0.0.1. A request without the secret
header, or with a wrong one, gets 401 and nothing of it is handled; a body over the limit gets
413 and nothing is handled; a path holding the token never shows in the access log."""

from __future__ import annotations

import json
import logging

from sqlalchemy import func, select

from bot.app import WEBHOOK_BODY_LIMIT, BotApplication
from bot.db.models import AuditEntry, ProcessedUpdate, User
from tests.conftest import BOT_TOKEN
from tests.faults.harness import (  # noqa: F401 (a fixture)
    WEBHOOK_SECRET,
    Captured,
    captured_logs,
)
from tests.test_access_flow import OFFICER_ID
from tests.test_running import help_update
from tests.test_running import webhook_server as running_webhook

SECRET = WEBHOOK_SECRET
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_server(database_url: str, telegram, path: str = "/tg/hook"):
    return running_webhook(database_url, telegram, secret=SECRET, path=path)


async def stored(app: BotApplication) -> tuple[int, int, int]:
    """(updates handled, people, audit entries)."""
    async with app.session_factory() as session:
        return tuple(
            [
                await session.scalar(select(func.count()).select_from(model))
                for model in (ProcessedUpdate, User, AuditEntry)
            ]
        )


async def test_a_request_without_the_right_secret_gets_401_and_nothing_is_handled(
    database_url, telegram
) -> None:
    async with webhook_server(database_url, telegram) as (app, client, url):
        before = await stored(app)
        stranger = help_update(1)
        stranger["message"]["from"]["id"] = stranger["message"]["chat"]["id"] = 9_000_001
        # (Spaces around a header's value are not part of it in HTTP.)
        wrong = ["", "wrong", SECRET.upper(), SECRET[:-1], SECRET + "x", f"{SECRET},x", BOT_TOKEN]
        for number, headers in enumerate([{}, *({HEADER: value} for value in wrong)], start=1):
            for update in (help_update(number), stranger | {"update_id": 100 + number}):
                async with client.post(url, json=update, headers=headers) as response:
                    assert response.status == 401, headers
        calls = len(telegram.calls)
        assert await stored(app) == before  # no update claimed, no stranger met, no audit
        await telegram.user(OFFICER_ID).no_more_messages()
        assert len(telegram.calls) == calls

        async with client.post(url, json=help_update(50), headers={HEADER: SECRET}) as response:
            assert response.status == 200
        assert "/cancel" in (await telegram.user(OFFICER_ID).receive()).text


async def test_a_body_over_the_limit_gets_413_and_nothing_is_handled(
    database_url, telegram
) -> None:
    async with webhook_server(database_url, telegram) as (app, client, url):
        before = await stored(app)
        huge = help_update(1)
        for size in (WEBHOOK_BODY_LIMIT + 1024, 2 * 1024 * 1024):
            huge["message"]["text"] = "/help " + "x" * size
            body = json.dumps(huge)
            headers = {HEADER: SECRET, "Content-Type": "application/json"}
            async with client.post(url, data=body, headers=headers) as response:
                assert response.status == 413, size
        # Without the secret it is refused before its body is read at all.
        async with client.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
            assert r.status == 401
        assert await stored(app) == before
        await telegram.user(OFFICER_ID).no_more_messages()

        # The largest update Telegram could send passes: 4,096 characters, each \\u-escaped,
        # with as many entities.
        largest = help_update(2)
        largest["message"]["text"] = "/help " + "\u0416" * 4090
        largest["message"]["entities"] += [
            {"type": "bold", "offset": offset, "length": 1} for offset in range(6, 4096)
        ]
        body = json.dumps(largest, ensure_ascii=True)
        assert 100 * 1024 < len(body) < WEBHOOK_BODY_LIMIT / 2
        headers = {HEADER: SECRET, "Content-Type": "application/json"}
        async with client.post(url, data=body, headers=headers) as response:
            assert response.status == 200
        assert "/cancel" in (await telegram.user(OFFICER_ID).receive()).text


async def test_a_webhook_path_holding_the_token_never_shows_in_the_log(
    database_url, telegram, captured: Captured
) -> None:
    async with webhook_server(database_url, telegram, path=f"/bot{BOT_TOKEN}") as (_, client, url):
        async with client.post(url, json=help_update(1), headers={HEADER: SECRET}) as response:
            assert response.status == 200
        async with client.post(url, json=help_update(2)) as response:
            assert response.status == 401
    logged = captured.stream.getvalue()
    access = [line for line in logged.splitlines() if " aiohttp.access " in line]
    assert len(access) == 2 and all("/bot[hidden]" in line for line in access), logged
    assert BOT_TOKEN not in logged and SECRET not in logged
    assert logging.getLogger("aiohttp.access").isEnabledFor(logging.INFO)
