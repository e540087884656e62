"""Crash suite: the bot as its own process (`python -m bot polling`) against a fake Bot API,
SIGKILLed at random points of four flows, restarted, and compared field by field with an
uninterrupted run of the same flows.

The flows: an officer writes a full report (typed and button answers, an item, submitted);
an officer runs a procedure (a critical step skipped with a typed reason, a question
answered); a stranger asks for access and an admin approves it; an officer files three quick
logs in a row and four supervisors get the news. People act as people do: they answer the
newest question on their screen. The test never sends an update twice: what the bot had not
confirmed, the fake Bot API delivers again, as Telegram does. When nothing arrives for a while
(the bot had stored the answer and died before showing the next question), a person answers
what their screen still shows once more, as people do; if that brings nothing either, they
look where they are the way the menu lets them (My drafts, Procedures, My reports, /start) and
answer what is then on the screen.

Kills: per flow, `FAULTS_KILLS` (3) of them, drawn from `FAULTS_SEED` (printed with the
figures): after the n-th call the bot makes to the Bot API (n up to what the flow costs
uninterrupted), either as the call arrives (never carried out) or once it is carried out
(before the bot hears back), or after a random delay; where others are told something, one
kill just as news is sent and one just after. A killed process's lease on outbox rows is ended
as its 60 s would end it, rather than waited for. The bot is restarted at once, by a fork
server that has the bot's modules imported (`bot_process.py`; `FAULTS_SPAWN=exec` starts a
fresh `python -m bot polling` each time instead).

What must hold, per flow: the stored results (drafts, reports and their revisions, procedure
runs and step events, access requests and decisions, notifications, audit actions, and the
news each recipient got) equal those of the uninterrupted run; no news delivered twice
(beyond a copy marked as a repeat), and every update the people sent is handled (claimed in
`processed_updates`), none lost. One line a flow gives the figures (run with `-s`, or set
`FAULTS_REPORT` to a file to append them to); `FAULTS_DUMP` writes both runs' snapshots.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_database
from bot.db.models import (
    AccessRequest,
    AuditEntry,
    Notification,
    ProcedureRun,
    ProcedureStepEvent,
    ProcessedUpdate,
    ReportDraft,
    ReportRevision,
    Role,
    SeizureReport,
    Unit,
    User,
)
from bot.services import notifications, units, users
from handlers.common.texts import LANGUAGE_NAMES
from handlers.supervision import render_notification
from tests.conftest import BOT_TOKEN, reset_postgresql
from tests.fakes.bot_api import DONE, RECEIVED, ApiCall, BotMessage, FakeBotAPI, FakeUser
from tests.faults.bot_process import BotProcess, Launcher
from tests.procedure_fixtures import write_library
from tests.scenario import i18n_for_tests, tr
from tests.test_delivery import supervisors_and_quick_logs

SEED = int(os.environ.get("FAULTS_SEED", "17"))
KILLS = int(os.environ.get("FAULTS_KILLS", "3"))
PATIENCE = 2.5  # seconds without an answer before a person looks where they are
SETTLE = 0.12  # a screen is answered once nothing more arrived for this long
FLOW_SECONDS = 90.0
MAX_RESUMES = 8
WAIT_LIMIT = 15.0  # seconds a person waits for news the flow must bring them

ADMIN, APPLICANT = 1000, 2101
REPORTER, REPORT_CHIEF = 3101, 5101
RUNNER = 3201
LOGGER, NEWS_EN, NEWS_RU, NEWS_TOP = 3301, 5301, 5302, 5303

# telegram id, role, unit, name, language: who is there before the bot starts.
PEOPLE = [
    (ADMIN, Role.ADMIN, None, "Chief Admin", "en"),
    (REPORTER, Role.OFFICER, "KAINDA", "Officer Bekov", "en"),
    (REPORT_CHIEF, Role.SUPERVISOR, "KAINDA", "Chief Kainda", "en"),
    (RUNNER, Role.OFFICER, "DOSTUK", "Officer Toktogulov", "en"),
    (LOGGER, Role.OFFICER, "TORUGART", "Officer Sadykov", "en"),
    (NEWS_EN, Role.SUPERVISOR, "TORUGART", "Chief Torugart", "en"),
    (NEWS_RU, Role.SUPERVISOR, "TORUGART", "Начальник Торугарта", "ru"),
    (NEWS_TOP, Role.SUPERVISOR, "NARYN", "Chief Naryn", "en"),
]

# Calls the bot makes whatever happens (starting, polling): not counted towards a kill.
BACKGROUND = frozenset(
    {"getupdates", "getme", "deletewebhook", "setmycommands", "getmycommands", "close"}
)


def en(text: str, **values: object) -> str:
    return tr("en", text, **values)


def ru(text: str, **values: object) -> str:
    return tr("ru", text, **values)


def start_of(text: str, language: str = "en") -> str:
    """What a message of this kind begins with, before its first value."""
    return tr(language, text).split("{", 1)[0]


# ---------------------------------------------------------------------------------------------
# The world: one bot process, its fake Bot API and database, and the kills.


@dataclass
class Kill:
    kind: str  # "call", "news" (a call that sends news to a recipient) or "delay"
    at: float  # the n-th counted call (or news), or seconds after the flow began
    phase: str = RECEIVED  # for a call: killed as it arrives, or once carried out

    def describe(self) -> str:
        if self.kind == "delay":
            return f"after {self.at:.1f}s"
        moment = "before" if self.phase == RECEIVED else "after"
        return f"{moment} {'news' if self.kind == 'news' else 'call'} {int(self.at)}"


@dataclass
class FlowStats:
    kills: list[str] = field(default_factory=list)
    calls: int = 0
    news: int = 0
    seconds: float = 0.0
    redelivered: int = 0
    resumes: int = 0
    again: int = 0
    lost: list[int] = field(default_factory=list)


class World:
    """The bot process under test, restarted whenever it dies; kills as planned."""

    def __init__(
        self,
        telegram: FakeBotAPI,
        process: BotProcess,
        session_factory: async_sessionmaker[AsyncSession],
    ) -> None:
        self.telegram, self.process, self.session_factory = telegram, process, session_factory
        self.ready_since = self.last_activity = 0.0
        self.ready = asyncio.Event()  # polling: started, not killed since
        self.stats = FlowStats()
        self._plan: list[Kill] = []
        self._counting = False
        self._timers: list[asyncio.Task[None]] = []
        self._guard: asyncio.Task[None] | None = None
        self._closing = False
        self._kills_asked = 0
        self.told: set[int] = set()  # recipients of the flow's news
        self.unexpected: list[str] = []
        telegram.call_hook = self._on_call

    @property
    def up(self) -> bool:
        return self.ready.is_set() and self.process.alive

    async def start(self) -> None:
        await self.process.start()
        self.ready_since = time.monotonic()
        self.ready.set()
        self._guard = asyncio.create_task(self._keep_running())

    async def close(self) -> None:
        self._closing = True
        for timer in self._timers:
            timer.cancel()
        if self._guard is not None:
            self._guard.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._guard
        self.telegram.call_hook = None
        code = await self.process.stop()
        if code != 0:
            self.unexpected.append(f"the bot exited with {code} on SIGTERM")

    def _on_call(self, call: ApiCall, phase: str) -> bool:
        if call.method.lower() not in BACKGROUND:
            self.last_activity = time.monotonic()
        if not self._counting or call.method.lower() in BACKGROUND or not self.up:
            return False
        news = call.method.lower() == "sendmessage" and call.params.get("chat_id") in self.told
        if phase == RECEIVED:
            self.stats.calls += 1
            self.stats.news += news
        count = {"call": self.stats.calls, "news": self.stats.news if news else 0}
        due = [
            kill
            for kill in self._plan
            if kill.kind in count and kill.phase == phase and 0 < kill.at <= count[kill.kind]
        ]
        if not due:
            return False
        for kill in due:
            self._plan.remove(kill)
        self.stats.kills.append(f"{due[0].describe()} ({call.method})")
        self._kill()
        return phase == RECEIVED

    async def _keep_running(self) -> None:
        """Whenever the process is gone: reap it, end its leases, start it again."""
        while not self._closing:
            await asyncio.sleep(0.02)
            if self.process.pid is None or self.process.alive:
                continue
            self.ready.clear()
            expected = self.process.kills < self._kills_asked
            await self.process.kill()
            if not expected:
                self.unexpected.append(f"the bot died by itself:\n{self.process.tail()}")
            await end_leases(self.session_factory)
            await self.process.start()
            self.ready_since = time.monotonic()
            self.ready.set()

    def _kill(self) -> None:
        """Only a bot that is polling is killed: one dying at start-up would be no news."""
        self.ready.clear()
        self._kills_asked += 1
        self.process.kill_now()

    def begin_flow(self, plan: list[Kill]) -> None:
        self.stats = FlowStats()
        self._plan = list(plan)
        self._counting = True
        for kill in plan:
            if kill.kind == "delay":
                self._timers.append(asyncio.create_task(self._kill_after(kill)))

    async def _kill_after(self, kill: Kill) -> None:
        await asyncio.sleep(kill.at)
        await self.ready.wait()
        if self._counting and self.up:
            self.stats.kills.append(kill.describe())
            self._kill()

    def end_flow(self) -> FlowStats:
        self._counting = False
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        return self.stats


async def end_leases(session_factory: async_sessionmaker[AsyncSession]) -> int:
    """The outbox rows a dead process had claimed are given the time their lease has left, as
    if the restart had taken that long (60 s): they become due to the new process now."""
    lapsed = datetime.now(UTC) - timedelta(seconds=1)
    async with session_factory.begin() as session:
        result = await session.execute(
            update(Notification)
            .where(
                Notification.status.in_(notifications.WAITING),
                Notification.claimed_until > lapsed,
            )
            .values(claimed_until=lapsed)
        )
        return result.rowcount or 0


# ---------------------------------------------------------------------------------------------
# People.


class Stuck(AssertionError):
    pass


Step = Callable[[], Awaitable[Any]]


class Person:
    """Answers the newest screen that asks them something, once it has settled; when nothing
    comes for a while, looks where they are (`resume`)."""

    def __init__(self, world: World, user: FakeUser) -> None:
        self.world, self.user = world, user
        self.telegram = world.telegram
        self.finished = False
        self.acted = -1
        self.resumes = self.again = 0
        self.answered_again: set[int] = set()  # screens (event index) answered twice
        self.log: list[str] = []

    async def begin(self) -> None:
        """The first thing the person does."""

    def decide(self, message: BotMessage) -> Step | None:
        raise NotImplementedError

    async def resume(self) -> None:
        raise Stuck(f"{self.user.id} has nothing to do")

    def waiting(self) -> bool:
        """Waiting for somebody else: nothing to look for yet."""
        return False

    def screen(self) -> tuple[int, BotMessage, Step] | None:
        events = self.telegram.chat_events(self.user.id)
        seen: set[int] = set()
        for index in range(len(events) - 1, -1, -1):
            message_id = events[index]
            if message_id in seen:
                continue
            seen.add(message_id)
            message = self.telegram.message(self.user.id, message_id)
            if message.deleted:
                continue
            if (step := self.decide(message)) is not None:
                return index, message, step
        return None

    async def press(self, message: BotMessage, label: str) -> None:
        self.log.append(f"press {label!r} on #{message.message_id}")
        await self.user.press(label, message)

    async def send(self, text: str) -> None:
        self.log.append(f"send {text!r}")
        await self.user.send(text)

    async def live(self) -> None:
        clock = time.monotonic
        await self.begin()
        last_act = clock()
        events = self.telegram.chat_events(self.user.id)
        seen, last_event = len(events), clock()
        while not self.finished:
            await asyncio.sleep(0.03)
            if len(events) != seen:
                seen, last_event = len(events), clock()
            if not self.world.up:
                continue
            now = clock()
            found = self.screen()
            if found is not None and found[0] > self.acted:
                after_restart = now - self.world.ready_since < 2
                if now - last_event < (SETTLE * 4 if after_restart else SETTLE):
                    continue
                self.acted = len(events) - 1
                await found[2]()
                last_act = clock()
                continue
            if self.finished:
                continue
            if self.waiting():
                if (
                    now - max(last_act, self.world.ready_since, self.world.last_activity)
                    > WAIT_LIMIT
                ):
                    raise Stuck(f"{self.user.id} waited {WAIT_LIMIT:.0f}s for news:\n{self.chat()}")
                continue
            if now - max(last_act, self.world.ready_since) > PATIENCE:
                if self.resumes + self.again >= MAX_RESUMES:
                    raise Stuck(f"{self.user.id} is stuck:\n{self.chat()}")
                self.acted = len(events) - 1
                if found is not None and found[0] not in self.answered_again:
                    self.answered_again.add(found[0])  # nothing came: answered once more
                    self.again += 1
                    self.log.append("answers again")
                    await found[2]()
                else:
                    self.resumes += 1
                    self.log.append("looks where they are")
                    await self.resume()
                last_act = clock()

    def chat(self) -> str:
        return (
            "\n".join(
                self.telegram.message(self.user.id, message_id).summary()
                for message_id in self.telegram.chat_events(self.user.id)[-12:]
            )
            + "\nactions: "
            + "; ".join(self.log[-12:])
        )


def field_asked(message: BotMessage) -> tuple[str, str] | None:
    """(section title, field label) of a full-report question, else None."""
    first = message.text.split("\n", 1)[0]
    if " · " not in first:
        return None
    section, label = first.rsplit(" · ", 1)
    return section, label


REPORT_ANSWERS: dict[str, str | tuple[str]] = {
    "What was found": ("🔀 Mixed",),
    "Date and time of the seizure": "28.11.2026 22:15",
    "Place": ("Kainda",),
    "Anyone in danger or hurt": ("No",),
    "Type of location": ("Road crossing point",),
    "Direction": ("Entry",),
    "How it was detected": ("X-ray scanner",),
    "Concealment": ("Vehicle compartment",),
    "Concealment details": "Under the rear seat, in a welded box",
    "Context": ("Trafficking",),
    "Country of departure": "Таджикистан",
    "Intended destination": ("Kazakhstan",),
    "Number of persons involved": "2",
    "Narrative": "During the X-ray check of a car entering from Tajikistan the officer saw a "
    "dense object under the rear seat.\nA welded box held a pistol and cartridges.",
    "Type of weapon": ("Pistol (self-loading)",),
    "Quantity": "1",
    "Make (manufacturer)": "Izhmekh",
    "Model": "PM",
    "Calibre": "9×18 mm",
    "Serial number": "  ТК 4417-b ",
    "State when found": ("Loaded",),
}


class Reporter(Person):
    """Writes a full report: the incident, one firearm, then submits it."""

    async def begin(self) -> None:
        await self.send(en("📝 New report"))

    def decide(self, message: BotMessage) -> Step | None:
        text, has = message.text, message.has_button
        if text.startswith(start_of("✅ Report No. {number} submitted (revision {revision}).")):
            return self.done
        if (asked := field_asked(message)) is not None and message.inline_buttons:
            label = asked[1]
            answer = REPORT_ANSWERS.get(label)
            if answer is None:
                return lambda: self.press(message, en("⏭ Skip"))
            if isinstance(answer, tuple):
                return lambda: self.press(message, en(answer[0]))
            return lambda: self.send(answer)
        if has(en("📝 Full report instead")):
            return lambda: self.press(message, en("📝 Full report instead"))
        if has(en("🔫 Firearm")):
            return lambda: self.press(message, en("🔫 Firearm"))
        continuing = [label for label in message.button_texts() if label.startswith("▶️")]
        if has(en("🗑 Discard draft")) and continuing:
            return lambda: self.press(message, continuing[0])
        if has(en("✅ Submit")):
            return lambda: self.press(message, en("✅ Submit"))
        if has(en("« Back to the report")) and asked is None:
            return lambda: self.press(message, en("« Back to the report"))
        drafts = [label for label in message.button_texts() if label.startswith("📝 ")]
        if text == en("Your drafts, last changed first. Each is saved as you go:") and drafts:
            return lambda: self.press(message, drafts[0])
        return None

    async def done(self) -> None:
        self.finished = True

    async def resume(self) -> None:
        await self.send(en("📝 My drafts"))


COMPLETED = (
    "✅ Procedure completed: {title}. Steps done: {done}; skipped: {skipped}. "
    "The record of this run is saved."
)
RUN_REASONS = {
    "Keep people back.": "Sappers already hold the cordon",
    "Photograph it as found.": "No camera at the post tonight",
}


class Runner(Person):
    """Runs 'Check the scene': Done, a critical step skipped with a reason, 'No' to the
    question, the photo step skipped with a reason, Done."""

    skipping: str | None = None

    async def begin(self) -> None:
        await self.send(en("📋 Procedures"))

    def decide(self, message: BotMessage) -> Step | None:
        text, has = message.text, message.has_button
        if text.startswith(start_of(COMPLETED)):
            return self.done
        resume = [label for label in message.button_texts() if label.startswith("▶️ Continue")]
        if resume:
            return lambda: self.press(message, resume[0])
        if has("🛑 " + en("First response and safety")):
            return lambda: self.press(message, "🛑 " + en("First response and safety"))
        if has("Check the scene"):
            return lambda: self.press(message, "Check the scene")
        if has(en("▶️ Start")):
            return lambda: self.press(message, en("▶️ Start"))
        if text == en("Why is this critical step skipped? Type the reason; it is recorded."):
            reason = RUN_REASONS[self.skipping or "Keep people back."]
            return lambda: self.send(reason)
        for step in RUN_REASONS:
            if step in text and has(en("⏭ Skip, with a reason")):
                return lambda step=step: self.skip(message, step)
        if "Could it explode?" in text and has("No"):
            return lambda: self.press(message, "No")
        if ("Keep hands off." in text or "Note the time." in text) and has(en("✅ Done")):
            return lambda: self.press(message, en("✅ Done"))
        return None

    async def skip(self, message: BotMessage, step: str) -> None:
        self.skipping = step
        await self.press(message, en("⏭ Skip, with a reason"))

    async def done(self) -> None:
        self.finished = True

    async def resume(self) -> None:
        await self.send(en("📋 Procedures"))


REQUEST_SENT = "Your access request has been sent. You will get a message here when it is reviewed."
REQUEST_PENDING = "Your access request is being reviewed. You will get a message here when it is."
ACCESS_REQUEST = (
    "🆕 Access request No. {number}\nName: {name}\nTelegram: {telegram}\nUnit: {unit}\nSent: {sent}"
)


class Applicant(Person):
    """A stranger (Russian) asks for access to Airybas and waits for the answer."""

    requested = False

    async def begin(self) -> None:
        await self.send("/start")

    def waiting(self) -> bool:
        return self.requested

    def decide(self, message: BotMessage) -> Step | None:
        text, has = message.text, message.has_button
        welcome = start_of("Welcome, {name}. You are {role}, {unit}. Choose an action below.", "ru")
        if access_news(message) is not None or text.startswith(welcome):
            return self.done  # approved: told so, or welcomed as an officer
        if has(LANGUAGE_NAMES["ru"]):
            return lambda: self.press(message, LANGUAGE_NAMES["ru"])
        if has(ru("Request access")):
            return lambda: self.press(message, ru("Request access"))
        if text == ru("Type your full name and rank, as in your service ID."):
            return lambda: self.send("Асанов Бакыт, сержант")
        picks = [label for label in message.button_texts() if label.endswith("Айрыбаш")]
        if picks:
            return lambda: self.press(message, picks[0])
        if text in (ru(REQUEST_SENT), ru(REQUEST_PENDING)):
            return self.wait_for_answer
        return None

    async def wait_for_answer(self) -> None:
        self.requested = True

    async def done(self) -> None:
        self.finished = True

    async def resume(self) -> None:
        await self.send("/start")


class Admin(Person):
    """Approves the request when it arrives."""

    def waiting(self) -> bool:
        return not any(
            self.telegram.message(ADMIN, message_id).has_button(en("✅ Approve"))
            for message_id in self.telegram.chat_events(ADMIN)
        )

    def decide(self, message: BotMessage) -> Step | None:
        already = en(
            "This request was {outcome} by {name}.", outcome=en("already approved"), name=""
        )
        if start_of("✅ Approved by {name}") in message.text or already[:-1] in message.text:
            return self.done  # decided, or found decided when pressed again
        if message.has_button(en("✅ Approve")):
            return lambda: self.press(message, en("✅ Approve"))
        return None

    async def done(self) -> None:
        self.finished = True

    async def resume(self) -> None:
        """The request is still on the screen, undecided: press Approve on it again."""
        for message in reversed(self.telegram.chat_messages(ADMIN)):
            if message.has_button(en("✅ Approve")):
                await self.press(message, en("✅ Approve"))
                return


# category, place (a button, or typed), estimate, danger
QUICK_LOGS = [
    ("🔫 Firearms", ("Torugart",), "1", "✅ Nobody in danger"),
    ("🧰 Ammunition", "Lane 4, a lorry from Kashgar", "2–5", "✅ Nobody in danger"),
    ("💣 Explosives", ("Torugart",), "not known yet", "⚠️ Someone in danger or hurt"),
]


FILED = re.compile(re.escape(start_of("⚡ Quick log No. {number} filed.")) + r"(\S+) ")
IN_PROGRESS = (
    "A quick log is already in progress: answer the question above, or send /cancel to discard it."
)


class Logger(Person):
    """Files three quick logs in a row."""

    def __init__(self, world: World, user: FakeUser) -> None:
        super().__init__(world, user)
        self.filed: set[str] = set()

    @property
    def current(self) -> tuple[Any, ...]:
        return QUICK_LOGS[min(len(self.filed), len(QUICK_LOGS) - 1)]

    async def begin(self) -> None:
        await self.send(en("📝 New report"))

    def decide(self, message: BotMessage) -> Step | None:
        text = message.text
        if filed := FILED.match(text):
            return lambda: self.next_log(filed.group(1))
        if text == en(IN_PROGRESS):
            return self.answer_again
        if text in (en("Your reports, newest first:"), en("You have no reports yet.")):
            return lambda: self.count_reports(message)
        return self.question(message)

    def question(self, message: BotMessage) -> Step | None:
        """The answer to a question of the quick log on the screen, if it is one."""
        text, has = message.text, message.has_button
        category, place, estimate, danger = self.current
        if text.startswith(en("⚡ Quick log. What was found?")) and has(en(category)):
            return lambda: self.press(message, en(category))
        if text == en("Where? Choose the crossing point, share your location, or type the place."):
            if isinstance(place, tuple):
                return lambda: self.press(message, place[0])
            return lambda: self.send(place)
        if text == en("Roughly how many items?") and has(en(estimate)):
            return lambda: self.press(message, en(estimate))
        if has(en(danger)):
            return lambda: self.press(message, en(danger))
        return None

    async def next_log(self, number: str) -> None:
        self.filed.add(number)
        if len(self.filed) >= len(QUICK_LOGS):
            self.finished = True
        else:
            await self.send(en("📝 New report"))

    async def answer_again(self) -> None:
        """The bot says a log is in progress: the question above it is answered (again)."""
        for message_id in reversed(self.telegram.chat_events(self.user.id)):
            message = self.telegram.message(self.user.id, message_id)
            if (step := self.question(message)) is not None:
                await step()
                return

    async def count_reports(self, message: BotMessage) -> None:
        numbers = [label.split(" ")[0] for label in message.button_texts() if "-" in label]
        self.filed |= {number for number in numbers if number}
        if len(self.filed) >= len(QUICK_LOGS):
            self.finished = True
        else:
            await self.send(en("📝 New report"))

    async def resume(self) -> None:
        await self.send(en("🗂 My reports"))


# ---------------------------------------------------------------------------------------------
# What is stored, without what differs from run to run anyway (ids, times, hashes of times).

VOLATILE = frozenset(
    {"id", "created_at", "updated_at", "submitted_at", "started_at", "saved_at", "at", "digest"}
)
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


class Window:
    """Times inside the test's own run are 'now' (they differ between runs); others are data."""

    start = datetime.now(UTC) - timedelta(hours=1)

    @classmethod
    def plain(cls, value: Any) -> Any:
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            return "<now>" if moment >= cls.start else moment.isoformat()
        if isinstance(value, str) and ISO_TIME.match(value):
            with contextlib.suppress(ValueError):
                return cls.plain(datetime.fromisoformat(value))
        if isinstance(value, dict):
            return {str(k): cls.plain(v) for k, v in sorted(value.items()) if k not in VOLATILE}
        if isinstance(value, list | tuple):
            return [cls.plain(item) for item in value]
        if hasattr(value, "value"):  # enums
            return value.value
        return value


