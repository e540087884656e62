"""Fuzzing: hypothesis-made text, captions, callback data and update shapes fed into the real
dispatcher, by every kind of person and in the middle of every kind of conversation.

For each input: no handler fails (nothing logged at ERROR, where the error handler puts the
traceback of anything unexpected), a message gets an answer and a button press is answered,
and an input that must be refused changes nothing stored.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import BotApplication
from bot.db.models import (
    FsmRecord,
    ProcedureRun,
    ReportDraft,
    Role,
    SeizureReport,
    UserStatus,
    utcnow,
)
from bot.services import units, users
from bot.services.errors import InvalidInput
from bot.services.report_fields import check_year, field_of
from handlers.common import callbacks
from handlers.common.texts import LANGUAGE_NAMES
from handlers.documents.export import OTHER_PERIOD
from tests.conftest import ADMIN_ID, RunningBot, make_settings
from tests.fakes.bot_api import FakeUser
from tests.faults.harness import Harness, Snapshot, changes
from tests.procedure_fixtures import write_library
from tests.scenario import every_button_answered, tr
from tests.test_access_flow import OFFICER_ID, set_up_officer
from tests.test_quick_log import start_quick_log

OFFICER, COLLEAGUE, BLOCKED, SUPERVISOR, PENDING = 3001, 3002, 3003, 5001, 2001
FIRST_STRANGER = 7_000_000

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "120")),
    suppress_health_check=list(HealthCheck),
)


def en(text: str) -> str:
    return tr("en", text)


def pack(kind: type[callbacks.CallbackData], **values: Any) -> str:
    """Callback data of `kind` from those of `values` it has fields for."""
    return kind(
        **{name: value for name, value in values.items() if name in kind.model_fields}
    ).pack()


class World:
    """People in the middle of conversations, and other people's objects to forge ids of."""

    def __init__(
        self,
        harness: Harness,
        people: dict[str, FakeUser],
        conversations: dict[tuple[str, str], Snapshot],
        others: dict[str, int],
        buttons: list[str],
    ) -> None:
        self.harness, self.people = harness, people
        # (person, conversation) -> the state to put them back in before each input
        self.conversations = conversations
        self.others = others  # ids of the colleague's report, draft and run
        self.buttons = buttons  # data of every button the bot showed while setting up
        self.strangers = FIRST_STRANGER

    def __repr__(self) -> str:
        return "World()"

    def person(self, kind: str) -> FakeUser:
        if kind == "stranger":
            self.strangers += 1
            return self.harness.telegram.user(self.strangers, "Stranger", "en")
        return self.people[kind]

    async def enter(self, kind: str, conversation: str) -> FakeUser:
        user = self.person(kind)
        if kind != "stranger":
            await self.harness.restore(user, self.conversations[(kind, conversation)])
        self.harness.skip_to_end(user)
        return user


async def _people(app: BotApplication) -> None:
    async with app.session_factory.begin() as session:
        kainda = await units.get_unit_by_code(session, "KAINDA")
        for telegram_id, role, name in (
            (OFFICER, Role.OFFICER, "Officer Bekov"),
            (COLLEAGUE, Role.OFFICER, "Officer Asanov"),
            (BLOCKED, Role.OFFICER, "Officer Blocked"),
            (SUPERVISOR, Role.SUPERVISOR, "Chief Kainda"),
            (ADMIN_ID, Role.ADMIN, "Admin"),
        ):
            await users.upsert_user(session, telegram_id, role, kainda.id, name, "en")
        blocked = await users.find_by_telegram_id(session, BLOCKED)
        assert blocked is not None
        blocked.status = UserStatus.BLOCKED


async def _quick_log(h: Harness, user: FakeUser, place: str = "Kainda") -> None:
    await h.send(user, en("📝 New report"))
    await h.press(user, en("🔫 Firearms"))
    await h.press(user, place)
    await h.press(user, en("1"))
    await h.press(user, en("✅ Nobody in danger"))


async def _draft_of(h: Harness, telegram_id: int) -> int:
    async with h.app.session_factory() as session:
        owner = await users.find_by_telegram_id(session, telegram_id)
        draft = await session.scalar(
            select(ReportDraft).where(ReportDraft.officer_id == owner.id).order_by(ReportDraft.id)
        )
        return draft.id


