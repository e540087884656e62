"""Who is asking: the Mini App's init data, signed by Telegram with the bot's token, checked
on every request with aiogram's own helper (signature), then its age; the person is the one
the data names, never one a request names otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram.utils.web_app import WebAppInitData, safe_parse_webapp_init_data
from aiohttp import web

# Telegram signs the data when the Mini App opens; a copy older than this is refused, so a
# leaked one stops working within a day.
INIT_DATA_MAX_AGE = timedelta(hours=24)
# How the page sends it: "Authorization: tma <init data>", the Mini Apps' usual scheme.
SCHEME = "tma "


class InitDataRefused(Exception):
    """No init data, or data that is forged, expired or names nobody."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signed_user_id(request: web.Request, token: str, now: datetime | None = None) -> int:
    """The Telegram user id the request's init data was signed for, or InitDataRefused."""
    header = request.headers.get("Authorization", "")
    if not header.startswith(SCHEME) or len(header) <= len(SCHEME):
        raise InitDataRefused("missing")
    try:
        data: WebAppInitData = safe_parse_webapp_init_data(token, header[len(SCHEME) :])
    except ValueError:
        raise InitDataRefused("forged") from None
    age = (now or datetime.now(UTC)) - data.auth_date.astimezone(UTC)
    if age > INIT_DATA_MAX_AGE or age < -timedelta(minutes=5):
        raise InitDataRefused("expired")
    if data.user is None:
        raise InitDataRefused("no_user")
    return data.user.id