NEWS_TIME_LINES = tuple(
    tr(language, text).split("{", 1)[0]
    for language in ("en", "ru")
    for text in ("Time of the seizure: {date}", "Sent: {sent}")
)


def news_text(text: str) -> str:
    """A notification as its recipient reads it, without the lines that carry the time."""
    lines = [line for line in text.split("\n") if not line.startswith(NEWS_TIME_LINES)]
    return re.sub(r"\d{1,2}:\d\d", "<time>", "\n".join(lines))


async def snapshot(
    session_factory: async_sessionmaker[AsyncSession], telegram: FakeBotAPI, flow: Flow
) -> dict[str, Any]:
    """Everything the flow stored or delivered, keyed by what people call it."""
    plain = Window.plain
    async with session_factory() as session:
        people = {
            user.id: user
            for user in await session.scalars(select(User).where(User.telegram_id.in_(flow.ids)))
        }
        codes = {unit.id: unit.code for unit in await session.scalars(select(Unit))}
        tg = {user_id: user.telegram_id for user_id, user in people.items()}
        reports = (
            await session.scalars(
                select(SeizureReport)
                .where(SeizureReport.officer_id.in_(people))
                .order_by(SeizureReport.number)
            )
        ).all()
        numbers = {report.id: report.number for report in reports}
        result: dict[str, Any] = {
            "people": {
                str(user.telegram_id): plain(
                    {
                        "name": user.full_name,
                        "language": user.language,
                        "role": user.role,
                        "status": user.status,
                        "unit": codes.get(user.unit_id or 0),
                    }
                )
                for user in people.values()
            },
            "reports": {
                str(report.number): plain(
                    {
                        "status": report.status,
                        "category": report.category,
                        "complete": report.complete,
                        "urgent": report.urgent,
                        "danger": report.anyone_in_danger,
                        "place": [report.place_text, codes.get(report.place_unit_id or 0)],
                        "estimate": report.item_estimate,
                        "revision": report.revision,
                        "occurred_at": report.occurred_at,
                        "details": report.details,
                    }
                )
                for report in reports
            },
        }
        revisions = await session.scalars(
            select(ReportRevision)
            .where(ReportRevision.report_id.in_(numbers))
            .order_by(ReportRevision.report_id, ReportRevision.revision)
        )
        result["revisions"] = [
            plain([numbers[r.report_id], r.revision, r.changes, r.content, tg.get(r.author_id)])
            for r in revisions
        ]
        drafts = await session.scalars(
            select(ReportDraft).where(ReportDraft.officer_id.in_(people)).order_by(ReportDraft.id)
        )
        result["drafts"] = [plain(draft.content) for draft in drafts]
        runs = (
            await session.scalars(
                select(ProcedureRun)
                .where(ProcedureRun.user_id.in_(people))
                .order_by(ProcedureRun.id)
            )
        ).all()
        result["runs"] = [
            plain([run.procedure_id, run.procedure_version, run.status, run.current_step, run.path])
            for run in runs
        ]
        events = await session.scalars(
            select(ProcedureStepEvent)
            .where(ProcedureStepEvent.run_id.in_([run.id for run in runs]))
            .order_by(ProcedureStepEvent.id)
        )
        result["step events"] = [
            plain([e.step_id, e.outcome, e.answer, e.reason, e.photo_sha256]) for e in events
        ]
        requests = await session.scalars(
            select(AccessRequest)
            .where(AccessRequest.user_id.in_(people))
            .order_by(AccessRequest.id)
        )
        result["access requests"] = [
            plain(
                [
                    tg[request.user_id],
                    request.full_name,
                    codes.get(request.unit_id),
                    request.status,
                    tg.get(request.decided_by_id or 0),
                ]
            )
            for request in requests
        ]
        notifications = await session.scalars(
            select(Notification).where(Notification.recipient_id.in_(people))
        )
        result["notifications"] = sorted(
            plain(
                [
                    tg[n.recipient_id],
                    n.kind,
                    numbers.get(n.report_id or 0, n.report_id and "another's"),
                    n.urgent,
                    n.status,
                ]
            )
            for n in notifications
        )
        audit = await session.scalars(
            select(AuditEntry).where(AuditEntry.actor_id.in_(people)).order_by(AuditEntry.id)
        )
        result["audit"] = dict(
            sorted(Counter(f"{tg[e.actor_id or 0]} {e.action}" for e in audit).items())
        )
    news = {chat: flow.news_of(chat, telegram.chat_messages(chat)) for chat in flow.ids}
    # What each person was told, once each; the copies apart (a repeat says it is one).
    result["news"] = {
        str(chat): sorted({unmarked(text) for text in texts}) for chat, texts in news.items()
    }
    result["copies"] = {
        str(chat): dict(Counter(text for text in texts if text == unmarked(text)))
        for chat, texts in news.items()
    }
    result["repeats"] = sum(text != unmarked(text) for texts in news.values() for text in texts)
    return result