async def build_world(h: Harness) -> World:
    """Everyone set up through the real handlers; a snapshot of each conversation."""
    await _people(h.app)
    telegram = h.telegram
    people = {
        "officer": telegram.user(OFFICER, "Bekov", "en"),
        "supervisor": telegram.user(SUPERVISOR, "Chief", "en"),
        "admin": telegram.user(ADMIN_ID, "Admin", "en"),
        "blocked": telegram.user(BLOCKED, "Blocked", "en"),
        "pending": telegram.user(PENDING, "Bakyt", "en"),
    }
    colleague = telegram.user(COLLEAGUE, "Asanov", "en")
    conversations: dict[tuple[str, str], Snapshot] = {}

    async def keep(kind: str, conversation: str) -> None:
        conversations[(kind, conversation)] = await h.snapshot(people[kind])

    for kind in ("officer", "supervisor", "admin", "blocked", "pending"):
        conversations[(kind, "idle")] = Snapshot(None)

    # The colleague's objects: a filed quick log, a draft and a procedure run in progress.
    await _quick_log(h, colleague)
    await h.send(colleague, en("📝 New report"))
    await h.press(colleague, en("📝 Full report instead"))
    await h.send(colleague, "/cancel")
    await h.send(colleague, en("📋 Procedures"))
    await h.press(colleague, "🛑 " + en("First response and safety"))
    await h.press(colleague, "Check the scene")
    await h.press(colleague, en("▶️ Start"))
    async with h.app.session_factory() as session:
        report = await session.scalar(select(SeizureReport))
        run = await session.scalar(select(ProcedureRun))
    others = {
        "report": report.id,
        "revision": report.revision,
        "colleague": report.officer_id,
        "draft": await _draft_of(h, COLLEAGUE),
        "run": run.id,
    }

    # A stranger who chose a language, then typing their name for an access request.
    pending = people["pending"]
    await h.send(pending, "/start")
    await h.press(pending, LANGUAGE_NAMES["en"])
    await h.press(pending, en("Request access"))
    await keep("pending", "access_name")
    await h.send(pending, "Bakyt Asanov, sergeant")
    await keep("pending", "access_unit")

    officer = people["officer"]
    await h.send(officer, en("📝 New report"))
    await keep("officer", "quick_category")
    await h.press(officer, en("🔫 Firearms"))
    await keep("officer", "quick_place")
    await h.press(officer, "Kainda")
    await h.press(officer, en("1"))
    await keep("officer", "quick_danger")
    await h.send(officer, "/cancel")

    await h.send(officer, en("📝 New report"))
    await h.press(officer, en("📝 Full report instead"))
    await keep("officer", "report_choice")
    draft = await _draft_of(h, OFFICER)
    incident = callbacks.Section.INCIDENT
    for key in (
        "occurred_at",
        "place",
        "route_departure",
        "route_transit",
        "persons_count",
        "narrative",
    ):
        await h.press_data(
            officer, callbacks.DraftAsk(draft=draft, section=incident, key=key).pack()
        )
        await keep("officer", f"report_{key}")
    item, person = callbacks.Section.ITEM, callbacks.Section.PERSON

    async def entry(section: callbacks.Section, kind: str = "") -> int:
        await h.press_data(
            officer, callbacks.DraftAddEntry(draft=draft, section=section, kind=kind).pack()
        )
        async with h.app.session_factory() as session:
            content = (await session.get(ReportDraft, draft)).content
        return content["items" if section is item else "persons"][-1]["id"]

    async def ask(section: callbacks.Section, key: str, number: int) -> None:
        asked = callbacks.DraftAsk(draft=draft, section=section, key=key, entry=number)
        await h.press_data(officer, asked.pack())

    firearm, explosive = await entry(item, "firearm"), await entry(item, "explosive")
    suspect = await entry(person)
    for section, key, number in (
        (item, "quantity", firearm),
        (item, "serial_number", firearm),
        (item, "net_weight", explosive),
        (person, "birth_date", suspect),
    ):
        await ask(section, key, number)
        await keep("officer", f"{section.value}_{key}")
    await ask(item, "import_marking_country", firearm)
    await h.send(officer, "Russia")
    await ask(item, "import_marking_year", firearm)
    await keep("officer", "item_import_marking_year")
    await h.press_data(
        officer,
        callbacks.DraftChoice(
            draft=draft, section=person, key="document_type", entry=suspect, code="passport"
        ).pack(),
    )
    await ask(person, "document_number", suspect)
    await keep("officer", "person_document_number")
    await h.press_data(officer, callbacks.DraftOpen(draft=draft).pack())
    await keep("officer", "report_screen")
    await h.send(officer, "/cancel")

    await h.send(officer, en("📋 Procedures"))
    await h.press(officer, "🛑 " + en("First response and safety"))
    await h.press(officer, "Check the scene")
    await h.press(officer, en("▶️ Start"))
    await h.press(officer, en("✅ Done"))
    await keep("officer", "procedure_run")
    await h.press(officer, en("⏭ Skip, with a reason"))
    await keep("officer", "skip_reason")
    await h.send(officer, "/cancel")
    conversations[("officer", "idle")] = await h.snapshot(officer)

    supervisor = people["supervisor"]
    await h.press_data(
        supervisor, pack(callbacks.ReturnReport, report=report.id, revision=report.revision)
    )
    await keep("supervisor", "return_comment")
    await h.press_data(supervisor, callbacks.ExportChoice(period=OTHER_PERIOD).pack())
    await keep("supervisor", "export_period")

    admin = people["admin"]
    await h.press_data(admin, callbacks.UnitsScreen(action="create").pack())
    await keep("admin", "unit_code")
    await h.send(admin, "FUZZ-1")
    await keep("admin", "unit_name")

    buttons = {
        data
        for person in [*people.values(), colleague]
        for message in telegram.chat_messages(person.id)
        for row in message.inline_buttons
        for _, data, _ in row
        if data
    }
    return World(h, people, conversations, others, sorted(buttons))


