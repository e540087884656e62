"""What every log line says besides its message: the update being handled and whose it is; and
what no line may say: the bot's token, the webhook's secret, the values of a failed SQL statement.

`bot.middlewares.log_context.LogContext` sets the two context variables while the dispatcher
handles an update (its error handler included), and `bot.receiving.handle_update` around the
whole of it (aiogram's "Update id=… is handled", a retry's note); `UpdateContext` puts them on
every record ("-" outside an update: start-up, the delivery worker), and `RedactingFormatter`
removes the secrets from the finished line, traceback included (an aiohttp error or access line
can print a request URL, which may hold the token). The bot's own lines name ids and codes only,
never typed text or names.

With LOG_FORMAT=json each line is one JSON object for a log collector (`JsonFormatter`): time,
level, logger, message, the update, its person's Telegram id and unit id (set once the person is
known, `bot.middlewares.people`), the replica and any traceback, redacted the same way.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

current_update: ContextVar[int | None] = ContextVar("current_update", default=None)
current_user: ContextVar[int | None] = ContextVar("current_user", default=None)


class _UnitOfUpdate:
    """The unit of the update's person, known midway (once the person is loaded); shared by the
    contexts nested in one update, so the lines after the inner one ends still name it."""

    def __init__(self) -> None:
        self.unit_id: int | None = None


current_unit: ContextVar[_UnitOfUpdate | None] = ContextVar("current_unit", default=None)

LOG_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s [update=%(update_id)s user=%(user_id)s] %(message)s"
)
HIDDEN = "[hidden]"
# SQLAlchemy prints the statement's values under a failed statement: typed text, names.
_SQL_PARAMETERS = re.compile(r"^\[parameters: .*$", re.MULTILINE)


@contextmanager
def update_context(update_id: int | None, user_id: int | None) -> Iterator[None]:
    """Log lines written inside carry this update's id and its person's Telegram id."""
    same_update = update_id is not None and update_id == current_update.get()
    unit = current_unit.get() if same_update else None
    update_token, user_token = current_update.set(update_id), current_user.set(user_id)
    # The person's unit is named once they are loaded (`name_unit`).
    unit_token = current_unit.set(unit or _UnitOfUpdate())
    try:
        yield
    finally:
        current_unit.reset(unit_token)
        current_user.reset(user_token)
        current_update.reset(update_token)


def name_unit(unit_id: int | None) -> None:
    """The rest of the update's log lines carry its person's unit."""
    if (unit := current_unit.get()) is not None:
        unit.unit_id = unit_id


class UpdateContext(logging.Filter):
    """Adds `update_id`, `user_id` and `unit_id` to each record: those of the update being
    handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        update, user, unit = current_update.get(), current_user.get(), current_unit.get()
        record.update_id = "-" if update is None else update
        record.user_id = "-" if user is None else user
        record.unit_id = "-" if unit is None or unit.unit_id is None else unit.unit_id
        return True


class RedactingFormatter(logging.Formatter):
    """The line as formatted, then without the secrets and the values of failed statements."""

    def __init__(self, secrets: Iterable[str | None] = (), fmt: str = LOG_FORMAT) -> None:
        super().__init__(fmt)
        # Longest first, so a secret containing another is hidden whole.
        self._secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        text = _SQL_PARAMETERS.sub(f"[parameters: {HIDDEN}]", text)
        for secret in self._secrets:
            text = text.replace(secret, HIDDEN)
        return text


def _context_value(value: object) -> object:
    return None if value == "-" else value


class JsonFormatter(RedactingFormatter):
    """One JSON object a line; ids only beside the message, never names or typed text."""

    def __init__(self, secrets: Iterable[str | None] = (), replica: str = "-") -> None:
        super().__init__(secrets)
        self._replica = replica

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
            "update_id": _context_value(getattr(record, "update_id", None)),
            "user_id": _context_value(getattr(record, "user_id", None)),
            "unit_id": _context_value(getattr(record, "unit_id", None)),
            "replica": self._replica,
        }
        if record.exc_info:
            entry["exception"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def log_handler(
    secrets: Iterable[str | None],
    stream: object = None,
    log_format: Literal["text", "json"] = "text",
    replica: str = "-",
) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.addFilter(UpdateContext())
    handler.setFormatter(
        JsonFormatter(secrets, replica) if log_format == "json" else RedactingFormatter(secrets)
    )
    return handler


def configure_logging(
    level: str | int,
    secrets: Iterable[str | None],
    stream: object = None,
    force: bool = False,
    log_format: Literal["text", "json"] = "text",
    replica: str = "-",
) -> logging.Handler:
    """The process's one log handler: context on every line, secrets never. Like
    `logging.basicConfig`, it leaves a root logger that has handlers already as it is (a test
    runner's), unless `force`."""
    handler = log_handler(secrets, stream, log_format, replica)
    logging.basicConfig(level=level, handlers=[handler], force=force)
    return handler