REPEAT_HEADINGS = tuple(
    tr(language, "🔁 Repeat (the first sending may not have arrived):") + "\n\n"
    for language in ("en", "ru")
)


def unmarked(text: str) -> str:
    for heading in REPEAT_HEADINGS:
        text = text.removeprefix(heading)
    return text


def compared(snap: dict[str, Any]) -> dict[str, Any]:
    """What must equal the uninterrupted run: copies and repeats are counted apart."""
    return {key: value for key, value in snap.items() if key not in ("copies", "repeats")}


def differences(reference: Any, crashed: Any, path: str = "") -> list[str]:
    if isinstance(reference, dict) and isinstance(crashed, dict):
        found = []
        for key in sorted(set(reference) | set(crashed)):
            found += differences(reference.get(key), crashed.get(key), f"{path}.{key}")
        return found
    if isinstance(reference, list) and isinstance(crashed, list) and len(reference) == len(crashed):
        found = []
        for number, (left, right) in enumerate(zip(reference, crashed, strict=True)):
            found += differences(left, right, f"{path}[{number}]")
        return found
    if reference != crashed:
        return [f"{path or '.'}: uninterrupted {reference!r}, with kills {crashed!r}"]
    return []


def duplicates(snap: dict[str, Any]) -> list[str]:
    """News delivered more than once to a person, copies marked as repeats aside."""
    return [
        f"{chat} got {times}×: {text.splitlines()[0]!r}"
        for chat, texts in snap["copies"].items()
        for text, times in texts.items()
        if times > 1
    ]