@pytest.fixture
async def world(database_url, telegram, tmp_path) -> AsyncIterator[World]:
    settings_ = make_settings(
        database_url, telegram.base_url, procedures_dir=write_library(tmp_path / "procedures")
    )
    app = await BotApplication.create(settings_)
    harness = Harness(app, telegram)
    logging.getLogger().addHandler(harness.records)
    try:
        yield await build_world(harness)
    finally:
        logging.getLogger().removeHandler(harness.records)
        await app.close()


CONVERSATIONS = [
    ("stranger", "idle"),
    ("pending", "idle"),
    ("pending", "access_name"),
    ("pending", "access_unit"),
    ("blocked", "idle"),
    ("officer", "idle"),
    ("officer", "quick_category"),
    ("officer", "quick_place"),
    ("officer", "quick_danger"),
    ("officer", "report_choice"),
    ("officer", "report_occurred_at"),
    ("officer", "report_place"),
    ("officer", "report_route_departure"),
    ("officer", "report_route_transit"),
    ("officer", "report_persons_count"),
    ("officer", "report_narrative"),
    ("officer", "item_quantity"),
    ("officer", "item_serial_number"),
    ("officer", "item_net_weight"),
    ("officer", "item_import_marking_year"),
    ("officer", "person_birth_date"),
    ("officer", "person_document_number"),
    ("officer", "report_screen"),
    ("officer", "procedure_run"),
    ("officer", "skip_reason"),
    ("supervisor", "idle"),
    ("supervisor", "return_comment"),
    ("supervisor", "export_period"),
    ("admin", "idle"),
    ("admin", "unit_code"),
    ("admin", "unit_name"),
]


# --- checks -----------------------------------------------------------------------------


@dataclass
class Attempt:
    user: FakeUser
    messages: int  # the bot's messages in the chat before the input
    answers: int  # answers to the person's button presses before
    stored: dict[str, Any] | None  # what was stored before, when it is to be compared


async def attempt(world: World, where: tuple[str, str], act: Any, compare: bool = False) -> Attempt:
    """Put a person in the conversation, let `act(user)` push one update, and handle it;
    nothing may be logged at ERROR (the error handler's "update … failed")."""
    note(f"{where}")
    user = await world.enter(*where)
    h = world.harness
    stored = await h.fingerprint() if compare else None
    before = Attempt(user, h.events(user), len(user.callback_answers()), stored)
    h.records.records.clear()
    act(user)
    await h.feed()
    errors = h.records.at_least(logging.ERROR)
    assert not errors, [h.records.format(record) for record in errors]
    return before


def answered(world: World, before: Attempt) -> None:
    assert world.harness.events(before.user) > before.messages, "the message got no answer"


async def nothing_stored(world: World, before: Attempt) -> None:
    assert before.stored is not None
    assert not changes(before.stored, await world.harness.fingerprint())


def shows_nothing(text: str) -> bool:
    return not any(unicodedata.category(character)[0] not in "CZ" for character in text)


# --- what people send ---------------------------------------------------------------------

