"""The supervisors' Mini App for tests: the real application's web server with WEBAPP_URL set,
init data signed as Telegram signs it, and a small picture of seizures in two detachments."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.test_utils import TestServer
from PIL import Image
from sqlalchemy import select

from bot.app import BotApplication
from bot.db.models import (
    FoundCategory,
    ReportPhoto,
    ReportStatus,
    Role,
    SeizureReport,
    Unit,
    User,
    UserStatus,
    utcnow,
)
from bot.media import MediaStore
from bot.services import reports
from tests.conftest import BOT_TOKEN, make_settings

WEBAPP_PATH = "/webapp"
CHUY_SUPERVISOR, KAINDA_OFFICER, OSH_OFFICER, OSH_SUPERVISOR, PENDING = 7001, 7002, 7003, 7004, 7005
OLD_TRACE_DAYS = 45


def sign_init_data(
    telegram_id: int,
    auth_date: datetime | None = None,
    token: str = BOT_TOKEN,
    language_code: str = "en",
) -> str:
    """Init data as Telegram gives it to a Mini App: the fields, and their HMAC under a key
    derived from the bot's token."""
    fields = {
        "auth_date": str(int((auth_date or datetime.now(UTC)).timestamp())),
        "query_id": "AAH-test",
        "user": json.dumps(
            {"id": telegram_id, "first_name": "Test", "language_code": language_code},
            separators=(",", ":"),
        ),
    }
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


def authorization(init_data: str) -> dict[str, str]:
    return {"Authorization": f"tma {init_data}"}


@asynccontextmanager
async def webapp_server(database_url: str, telegram) -> AsyncIterator[tuple[BotApplication, str]]:
    """The application's web server (as on HEALTH_PORT) with the Mini App; yields the app and
    the page's address."""
    settings = make_settings(
        database_url,
        telegram.base_url,
        webapp_url=f"https://overview.example.org{WEBAPP_PATH}",
        overdue_trace_days=30,
    )
    app = await BotApplication.create(settings)
    web_app = web.Application()
    app.add_health_routes(web_app)
    app.add_webapp_routes(web_app)
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    try:
        yield app, str(server.make_url(WEBAPP_PATH))
    finally:
        await server.close()
        await app.close()


@dataclass
class Picture:
    """What the seeded database holds, to check the pages against."""

    chuy_reports: list[int]
    osh_report: int
    awaiting: int  # a report of Chüy's awaiting acknowledgement, with a photo
    unplaced: int  # a report of Chüy without coordinates
    exercise_report: int


def _item(number: int, kind: str, quantity: int, **values: object) -> dict[str, object]:
    return {"number": number, "kind": kind, "quantity": quantity, **values}


async def _unit(session, code: str) -> Unit:
    unit = await session.scalar(select(Unit).where(Unit.code == code))
    assert unit is not None
    return unit


async def seed_picture(app: BotApplication) -> Picture:
    """Two detachments' people and seizures: Chüy's supervisor sees Kainda's reports (four of
    them in the last days, one urgent, one without coordinates, one filed long ago, one an
    exercise), never Osh's."""
    now = utcnow()
    async with app.session_factory.begin() as session:
        chuy, kainda = await _unit(session, "CHUY"), await _unit(session, "KAINDA")
        osh, dostuk = await _unit(session, "OSH"), await _unit(session, "DOSTUK")
        people = {
            CHUY_SUPERVISOR: User(
                telegram_id=CHUY_SUPERVISOR,
                full_name="Asanov",
                role=Role.SUPERVISOR,
                status=UserStatus.ACTIVE,
                unit_id=chuy.id,
                language="en",
            ),
            KAINDA_OFFICER: User(
                telegram_id=KAINDA_OFFICER,
                full_name="Bekov",
                role=Role.OFFICER,
                status=UserStatus.ACTIVE,
                unit_id=kainda.id,
                language="en",
            ),
            OSH_OFFICER: User(
                telegram_id=OSH_OFFICER,
                full_name="Osmonov",
                role=Role.OFFICER,
                status=UserStatus.ACTIVE,
                unit_id=dostuk.id,
                language="en",
            ),
            OSH_SUPERVISOR: User(
                telegram_id=OSH_SUPERVISOR,
                full_name="Toktogulov",
                role=Role.SUPERVISOR,
                status=UserStatus.ACTIVE,
                unit_id=osh.id,
                language="en",
            ),
            PENDING: User(telegram_id=PENDING, full_name="Stranger", status=UserStatus.PENDING),
        }
        session.add_all(people.values())
        await session.flush()
        officer = people[KAINDA_OFFICER]
        media = MediaStore(app.settings.media_dir)

        async def filed(
            category: FoundCategory,
            days_ago: float,
            where: tuple[float, float] | None,
            officer: User = officer,
            details: dict | None = None,
            **extra: object,
        ) -> SeizureReport:
            log = reports.QuickLog(
                category=category,
                occurred_at=now - timedelta(days=days_ago),
                latitude=where[0] if where else None,
                longitude=where[1] if where else None,
                place_unit_id=None if where else kainda.id,
            )
            report, _revision = await reports.submit_quick_log(
                session, officer, log, app.settings.tz
            )
            report.notification_pending = False
            if details is not None:
                report.details, report.complete = details, True
            for name, value in extra.items():
                setattr(report, name, value)
            return report

        firearms = {
            "items": [
                _item(
                    1,
                    "firearm",
                    1,
                    calibre="9×18 mm",
                    tracing="sent",
                    tracing_date=(now - timedelta(days=OLD_TRACE_DAYS)).date().isoformat(),
                ),
                _item(
                    2,
                    "firearm",
                    1,
                    calibre="5.45×39 mm",
                    tracing="answered",
                    tracing_outcome="origin_established",
                ),
                _item(3, "ammunition", 30, calibre="9×18 mm"),
            ]
        }
        awaiting = await filed(FoundCategory.FIREARMS, 2, (42.83, 74.58), details=firearms)
        acknowledged = await filed(FoundCategory.AMMUNITION, 5, (42.9, 75.3))
        urgent = await filed(FoundCategory.EXPLOSIVES, 1, (42.7, 74.9))
        unplaced = await filed(FoundCategory.OTHER, 3, None)
        await filed(FoundCategory.FIREARMS, 400, (42.8, 74.6))
        exercise = await filed(FoundCategory.AMMUNITION, 4, (42.6, 74.4), exercise=True)
        osh_report = await filed(
            FoundCategory.FIREARMS,
            2,
            (40.5, 72.8),
            officer=people[OSH_OFFICER],
            details={"items": [_item(1, "firearm", 1, calibre="7.62×39 mm")]},
        )
        acknowledged.status = ReportStatus.ACKNOWLEDGED
        acknowledged.acknowledged_by_id = people[CHUY_SUPERVISOR].id
        acknowledged.acknowledged_at = now
        image = io.BytesIO()
        Image.new("RGB", (640, 480), (150, 40, 40)).save(image, "JPEG")
        digest = media.save(image.getvalue())
        session.add(
            ReportPhoto(
                report_id=awaiting.id, file_id="photo-1", file_unique_id="u-1", sha256=digest
            )
        )
    return Picture(
        chuy_reports=[awaiting.id, acknowledged.id, urgent.id, unplaced.id],
        osh_report=osh_report.id,
        awaiting=awaiting.id,
        unplaced=unplaced.id,
        exercise_report=exercise.id,
    )
