"""Rules across the steps of a procedure, each problem one line `file: field.path: problem`:
links and flow, then the safety rules (hazards checked before an item is handled, nothing
handled after an answer that stops handling), banned glossary terms, the three languages and
the placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.procedures.glossary import BannedTerm, banned_in
from bot.procedures.schema import Procedure, Step, Text

LANGUAGES = ("ky", "ru", "en")
LANGUAGE_NAMES = {"ky": "Kyrgyz", "ru": "Russian", "en": "English"}
# The only placeholder a procedure may use, filled in from the settings when loading.
FULL_REPORT_DEADLINE = "full_report_deadline"
PLACEHOLDERS = (FULL_REPORT_DEADLINE,)
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
_SCRIPTS = {"ky": (_CYRILLIC, "Cyrillic"), "ru": (_CYRILLIC, "Cyrillic"), "en": (_LATIN, "Latin")}


def check_procedure(
    name: str,
    procedure: Procedure,
    all_ids: set[str],
    sources: set[str],
    banned: list[BannedTerm],
) -> list[str]:
    errors = check_links(name, procedure, all_ids, sources)
    if not errors:
        errors = check_flow(name, procedure)
    if not errors:
        errors = hazard_problems(name, procedure) + stop_problems(name, procedure)
    return (
        errors
        + banned_term_problems(name, procedure, banned)
        + language_problems(name, procedure)
        + placeholder_problems(name, procedure)
    )


def step_place(name: str, index: int, step: Step) -> str:
    return f"{name}: steps.{index} ({step.id})"


def check_links(name: str, procedure: Procedure, all_ids: set[str], sources: set[str]) -> list[str]:
    """Step ids unique; every goto, next, procedure and source known; answers on questions."""
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
    return errors


def check_flow(name: str, procedure: Procedure) -> list[str]:
    """Every step reachable from the first, and no way round in a circle."""
    steps = {step.id: step for step in procedure.steps}
    ids = list(steps)
    errors: list[str] = []
    finished: set[str] = set()

    def visit(step_id: str, path: tuple[str, ...]) -> None:
        if step_id in path:
            errors.append(f"{name}: steps.{ids.index(step_id)}: loop back to '{step_id}'")
            return
        if step_id in finished:
            return
        for target in procedure.following(steps[step_id]):
            visit(target, (*path, step_id))
        finished.add(step_id)

    visit(ids[0], ())
    errors += [
        f"{name}: steps.{index}: step '{step_id}' cannot be reached from the first step"
        for index, step_id in enumerate(ids)
        if step_id not in finished
    ]
    return errors


def _in_flow_order(procedure: Procedure) -> list[Step]:
    """Reachable steps, each after every step that can lead to it (the flow has no loop)."""
    steps = {step.id: step for step in procedure.steps}
    done: list[Step] = []
    seen: set[str] = set()

    def visit(step: Step) -> None:
        seen.add(step.id)
        for target in procedure.following(step):
            if target not in seen:
                visit(steps[target])
        done.append(step)

    visit(procedure.steps[0])
    return done[::-1]


def hazard_problems(name: str, procedure: Procedure) -> list[str]:
    """An item is handled only after all of the procedure's hazard checks, whichever answers
    led there: a step that handles an item is refused when some way from the first step to it
    misses a hazard check (or meets it only later)."""
    errors = []
    hazards = [step.id for step in procedure.steps if step.hazard_check]
    for index, step in enumerate(procedure.steps):
        if step.hazard_check and step.handles_item:
            errors.append(
                f"{step_place(name, index, step)}: a hazard check must not handle the item "
                "(handle it in a later step)"
            )
    if not hazards:
        return errors
    # The hazard checks passed on every way to a step, before it.
    passed: dict[str, frozenset[str]] = {procedure.steps[0].id: frozenset()}
    for step in _in_flow_order(procedure):
        after = passed[step.id] | ({step.id} if step.hazard_check else set())
        for target in procedure.following(step):
            passed[target] = passed[target] & after if target in passed else after
    for index, step in enumerate(procedure.steps):
        if not step.handles_item or step.hazard_check:
            continue
        missed = [hazard for hazard in hazards if hazard not in passed[step.id]]
        if missed:
            listed = ", ".join(f"'{hazard}'" for hazard in missed)
            errors.append(
                f"{step_place(name, index, step)}: handles an item before the hazard checks "
                f"({listed})"
            )
    return errors


def stop_problems(name: str, procedure: Procedure) -> list[str]:
    """After an answer that stops handling ("not trained", "not intact"), no step of the
    procedure that handles an item can follow, by any way."""
    steps = {step.id: step for step in procedure.steps}
    positions = {step.id: index for index, step in enumerate(procedure.steps)}
    errors = []
    for index, step in enumerate(procedure.steps):
        for number, answer in enumerate(step.answers):
            if not answer.stops_handling or answer.goto is None:
                continue
            reached = _reachable(procedure, steps, answer.goto)
            handling = [other for other in procedure.steps if other.id in reached]
            handling = [other for other in handling if other.handles_item]
            if handling:
                first = handling[0]
                errors.append(
                    f"{step_place(name, index, step)}.answers.{number}: after this answer, "
                    f"which stops handling, step '{first.id}' (steps.{positions[first.id]}) "
                    "handles an item"
                )
    return errors


def _reachable(procedure: Procedure, steps: dict[str, Step], start: str) -> set[str]:
    reached: set[str] = set()
    waiting = [start]
    while waiting:
        step_id = waiting.pop()
        if step_id in reached:
            continue
        reached.add(step_id)
        waiting += procedure.following(steps[step_id])
    return reached


def texts_of(name: str, procedure: Procedure) -> Iterator[tuple[str, Text, Step | None]]:
    """Every text of a procedure with its place, and the step it belongs to."""
    yield f"{name}: title", procedure.title, None
    yield f"{name}: summary", procedure.summary, None
    if procedure.keywords is not None:
        yield f"{name}: keywords", procedure.keywords, None
    for index, step in enumerate(procedure.steps):
        where = step_place(name, index, step)
        yield f"{where}.text", step.text, step
        for number, answer in enumerate(step.answers):
            yield f"{where}.answers.{number}.label", answer.label, step


def banned_term_problems(name: str, procedure: Procedure, banned: list[BannedTerm]) -> list[str]:
    """No text uses a variant the glossary lists as not to be used, in that variant's language."""
    return [
        f"{where}.{language}: {term.problem()}"
        for where, text, _step in texts_of(name, procedure)
        for language in LANGUAGES
        for term in banned_in(text(language), language, banned)
    ]