MARKUP = st.sampled_from(
    [
        "<b>", "</b>", "<i>", "<script>", "</a>", "<a href='tg://x'>", "&", "&amp;", "&#0;",
        "&lt;", "<", ">", '"', "'", "<tg-spoiler>", "<pre>", "{name}", "{0}", "%s", "%(x)s",
        "\\", "\u202e", "\u200b", "\x00", "\n", "\t", "@", "#", "/start", " ", "1",
        "12.12.2026",
    ]
)  # fmt: skip
BLANK = st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), min_size=1, max_size=40)
COMMANDS = ["/start", "/cancel", "/help", "/menu", "/language", "/runs", "/invite"]
TEXTS = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(MARKUP, st.text(max_size=8)), max_size=30).map("".join),
    BLANK,
    # What the parsers of counts, years, weights, dates and places read: digits of any script.
    st.text(st.characters(categories=["Nd", "No", "Nl", "Pd", "Po", "Zs"]), max_size=14),
    st.tuples(st.text(min_size=1, max_size=30), st.integers(100, 4096)).map(
        lambda repeated: (repeated[0] * repeated[1])[:4096]
    ),
    st.sampled_from(COMMANDS).flatmap(
        lambda command: st.text(max_size=40).map(lambda tail: f"{command} {tail}".strip())
    ),
).filter(bool)
FILE = {"file_id": "fuzz-file", "file_unique_id": "fuzz-unique"}
STICKER = FILE | {"type": "regular", "width": 512, "height": 512, "is_animated": False}
# Messages of every kind but text and photo: each is answered, none stores anything.
CONTENTS = st.sampled_from(
    [
        {},
        {"sticker": STICKER | {"is_video": False}},
        {"voice": FILE | {"duration": 3}},
        {"video_note": FILE | {"length": 240, "duration": 3}},
        {"document": FILE | {"file_name": "<b>x</b>.pdf"}},
        {"contact": {"phone_number": "+996700000000", "first_name": "A"}},
        {"dice": {"emoji": "🎲", "value": 3}},
        {"venue": {"location": {"latitude": 42.8, "longitude": 74.6}, "title": "<b>",
                   "address": "&"}},
    ]
)  # fmt: skip
COORDINATE = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)


def _photo(caption: str | None) -> dict[str, Any]:
    sizes = [
        {"file_id": f"fuzz-{size}", "file_unique_id": f"u-{size}", "width": size, "height": size}
        for size in (90, 1280)
    ]
    return {"photo": sizes} | ({"caption": caption[:1024]} if caption is not None else {})


BOT_SENDER = {"id": 1, "is_bot": True, "first_name": "Some bot"}
GROUPS = [
    {"id": -4001, "type": "group", "title": "<b>Post</b>"},
    {"id": -1001234567890, "type": "supergroup", "title": "Kainda post"},
    {"id": -1009876543210, "type": "channel", "title": "News"},
]


