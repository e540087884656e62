"""A fake Telegram Bot API server over real HTTP, for end-to-end tests of the aiogram bot.

The bot talks to it through its normal aiohttp session; tests act as people through
`FakeUser` (send, press, receive) and inspect `FakeBotAPI.calls` and the chats.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import io
import itertools
import json
import math
import re
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Self

from aiohttp import web
from PIL import Image

Params = dict[str, Any]
Buttons = list[list[tuple[str, str | None, str | None]]]  # rows of (text, callback_data, url)

TEXT_LIMIT, CAPTION_LIMIT, CALLBACK_DATA_LIMIT, CALLBACK_ANSWER_LIMIT = 4096, 1024, 64, 200
# Form fields typed as strings by the Bot API even when they look like JSON ("123", "true").
# fmt: off
STRING_FIELDS = frozenset({
    "text", "caption", "callback_query_id", "inline_message_id", "url", "secret_token",
    "description", "short_description", "name", "title", "parse_mode", "language_code",
    "photo", "document", "sticker", "video", "audio", "voice", "animation", "query", "data",
})
ALLOWED_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "blockquote", "tg-emoji",
})
# fmt: on
VALUE = r"(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))"
TAG = re.compile(rf"<(/?)([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:\s*=\s*{VALUE})?)*)\s*>")
ATTRIBUTE = re.compile(rf"([\w-]+)(?:\s*=\s*{VALUE})?")
ENTITY = re.compile(r"&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
COMMAND = re.compile(r"/\w{1,32}(?:@\w+)?(?=\s|$)")
TOKEN = re.compile(r"\d+:[\w-]+")

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a specified content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
TEXT_BUTTON = (
    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
TERMINATED = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


# Telegram counts a message when it arrives, the bot's limiter when it lets it go; in between,
# a loaded machine delays one message by up to a couple of hundred milliseconds more than the
# next (measured: 0.14 s when three replicas start their first burst on two cores), so the
# flood control's windows are this much shorter than the limits they stand for.
ARRIVAL_SLACK = 0.25
# Methods that put a message into a chat, which the flood control counts.
COUNTED_PREFIXES = ("send", "copy", "forward")


@dataclass
class FloodControl:
    """Telegram's limits on sending: at most `per_second` messages of the bot in any second,
    and `chat_messages` in any `chat_seconds` to one chat; beyond, 429 with retry_after."""

    per_second: int = 30
    chat_messages: int = 3
    chat_seconds: float = 3.0
    recent: deque[float] = field(default_factory=deque)
    in_chat: dict[Any, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def check(self, method: str, params: Params) -> None:
        name = method.lower()
        if not name.startswith(COUNTED_PREFIXES) or name == "sendchataction":
            return
        now = time.monotonic()
        waits = [
            self._wait(self.recent, self.per_second, 1.0, now),
            self._wait(
                self.in_chat[params.get("chat_id")], self.chat_messages, self.chat_seconds, now
            ),
        ]
        if wait := max(waits):
            raise ApiError(
                429, f"Too Many Requests: retry after {math.ceil(wait)}", math.ceil(wait)
            )
        self.recent.append(now)
        self.in_chat[params.get("chat_id")].append(now)

    @staticmethod
    def _wait(window: deque[float], amount: int, seconds: float, now: float) -> float:
        """Seconds until `window` has room (0: it has), its old arrivals dropped."""
        span = seconds - ARRIVAL_SLACK
        while window and window[0] <= now - span:
            window.popleft()
        return window[0] + span - now if len(window) >= amount else 0.0


class ApiError(Exception):
    """An error answer in Telegram's format; raised inside method handlers."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after

    def payload(self) -> dict[str, Any]:
        body = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def parse_html(source: str) -> str:
    """What a user sees for Telegram-HTML `source`; ApiError when Telegram would refuse it."""

    def fail(reason: str, at: int | None = None) -> ApiError:
        where = "" if at is None else f" at byte offset {len(source[:at].encode())}"
        return bad_request(f"can't parse entities: {reason}{where}")

    text: list[str] = []
    open_tags: list[str] = []
    i = 0
    while i < len(source):
        if source[i] not in "<&":
            text.append(source[i])
            i += 1
            continue
        if source[i] == "&":
            if not (match := ENTITY.match(source, i)):
                raise fail("Character entity expected", i)
            number, hexadecimal, name = match.groups()
            code = int(number) if number else int(hexadecimal or "0", 16)
            text.append(NAMED_ENTITIES[name] if name else chr(min(code, 0x10FFFF)))
        elif not (match := TAG.match(source, i)):
            raise fail('Unsupported start tag ""', i)
        elif match[1]:  # an end tag
            name = match[2].lower()
            if not open_tags:
                raise fail("Unexpected end tag", i)
            if open_tags.pop() != name:
                raise fail(f'Unmatched end tag "</{name}>"', i)  # tdlib names the expected one
        else:
            name = match[2].lower()
            attrs = {a[1].lower(): a[2] or a[3] or a[4] for a in ATTRIBUTE.finditer(match[3])}
            if name not in ALLOWED_TAGS:
                raise fail(f'Unsupported start tag "{name}"', i)
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise fail('Tag "span" must have class "tg-spoiler"', i)
            if name == "tg-emoji" and not attrs.get("emoji-id"):
                raise fail("Custom emoji identifier must be non-empty", i)
            open_tags.append(name)
        i = match.end()
    if open_tags:
        raise fail(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(text)


@dataclass
class ApiCall:
    """One request the bot made (failed ones included)."""

    method: str
    params: dict[str, Any]
    token: str


@dataclass
class BotMessage:
    """A message the bot shows in a private chat, in its current state (edits applied)."""

    chat_id: int
    message_id: int
    text: str  # text or caption as the user sees it: tags stripped, entities unescaped
    inline_buttons: list[list[tuple[str, str | None, str | None]]]
    reply_keyboard: list[list[str]] | None
    remove_keyboard: bool
    edited: bool = False
    html: str = ""  # text or caption exactly as the bot sent it
    kind: str = "text"  # text, photo, document or location
    deleted: bool = False
    reply_to: int | None = None  # the message this one answers, shown quoted above it

    def button_texts(self) -> list[str]:
        return [text for row in self.inline_buttons for text, _, _ in row]

    def has_button(self, text: str) -> bool:
        return text in self.button_texts()

    def summary(self) -> str:
        parts = [f"#{self.message_id} {self.kind} {self.text!r}"]
        if self.inline_buttons:
            parts.append(f"buttons={self.button_texts()}")
        if self.reply_keyboard is not None:
            parts.append(f"keyboard={self.reply_keyboard}")
        return " ".join(parts + [flag for flag in ("edited", "deleted") if getattr(self, flag)])


def _file(file_id: str, **extra: Any) -> dict[str, Any]:
    return {"file_id": file_id, "file_unique_id": f"unique-{file_id}", **extra}


def _photo(prefix: str) -> list[dict[str, Any]]:
    return [_file(f"{prefix}-{size}", width=size, height=size) for size in (90, 320, 1280)]


@dataclass(eq=False)
class FakeUser:
    """A person in a private chat with the bot (chat id == user id)."""

    _api: FakeBotAPI = field(repr=False)
    id: int
    first_name: str
    language_code: str | None
    username: str | None = None
    _cursor: int = field(default=0, repr=False)  # chat events already returned by receive()

    def as_dict(self) -> dict[str, Any]:
        user = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        optional = {"language_code": self.language_code, "username": self.username}
        return user | {key: value for key, value in optional.items() if value}

    def chat(self) -> dict[str, Any]:
        chat = {"id": self.id, "type": "private", "first_name": self.first_name}
        return chat | ({"username": self.username} if self.username else {})

    def _push_message(self, **content: Any) -> int:
        message_id = self._api._new_message_id(self.id)
        self._api._user_messages.add((self.id, message_id))
        message = {"message_id": message_id, "date": int(time.time()), "chat": self.chat()}
        return self._api.push_update({"message": message | {"from": self.as_dict(), **content}})

    async def send(self, text: str) -> int:
        """Type a message (a leading /command gets its bot_command entity); returns update_id."""
        if command := COMMAND.match(text):
            entity = {"type": "bot_command", "offset": 0, "length": len(command[0])}
            return self._push_message(text=text, entities=[entity])
        return self._push_message(text=text)

    async def send_location(self, latitude: float, longitude: float) -> int:
        return self._push_message(location={"latitude": latitude, "longitude": longitude})

    async def send_photo(self) -> int:
        return self._push_message(photo=_photo(f"user-photo-{next(self._api._file_ids)}"))

    async def send_sticker(self) -> int:
        size = {"width": 512, "height": 512, "is_animated": False, "is_video": False}
        sticker = _file(f"user-sticker-{next(self._api._file_ids)}", type="regular", **size)
        return self._push_message(sticker=sticker | {"emoji": "👍"})

    async def press(self, button_text: str, message: BotMessage | None = None) -> int:
        """Press the inline button labelled exactly `button_text`; returns update_id."""
        messages = self._api.chat_messages(self.id)
        if message is not None:
            messages = [m for m in messages if m.message_id == message.message_id]
        for candidate in reversed(messages):
            for text, data, url in (button for row in candidate.inline_buttons for button in row):
                if text == button_text:
                    assert data is not None, f"button {text!r} opens {url!r}, it has no callback"
                    return self._push_callback(data, candidate.message_id)
        available = [m.summary() for m in messages if m.inline_buttons] or "none"
        raise AssertionError(f"{self.id} sees no button {button_text!r}; buttons: {available}")

    async def press_data(self, callback_data: str, message_id: int | None = None) -> int:
        """A callback query with any (forged or outdated) data, from `message_id` or the last."""
        if message_id is None and self.last is not None:
            message_id = self.last.message_id
        return self._push_callback(callback_data, message_id or 0)

    def _push_callback(self, data: str, message_id: int) -> int:
        message = self._api._payloads.get((self.id, message_id))
        if message is None or self._api._messages[self.id][message_id].deleted:
            message = {"chat": self.chat(), "message_id": message_id, "date": 0}  # inaccessible
        query = {"id": str(next(self._api._query_ids)), "from": self.as_dict(), "data": data}
        query |= {"chat_instance": f"{self.id}42", "message": copy.deepcopy(message)}
        return self._api.push_update({"callback_query": query})

    async def receive(self, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """The next message the bot sent or edited in this chat, in its current state."""
        events = self._api._events[self.id]
        if not await self._api._wait_for(lambda: self._cursor < len(events), timeout):
            history = "\n".join(m.summary() for m in self._api.chat_messages(self.id)) or "-"
            raise AssertionError(f"{self.id} got nothing new in {timeout:.1f}s; chat:\n{history}")
        self._cursor += 1
        return self._api._messages[self.id][events[self._cursor - 1]]

    async def receive_until(
        self,
        predicate: Callable[[BotMessage], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> BotMessage:
        """Skip messages and edits until one satisfies `predicate`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                message = await self.receive(max(deadline - loop.time(), 0))
            except AssertionError as error:
                raise AssertionError(f"nothing matched in {timeout:.1f}s: {error}") from None
            if predicate(message):
                return message

    async def no_more_messages(self, wait: float = 0.3) -> None:
        """Assert the bot sends or edits nothing here (beyond what was received) for `wait`."""
        events = self._api._events[self.id]
        if await self._api._wait_for(lambda: self._cursor < len(events), wait):
            unexpected = [self._api._messages[self.id][i].summary() for i in events[self._cursor :]]
            raise AssertionError(f"{self.id} unexpectedly got: {unexpected}")

    def callback_answers(self) -> list[dict[str, Any]]:
        """answerCallbackQuery params the bot sent for this user's callback queries."""
        return list(self._api._answers[self.id])

    @property
    def last(self) -> BotMessage | None:
        messages = self._api.chat_messages(self.id)
        return messages[-1] if messages else None


# A hook on every call: `hook(call, RECEIVED)` before it is carried out (True: it is dropped, as
# when the connection breaks before Telegram gets it) and `hook(call, DONE)` once it is carried
# out, before the answer leaves (the crash suite kills the bot at either moment).
RECEIVED, DONE = "received", "done"
CallHook = Callable[[ApiCall, str], bool | None]


class FakeBotAPI:
    """The fake server: records every call, keeps the chats' state, serves getUpdates.

    getUpdates behaves as Telegram's: an update is returned by every getUpdates until one is
    called with an offset above its id, which confirms it (and every update before it); so a
    bot that dies before confirming an update gets it again when it polls next. `deliveries`
    counts how often each update was returned.
    """

    def __init__(self, bot_username: str = "seizure_test_bot") -> None:
        self.bot_username = bot_username
        self.base_url = ""
        self.calls: list[ApiCall] = []
        self.pushed_updates: list[dict[str, Any]] = []  # every update ever queued, in order
        self._queue: list[dict[str, Any]] = []  # not yet confirmed by a getUpdates offset
        self._redeliver: list[dict[str, Any]] = []  # raw updates older than the confirmed offset
        self._confirmed = self._poll_generation = 0
        self._next_update_id = 1
        self._query_ids = itertools.count(4_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self.files: dict[str, bytes] = {}  # downloadable content by file id
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._failures: dict[str, list[ApiError]] = defaultdict(list)
        self._lost: dict[str, float] = {}
        self._slow: dict[str, list[tuple[float, int | None]]] = defaultdict(list)
        self.deliveries: Counter[int] = Counter()  # update id -> getUpdates answers holding it
        self.call_hook: CallHook | None = None
        self.flood_control: FloodControl | None = None  # set: Telegram's limits enforced
        self.too_many: list[ApiCall] = []  # calls answered 429 by the flood control
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, dict[str, Any]] = {}  # chats the bot may write to
        self._messages: dict[int, dict[int, BotMessage]] = defaultdict(dict)
        self._payloads: dict[tuple[int, int], dict[str, Any]] = {}  # as Telegram returned them
        self._events: dict[int, list[int]] = defaultdict(list)  # ids of messages sent or edited
        self._user_messages: set[tuple[int, int]] = set()
        self._open_queries: dict[str, int] = {}  # callback query id -> user id
        self._answers: dict[int, list[Params]] = defaultdict(list)
        self._commands: dict[tuple[str, str], list[Any]] = {}
        self._webhook: Params | None = None
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[[Params, str], Any]] = {
            "getme": self._get_me,
            "getfile": self._get_file,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": lambda p, token: self._set_webhook({**p, "url": ""}, token),
            "getwebhookinfo": self._webhook_info,
            "sendmessage": partial(self._send, "text", "text"),
            "sendphoto": partial(self._send, "photo", "caption"),
            "senddocument": partial(self._send, "document", "caption"),
            "sendlocation": partial(self._send, "location", None),
            "editmessagetext": partial(self._edit, "text"),
            "editmessagecaption": partial(self._edit, "caption"),
            "editmessagereplymarkup": partial(self._edit, None),
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback,
            "sendchataction": lambda p, token: self._chat_id(p) != 0,
            "setmycommands": self._set_commands,
            "getmycommands": lambda p, token: self._commands.get(_scope(p), []),
            "deletemycommands": self._delete_commands,
        }

    async def start(self) -> None:
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        self._closing = True  # pending long polls answer at once
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def calls_of(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update, numbered unless it has an update_id; returns the update_id."""
        update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self.push_raw_update(update)
        return update["update_id"]

    def push_raw_update(self, update: dict[str, Any]) -> None:
        """Queue an update as given; one older than the confirmed offset is delivered again."""
        self.pushed_updates.append(update)
        old = update["update_id"] < self._confirmed
        (self._redeliver if old else self._queue).append(update)
        if message := update.get("message") or update.get("edited_message"):
            self._chats.setdefault(message["chat"]["id"], message["chat"])
        if query := update.get("callback_query"):
            sender = query["from"]
            self._open_queries[str(query["id"])] = sender["id"]
            chat = {"id": sender["id"], "type": "private", "first_name": sender["first_name"]}
            self._chats.setdefault(sender["id"], chat)
        self._notify()

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with this error."""
        self._failures[method.lower()] += [ApiError(status, description, retry_after)] * times

    def stop_failing(self, method: str) -> None:
        """Forget the failures still queued for `method` (the fault is over)."""
        self._failures.pop(method.lower(), None)

    def lose_next(self, method: str, seconds: float) -> None:
        """The next call of `method` never gets an answer within `seconds` and is not carried
        out, as when the network drops a request: the client sees a time-out."""
        self._lost[method.lower()] = seconds

    def slow_next(
        self, method: str, seconds: float, times: int = 1, chat_id: int | None = None
    ) -> None:
        """The next `times` calls of `method` (to `chat_id`, when given) are carried out at once
        but answered only after `seconds`: a client that gives up sooner sees a time-out for
        something that happened."""
        self._slow[method.lower()] += [(seconds, chat_id)] * times

    @property
    def confirmed_offset(self) -> int:
        """The highest offset a getUpdates confirmed: every update below it is gone."""
        return self._confirmed

    def redelivered(self) -> dict[int, int]:
        """update id -> how many times it was returned again after the first time."""
        return {update: times - 1 for update, times in self.deliveries.items() if times > 1}

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        language_code: str | None = "ru",
        username: str | None = None,
    ) -> FakeUser:
        """The person with this id, created on first use (the bot may then write to them)."""
        if user_id not in self._users:
            self._users[user_id] = FakeUser(self, user_id, first_name, language_code, username)
            self._chats[user_id] = self._users[user_id].chat()
        return self._users[user_id]

    def chat_events(self, chat_id: int) -> list[int]:
        """Ids of the messages the bot sent or edited in this chat, one per send or edit."""
        return self._events[chat_id]

    def message(self, chat_id: int, message_id: int) -> BotMessage:
        """A message of the bot in this chat, as it stands now (deleted ones included)."""
        return self._messages[chat_id][message_id]

    def chat_messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in this chat, oldest first, without deleted ones."""
        return [m for m in self._messages[chat_id].values() if not m.deleted]

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_for(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Wait until `predicate` holds, re-checking it on every change; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            if (remaining := deadline - loop.time()) <= 0:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        params = await _read_params(request)
        call = ApiCall(method, params, token)
        self.calls.append(call)
        lost = {"ok": False, "error_code": 504, "description": "lost"}
        if self.call_hook is not None and self.call_hook(call, RECEIVED):
            return web.json_response(lost)  # not carried out; nobody is listening any more
        if (silence := self._lost.pop(method.lower(), None)) is not None:
            await asyncio.sleep(silence)
            return web.json_response(lost)
        try:
            if not TOKEN.fullmatch(token):
                raise ApiError(401, "Unauthorized")
            if failures := self._failures.get(method.lower()):
                raise failures.pop(0)
            if self.flood_control is not None:
                try:
                    self.flood_control.check(method, params)
                except ApiError:
                    self.too_many.append(call)
                    raise
            handler = self._methods.get(method.lower())
            result = handler(params, token) if handler else True
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            response = web.json_response(error.payload(), status=error.status)
        else:
            response = web.json_response({"ok": True, "result": result})
        if self.call_hook is not None:
            self.call_hook(call, DONE)
        slow = self._slow.get(method.lower(), [])
        for number, (seconds, chat_id) in enumerate(slow):
            if chat_id is None or chat_id == params.get("chat_id"):
                del slow[number]
                await asyncio.sleep(seconds)
                break
        return response

    def file_content(self, file_id: str) -> bytes:
        """What downloading the file gives: a small PNG of its own colour, or changed bytes."""
        if file_id not in self.files:
            shade = hashlib.sha256(file_id.encode()).digest()[:3]
            image = Image.new("RGB", (32, 24), tuple(shade))
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            self.files[file_id] = buffer.getvalue()
        return self.files[file_id]

    def _get_file(self, p: Params, token: str) -> dict[str, Any]:
        file_id = str(p.get("file_id") or "")
        if not file_id:
            raise bad_request("Bad Request: invalid file_id")
        content = self.file_content(file_id)
        return {
            "file_id": file_id,
            "file_unique_id": f"unique-{file_id}",
            "file_size": len(content),
            "file_path": f"photos/{file_id}.png",
        }

    async def _download(self, request: web.Request) -> web.Response:
        if not TOKEN.fullmatch(request.match_info["token"]):
            return web.Response(status=401)
        name = request.match_info["path"].rsplit("/", 1)[-1].removesuffix(".png")
        return web.Response(body=self.file_content(name), content_type="image/png")

    def _new_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _bot(self, token: str) -> dict[str, Any]:
        bot = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Test Bot"}
        return bot | {"username": self.bot_username}

    def _chat_id(self, p: Params) -> int:
        chat_id = p.get("chat_id")  # JSON-decoded: an int unless it is an @username
        if chat_id not in self._chats:
            raise bad_request("chat not found")
        return chat_id

    def _store(self, payload: dict[str, Any], message: BotMessage) -> None:
        self._payloads[(message.chat_id, message.message_id)] = payload
        self._messages[message.chat_id][message.message_id] = message
        self._events[message.chat_id].append(message.message_id)
        self._notify()

    def _find(self, p: Params, action: str) -> BotMessage:
        message = self._messages[self._chat_id(p)].get(int(p.get("message_id") or 0))
        if message is None or message.deleted:
            raise bad_request(f"message to {action} not found")
        return message

    def _get_me(self, p: Params, token: str) -> dict[str, Any]:
        return self._bot(token) | {"can_join_groups": True, "supports_inline_queries": False}

    async def _get_updates(self, p: Params, token: str) -> list[dict[str, Any]]:
        if self._webhook:
            raise ApiError(409, WEBHOOK_ACTIVE)
        self._poll_generation += 1  # a newer getUpdates terminates the older one, as in Telegram
        generation = self._poll_generation
        self._notify()
        if (offset := int(p.get("offset") or 0)) > 0:
            self._confirmed = max(self._confirmed, offset)
            self._queue = [update for update in self._queue if update["update_id"] >= offset]
        elif offset < 0:
            self._queue = self._queue[offset:]

        def ready() -> bool:
            pending = self._queue or self._redeliver
            return bool(pending) or self._closing or generation != self._poll_generation

        await self._wait_for(ready, float(p.get("timeout") or 0))
        if generation != self._poll_generation:
            raise ApiError(409, TERMINATED)
        if allowed := set(p.get("allowed_updates") or ()):
            self._queue = [update for update in self._queue if allowed & update.keys()]
        batch, self._redeliver = self._redeliver + self._queue[: int(p.get("limit") or 100)], []
        self.deliveries.update(update["update_id"] for update in batch)
        return batch

    def _set_webhook(self, p: Params, token: str) -> bool:
        if p.get("drop_pending_updates"):
            self._queue.clear()
        self._webhook = p if p.get("url") else None
        return True

    def _webhook_info(self, p: Params, token: str) -> dict[str, Any]:
        info = {"url": (self._webhook or {}).get("url", ""), "has_custom_certificate": False}
        return info | {"pending_update_count": len(self._queue)}

    def _render(self, p: Params, key: str) -> tuple[str, str]:
        """(what the user sees, source) of the text or caption, checked like Telegram does."""
        source = str(p.get(key) or "")
        text = parse_html(source) if str(p.get("parse_mode")).upper() == "HTML" else source
        if key == "text" and not text.strip():
            raise bad_request("message text is empty")
        if key == "text" and len(text) > TEXT_LIMIT:
            raise bad_request("message is too long")
        if len(text) > CAPTION_LIMIT and key == "caption":
            raise bad_request("message caption is too long")
        return text, source

    def _keyboards(self, markup: Any) -> tuple[Buttons, list[list[str]] | None, bool]:
        """(inline buttons, reply keyboard labels, remove keyboard) of a reply_markup."""
        if not isinstance(markup, dict):
            return [], None, False
        inline: Buttons = []
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise bad_request("BUTTON_DATA_INVALID")
                if set(button) <= {"text"}:
                    raise bad_request(TEXT_BUTTON)
            inline.append([(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row])
        keyboard = markup.get("keyboard")
        reply = (
            None if keyboard is None else [[_label(button) for button in row] for row in keyboard]
        )
        return inline, reply, bool(markup.get("remove_keyboard"))

    def _send(self, kind: str, text_key: str | None, p: Params, token: str) -> dict[str, Any]:
        chat_id = self._chat_id(p)
        text, source = self._render(p, text_key) if text_key else ("", "")
        inline, reply, remove = self._keyboards(p.get("reply_markup"))
        reply_to = self._replied_to(chat_id, p.get("reply_parameters"))
        message_id = self._new_message_id(chat_id)
        payload = {"message_id": message_id, "date": int(time.time()), "chat": self._chats[chat_id]}
        payload |= {"from": self._bot(token), **self._content(kind, p)}
        if text:
            payload[text_key or "text"] = text
        if inline:
            payload["reply_markup"] = p["reply_markup"]
        message = BotMessage(
            chat_id, message_id, text, inline, reply, remove, html=source, kind=kind
        )
        self._store(payload, replace(message, reply_to=reply_to))
        return payload

    def _replied_to(self, chat_id: int, parameters: Any) -> int | None:
        if not isinstance(parameters, dict):
            return None
        message_id = int(parameters["message_id"])
        shown = self._messages[chat_id].get(message_id)
        if (chat_id, message_id) in self._user_messages or (shown and not shown.deleted):
            return message_id
        if parameters.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")

    def _content(self, kind: str, p: Params) -> dict[str, Any]:
        n = next(self._file_ids)
        if kind == "photo":
            return {"photo": _photo(f"bot-photo-{n}")}
        if kind == "document":
            upload = p.get("document")
            name = upload["filename"] if isinstance(upload, dict) else "document"
            return {"document": _file(f"bot-document-{n}", file_name=name)}
        if kind == "location":
            latitude, longitude = float(p.get("latitude") or 0), float(p.get("longitude") or 0)
            return {"location": {"latitude": latitude, "longitude": longitude}}
        return {}

    def _edit(self, text_key: str | None, p: Params, token: str) -> dict[str, Any] | bool:
        if "inline_message_id" in p:
            return True
        old = self._find(p, "edit")
        if text_key and (text_key == "text") != (old.kind == "text"):
            raise bad_request(f"there is no {text_key} in the message to edit")
        text, source = self._render(p, text_key) if text_key else (old.text, old.html)
        inline, _, _ = self._keyboards(p.get("reply_markup"))
        markup = p["reply_markup"] if inline else None
        payload = self._payloads[(old.chat_id, old.message_id)]
        if (text, source, markup) == (old.text, old.html, payload.get("reply_markup")):
            raise bad_request(NOT_MODIFIED)
        payload = {k: v for k, v in payload.items() if k not in ("reply_markup", text_key)}
        payload |= {"edit_date": int(time.time())} | ({text_key: text} if text_key and text else {})
        payload |= {"reply_markup": markup} if markup else {}
        edited = replace(old, text=text, html=source, inline_buttons=inline, edited=True)
        self._store(payload, edited)
        return payload

    def _delete_message(self, p: Params, token: str) -> bool:
        key = (self._chat_id(p), int(p.get("message_id") or 0))
        if key in self._user_messages:
            self._user_messages.discard(key)
            return True
        message = self._find(p, "delete")
        self._messages[message.chat_id][message.message_id] = replace(message, deleted=True)
        self._notify()
        return True

    def _answer_callback(self, p: Params, token: str) -> bool:
        query_id = str(p.get("callback_query_id"))
        if query_id not in self._open_queries:
            raise bad_request(QUERY_TOO_OLD)
        if len(str(p.get("text") or "")) > CALLBACK_ANSWER_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        self._answers[self._open_queries.pop(query_id)].append(p)
        return True

    def _set_commands(self, p: Params, token: str) -> bool:
        for command in p.get("commands") or []:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command"))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "")) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[_scope(p)] = p.get("commands") or []
        return True

    def _delete_commands(self, p: Params, token: str) -> bool:
        self._commands.pop(_scope(p), None)
        return True


def _scope(p: Params) -> tuple[str, str]:
    scope = p.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")


def _label(button: Any) -> str:
    return button if isinstance(button, str) else button.get("text", "")


def _decode(key: str, value: str) -> Any:
    """A form value, JSON-decoded unless the field is a string in the Bot API."""
    if key in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _read_params(request: web.Request) -> Params:
    """The request's fields (urlencoded or multipart); `attach://` values become uploads."""
    form = await request.post()
    uploads = {
        key: {"filename": f.filename, "content_type": f.content_type, "content": f.file.read()}
        for key, f in form.items()
        if isinstance(f, web.FileField)
    }
    params: Params = {key: _decode(key, value) for key, value in request.query.items()}
    for key, value in form.items():
        if isinstance(value, str):
            attached = value.removeprefix("attach://") if value.startswith("attach://") else None
            params[key] = uploads.pop(attached) if attached in uploads else _decode(key, value)
    return params | uploads
