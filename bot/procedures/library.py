"""Loading procedure files: every error named by file and field, then a searchable library."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.config import Settings
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
    procedure: Procedure
    content_hash: str
    path: Path

    @property
    def id(self) -> str:
        return self.procedure.id

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.procedure.steps if step.id == step_id), None)

    def position(self, step_id: str) -> int:
        """1-based place of a step in the procedure, as shown in "Step 3 of 12"."""
        ids = [step.id for step in self.procedure.steps]
        return ids.index(step_id) + 1

    def following(self, step: Step) -> list[str]:
        """Steps a step can lead to within this procedure."""
        if step.answers:
            return [answer.goto for answer in step.answers if answer.goto]
        if step.next:
            return [step.next]
        ids = [candidate.id for candidate in self.procedure.steps]
        index = ids.index(step.id)
        return [ids[index + 1]] if index + 1 < len(ids) else []


@dataclass
class ProcedureLibrary:
    procedures: dict[str, LoadedProcedure]
    sources: dict[str, Source] = field(default_factory=dict)

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


def _read(path: Path) -> tuple[object, bytes]:
    raw = path.read_bytes()
    return yaml.safe_load(raw), raw


def _check_steps(
    name: str, procedure: Procedure, all_ids: set[str], sources: set[str]
) -> list[str]:
    errors = []
    ids = [step.id for step in procedure.steps]
    for index, step in enumerate(procedure.steps):
        where = f"{name}: steps.{index}"
        if ids.count(step.id) > 1 and ids.index(step.id) != index:
            errors.append(f"{where}.id: duplicate step id '{step.id}'")
        if step.next and step.next not in ids:
            errors.append(f"{where}.next: unknown step '{step.next}'")
        if (step.kind == "question") != bool(step.answers):
            errors.append(
                f"{where}.answers: a question needs answers, and only a question has them"
            )
        for number, answer in enumerate(step.answers):
            place = f"{where}.answers.{number}"
            if (answer.goto is None) == (answer.procedure is None):
                errors.append(f"{place}: give exactly one of goto or procedure")
            if answer.goto and answer.goto not in ids:
                errors.append(f"{place}.goto: unknown step '{answer.goto}'")
            if answer.procedure and answer.procedure not in all_ids:
                errors.append(f"{place}.procedure: unknown procedure '{answer.procedure}'")
        for number, tag in enumerate(step.sources):
            if tag not in sources:
                errors.append(f"{where}.sources.{number}: unknown source '{tag}'")
    if errors:
        return errors
    return _check_flow(name, LoadedProcedure(procedure, "", Path(name)))


def _check_flow(name: str, item: LoadedProcedure) -> list[str]:
    """Every step reachable from the first, and no way round in a circle."""
    steps = {step.id: step for step in item.procedure.steps}
    ids = list(steps)
    errors: list[str] = []
    finished: set[str] = set()

    def visit(step_id: str, path: tuple[str, ...]) -> None:
        if step_id in path:
            errors.append(f"{name}: steps.{ids.index(step_id)}: loop back to '{step_id}'")
            return
        if step_id in finished:
            return
        for target in item.following(steps[step_id]):
            visit(target, (*path, step_id))
        finished.add(step_id)

    visit(ids[0], ())
    errors += [
        f"{name}: steps.{index}: step '{step_id}' cannot be reached from the first step"
        for index, step_id in enumerate(ids)
        if step_id not in finished
    ]
    return errors


def load_library(
    directory: Path = PROCEDURES_DIR, only: Iterable[Path] | None = None
) -> ProcedureLibrary:
    """Load and check procedure files; raise ProcedureErrors listing every problem found."""
    errors: list[str] = []
    sources: dict[str, Source] = {}
    sources_path = directory / SOURCES_FILE
    if sources_path.exists():
        try:
            sources = SourceList.model_validate(_read(sources_path)[0]).sources
        except (ValidationError, yaml.YAMLError) as error:
            errors += _describe(sources_path.name, error)
    paths = sorted(only) if only else sorted(directory.glob("*.yaml"))
    loaded: dict[str, LoadedProcedure] = {}
    for path in paths:
        if path.name == SOURCES_FILE:
            continue
        try:
            data, raw = _read(path)
            procedure = Procedure.model_validate(data)
        except (ValidationError, yaml.YAMLError) as error:
            errors += _describe(path.name, error)
            continue
        if procedure.id != path.stem:
            errors.append(f"{path.name}: id: '{procedure.id}' must match the file name")
        if procedure.id in loaded:
            errors.append(f"{path.name}: id: duplicate procedure id '{procedure.id}'")
        loaded[procedure.id] = LoadedProcedure(procedure, hashlib.sha256(raw).hexdigest(), path)
    known_ids = {path.stem for path in directory.glob("*.yaml")} | set(loaded)
    for item in loaded.values():
        errors += _check_steps(item.path.name, item.procedure, known_ids, set(sources))
    if errors:
        raise ProcedureErrors(errors)
    return ProcedureLibrary(loaded, sources)


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