# ---------------------------------------------------------------------------------------------
# The flows.


NewsReader = Callable[[BotMessage], str | None]


@dataclass
class Flow:
    name: str
    ids: list[int]
    people: Callable[[World], list[Person]]
    news: dict[int, NewsReader] = field(default_factory=dict)  # by recipient
    told: frozenset[int] = frozenset()  # chats where whatever is sent is news

    def news_of(self, chat: int, messages: list[BotMessage]) -> list[str]:
        """The news this person got, each as they read it (without the time it carries)."""
        reader = self.news.get(chat)
        texts = [reader(message) for message in messages] if reader else []
        return [news_text(text) for text in texts if text is not None]


def everything(message: BotMessage) -> str:
    return message.text


def access_request_news(message: BotMessage) -> str | None:
    """The request as the admin got it (what pressing its buttons added is not news)."""
    body = unmarked(message.text)
    if not body.startswith(start_of(ACCESS_REQUEST)):
        return None
    return message.text.removesuffix(body) + body.split("\n\n", 1)[0]


def access_news(message: BotMessage) -> str | None:
    approved = start_of("Your access request was approved: you are {role}, {unit}.", "ru")
    return message.text if unmarked(message.text).startswith(approved) else None


FLOWS = [
    Flow(
        "full report",
        [REPORTER, REPORT_CHIEF],
        lambda world: [Reporter(world, world.telegram.user(REPORTER, "Bekov", "en"))],
        {REPORT_CHIEF: everything},
        frozenset({REPORT_CHIEF}),
    ),
    Flow(
        "procedure run",
        [RUNNER],
        lambda world: [Runner(world, world.telegram.user(RUNNER, "Toktogulov", "en"))],
    ),
    Flow(
        "access decision",
        [APPLICANT, ADMIN],
        lambda world: [
            Applicant(world, world.telegram.user(APPLICANT, "Бакыт", "ru")),
            Admin(world, world.telegram.user(ADMIN, "Chief", "en")),
        ],
        {ADMIN: access_request_news, APPLICANT: access_news},
        frozenset({ADMIN}),
    ),
    Flow(
        "notification batch",
        [LOGGER, NEWS_EN, NEWS_RU, NEWS_TOP],
        lambda world: [Logger(world, world.telegram.user(LOGGER, "Sadykov", "en"))],
        {NEWS_EN: everything, NEWS_RU: everything, NEWS_TOP: everything},
        frozenset({NEWS_EN, NEWS_RU, NEWS_TOP}),
    ),
]


