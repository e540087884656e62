"""The Mini App's JSON API. Every request proves who sends it with the init data Telegram
signed (auth.py); the person's role and units then decide what the services return, the same
services the bot's screens call. Refusals are JSON with a message in the reader's language."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import I18n
from aiohttp import web
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.models import ReportPhoto, User, utcnow
from bot.delivery import DeliveryWorker
from bot.i18n import language_of
from bot.media import MediaStore
from bot.procedures.library import ProcedureLibrary
from bot.services import overview, reports
from bot.services.errors import AccessDenied, AlreadyDecided, InvalidInput, NotFound, ReportChanged
from handlers.documents import send_pdf
from handlers.supervision import not_decided
from handlers.webapp import views
from handlers.webapp.auth import InitDataRefused, signed_user_id
from handlers.webapp.page_texts import (
    filter_problem,
    page_texts,
    pdf_not_sent,
    pdf_sent,
    refusal_text,
)

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = (320, 320)
# A comment and a revision: nothing the page sends is longer.
BODY_LIMIT = 8 * 1024


@dataclass(frozen=True)
class WebAppTools:
    """What the API needs of the running bot."""

    bot: Bot
    session_factory: async_sessionmaker[AsyncSession]
    settings: Settings
    i18n: I18n
    delivery: DeliveryWorker
    procedures: ProcedureLibrary
    media: MediaStore


TOOLS = web.AppKey("webapp_tools", WebAppTools)


@dataclass(frozen=True)
class Asked:
    """One request, its person checked: handlers read from it and return JSON."""

    request: web.Request
    session: AsyncSession
    reader: User
    language: str
    tools: WebAppTools

    @property
    def settings(self) -> Settings:
        return self.tools.settings

    def report_id(self) -> int:
        text = self.request.match_info["report"]
        if not text.isascii() or not text.isdigit() or len(text) > 9:
            raise NotFound("report")
        return int(text)


Handler = Callable[[Asked], Awaitable[dict[str, Any] | web.Response]]


def _refused(status: int, message: str) -> web.Response:
    return web.json_response(
        {"error": message}, status=status, headers={"Cache-Control": "no-store"}
    )


def endpoint(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Checks the init data and the person, runs `handler` in one transaction in the person's
    language, and turns the services' refusals into JSON ones."""

    async def handle(request: web.Request) -> web.Response:
        tools = request.app[TOOLS]
        i18n, default = tools.i18n, tools.settings.default_language
        with i18n.context(), i18n.use_locale(default):
            try:
                telegram_id = signed_user_id(request, tools.settings.bot_token or "")
            except InitDataRefused as refusal:
                return _refused(401, refusal_text(refusal.reason))
        async with tools.session_factory() as session:
            reader = await session.scalar(select(User).where(User.telegram_id == telegram_id))
            language = language_of(reader, default)
            with i18n.context(), i18n.use_locale(language):
                if reader is None or not reader.is_active:
                    return _refused(403, refusal_text("no_access"))
                try:
                    answer = await handler(Asked(request, session, reader, language, tools))
                    await session.commit()
                except InvalidInput as problem:
                    return _refused(400, filter_problem(problem))
                except AccessDenied:
                    return _refused(403, refusal_text("denied"))
                except NotFound:
                    return _refused(404, refusal_text("not_found"))
                except (AlreadyDecided, ReportChanged) as handled:
                    return _refused(409, not_decided(handled, 0)[0])
        if isinstance(answer, web.Response):
            return answer
        return web.json_response(answer, headers={"Cache-Control": "no-store"})

    return handle


async def _scope(asked: Asked) -> overview.Scope:
    return await overview.scope_of(asked.session, asked.reader)


def _filters(asked: Asked) -> overview.Filters:
    today = utcnow().astimezone(asked.settings.tz).date()
    return overview.parse_filters(asked.request.query, today)


async def me(asked: Asked) -> dict[str, Any]:
    scope = await _scope(asked)
    units = await overview.scope_units(asked.session, scope)
    settings = asked.settings
    counts = await overview.work_counts(asked.session, scope, False, settings.overdue_trace_days)
    filters = _filters(asked)
    return {
        "name": views.person_name(asked.reader),
        "language": asked.language,
        "supervises": scope.supervises,
        "texts": page_texts(),
        "units": [{"id": unit.id, "name": views.unit_name(unit, asked.language)} for unit in units],
        "categories": views.category_choices(),
        "period": {"start": filters.start.isoformat(), "end": filters.end.isoformat()},
        "tiles_url": settings.webapp_tiles_url,
        "work_counts": counts,
    }


async def seizure_map(asked: Asked) -> dict[str, Any]:
    filters = _filters(asked)
    placed, unplaced = await overview.map_points(
        asked.session, await _scope(asked), filters, asked.settings.tz
    )
    rows = await views.report_rows(
        asked.session, placed.rows + unplaced.rows, asked.language, asked.settings
    )
    return {
        "points": views.page_of(placed, rows[: len(placed.rows)]),
        "unplaced": views.page_of(unplaced, rows[len(placed.rows) :]),
    }