def _message(user: FakeUser, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
    return {"message_id": 1, "date": 0, "chat": chat, "from": user.as_dict(), **content}


def _query(user: FakeUser, **content: Any) -> dict[str, Any]:
    return {"id": f"q{id(content)}", "from": user.as_dict(), "chat_instance": "1", **content}


# Updates of other shapes, made of `user` and `text`, and what the person sees: "note" an answer
# in their chat, "silent" nothing anywhere, "press" one answer to the press.
SHAPES: dict[str, Any] = {
    "edited text": lambda user, text: (
        {"edited_message": _message(user, user.chat(), text=text, edit_date=1)},
        "note",
    ),
    "edited caption": lambda user, text: (
        {"edited_message": _message(user, user.chat(), caption=text[:1024], edit_date=1)},
        "note",
    ),
    "edited live location": lambda user, text: (
        {
            "edited_message": _message(
                user, user.chat(), location={"latitude": 1.5, "longitude": 2.5}, edit_date=1
            )
        },
        "silent",
    ),
    "in a group": lambda user, text: (
        {"message": _message(user, GROUPS[len(text) % 2], text=text)},
        "silent",
    ),
    "command in a group": lambda user, text: (
        {
            "message": _message(
                user,
                GROUPS[len(text) % 2],
                text="/start@seizure_test_bot " + text,
                entities=[{"type": "bot_command", "offset": 0, "length": 23}],
            )
        },
        "silent",
    ),
    "edited in a group": lambda user, text: (
        {"edited_message": _message(user, GROUPS[0], text=text, edit_date=1)},
        "silent",
    ),
    "channel post": lambda user, text: (
        {"channel_post": {"message_id": 1, "date": 0, "chat": GROUPS[2], "text": text}},
        "silent",
    ),
    "unknown update": lambda user, text: ({"future_update": {"text": text}}, "silent"),
    "from a bot": lambda user, text: (
        {"message": _message(user, user.chat(), text=text) | {"from": BOT_SENDER}},
        "silent",
    ),
    "press without a message": lambda user, text: (
        {
            "callback_query": _query(
                user,
                inline_message_id="inline-1",
                data=text.encode()[:64].decode("utf-8", "ignore") or "x",
            )
        },
        "press",
    ),
    "press without data": lambda user, text: (
        {
            "callback_query": _query(
                user,
                message={"message_id": 1, "date": 0, "chat": user.chat()},
                game_short_name="game",
            )
        },
        "press",
    ),
    "press in a group": lambda user, text: (
        {
            "callback_query": _query(
                user,
                message={"message_id": 1, "date": 1, "chat": GROUPS[1], "text": "…"},
                data="pm:",
            )
        },
        "press",
    ),
}
# Conversations that wait for typed text, and text aimed at their parsers: counts, years,
# weights, dates and coordinates in digits of any script; nothing visible; markup.
QUESTIONS = [where for where in CONVERSATIONS if where[1] not in ("idle", "report_screen")]
ANSWERS = st.one_of(
    st.text(st.characters(categories=["Nd", "No", "Nl", "Pd", "Po", "Zs"]), max_size=14),
    BLANK,
    st.lists(st.one_of(MARKUP, st.text(max_size=8)), max_size=30).map("".join),
    TEXTS,
).filter(bool)
SENT = {
    "answer": ANSWERS,
    "text": TEXTS,
    "photo": st.one_of(st.none(), TEXTS),
    "content": CONTENTS,
    "location": st.tuples(COORDINATE, COORDINATE),
    "shape": st.tuples(st.sampled_from(sorted(SHAPES)), TEXTS),
    # A message like any other but for fields Telegram may add one day: a text as above.
    "unknown fields": TEXTS,
}


def _update(user: FakeUser, kind: str, value: Any) -> tuple[dict[str, Any], str]:
    """An update of `kind` from `user`, and what it must get: "answer", "note", "silent",
    "press"."""
    chat = user.chat()
    if kind in ("text", "answer"):
        return {"message": _message(user, chat, text=value)}, "answer"
    if kind == "photo":
        return {"message": _message(user, chat, **_photo(value))}, "answer"
    if kind == "content":
        return {"message": _message(user, chat, **value)}, "answer"
    if kind == "location":
        location = {"latitude": value[0], "longitude": value[1]}
        return {"message": _message(user, chat, location=location)}, "answer"
    if kind == "unknown fields":
        message = _message(user, chat, text=value, future_field={"x": [1]})
        return {"message": message, "future_update": {"text": value}}, "answer"
    shape, text = value
    return SHAPES[shape](user, text)


# Stored nothing, whatever the conversation: what shows no character, what is not text or a
# photo, what is not a private chat's message.
def _refused(kind: str, value: Any) -> bool:
    if kind in ("text", "answer"):
        return shows_nothing(value)
    return kind in ("content", "shape")


@pytest.mark.filterwarnings("ignore:Detected unknown update type")
@given(data=st.data())
@FUZZ
async def test_whatever_is_sent_is_answered_never_fails_and_refused_input_stores_nothing(
    world: World, data: st.DataObject
) -> None:
    """Text of any characters and length, HTML-looking or invisible, half of it typed where a
    question waits; photos with any caption; stickers, voice, files, contacts, locations
    anywhere on (and off) the globe; edits, group and channel messages, messages from bots,
    unknown fields and updates."""
    kinds = ["answer", "answer", "answer", *SENT]
    kind = data.draw(st.sampled_from(kinds), label="kind")
    where = data.draw(st.sampled_from(QUESTIONS if kind == "answer" else CONVERSATIONS))
    value = data.draw(SENT[kind], label="sent")
    expected: list[str] = []
    telegram = world.harness.telegram

    def act(user: FakeUser) -> None:
        update, outcome = _update(user, kind, value)
        expected.append(outcome)
        telegram.push_raw_update({"update_id": 10**9 + len(telegram.pushed_updates), **update})

    calls = len(telegram.calls)
    before = await attempt(world, where, act, compare=_refused(kind, value))
    if expected == ["silent"]:
        sent_out = [call for call in telegram.calls[calls:] if call.method != "getFile"]
        assert not sent_out, [(call.method, call.params.get("chat_id")) for call in sent_out]
    elif expected == ["press"]:
        assert len(before.user.callback_answers()) == before.answers + 1
    else:
        answered(world, before)
    if before.stored is not None:
        await nothing_stored(world, before)


# --- button presses -----------------------------------------------------------------------

CALLBACK_KINDS = sorted(
    (
        kind
        for kind in vars(callbacks).values()
        if isinstance(kind, type)
        and issubclass(kind, callbacks.CallbackData)
        and kind is not callbacks.CallbackData
    ),
    key=lambda kind: kind.__prefix__,
)
PREFIXES = frozenset(kind.__prefix__ for kind in CALLBACK_KINDS)
WORDS = [
    "done", "skip", "back", "stop", "stopped", "confirmed", "show", "read", "start", "overview",
    "approve", "block", "unblock", "unit", "list", "create", "request", "user", "parent",
    "inbox", "officer", "supervisor", "admin", "en", "ru", "ky", "firearms", "mixed", "1",
    "2-5", "incident", "narrative", "category", "kind", "firearm", "photos", "narrative",
    "csv", "xlsx", "pdf", "week", "month", "safety", "check-scene", "bomb", "", "unknown",
]  # fmt: skip
INTEGERS = st.one_of(
    st.integers(-3, 40),
    st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30]),
)