async def run_flow(world: World, flow: Flow, plan: list[Kill]) -> FlowStats:
    telegram = world.telegram
    for person_id in flow.ids:  # every recipient has a chat with the bot
        telegram.user(person_id)
    first_update = len(telegram.pushed_updates)
    started = time.monotonic()
    world.told = set(flow.told)
    world.begin_flow(plan)
    people = flow.people(world)
    try:
        await asyncio.wait_for(asyncio.gather(*(p.live() for p in people)), FLOW_SECONDS)
        await settle(world, flow)
    except (TimeoutError, Stuck) as problem:
        chats = "\n\n".join(f"{p.user.id}:\n{p.chat()}" for p in people)
        raise AssertionError(
            f"{flow.name}: {type(problem).__name__} {problem}\n{chats}\n"
            f"kills: {world.stats.kills}\nbot log:\n{world.process.tail(60)}"
        ) from None
    stats = world.end_flow()
    stats.seconds = time.monotonic() - started
    stats.resumes = sum(p.resumes for p in people)
    stats.again = sum(p.again for p in people)
    sent = [update["update_id"] for update in telegram.pushed_updates[first_update:]]
    stats.redelivered = sum(
        times for update, times in telegram.redelivered().items() if update in set(sent)
    )
    async with world.session_factory() as session:
        claimed = set(
            await session.scalars(
                select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id.in_(sent))
            )
        )
    stats.lost = [update for update in sent if update not in claimed]
    return stats