async def trends(asked: Asked) -> dict[str, Any]:
    filters = _filters(asked)
    found = await overview.trends(asked.session, await _scope(asked), filters, asked.settings.tz)
    return views.trends_view(found, filters.grouping, asked.language)


async def work(asked: Asked) -> dict[str, Any]:
    filters = _filters(asked)
    which = asked.request.query.get("list", "")
    page = await overview.open_work(
        asked.session,
        await _scope(asked),
        which,
        filters.page,
        filters.exercise,
        asked.settings.overdue_trace_days,
    )
    rows = await views.work_rows(asked.session, which, page, asked.language, asked.settings)
    return views.page_of(page, rows)


async def report_page(asked: Asked) -> dict[str, Any]:
    return await views.report_view(
        asked.session, asked.reader, asked.report_id(), asked.language, asked.settings
    )


async def _body(asked: Asked) -> dict[str, Any]:
    if (asked.request.content_length or 0) > BODY_LIMIT:
        raise InvalidInput("body", "too_long")
    try:
        body = json.loads(await asked.request.content.read(BODY_LIMIT))
    except ValueError:
        raise InvalidInput("body", "not_json") from None
    if not isinstance(body, dict) or not isinstance(body.get("revision"), int):
        raise InvalidInput("revision", "missing")
    return body


async def acknowledge(asked: Asked) -> dict[str, Any]:
    body = await _body(asked)
    await reports.acknowledge(asked.session, asked.reader, asked.report_id(), body["revision"])
    await asked.session.commit()
    asked.tools.delivery.wake()
    return await report_page(asked)


async def return_report(asked: Asked) -> dict[str, Any]:
    body = await _body(asked)
    comment = body.get("comment") if isinstance(body.get("comment"), str) else ""
    await reports.return_for_correction(
        asked.session, asked.reader, asked.report_id(), comment, body["revision"]
    )
    await asked.session.commit()
    asked.tools.delivery.wake()
    return await report_page(asked)


async def pdf(asked: Asked) -> dict[str, Any] | web.Response:
    """The report's PDF, sent to the reader's chat with the bot as the report's screen does:
    a phone's Mini App cannot save a file itself."""
    report = await reports.get_report_for(asked.session, asked.reader, asked.report_id())
    tools = asked.tools
    try:
        await send_pdf(
            tools.bot,
            asked.reader.telegram_id,
            asked.session,
            report,
            asked.language,
            tools.settings,
            tools.procedures,
            tools.media,
            asked.reader,
        )
    except TelegramAPIError as error:
        log.warning("PDF of report %s not sent to user %s: %s", report.id, asked.reader.id, error)
        return _refused(502, pdf_not_sent())
    return {"message": pdf_sent()}


async def photo(asked: Asked) -> web.Response:
    """A photo of a report the reader may open, as a thumbnail."""
    report = await reports.get_report_for(asked.session, asked.reader, asked.report_id())
    photo_text = asked.request.match_info["photo"]
    if not photo_text.isascii() or not photo_text.isdigit() or len(photo_text) > 9:
        raise NotFound("photo")
    found = await asked.session.get(ReportPhoto, int(photo_text))
    if found is None or found.report_id != report.id or found.sha256 is None:
        raise NotFound("photo")
    content = asked.tools.media.read(found.sha256)
    if content is None:
        raise NotFound("photo")
    return web.Response(
        body=await asyncio.to_thread(_thumbnail, content),
        content_type="image/jpeg",
        headers={"Cache-Control": "private, max-age=3600"},
    )


def _thumbnail(content: bytes) -> bytes:
    with Image.open(io.BytesIO(content)) as image:
        image.thumbnail(THUMBNAIL_SIZE)
        output = io.BytesIO()
        image.convert("RGB").save(output, "JPEG", quality=80)
    return output.getvalue()


def add_api_routes(web_app: web.Application, prefix: str) -> None:
    router = web_app.router
    router.add_get(f"{prefix}/api/me", endpoint(me))
    router.add_get(f"{prefix}/api/map", endpoint(seizure_map))
    router.add_get(f"{prefix}/api/trends", endpoint(trends))
    router.add_get(f"{prefix}/api/work", endpoint(work))
    router.add_get(f"{prefix}/api/reports/{{report}}", endpoint(report_page))
    router.add_get(f"{prefix}/api/reports/{{report}}/photos/{{photo}}", endpoint(photo))
    router.add_post(f"{prefix}/api/reports/{{report}}/acknowledge", endpoint(acknowledge))
    router.add_post(f"{prefix}/api/reports/{{report}}/return", endpoint(return_report))
    router.add_post(f"{prefix}/api/reports/{{report}}/pdf", endpoint(pdf))
