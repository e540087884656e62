"""The supervisors' Mini App's API: who may ask (init data signed by Telegram for this bot, not
expired, naming an active person), what each sees (a supervisor their units and below, an
officer their own reports), and refusals of bad filters; over real HTTP against the
application's own web server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.db.models import Notification, ReportStatus, SeizureReport, User
from bot.services import overview
from handlers.supervision import render_notification
from tests.webapp_fixtures import (
    CHUY_SUPERVISOR,
    KAINDA_OFFICER,
    OSH_SUPERVISOR,
    PENDING,
    authorization,
    seed_picture,
    sign_init_data,
    webapp_server,
)


@pytest.fixture
async def served(database_url, telegram):
    async with webapp_server(database_url, telegram) as (app, url):
        picture = await seed_picture(app)
        async with aiohttp.ClientSession() as client:
            yield app, url, picture, client


async def ask(client, url: str, path: str, telegram_id: int | None = CHUY_SUPERVISOR, **kw):
    headers = authorization(sign_init_data(telegram_id)) if telegram_id else {}
    method = kw.pop("method", "GET")
    async with client.request(method, f"{url}/api/{path}", headers=headers, **kw) as response:
        return response.status, await response.json()


async def test_a_supervisor_sees_the_seizures_of_their_units_and_not_anothers(served):
    _app, url, picture, client = served
    status, found = await ask(client, url, "map")
    assert status == 200
    on_map = {point["id"] for point in found["points"]["rows"]}
    beside = {row["id"] for row in found["unplaced"]["rows"]}
    assert on_map | beside == set(picture.chuy_reports)
    assert beside == {picture.unplaced}
    assert picture.osh_report not in on_map
    urgent = [point for point in found["points"]["rows"] if point["urgent"]]
    assert [point["category"] for point in urgent] == ["explosives"]


async def test_exercise_data_appears_only_when_the_filter_asks_for_it(served):
    _app, url, picture, client = served
    _status, real = await ask(client, url, "map")
    _status, drills = await ask(client, url, "map?exercise=1")
    assert picture.exercise_report not in {point["id"] for point in real["points"]["rows"]}
    assert [point["id"] for point in drills["points"]["rows"]] == [picture.exercise_report]


async def test_trends_count_what_the_database_holds(served):
    app, url, picture, client = served
    status, trends = await ask(client, url, "trends?group=month")
    assert status == 200
    async with app.session_factory() as session:
        expected = await session.scalar(
            select(func.count()).where(SeizureReport.id.in_(picture.chuy_reports))
        )
    assert trends["seizures"] == expected == 4
    assert sum(sum(series["counts"]) for series in trends["by_category"]) == 4
    kinds = {row["kind"]: row["count"] for row in trends["items_by_kind"]}
    assert kinds["firearm"] == 2 and kinds["ammunition"] == 30
    assert trends["top_calibres"][0] == {"calibre": "9×18 mm", "count": 31}
    tracing = trends["tracing"]
    assert (tracing["firearms"], tracing["sent"], tracing["answered"]) == (2, 2, 1)
    assert tracing["established"] == 1 and tracing["established_share"] == "50%"


async def test_the_open_work_lists_what_waits_and_what_is_overdue(served):
    _app, url, picture, client = served
    _status, awaiting = await ask(client, url, "work?list=awaiting")
    assert picture.awaiting in {row["id"] for row in awaiting["rows"]}
    # Whatever its age, but neither the acknowledged one, the exercise nor Osh's.
    assert awaiting["total"] == 4
    _status, traces = await ask(client, url, "work?list=traces")
    assert [(row["id"], row["text"].split(":")[0]) for row in traces["rows"]] == [
        (picture.awaiting, "Item 1")
    ]


async def test_an_officer_sees_only_their_own_reports(served):
    _app, url, picture, client = served
    status, found = await ask(client, url, "map", telegram_id=KAINDA_OFFICER)
    assert status == 200
    assert {p["id"] for p in found["points"]["rows"] + found["unplaced"]["rows"]} == set(
        picture.chuy_reports
    )
    status, refused = await ask(
        client,
        url,
        f"reports/{picture.awaiting}/acknowledge",
        KAINDA_OFFICER,
        method="POST",
        json={"revision": 1},
    )
    assert status == 403 and refused["error"]


async def test_another_units_report_is_refused_and_never_shown(served):
    _app, url, picture, client = served
    status, refused = await ask(client, url, f"reports/{picture.osh_report}")
    assert status == 403 and "number" not in refused
    status, _ = await ask(client, url, f"reports/{picture.osh_report}", OSH_SUPERVISOR)
    assert status == 200


async def test_a_unit_outside_the_scope_gives_an_empty_picture(served):
    app, url, _picture, client = served
    async with app.session_factory() as session:
        osh = await overview.scope_units(
            session, await overview.scope_of(session, await _user(session, OSH_SUPERVISOR))
        )
    status, found = await ask(client, url, f"map?unit={osh[0].id}")
    assert status == 200
    assert found["points"]["rows"] == [] and found["unplaced"]["rows"] == []


async def _user(session, telegram_id: int) -> User:
    return await session.scalar(select(User).where(User.telegram_id == telegram_id))


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "tma "},
        {"Authorization": "Bearer x"},
        {"Authorization": "tma " + sign_init_data(CHUY_SUPERVISOR, token="999:OTHER-token")},
        {"Authorization": "tma " + sign_init_data(CHUY_SUPERVISOR).replace("7001", "7004")},
        {
            "Authorization": "tma "
            + sign_init_data(CHUY_SUPERVISOR, datetime.now(UTC) - timedelta(days=2))
        },
    ],
    ids=["missing", "empty", "other scheme", "other bot", "other user", "expired"],
)
async def test_missing_forged_or_expired_init_data_is_refused(served, headers):
    _app, url, _picture, client = served
    async with client.get(f"{url}/api/map", headers=headers) as response:
        assert response.status == 401
        assert (await response.json())["error"]


async def test_a_person_without_access_is_refused(served):
    _app, url, _picture, client = served
    assert (await ask(client, url, "me", telegram_id=PENDING))[0] == 403
    assert (await ask(client, url, "me", telegram_id=123456))[0] == 403


async def test_a_user_named_in_the_query_is_not_the_one_who_asks(served):
    _app, url, picture, client = served
    _status, found = await ask(client, url, f"map?user={OSH_SUPERVISOR}&user_id={OSH_SUPERVISOR}")
    assert picture.osh_report not in {point["id"] for point in found["points"]["rows"]}


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("start=2015-01-01&end=2025-01-01", "longer than a year"),
        ("start=2025-02-01&end=2025-01-01", "ends before"),
        ("unit=1%20OR%201=1", "not understood"),
        ("category=firearms'%20OR%20'1'='1", "not understood"),
        ("start=2025-01-01;DROP%20TABLE%20users", "not understood"),
        ("page=-1", "not understood"),
    ],
)
async def test_bad_filters_are_refused_with_a_reason(served, query, says):
    _app, url, _picture, client = served
    status, refused = await ask(client, url, f"trends?{query}")
    assert status == 400 and says in refused["error"]


async def test_no_list_returns_more_than_a_page(served):
    app, url, _picture, client = served
    async with app.session_factory.begin() as session:
        officer = await _user(session, KAINDA_OFFICER)
        template = await session.scalar(select(SeizureReport).limit(1))
        for number in range(overview.ROWS_PAGE + 5):
            session.add(
                SeizureReport(
                    number=f"BULK-{number}",
                    unit_id=officer.unit_id,
                    officer_id=officer.id,
                    status=ReportStatus.INITIAL,
                    category=template.category,
                    occurred_at=template.occurred_at,
                    submitted_at=template.occurred_at,
                    notification_pending=False,
                )
            )
    _status, first = await ask(client, url, "work?list=awaiting")
    assert len(first["rows"]) == overview.ROWS_PAGE and first["more"] is True
    _status, second = await ask(client, url, "work?list=awaiting&page=1")
    assert len(second["rows"]) == first["total"] - overview.ROWS_PAGE
    _status, unplaced = await ask(client, url, "map")
    assert len(unplaced["unplaced"]["rows"]) <= overview.ROWS_PAGE


async def test_acknowledge_through_the_api_is_the_bots_acknowledgement(served, telegram):
    app, url, picture, client = served
    _status, page = await ask(client, url, f"reports/{picture.awaiting}")
    assert page["can_decide"] is True
    status, after = await ask(
        client,
        url,
        f"reports/{picture.awaiting}/acknowledge",
        method="POST",
        json={"revision": page["revision"]},
    )
    assert status == 200 and after["status"] == "acknowledged" and not after["can_decide"]
    async with app.session_factory() as session:
        report = await session.get(SeizureReport, picture.awaiting)
        assert report.status is ReportStatus.ACKNOWLEDGED
        told = await session.scalar(
            select(func.count()).where(
                Notification.report_id == report.id, Notification.kind == "report.acknowledged"
            )
        )
    assert told == 1
    status, again = await ask(
        client,
        url,
        f"reports/{picture.awaiting}/acknowledge",
        method="POST",
        json={"revision": page["revision"]},
    )
    assert status == 409 and "already acknowledged" in again["error"]


async def test_an_outdated_revision_or_a_short_comment_decides_nothing(served):
    _app, url, picture, client = served
    status, _ = await ask(
        client, url, f"reports/{picture.awaiting}/acknowledge", method="POST", json={"revision": 9}
    )
    assert status == 409
    status, refused = await ask(
        client,
        url,
        f"reports/{picture.awaiting}/return",
        method="POST",
        json={"revision": 1, "comment": "x"},
    )
    assert status == 400 and refused["error"]
    status, returned = await ask(
        client,
        url,
        f"reports/{picture.awaiting}/return",
        method="POST",
        json={"revision": 1, "comment": "Add the serial of item 1"},
    )
    assert status == 200 and returned["status"] == "returned"


async def test_the_report_page_has_photos_and_the_pdf_goes_to_the_chat(served, telegram):
    _app, url, picture, client = served
    telegram.user(CHUY_SUPERVISOR, "Asanov")  # the supervisor's chat with the bot
    _status, page = await ask(client, url, f"reports/{picture.awaiting}")
    assert len(page["photos"]) == 1 and len(page["items"]) == 3 and page["history"]
    headers = authorization(sign_init_data(CHUY_SUPERVISOR))
    photo_url = f"{url}/api/reports/{picture.awaiting}/photos/{page['photos'][0]}"
    async with client.get(photo_url, headers=headers) as response:
        assert response.status == 200 and response.content_type == "image/jpeg"
    async with client.get(photo_url) as response:
        assert response.status == 401
    status, sent = await ask(client, url, f"reports/{picture.awaiting}/pdf", method="POST")
    assert status == 200 and sent["message"]
    (document,) = telegram.calls_of("sendDocument")
    assert int(document.params["chat_id"]) == CHUY_SUPERVISOR


async def test_the_page_and_its_files_are_served_with_cache_headers(served):
    _app, url, _picture, client = served
    async with client.get(url) as response:
        assert response.status == 200
        html = await response.text()
        assert response.headers["Cache-Control"] == "no-cache"
    scripts = [part.split('"')[0] for part in html.split('src="')[1:]]
    assert len(scripts) == 4
    base = url.rsplit("/webapp", 1)[0]
    for script in scripts:
        async with client.get(base + script) as response:
            assert response.status == 200
            assert "immutable" in response.headers["Cache-Control"]
    async with client.get(f"{url}/static/..%2F..%2Fbot%2Fconfig.py") as response:
        assert response.status == 404


async def test_a_new_reports_notification_opens_the_map_at_that_report(served):
    app, _url, picture, _client = served
    async with app.session_factory() as session:
        supervisor = await _user(session, CHUY_SUPERVISOR)
        filed = await session.scalar(
            select(Notification).where(
                Notification.report_id == picture.awaiting,
                Notification.recipient_id == supervisor.id,
            )
        )
        with app.i18n.context(), app.i18n.use_locale("en"):
            _text, markup = await render_notification(
                session, filed, supervisor, "en", UTC, webapp_url=app.settings.webapp_url
            )
    (overview_button,) = markup.inline_keyboard[-1]
    assert overview_button.text == "📊 Overview"
    assert overview_button.web_app.url == f"{app.settings.webapp_url}?report={picture.awaiting}"
