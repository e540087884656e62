"""Settings read once from the environment (and an optional .env), validated at start.

An empty variable counts as unset (`BOT_TOKEN=` as `cp .env.example .env` leaves it), so its
default applies. Only the commands that talk to Telegram need the token (`Settings.require_bot`).
"""

from __future__ import annotations

import os
import re
import socket
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import PROJECT_ROOT

Language = Literal["ky", "ru", "en"]
LANGUAGES: tuple[Language, ...] = ("ky", "ru", "en")

_TOKEN_PATTERN = re.compile(r"^\d+:[\w-]+$")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/seizure-assistant.db"
# Names the file of settings besides the environment; the tests point it at an empty file.
ENV_FILE_VARIABLE = "ENV_FILE"
DEFAULT_ENV_FILE = ".env"


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the variable."""


class Settings(BaseSettings):
    # No file unless one is named: `load_settings` names ENV_FILE (default: .env).
    model_config = SettingsConfigDict(
        env_file=None,
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=False,
    )

    bot_token: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: Language = "ru"
    timezone: str = "Asia/Bishkek"
    redis_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # /healthz, /readyz and /metrics on a port of their own (WEBHOOK_HOST); unset: in webhook
    # mode on the webhook's port, in polling mode nowhere.
    health_port: int | None = Field(default=None, ge=1, le=65535)
    # The supervisors' Mini App: the public HTTPS address Telegram opens (its path is where the
    # page is served, on the webhook's server or on HEALTH_PORT); unset: no Mini App.
    webapp_url: str | None = None
    # Map tiles under the seizures ({z}/{x}/{y} URL template); unset: the shipped outline only.
    webapp_tiles_url: str | None = None
    # A firearm's trace sent this many days ago without a reply is overdue in the open work.
    overdue_trace_days: int = Field(default=30, ge=1, le=365)
    # Names this process in metrics and logs; a container's hostname is its own.
    replica_id: str = Field(default_factory=socket.gethostname, min_length=1, max_length=64)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # "json": one JSON object a line, for a log collector.
    log_format: Literal["text", "json"] = "text"
    invite_ttl_hours: int = Field(default=72, ge=1, le=24 * 30)
    shutdown_timeout_seconds: float = Field(default=20.0, gt=0)
    procedures_dir: Path = PROJECT_ROOT / "procedures"
    # The procedure files last accepted, served when an edit is refused at start-up.
    last_good_procedures: Path = Path("data/procedures-last-good.json")
    # Put into the procedures' texts as {full_report_deadline}: no source sets a deadline.
    full_report_deadline_hours: int = Field(default=24, ge=1)
    # An unconfirmed hand-over of items reminds both sides this late, and as late again their
    # supervisors.
    custody_remind_hours: float = Field(default=24, gt=0, le=24 * 30)
    # Evidence photos, each named by its SHA-256: in MEDIA_DIR ("local", for one process), in
    # the database ("database": every replica reads it, its backup covers them) or in an
    # S3-compatible bucket ("s3": S3_BUCKET, S3_ENDPOINT_URL, S3_PREFIX; credentials as boto3
    # reads them).
    media_store: Literal["local", "database", "s3"] = "local"
    media_dir: Path = Path("data/media")
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_prefix: str = ""
    messages_per_second: float = Field(default=30.0, gt=0, le=30)
    notification_timeout_seconds: int = Field(default=15, ge=1, le=120)
    # A notification whose send timed out may have arrived: sent again, as a repeat, this late.
    unknown_outcome_retry_minutes: float = Field(default=30, ge=0, le=24 * 60)
    escalate_after_minutes: float = Field(default=30, gt=0)
    escalate_urgent_after_minutes: float = Field(default=10, gt=0)
    # How often an officer at a scene with explosives or someone in danger is asked if safe.
    safety_check_minutes: float = Field(default=15, gt=0, le=24 * 60)
    # Local time of the daily digest; "off" turns the digest off.
    digest_time: time | None = time(20, 0)

    @field_validator("bot_token")
    @classmethod
    def _token_trimmed(cls, value: str | None) -> str | None:
        return value.strip() if value else None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise ValueError("must be comma-separated Telegram user ids, e.g. 111,222")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("must be an IANA time zone such as Asia/Bishkek") from error
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        scheme = value.split("://", 1)[0]
        if scheme in ("postgresql", "postgres", "postgresql+psycopg2"):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if scheme == "sqlite":
            return "sqlite+aiosqlite://" + value.split("://", 1)[1]
        if scheme not in ("postgresql+asyncpg", "sqlite+aiosqlite"):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return value

    @field_validator("digest_time", mode="before")
    @classmethod
    def _digest_off(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip().lower() == "off" else value

    @field_validator(
        "telegram_api_url", "webhook_url", "redis_url", "webapp_url", "s3_endpoint_url"
    )
    @classmethod
    def _url_or_none(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if not parts.scheme or not parts.netloc:
            raise ValueError("must be a full URL with scheme and host")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _bucket_named(self) -> Settings:
        if self.media_store == "s3" and not self.s3_bucket:
            raise ValueError("S3_BUCKET is required when MEDIA_STORE=s3")
        return self

    @model_validator(mode="after")
    def _secret_is_safe(self) -> Settings:
        # Telegram allows only these characters in the secret token header.
        if self.webhook_secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", self.webhook_secret):
            raise ValueError("WEBHOOK_SECRET: only A-Z, a-z, 0-9, _ and - (1 to 256 characters)")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url or "").path or "/webhook"

    def require_bot(self, webhook: bool = False) -> None:
        """Running the bot needs a token; webhook mode also a public URL and a secret."""
        if problem := token_problem(self.bot_token):
            what, fix = problem
            raise ConfigError(
                f"BOT_TOKEN {what}: {fix} (`python -m bot doctor` checks the whole set-up)"
            )
        for name in ["webhook_url", "webhook_secret"] if webhook else []:
            if not getattr(self, name):
                raise ConfigError(f"{name.upper()} is required to run the bot in this mode")


def token_problem(token: str | None) -> tuple[str, str] | None:
    """What is wrong with BOT_TOKEN and how to fix it; None when it has the right shape."""
    if not token:
        return (
            "is not set",
            "ask @BotFather for a token (/newbot) and put it in .env as BOT_TOKEN=123456789:ABC...",
        )
    if not _TOKEN_PATTERN.match(token):
        return (
            "must look like 123456789:ABC-token from @BotFather",
            "copy it again from @BotFather (/mybots, API Token)",
        )
    return None


def _describe(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        name = "_".join(str(part) for part in problem["loc"]).upper()
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "missing":
            message = "is required"
        lines.append(f"{name} {message}" if name else message)
    return "; ".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and the file ENV_FILE names (default: .env), or raise
    ConfigError with one line naming the variable."""
    overrides.setdefault("_env_file", os.environ.get(ENV_FILE_VARIABLE) or DEFAULT_ENV_FILE)
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None