def _value(annotation: Any) -> st.SearchStrategy[Any]:
    if annotation is bool:
        return st.booleans()
    if annotation is int or getattr(annotation, "__origin__", None) is int:
        return INTEGERS
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from(list(annotation))
    return st.one_of(st.sampled_from(WORDS), st.text(max_size=12))


def _packed(kind: type[callbacks.CallbackData]) -> st.SearchStrategy[str | None]:
    """Data of `kind` with any values in its fields, typed as declared: ids of nothing, of
    other people's objects, out of range."""
    fields = {name: _value(info.annotation) for name, info in kind.model_fields.items()}

    def pack_or_none(values: dict[str, Any]) -> str | None:
        try:
            return kind.model_construct(**values).pack()
        except ValueError:  # too long for Telegram, or a separator inside a value
            return None

    return st.fixed_dictionaries(fields).map(pack_or_none)


def _fits(data: str) -> bool:
    return 1 <= len(data.encode()) <= 64


def _mutate(data: str, at: int, insert: str, how: str) -> str:
    at %= len(data) + 1
    if how == "replace":
        return data[:at] + insert + data[at + 1 :]
    if how == "insert":
        return data[:at] + insert + data[at:]
    if how == "delete":
        return data[:at] + data[at + len(insert) + 1 :]
    return data[:at]


def mutated(buttons: list[str]) -> st.SearchStrategy[str]:
    """Real callback data the bot showed, with a character replaced, inserted or deleted, or
    cut short."""
    return st.builds(
        _mutate,
        st.sampled_from(buttons),
        st.integers(0, 64),
        st.one_of(st.sampled_from([":", "0", "9" * 20, "-1", "x", "::"]), st.text(max_size=3)),
        st.sampled_from(["replace", "insert", "delete", "truncate"]),
    ).filter(_fits)


def not_theirs(world: World, kind: str) -> list[str]:
    """Buttons on the colleague's objects, or for a role the person lacks: each refused."""
    o = world.others
    draft, run, report = o["draft"], o["run"], o["report"]
    incident, item = callbacks.Section.INCIDENT, callbacks.Section.ITEM
    forged = [
        callbacks.DraftOpen(draft=draft),
        callbacks.DraftAsk(draft=draft, section=incident, key="narrative"),
        callbacks.DraftChoice(draft=draft, section=incident, key="category", entry=0, code="mixed"),
        callbacks.DraftChoice(draft=draft, section=incident, key="place", entry=0, code="u12"),
        callbacks.DraftSectionOpen(draft=draft, section=item, entry=1),
        callbacks.DraftAddEntry(draft=draft, section=item, kind="firearm"),
        callbacks.DraftRemoveEntry(draft=draft, section=item, entry=1, confirmed=True),
        callbacks.DraftPhotos(draft=draft),
        callbacks.DraftPhotoRemove(draft=draft, photo=1, decision=callbacks.PhotoDecision.REMOVE),
        callbacks.DraftSubmit(draft=draft),
        callbacks.DraftDiscard(draft=draft, confirmed=True),
        callbacks.StepAnswer(run=run, step=0, answer=0),
        callbacks.CorrectReport(report=report),
        callbacks.ReportComplete(report=report),
        callbacks.AttachRun(report=report, run=run),
        *(
            callbacks.StepAction(run=run, step=step, action=action)
            for step in (0, 1)
            for action in ("done", "skip", "back", "stopped", "confirmed")
        ),
    ]
    packed = [data.pack() for data in forged]
    if kind not in ("supervisor", "admin"):
        shown = {"report": report, "revision": o["revision"]}
        packed += [pack(callbacks.AckReport, **shown), pack(callbacks.ReturnReport, **shown)]
        packed += [
            callbacks.UserAction(user_id=o["colleague"], action="block").pack(),
            callbacks.UserRolePick(user_id=o["colleague"], role="admin").pack(),
            callbacks.AccessDecision(request_id=1, approve=True).pack(),
        ]
    return packed