async def settle(world: World, flow: Flow) -> None:
    """Until the bot has confirmed every update and delivered every notification."""
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        if not world.up:
            continue
        pushed = world.telegram.pushed_updates
        confirmed = not pushed or world.telegram.confirmed_offset > pushed[-1]["update_id"]
        async with world.session_factory() as session:
            pending = await session.scalar(
                select(Notification.id).where(Notification.status.in_(notifications.WAITING))
            )
        if confirmed and pending is None:
            return
    raise TimeoutError("updates still unconfirmed or notifications undelivered after 45 s")


# ---------------------------------------------------------------------------------------------
# Runs.


async def prepare_database(url: str, kind: str) -> AsyncEngine:
    if kind == "postgresql":
        await reset_postgresql(url)
    engine = create_engine(url)
    await upgrade_database(engine)
    session_factory = create_session_factory(engine)
    async with session_factory.begin() as session:
        for telegram_id, role, unit_code, name, language in PEOPLE:
            unit = await units.get_unit_by_code(session, unit_code) if unit_code else None
            await users.upsert_user(
                session, telegram_id, role, unit.id if unit else None, name, language
            )
    return engine


@dataclass
class RunResult:
    snapshots: dict[str, dict[str, Any]]
    stats: dict[str, FlowStats]
    unexpected: list[str]