def _same(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def language_problems(name: str, procedure: Procedure) -> list[str]:
    """Kyrgyz is not Russian copied over: title, summary and step texts differ in ky and ru.
    A critical step (its text and its answers) is written in all three languages: ky and ru
    with Cyrillic letters, en with Latin ones, and ky not the ru text."""
    errors = []
    for where, text, step in texts_of(name, procedure):
        critical = step is not None and step.is_critical
        if (where.endswith(".label") and not critical) or where.endswith(": keywords"):
            continue
        if _same(text.ky, text.ru):
            errors.append(f"{where}: the Kyrgyz text is the Russian one")
        if not critical:
            continue
        for language, (script, script_name) in _SCRIPTS.items():
            if not script.search(text(language)):
                errors.append(
                    f"{where}.{language}: a critical step without its "
                    f"{LANGUAGE_NAMES[language]} text (no {script_name} letter in it)"
                )
    return errors


def placeholder_problems(name: str, procedure: Procedure) -> list[str]:
    """Only known placeholders, in every language of a text or in none: a typo would reach the
    officer as `{full_report_deadlin}`."""
    errors = []
    allowed = ", ".join(f"{{{known}}}" for known in PLACEHOLDERS)
    for where, text, _step in texts_of(name, procedure):
        used: dict[str, list[str]] = {}
        for language in LANGUAGES:
            value = text(language)
            for placeholder in PLACEHOLDER.findall(value):
                if placeholder in PLACEHOLDERS:
                    used.setdefault(placeholder, []).append(language)
                else:
                    errors.append(
                        f"{where}.{language}: unknown placeholder {{{placeholder}}} "
                        f"(the only one is {allowed})"
                    )
            if "{" in PLACEHOLDER.sub("", value) or "}" in PLACEHOLDER.sub("", value):
                errors.append(f"{where}.{language}: a brace that is not part of a placeholder")
        for placeholder, languages in used.items():
            if len(languages) < len(LANGUAGES):
                missing = ", ".join(code for code in LANGUAGES if code not in languages)
                errors.append(
                    f"{where}: {{{placeholder}}} is in {', '.join(languages)} but not in {missing}"
                )
    return errors


def placeholders_in(procedure: Procedure) -> set[str]:
    return {
        placeholder
        for _where, text, _step in texts_of("", procedure)
        for language in LANGUAGES
        for placeholder in PLACEHOLDER.findall(text(language))
    }
