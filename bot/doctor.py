"""`python -m bot doctor`: what the bot needs before it runs, each checked and, when wrong, said
with how to fix it: the token (and that Telegram accepts it), the database, its migrations, the
media store, Redis when configured, and the clock.

Nothing here changes the set-up, except that reaching a SQLite database creates its file (as the
bot's first start would).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

import aiohttp
from sqlalchemy import text

from bot.config import Settings, token_problem
from bot.db.engine import create_engine
from bot.db.migrate import SCHEMA_REVISION, schema_revision

TELEGRAM_API = "https://api.telegram.org"
REQUEST_TIMEOUT_SECONDS = 10.0
# Report dates, escalations and the audit log's times come from this clock; Telegram's message
# dates from Telegram's. Seconds apart is harmless, a minute is not.
CLOCK_TOLERANCE_SECONDS = 30.0


class Verdict(StrEnum):
    OK = "ok"
    # The bot runs, but something is worth doing (it migrates by itself at start, say).
    NOTE = "note"
    PROBLEM = "PROBLEM"


@dataclass(frozen=True)
class Finding:
    subject: str
    verdict: Verdict
    detail: str
    fix: str = ""

    def lines(self) -> list[str]:
        first = f"{self.verdict.value:<8} {self.subject}: {self.detail}"
        return [first, f"{'':<8} fix: {self.fix}"] if self.fix else [first]


def _hidden(message: str, settings: Settings) -> str:
    # An HTTP error can quote the request URL, which holds the token.
    return message.replace(settings.bot_token, "[hidden]") if settings.bot_token else message


async def check_token(settings: Settings) -> tuple[Finding, datetime | None]:
    """The token's shape, then Telegram's answer to getMe; also Telegram's clock (its Date)."""
    if problem := token_problem(settings.bot_token):
        what, fix = problem
        return Finding("BOT_TOKEN", Verdict.PROBLEM, what.removeprefix("is "), fix), None
    api = settings.telegram_api_url or TELEGRAM_API
    url = f"{api}/bot{settings.bot_token}/getMe"
    try:
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as client, client.get(url) as response:
            answer = await response.json(content_type=None)
            telegram_now = _date_header(response.headers.get("Date"))
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        reason = _hidden(str(error) or type(error).__name__, settings)
        fix = "check the network, a proxy or firewall, and TELEGRAM_API_URL"
        return Finding("BOT_TOKEN", Verdict.PROBLEM, f"{api} not reached ({reason})", fix), None
    if not answer.get("ok"):
        return (
            Finding(
                "BOT_TOKEN",
                Verdict.PROBLEM,
                f"refused by the Bot API ({answer.get('description', 'no reason given')})",
                "copy the token again from @BotFather (/mybots, API Token); a revoked one "
                "stops working",
            ),
            telegram_now,
        )
    username = answer.get("result", {}).get("username", "?")
    return Finding("BOT_TOKEN", Verdict.OK, f"accepted: the bot is @{username}"), telegram_now


