"""The last procedure files accepted at start-up, kept so that a refused edit leaves the bot
serving them (and the admins told) rather than serving dangerous content or not starting."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.procedures.library import ProcedureErrors, ProcedureLibrary, load_files, load_library

log = logging.getLogger(__name__)
FORMAT = 1


@dataclass
class ServedProcedures:
    """What start-up serves: the procedure files, or when they were refused (`refused`, one
    line per problem) the last good copy, accepted at `kept_since`."""

    library: ProcedureLibrary
    refused: list[str] = field(default_factory=list)
    kept_since: datetime | None = None


def load_at_startup(settings: Settings) -> ServedProcedures:
    """The procedures to serve; raises ProcedureErrors when the files are refused and there is
    no last good copy (a first start): then the bot does not start."""
    try:
        library = load_library(settings.procedures_dir, settings=settings)
    except ProcedureErrors as problems:
        log.error("procedure files refused:\n%s", "\n".join(problems.errors))
        kept = _read(settings.last_good_procedures)
        if kept is None:
            raise ProcedureErrors(
                [
                    *problems.errors,
                    f"{settings.last_good_procedures}: no procedures accepted before to serve "
                    "instead: the bot does not start",
                ]
            ) from None
        try:
            library = _load(kept, settings)
        except ProcedureErrors as old_problems:
            raise ProcedureErrors(
                [
                    *problems.errors,
                    *(
                        f"{settings.last_good_procedures} (last good copy): {line}"
                        for line in old_problems.errors
                    ),
                    "neither the procedure files nor the last good copy pass the checks: "
                    "the bot does not start",
                ]
            ) from None
        log.error(
            "serving the procedures last accepted on %s from %s",
            kept["saved_at"],
            settings.last_good_procedures,
        )
        return ServedProcedures(library, problems.errors, datetime.fromisoformat(kept["saved_at"]))
    keep_last_good(library, settings.last_good_procedures)
    return ServedProcedures(library)


def load_last_good(settings: Settings) -> ProcedureLibrary | None:
    kept = _read(settings.last_good_procedures)
    return _load(kept, settings) if kept is not None else None


def keep_last_good(library: ProcedureLibrary, path: Path) -> bool:
    """Keep the library's files unless the copy already holds them; True if written.

    One JSON file replaced at once, so that a crash or a second replica starting at the same
    moment never leaves half a copy; the texts stay readable for an admin.
    """
    try:
        files = {name: raw.decode("utf-8") for name, raw in library.files.items()}
        sources = library.sources_file.decode("utf-8") if library.sources_file else None
    except UnicodeDecodeError:
        log.warning("procedure files are not UTF-8: no last good copy kept")
        return False
    content = {"files": files, "sources": sources, "glossary": library.glossary}
    kept = _read(path)
    if kept is not None and {key: kept.get(key) for key in content} == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(
        json.dumps(
            {"format": FORMAT, "saved_at": datetime.now(UTC).isoformat(), **content},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    os.replace(temporary, path)
    log.info("procedures accepted: kept as the last good copy in %s", path)
    return True


def _read(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        log.error("last good procedures at %s unreadable: %s", path, error)
        return None
    if not isinstance(kept, dict) or kept.get("format") != FORMAT:
        log.error("last good procedures at %s: unknown format", path)
        return None
    return kept


def _load(kept: dict, settings: Settings) -> ProcedureLibrary:
    """The copy, checked again with today's rules and the glossary it was accepted with."""
    sources = kept.get("sources")
    return load_files(
        {name: text.encode("utf-8") for name, text in kept["files"].items()},
        sources.encode("utf-8") if sources is not None else None,
        kept.get("glossary"),
        settings=settings,
        directory=settings.last_good_procedures.parent,
    )