@given(data=st.data())
@FUZZ
async def test_every_press_is_answered_never_fails_and_a_forged_one_changes_nothing(
    world: World, data: st.DataObject
) -> None:
    """Random data up to 64 bytes; data of every button's kind with any values; the real
    buttons' data mutated; buttons on other people's drafts, runs and reports, and for roles
    the person lacks — pressed under the last message, or one no longer there."""
    where = data.draw(st.sampled_from(CONVERSATIONS), label="where")
    kind = data.draw(st.sampled_from(["random", "typed", "mutated", "not theirs"]), label="kind")
    if kind == "random":
        pressed = data.draw(st.text(min_size=1, max_size=64).filter(_fits), label="data")
    elif kind == "typed":
        typed = st.sampled_from(CALLBACK_KINDS).flatmap(_packed).filter(bool)
        pressed = data.draw(typed, label="data")
    elif kind == "mutated":
        pressed = data.draw(mutated(world.buttons), label="data")
    else:
        pressed = data.draw(st.sampled_from(not_theirs(world, where[0])), label="data")
    on_message = data.draw(st.booleans(), label="on its message")
    refused = kind == "not theirs" or (
        kind == "random" and pressed.split(":", 1)[0] not in PREFIXES
    )

    def act(user: FakeUser) -> None:
        user._push_callback(pressed, user.last.message_id if user.last and on_message else 0)

    before = await attempt(world, where, act, compare=refused)
    assert len(before.user.callback_answers()) == before.answers + 1, "not answered once"
    if refused:
        await nothing_stored(world, before)


# --- found by fuzzing: each failed before its fix ------------------------------------------


def no_errors(caplog: pytest.LogCaptureFixture) -> None:
    failures = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert not failures, failures


async def stored_count(running_bot: RunningBot, model: type) -> int:
    async with running_bot.session_factory() as session:
        return await session.scalar(select(func.count()).select_from(model))


OUTDATED = "This button is outdated or not available to you. Nothing was changed."


async def test_buttons_with_numbers_beyond_the_databases_range_are_refused_calmly(
    running_bot: RunningBot, telegram, caplog
) -> None:
    """Found: "qp:…" with a 20-digit unit id failed in the database (SQLite's OverflowError,
    PostgreSQL's int4 range), "frs:…" with a far timestamp in datetime (OSError)."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_quick_log(officer)
    for data in ("qp:99999999999999999999", "qp:2147483648", "frs:99999999999999"):
        await officer.press_data(data)
    await every_button_answered(telegram, officer)
    assert [answer.get("text") for answer in officer.callback_answers()[-3:]] == [en(OUTDATED)] * 3
    no_errors(caplog)
    assert await stored_count(running_bot, SeizureReport) == 0
    assert await stored_count(running_bot, ReportDraft) == 0


async def test_a_procedure_category_that_does_not_exist_is_refused_calmly(
    running_bot: RunningBot, telegram, caplog
) -> None:
    """Found: "pm:done" made the catalogue fail on Category('done')."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await officer.press_data("pm:done")
    await every_button_answered(telegram, officer)
    assert officer.callback_answers()[-1].get("text") == en(OUTDATED)
    no_errors(caplog)


async def incident_field_asked(running_bot: RunningBot, officer, key: str) -> ReportDraft:
    """The officer starts a full report and opens one of its incident's fields: the draft."""
    await officer.send(en("📝 New report"))
    await officer.press(en("📝 Full report instead"), await officer.receive())
    await officer.receive()
    async with running_bot.session_factory() as session:
        draft = await session.scalar(select(ReportDraft))
    asked = callbacks.DraftAsk(draft=draft.id, section=callbacks.Section.INCIDENT, key=key)
    await officer.press_data(asked.pack())
    await officer.receive()
    return draft