def _date_header(value: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


async def check_database(settings: Settings) -> tuple[list[Finding], datetime | None]:
    """Reachable, at the code's migration; also the database server's clock (PostgreSQL)."""
    engine = create_engine(settings.database_url)
    kind = engine.url.get_backend_name()
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            database_now = (
                await connection.scalar(text("SELECT now()")) if kind == "postgresql" else None
            )
        revision = await schema_revision(engine)
    except Exception as error:  # anything the driver raises means: not reachable
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        fix = (
            "check that the folder of the SQLite file exists and is writable"
            if kind == "sqlite"
            else "check that PostgreSQL runs, and the host, port, user, password and database "
            "name in DATABASE_URL (the database must exist: createdb)"
        )
        return [Finding("DATABASE_URL", Verdict.PROBLEM, f"not reachable ({reason})", fix)], None
    finally:
        await engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    findings = [Finding("DATABASE_URL", Verdict.OK, f"reachable ({where})")]
    findings.append(_migrations_finding(revision))
    return findings, database_now


def _migrations_finding(revision: str | None) -> Finding:
    if revision == SCHEMA_REVISION:
        return Finding("migrations", Verdict.OK, f"current (revision {SCHEMA_REVISION})")
    if revision is None or revision < SCHEMA_REVISION:
        return Finding(
            "migrations",
            Verdict.NOTE,
            f"the database is at revision {revision or 'none'}, the code at {SCHEMA_REVISION}",
            "run `python -m bot migrate` (the bot also migrates at start)",
        )
    return Finding(
        "migrations",
        Verdict.PROBLEM,
        f"the database is at revision {revision}, newer than this code ({SCHEMA_REVISION})",
        "run the version of the bot that migrated it, or a newer one",
    )


def check_shared_media(settings: Settings) -> Finding:
    """MEDIA_STORE=database or s3 answers: a photo that is not there is looked up."""
    from bot.media import open_media_store

    name = f"MEDIA_STORE={settings.media_store}"
    try:
        store = open_media_store(settings)
        try:
            store.check("0" * 64)
        finally:
            store.close()
    except Exception as error:
        fix = (
            "run `python -m bot migrate` and check DATABASE_URL"
            if settings.media_store == "database"
            else "check S3_BUCKET, S3_ENDPOINT_URL and the AWS_* credentials"
        )
        return Finding(name, Verdict.PROBLEM, f"not readable ({type(error).__name__})", fix)
    return Finding(name, Verdict.OK, "photos are read from the shared store")


def check_media(settings: Settings) -> Finding:
    """MEDIA_DIR exists (or can be made) and takes a file; a shared store answers."""
    if settings.media_store != "local":
        return check_shared_media(settings)
    directory = settings.media_dir.resolve()
    existing = next(path for path in (directory, *directory.parents) if path.exists())
    fix = f"create {directory} and let the bot's user write there (chown / chmod)"
    if not existing.is_dir():
        return Finding("MEDIA_DIR", Verdict.PROBLEM, f"{existing} is not a folder", fix)
    if existing != directory:
        if os.access(existing, os.W_OK | os.X_OK):
            return Finding("MEDIA_DIR", Verdict.OK, f"{directory} is made at the first photo")
        return Finding("MEDIA_DIR", Verdict.PROBLEM, f"{directory} cannot be created", fix)
    try:
        with tempfile.TemporaryFile(dir=directory, prefix=".doctor-"):
            pass
    except OSError as error:
        return Finding("MEDIA_DIR", Verdict.PROBLEM, f"{directory}: {error.strerror}", fix)
    return Finding("MEDIA_DIR", Verdict.OK, f"{directory} is writable")


async def check_redis(settings: Settings) -> Finding:
    if not settings.redis_url:
        return Finding(
            "REDIS_URL",
            Verdict.OK,
            "not set: conversation state and chat order kept in the database (one process)",
        )
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(settings.redis_url, socket_timeout=3, socket_connect_timeout=3)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        return Finding(
            "REDIS_URL",
            Verdict.PROBLEM,
            f"not reachable ({type(error).__name__}: {error})",
            "check that Redis runs, and the host, port, password and database number in REDIS_URL",
        )
    finally:
        await client.aclose()
    return Finding("REDIS_URL", Verdict.OK, "reachable")


def check_clock(references: dict[str, datetime | None], now: datetime) -> Finding:
    """This machine's clock against the other clocks reached (Telegram's, PostgreSQL's)."""
    compared = {name: clock for name, clock in references.items() if clock is not None}
    if not compared:
        return Finding(
            "clock",
            Verdict.NOTE,
            "no other clock reached to compare with",
            "keep the clock synchronised (timedatectl set-ntp true)",
        )
    offsets = {name: (now - clock).total_seconds() for name, clock in compared.items()}
    worst = max(offsets, key=lambda name: abs(offsets[name]))
    if abs(offsets[worst]) > CLOCK_TOLERANCE_SECONDS:
        return Finding(
            "clock",
            Verdict.PROBLEM,
            f"{abs(offsets[worst]):.0f} s {'ahead of' if offsets[worst] > 0 else 'behind'} "
            f"{worst}'s",
            "synchronise the clock (timedatectl set-ntp true, or chrony / ntpd)",
        )
    names = " and ".join(compared)
    return Finding("clock", Verdict.OK, f"within {CLOCK_TOLERANCE_SECONDS:.0f} s of {names}")


async def examine(settings: Settings) -> list[Finding]:
    (token, telegram_now), (database, database_now), redis = await asyncio.gather(
        check_token(settings), check_database(settings), check_redis(settings)
    )
    clock = check_clock({"Telegram": telegram_now, "PostgreSQL": database_now}, datetime.now(UTC))
    return [token, *database, check_media(settings), redis, clock]


def report(findings: list[Finding]) -> tuple[str, int]:
    """The lines to print, and the exit status: 1 when anything is a problem."""
    lines = [line for finding in findings for line in finding.lines()]
    problems = sum(finding.verdict is Verdict.PROBLEM for finding in findings)
    lines.append(f"{problems} problem(s)" if problems else "ready to run")
    return "\n".join(lines), 1 if problems else 0


def run_doctor(settings: Settings) -> int:
    output, status = report(asyncio.run(examine(settings)))
    print(output)
    return status
