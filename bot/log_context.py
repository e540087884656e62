"""What every log line says besides its message: the update being handled and whose it is; and
what no line may say: the bot's token, the webhook's secret, the values of a failed SQL statement.

`bot.middlewares.log_context.LogContext` sets the two context variables while the dispatcher
handles an update (its error handler included), and `bot.receiving.handle_update` around the
whole of it (aiogram's "Update id=… is handled", a retry's note); `UpdateContext` puts them on
every record ("-" outside an update: start-up, the delivery worker), and `RedactingFormatter`
removes the secrets from the finished line, traceback included (an aiohttp error or access line
can print a request URL, which may hold the token). The bot's own lines name ids and codes only,
never typed text or names.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

current_update: ContextVar[int | None] = ContextVar("current_update", default=None)
current_user: ContextVar[int | None] = ContextVar("current_user", default=None)

LOG_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s [update=%(update_id)s user=%(user_id)s] %(message)s"
)
HIDDEN = "[hidden]"
# SQLAlchemy prints the statement's values under a failed statement: typed text, names.
_SQL_PARAMETERS = re.compile(r"^\[parameters: .*$", re.MULTILINE)


@contextmanager
def update_context(update_id: int | None, user_id: int | None) -> Iterator[None]:
    """Log lines written inside carry this update's id and its person's Telegram id."""
    update_token, user_token = current_update.set(update_id), current_user.set(user_id)
    try:
        yield
    finally:
        current_user.reset(user_token)
        current_update.reset(update_token)


class UpdateContext(logging.Filter):
    """Adds `update_id` and `user_id` to each record: those of the update being handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        update, user = current_update.get(), current_user.get()
        record.update_id = "-" if update is None else update
        record.user_id = "-" if user is None else user
        return True


class RedactingFormatter(logging.Formatter):
    """The line as formatted, then without the secrets and the values of failed statements."""

    def __init__(self, secrets: Iterable[str | None] = (), fmt: str = LOG_FORMAT) -> None:
        super().__init__(fmt)
        # Longest first, so a secret containing another is hidden whole.
        self._secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = _SQL_PARAMETERS.sub(f"[parameters: {HIDDEN}]", super().format(record))
        for secret in self._secrets:
            line = line.replace(secret, HIDDEN)
        return line


def log_handler(secrets: Iterable[str | None], stream: object = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.addFilter(UpdateContext())
    handler.setFormatter(RedactingFormatter(secrets))
    return handler


def configure_logging(
    level: str | int, secrets: Iterable[str | None], stream: object = None, force: bool = False
) -> logging.Handler:
    """The process's one log handler: context on every line, secrets never. Like
    `logging.basicConfig`, it leaves a root logger that has handlers already as it is (a test
    runner's), unless `force`."""
    handler = log_handler(secrets, stream)
    logging.basicConfig(level=level, handlers=[handler], force=force)
    return handler
