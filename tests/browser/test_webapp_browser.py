"""The supervisors' Mini App in a real browser: Debian's headless Chromium, at a phone's size,
opens the page as Telegram would (the signed init data in the address's fragment), reads the
numbers on screen and compares them with the database, presses Acknowledge, and saves the
screenshots the README shows (docs/webapp-*.png)."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import func, select, update

from bot import PROJECT_ROOT
from bot.db.models import ReportStatus, SeizureReport, User
from tests.conftest import DATABASE_KINDS
from tests.scenario import tr
from tests.webapp_fixtures import (
    CHUY_SUPERVISOR,
    Picture,
    seed_picture,
    sign_init_data,
    webapp_server,
)

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = [
    pytest.mark.skipif(
        not (CHROMIUM and DRIVER),
        reason="Chromium is not installed: apt-get install -y chromium chromium-driver",
    ),
    # One database is enough for what a browser shows; the API's tests run on both.
    pytest.mark.parametrize("database_url", [DATABASE_KINDS[0]], indirect=True),
]
PHONE = (390, 844)
WAIT_SECONDS = 15
# The README's screenshots are rewritten only when asked (UPDATE_SCREENSHOTS=1); otherwise a
# run saves them where a test run leaves its files, so a checkout stays as it was.
DOCS = (
    PROJECT_ROOT / "docs"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "webapp-screenshots"
)


class Browser:
    """Selenium's blocking calls, each run in a thread so the app's server keeps answering."""

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM or ""
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
        ):
            options.add_argument(argument)
        options.add_argument(f"--window-size={PHONE[0]},{PHONE[1]}")
        self.driver = webdriver.Chrome(service=Service(DRIVER), options=options)
        # The window's outer size includes nothing in headless mode; the page gets all of it.
        self.driver.set_window_size(*PHONE)

    async def run(self, call: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(call, *args)

    async def open(self, url: str) -> None:
        await self.run(self.driver.get, "about:blank")
        await self.run(self.driver.get, url)

    async def text_of(self, selector: str, containing: str = "") -> str:
        """The text of the first element matching `selector` once it shows `containing`."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        def shown(driver: Any) -> str | bool:
            found = driver.find_elements(By.CSS_SELECTOR, selector)
            text = found[0].text if found else ""
            return text if found and containing in text and text else False

        return await self.run(WebDriverWait(self.driver, WAIT_SECONDS).until, shown)

    async def count(self, selector: str) -> int:
        from selenium.webdriver.common.by import By

        return len(await self.run(self.driver.find_elements, By.CSS_SELECTOR, selector))

    async def click(self, selector: str) -> None:
        from selenium.webdriver.common.by import By

        element = await self.run(self.driver.find_element, By.CSS_SELECTOR, selector)
        await self.run(element.click)

    async def screenshot(self, name: str) -> None:
        # Charts and the map are drawn without animation; a frame lets the last layout settle.
        await self.run(self.driver.execute_script, "return new Promise(r => setTimeout(r, 300))")
        DOCS.mkdir(exist_ok=True)
        await self.run(self.driver.save_screenshot, str(DOCS / f"webapp-{name}.png"))

    def quit(self) -> None:
        self.driver.quit()


@pytest.fixture(scope="module")
def browser() -> Any:
    opened = Browser()
    yield opened
    opened.quit()


@pytest.fixture
async def served(database_url, telegram) -> AsyncIterator[tuple[Any, str, Picture]]:
    async with webapp_server(database_url, telegram) as (app, url):
        yield app, url, await seed_picture(app)


def launch(url: str, telegram_id: int = CHUY_SUPERVISOR, init_data: str | None = None) -> str:
    """The address Telegram opens: the page, and the init data in the fragment."""
    signed = init_data if init_data is not None else sign_init_data(telegram_id)
    return f"{url}#tgWebAppData={quote(signed, safe='')}&tgWebAppVersion=8.0"


