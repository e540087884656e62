"""Gettext catalogs (compiled on start when stale) and Babel formatting in the reader's language."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from babel.dates import format_date, format_time, get_datetime_format
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot import PROJECT_ROOT
from bot.config import LANGUAGES
from bot.db.models import User

LOCALES_DIR = PROJECT_ROOT / "locales"
DOMAIN = "messages"

log = logging.getLogger(__name__)


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Compile every .po whose .mo is missing or older, so catalogs are never stale."""
    compiled = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            # Fuzzy entries are left out, as gettext would; the catalog tests forbid them.
            write_mo(mo_file, catalog, use_fuzzy=False)
        compiled.append(mo_path)
        log.info("compiled %s", mo_path)
    return compiled


def create_i18n(default_language: str) -> I18n:
    compile_catalogs()
    return I18n(path=LOCALES_DIR, default_locale=default_language, domain=DOMAIN)


def language_of(user: User | None, default: str) -> str:
    """The language a person reads: the one they chose, else the service's default."""
    return user.language if user is not None and user.language else default


def format_count(number: int, language: str) -> str:
    """A number as the reader writes it (Babel: 1 000 in ky and ru, 1,000 in en)."""
    return format_decimal(number, locale=language or "en")


MINUTES = "minutes"


def format_datetime(
    moment: datetime, language: str, timezone: ZoneInfo, length: str = "medium"
) -> str:
    """A date and time as the reader writes it, in the service's time zone; length "minutes"
    is the medium date with the time to the minute (a seizure's seconds are noise)."""
    if length == MINUTES:
        pattern = get_datetime_format("medium", locale=language).replace("'", "")
        local = moment.astimezone(timezone)
        return pattern.replace("{0}", format_time(local, "short", locale=language)).replace(
            "{1}", format_date(local, "medium", locale=language)
        )
    return babel_format_datetime(moment, format=length, tzinfo=timezone, locale=language)


__all__ = [
    "LANGUAGES",
    "LOCALES_DIR",
    "compile_catalogs",
    "create_i18n",
    "format_count",
    "format_datetime",
    "language_of",
]
