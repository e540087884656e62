"""Loading procedure files: every error named by file and field, then a searchable library."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import yaml
from babel.dates import format_timedelta
from pydantic import ValidationError

from bot.config import LANGUAGES, Settings
from bot.procedures.checks import (
    FULL_REPORT_DEADLINE,
    PLACEHOLDER,
    check_procedure,
    placeholders_in,
)
from bot.procedures.glossary import (
    GLOSSARY_PATH,
    BannedTerm,
    GlossaryError,
    parse_banned_terms,
)
from bot.procedures.schema import Procedure, Source, SourceList, Step, Text

PROCEDURES_DIR = Settings.model_fields["procedures_dir"].default
SOURCES_FILE = "sources.yaml"


class ProcedureErrors(Exception):
    """All problems found in procedure files, one line each: `file: field.path: problem`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class LoadedProcedure:
    """A checked procedure, its placeholders filled in; `content_hash` identifies the text the
    officer reads (see `_content_hash`) and is what a run records."""

    procedure: Procedure
    content_hash: str
    path: Path

    @property
    def id(self) -> str:
        return self.procedure.id

    @property
    def revision(self) -> str:
        return revision_of(self.procedure.version, self.content_hash)

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.procedure.steps if step.id == step_id), None)

    def position(self, step_id: str) -> int:
        """1-based place of a step in the procedure, as shown in "Step 3 of 12"."""
        ids = [step.id for step in self.procedure.steps]
        return ids.index(step_id) + 1

    def following(self, step: Step) -> list[str]:
        """Steps a step can lead to within this procedure."""
        return self.procedure.following(step)


@dataclass
class ProcedureLibrary:
    procedures: dict[str, LoadedProcedure]
    sources: dict[str, Source] = field(default_factory=dict)
    # The checked files as read, to be kept as the last good copy.
    files: dict[str, bytes] = field(default_factory=dict, repr=False)
    sources_file: bytes | None = field(default=None, repr=False)
    glossary: str | None = field(default=None, repr=False)

    def get(self, procedure_id: str) -> LoadedProcedure | None:
        return self.procedures.get(procedure_id)

    def ordered(self) -> list[LoadedProcedure]:
        return sorted(self.procedures.values(), key=lambda item: (item.procedure.order, item.id))

    def search(self, query: str) -> list[LoadedProcedure]:
        """Procedures whose texts, in any language, contain every word typed (case-insensitive);
        those whose title, summary or keywords match come before mentions in a step."""
        words = query.casefold().split()
        if not words:
            return []
        headline = [item for item in self.ordered() if _contains(_headline(item), words)]
        mentioned = [
            item
            for item in self.ordered()
            if item not in headline and _contains(_step_texts(item), words)
        ]
        return headline + mentioned


def _contains(haystack: str, words: list[str]) -> bool:
    return all(word in haystack for word in words)


def _joined(texts: Iterable[Text | None]) -> str:
    present = [text for text in texts if text is not None]
    return " ".join(
        text(language) for text in present for language in ("ky", "ru", "en")
    ).casefold()


def _headline(item: LoadedProcedure) -> str:
    procedure = item.procedure
    return _joined([procedure.title, procedure.summary, procedure.keywords])


def _step_texts(item: LoadedProcedure) -> str:
    return _joined(step.text for step in item.procedure.steps)


def _field_path(location: Iterable[object]) -> str:
    return ".".join(str(part) for part in location)


def revision_of(version: int, content_hash: str) -> str:
    """What an officer and a PDF are shown as the text's revision: "3 · 1a2b3c4d", the file's
    version and the start of its content hash, so that an edit without a new version number
    still reads as a different text."""
    return f"{version} · {content_hash[:8]}"


def deadline_phrase(hours: int, language: str) -> str:
    """ "24 hours", «24 часа», «24 саат»: the nominative (and accusative) form, to follow
    "within" / «через» / «… ичинде»."""
    return format_timedelta(
        timedelta(hours=hours), granularity="hour", threshold=_ALWAYS_HOURS, locale=language
    )


_ALWAYS_HOURS = 10**9


def placeholder_values(settings: Settings | None) -> dict[str, dict[str, str]]:
    hours = (
        settings.full_report_deadline_hours
        if settings is not None
        else Settings.model_fields["full_report_deadline_hours"].default
    )
    return {
        FULL_REPORT_DEADLINE: {language: deadline_phrase(hours, language) for language in LANGUAGES}
    }