async def speaks(app, language: str) -> None:
    async with app.session_factory.begin() as session:
        await session.execute(
            update(User).where(User.telegram_id == CHUY_SUPERVISOR).values(language=language)
        )


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
async def test_each_page_shows_the_databases_numbers_in_the_readers_language(
    browser, served, language
):
    app, url, picture = served
    await speaks(app, language)
    await browser.open(launch(url))
    placed = len(picture.chuy_reports) - 1
    summary = await browser.text_of("[data-testid=map-summary]", str(placed))
    assert summary == tr(
        language, "Shown on the map: {shown} of {total}", shown=placed, total=placed
    )
    assert await browser.text_of(".unplaced", tr(language, "Without coordinates: {count}", count=1))
    await browser.screenshot(f"map-{language}")

    await browser.click("[data-tab=trends]")
    counted = await browser.text_of("[data-testid=seizure-count]")
    assert counted == tr(
        language, "Seizures in the period: {count}", count=len(picture.chuy_reports)
    )
    assert await browser.text_of("[data-figure=firearms]") == "2"
    assert await browser.text_of("[data-figure=origin_established]") == "1"
    await browser.screenshot(f"trends-{language}")

    await browser.click("[data-tab=work]")
    async with app.session_factory() as session:
        waiting = await session.scalar(
            select(func.count()).where(
                SeizureReport.unit_id.in_(
                    select(SeizureReport.unit_id).where(SeizureReport.id == picture.awaiting)
                ),
                SeizureReport.status == ReportStatus.INITIAL,
                SeizureReport.exercise.is_(False),
            )
        )
    assert await browser.text_of("[data-testid=work-awaiting] .count", str(waiting)) == str(waiting)
    assert await browser.text_of("[data-testid=work-traces] .count") == "1"
    await browser.screenshot(f"work-{language}")


async def test_a_supervisor_acknowledges_a_report_from_its_page(browser, served):
    app, url, picture = served
    await browser.open(launch(url))
    await browser.text_of("[data-testid=map-summary]")
    await browser.run(browser.driver.execute_script, f"location.hash = 'report/{picture.awaiting}'")
    await browser.text_of("[data-testid=report-title]")
    assert await browser.count("[data-action=acknowledge]") == 1
    await browser.screenshot("report-en")
    await browser.click("[data-action=acknowledge]")
    await browser.text_of("[data-testid=report-status]", tr("en", "acknowledged").split()[0])
    async with app.session_factory() as session:
        report = await session.get(SeizureReport, picture.awaiting)
        assert report.status is ReportStatus.ACKNOWLEDGED
    assert await browser.count("[data-action=acknowledge]") == 0


async def test_from_the_notification_the_map_opens_at_the_report_one_tap_from_its_page(
    browser, served
):
    app, url, picture = served
    async with app.session_factory() as session:
        number = (await session.get(SeizureReport, picture.awaiting)).number
    await browser.open(launch(f"{url}?report={picture.awaiting}"))
    chip = await browser.text_of(".back-to-report a")
    assert chip == tr("en", "📂 Back to report No. {number}", number=number)
    await browser.click(".back-to-report a")
    title = await browser.text_of("[data-testid=report-title]")
    assert title == tr("en", "Seizure report No. {number}", number=number)


@pytest.mark.parametrize(
    "init_data",
    [
        "",
        sign_init_data(CHUY_SUPERVISOR, token="999:OTHER-token"),
        sign_init_data(CHUY_SUPERVISOR).replace("7001", "7004"),
    ],
    ids=["missing", "other bot", "other user"],
)
async def test_forged_init_data_shows_a_refusal_and_no_data(browser, served, init_data):
    _app, url, _picture = served
    await browser.open(launch(url, init_data=init_data))
    refusal = await browser.text_of("[data-testid=refusal]")
    assert refusal
    assert await browser.count("[data-testid=map]") == 0