async def run_world(
    url: str,
    kind: str,
    workdir: Path,
    launcher: Launcher,
    plans: dict[str, list[Kill]] | None,
) -> RunResult:
    engine = await prepare_database(url, kind)
    session_factory = create_session_factory(engine)
    settings = {
        "BOT_TOKEN": BOT_TOKEN,
        "DATABASE_URL": url,
        "ADMIN_IDS": str(ADMIN),
        "MEDIA_DIR": str(workdir / "media"),
        "PROCEDURES_DIR": str(write_library(workdir / "procedures")),
        "LOG_LEVEL": "INFO",
        "DEFAULT_LANGUAGE": "en",
        "DIGEST_TIME": "off",
        "SHUTDOWN_TIMEOUT_SECONDS": "5",
        "NOTIFICATION_TIMEOUT_SECONDS": "5",
        # A send whose outcome is unknown goes again, marked as a repeat, after this (30 min in
        # service): soon enough to be seen here.
        "UNKNOWN_OUTCOME_RETRY_MINUTES": "0.05",
    }
    snapshots, stats = {}, {}
    try:
        async with FakeBotAPI() as telegram:
            settings["TELEGRAM_API_URL"] = telegram.base_url
            process = BotProcess(telegram, settings, workdir, launcher)
            world = World(telegram, process, session_factory)
            await world.start()
            try:
                for flow in FLOWS:
                    plan = (plans or {}).get(flow.name, [])
                    stats[flow.name] = await run_flow(world, flow, plan)
                    snapshots[flow.name] = await snapshot(session_factory, telegram, flow)
            finally:
                await world.close()
            return RunResult(snapshots, stats, world.unexpected)
    finally:
        await engine.dispose()