def _filled(procedure: Procedure, values: dict[str, dict[str, str]]) -> Procedure:
    """The procedure with its placeholders replaced in every language's text."""

    def fill(node: object) -> object:
        if isinstance(node, dict):
            if set(node) == set(LANGUAGES) and all(isinstance(node[code], str) for code in node):
                return {code: _fill_text(node[code], code, values) for code in node}
            return {key: fill(value) for key, value in node.items()}
        if isinstance(node, list):
            return [fill(value) for value in node]
        return node

    return Procedure.model_validate(fill(procedure.model_dump()))


def _fill_text(text: str, language: str, values: dict[str, dict[str, str]]) -> str:
    return PLACEHOLDER.sub(lambda match: values[match.group(1)][language], text)


def _content_hash(raw: bytes, used: set[str], values: dict[str, dict[str, str]]) -> str:
    """SHA-256 of the file; for a file with placeholders, followed by the values put in them,
    so that the revision changes when the officer would read a different text."""
    digest = hashlib.sha256(raw)
    if used:
        filled_in = {name: values[name] for name in sorted(used)}
        digest.update(b"\0" + json.dumps(filled_in, sort_keys=True).encode())
    return digest.hexdigest()


def load_library(
    directory: Path = PROCEDURES_DIR,
    only: Iterable[Path] | None = None,
    *,
    settings: Settings | None = None,
    glossary: Path | None = GLOSSARY_PATH,
) -> ProcedureLibrary:
    """Load and check procedure files; raise ProcedureErrors listing every problem found.

    `settings` gives the values of the placeholders (FULL_REPORT_DEADLINE_HOURS; its default
    without settings); `glossary` the terms not to be used (None: no such check).
    """
    paths = sorted(only) if only else sorted(directory.glob("*.yaml"))
    sources_path = directory / SOURCES_FILE
    glossary_text = glossary.read_text(encoding="utf-8") if glossary and glossary.exists() else None
    return load_files(
        {path.name: path.read_bytes() for path in paths if path.name != SOURCES_FILE},
        sources_path.read_bytes() if sources_path.exists() else None,
        glossary_text,
        known_ids={path.stem for path in directory.glob("*.yaml")},
        settings=settings,
        directory=directory,
    )


def load_files(
    files: dict[str, bytes],
    sources_file: bytes | None,
    glossary_text: str | None,
    *,
    known_ids: Iterable[str] = (),
    settings: Settings | None = None,
    directory: Path = Path(),
) -> ProcedureLibrary:
    """The library from the contents of its files (procedure files by name, sources.yaml, the
    glossary's text), as read from the procedures directory or from the last good copy."""
    errors: list[str] = []
    sources: dict[str, Source] = {}
    if sources_file is not None:
        try:
            sources = SourceList.model_validate(yaml.safe_load(sources_file)).sources
        except (ValidationError, yaml.YAMLError) as error:
            errors += _describe(SOURCES_FILE, error)
    banned: list[BannedTerm] = []
    if glossary_text is not None:
        try:
            banned = parse_banned_terms(glossary_text, GLOSSARY_PATH.name)
        except GlossaryError as problems:
            errors += problems.errors
    values = placeholder_values(settings)
    checked: dict[str, tuple[str, Procedure, bytes]] = {}
    for name, raw in sorted(files.items()):
        try:
            procedure = Procedure.model_validate(yaml.safe_load(raw))
        except (ValidationError, yaml.YAMLError) as error:
            errors += _describe(name, error)
            continue
        if procedure.id != Path(name).stem:
            errors.append(f"{name}: id: '{procedure.id}' must match the file name")
        if procedure.id in checked:
            errors.append(f"{name}: id: duplicate procedure id '{procedure.id}'")
        checked[procedure.id] = (name, procedure, raw)
    all_ids = set(known_ids) | set(checked) | {Path(name).stem for name in files}
    for name, procedure, _raw in checked.values():
        errors += check_procedure(name, procedure, all_ids, set(sources), banned)
    if errors:
        raise ProcedureErrors(errors)
    loaded = {}
    for name, procedure, raw in checked.values():
        used = placeholders_in(procedure)
        loaded[procedure.id] = LoadedProcedure(
            _filled(procedure, values) if used else procedure,
            _content_hash(raw, used, values),
            directory / name,
        )
    return ProcedureLibrary(
        loaded, sources, files=dict(files), sources_file=sources_file, glossary=glossary_text
    )


def _describe(name: str, error: ValidationError | yaml.YAMLError) -> list[str]:
    if isinstance(error, yaml.YAMLError):
        return [f"{name}: not valid YAML: {error}"]
    return [
        f"{name}: {_field_path(problem['loc'])}: {_problem(problem)}" for problem in error.errors()
    ]


def _problem(problem: dict) -> str:
    if problem["type"] == "missing":
        return "missing"
    return str(problem["msg"])