async def test_text_that_shows_nothing_is_refused_and_control_characters_are_not_stored(
    running_bot: RunningBot, telegram, caplog
) -> None:
    """Found: a place of format characters alone ('\\x81\\u070f\\u0891\\u0604') was stored in
    a draft; on PostgreSQL a NUL in a place failed the update (text columns refuse it)."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_quick_log(officer)
    await officer.send("\u200b\u2060\u200f\u202e")
    assert (await officer.receive()).text == en("The place is too short. Please type it again.")
    await officer.send("Post\x00 7\x07")
    assert (await officer.receive()).text == en("📍 Place noted.")
    await officer.press(en("1"), await officer.receive())
    await officer.press(en("✅ Nobody in danger"), await officer.receive())
    await officer.receive()
    async with running_bot.session_factory() as session:
        report = await session.scalar(select(SeizureReport))
    assert report.place_text == "Post 7"

    draft = await incident_field_asked(running_bot, officer, "narrative")
    await officer.send("\u200b" * 12)
    too_short = en("Too short: at least {limit} characters. Please type it again.")
    assert (await officer.receive()).text == too_short.format(limit=10)
    async with running_bot.session_factory() as session:
        assert (await session.get(ReportDraft, draft.id)).content == draft.content
    no_errors(caplog)


async def test_numbers_in_other_scripts_and_of_any_length_are_explained_not_failed(
    running_bot: RunningBot, telegram, caplog
) -> None:
    """Found: "²" and "--5" passed str.isdigit() and failed in int(); 5,000 digits passed
    Python's limit for int(); a year "²⁰²⁰" failed the same way."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    draft = await incident_field_asked(running_bot, officer, "persons_count")
    too_large = "This number is too large: at most {maximum}. Please check it."
    for typed, problem in (
        ("²", en("Please type a whole number, e.g. 3.")),
        ("--5", en("Please type a whole number, e.g. 3.")),
        ("7" * 5000, en(too_large).format(maximum="1,000,000")),
    ):
        await officer.send(typed)
        assert (await officer.receive()).text == problem
        await officer.receive()  # the question again
    await officer.send("٣")  # Arabic-Indic three is a decimal digit: read as 3
    await officer.receive()
    async with running_bot.session_factory() as session:
        draft = await session.get(ReportDraft, draft.id)
    assert draft.content["incident"]["persons_count"] == 3
    no_errors(caplog)

    year = field_of(callbacks.Section.ITEM, "import_marking_year")
    with pytest.raises(InvalidInput):
        check_year(year, "²⁰²⁰", utcnow())
    assert check_year(year, "٢٠٢٠", utcnow()) == 2020


GROUP = {"id": -1001234567890, "type": "supergroup", "title": "Kainda post"}


async def test_nothing_is_answered_or_started_in_a_group(
    running_bot: RunningBot, telegram, caplog
) -> None:
    """Found: in a group the bot greeted an officer by name, role and unit and ran a quick log
    there, where everyone in the group reads it; it answers in private chats only."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    for number, text in enumerate(("/start", en("📝 New report"), "Kainda"), start=1):
        message = {"message_id": number, "date": 0, "chat": GROUP, "from": officer.as_dict()}
        entities = [{"type": "bot_command", "offset": 0, "length": 6}] if number == 1 else []
        telegram.push_update({"message": message | {"text": text, "entities": entities}})
    query = {"id": "77", "from": officer.as_dict(), "chat_instance": "-1", "data": "pm:"}
    message = {"message_id": 9, "date": 0, "chat": GROUP, "text": "…"}
    telegram.push_raw_update({"update_id": 50, "callback_query": query | {"message": message}})
    await every_button_answered(telegram, officer)
    assert officer.callback_answers()[-1].get("text") == en(OUTDATED)
    await officer.no_more_messages()
    sent_to_group = [call for call in telegram.calls if call.params.get("chat_id") == GROUP["id"]]
    assert not sent_to_group
    async with running_bot.session_factory() as session:
        assert not (await session.scalars(select(FsmRecord.state))).all()
    no_errors(caplog)


async def test_an_edited_answer_is_answered_and_changes_nothing(
    running_bot: RunningBot, telegram, caplog
) -> None:
    """Found: an edit of a sent answer (an officer correcting a typo the Telegram way) got no
    answer, so the officer believed the record corrected while it kept the first text."""
    await set_up_officer(running_bot)
    officer = telegram.user(OFFICER_ID, "Bekov")
    await start_quick_log(officer)
    await officer.send("Post 7")
    await officer.receive()
    await officer.receive()
    edited = {"message_id": 1, "date": 0, "edit_date": 1, "from": officer.as_dict()}
    telegram.push_update({"edited_message": edited | {"chat": officer.chat(), "text": "Post 8"}})
    note = en(
        "✏️ Editing a sent message changes nothing: what was sent first is kept. To change "
        "an answer, choose the field again in the report."
    )
    assert (await officer.receive()).text == note
    # A live location is edited as it moves, and an edit in a group is not for the bot.
    live = {"latitude": 42.8, "longitude": 74.6, "live_period": 900}
    telegram.push_update({"edited_message": edited | {"chat": officer.chat(), "location": live}})
    telegram.push_update({"edited_message": edited | {"chat": GROUP, "text": "Post 9"}})
    await officer.no_more_messages()
    async with running_bot.session_factory() as session:
        state = await session.scalar(select(FsmRecord.data))
    assert state["place_text"] == "Post 7"
    no_errors(caplog)