def kill_plans(rng: random.Random, reference: dict[str, FlowStats]) -> dict[str, list[Kill]]:
    """`KILLS` a flow: after the n-th call (as it arrives or once carried out) or after a
    delay. Where others are told something, one kill comes just as news is sent (it must go
    later) and one just after (sent, not yet recorded as sent: the case that makes delivery at
    least once, not exactly once)."""
    plans = {}
    for name, measured in reference.items():
        plan = []
        calls = sorted(rng.sample(range(1, max(measured.calls, KILLS + 1) + 1), KILLS))
        for number in calls:
            if rng.random() < 0.25:
                plan.append(Kill("delay", round(rng.uniform(0.3, measured.seconds), 2)))
            else:
                plan.append(Kill("call", number, rng.choice((RECEIVED, DONE))))
        if measured.news and len(plan) >= 2:
            first, second = rng.sample(range(len(plan)), 2)
            plan[first] = Kill("news", rng.randint(1, measured.news), DONE)
            plan[second] = Kill("news", rng.randint(1, measured.news), RECEIVED)
        plans[name] = plan
    return plans


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def append_lines(path: Path, lines: list[str]) -> None:
    with path.open("a") as file:
        file.write("".join(f"{line}\n" for line in lines))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return "sqlite", ""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set")
    return "postgresql", Settings(_env_file=None, database_url=url).database_url


@pytest.fixture
async def launcher() -> Any:
    if os.environ.get("FAULTS_SPAWN") == "exec":
        yield None
        return
    server = Launcher()
    await server.open()
    try:
        yield server
    finally:
        await server.close()


async def test_killed_at_random_points_the_bot_stores_what_an_uninterrupted_run_stores(
    database: tuple[str, str], launcher: Launcher | None, tmp_path: Path
) -> None:
    kind, url = database

    def url_for(name: str) -> str:
        return url or f"sqlite+aiosqlite:///{tmp_path / name / 'bot.db'}"

    for name in ("reference", "crash"):
        (tmp_path / name).mkdir()
    reference = await run_world(url_for("reference"), kind, tmp_path / "reference", launcher, None)
    assert not reference.unexpected, reference.unexpected
    rng = random.Random(f"{SEED}-{kind}")
    plans = kill_plans(rng, reference.stats)
    crashed = await run_world(url_for("crash"), kind, tmp_path / "crash", launcher, plans)

    if dump := os.environ.get("FAULTS_DUMP"):  # the snapshots, to read what was compared
        write_json(Path(dump), {"reference": reference.snapshots, "crash": crashed.snapshots})
    problems, summary = list(crashed.unexpected), []
    for flow in FLOWS:
        name = flow.name
        stats = crashed.stats[name]
        found = differences(compared(reference.snapshots[name]), compared(crashed.snapshots[name]))
        doubled = duplicates(crashed.snapshots[name])
        summary.append(
            f"crash suite [{kind}, seed {SEED}] {name}: {len(stats.kills)} kills survived, "
            f"{stats.redelivered} updates re-delivered, {stats.again} answers repeated, "
            f"{stats.resumes} looks at the menu, "
            f"{len(stats.lost)} updates lost, {len(found)} differences, "
            f"{len(doubled)} duplicates, {crashed.snapshots[name]['repeats']} marked repeats "
            f"({stats.seconds:.1f}s; uninterrupted "
            f"{reference.stats[name].seconds:.1f}s; kills: {', '.join(stats.kills) or '-'})"
        )
        problems += [f"{name}: {line}" for line in found + doubled]
        if stats.lost:
            problems.append(f"{name}: updates sent but never handled: {stats.lost}")
    print("\n".join(summary))
    if report := os.environ.get("FAULTS_REPORT"):
        append_lines(Path(report), summary)
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# The two things the suite leans on, checked on their own.


async def test_the_fake_bot_api_gives_an_update_again_until_a_later_poll_confirms_it() -> None:
    async with FakeBotAPI() as telegram, aiohttp.ClientSession() as client:

        async def poll(**params: int) -> list[int]:
            url = f"{telegram.base_url}/bot{BOT_TOKEN}/getUpdates"
            async with client.post(url, data={"timeout": 0, **params}) as response:
                return [update["update_id"] for update in (await response.json())["result"]]

        officer = telegram.user(REPORTER, "Bekov", "en")
        first, second = await officer.send("one"), await officer.send("two")
        assert await poll() == [first, second]
        assert await poll() == [first, second]  # the bot died before confirming: again
        assert await poll(offset=first + 1) == [second]  # the first is confirmed, gone
        assert await poll(offset=first) == [second]  # and stays gone
        assert await poll(offset=second + 1) == []
        assert telegram.redelivered() == {first: 1, second: 3}


async def test_news_whose_sender_died_holding_it_goes_again_marked_as_a_repeat(
    session_factory: async_sessionmaker[AsyncSession], telegram: FakeBotAPI
) -> None:
    await supervisors_and_quick_logs(session_factory, telegram, supervisors=1, logs=1)
    async with session_factory.begin() as session:
        [held] = await notifications.claim_due(session, limit=10)  # then the worker dies
    later = datetime.now(UTC) + notifications.CLAIM_LEASE + timedelta(seconds=1)
    async with session_factory.begin() as session:
        [again] = await notifications.claim_due(session, limit=10, now=later)
        recipient = await session.get(User, again.recipient_id)
        i18n = i18n_for_tests()
        with i18n.context(), i18n.use_locale("en"):
            text, _ = await render_notification(session, again, recipient, "en", timezone=UTC)
    assert again.id == held.id
    assert text.startswith(en("🔁 Repeat (the first sending may not have arrived):"))
