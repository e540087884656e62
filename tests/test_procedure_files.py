"""Procedure files are checked at start and by `python -m bot procedures check`."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.dates import format_timedelta
from sqlalchemy import select

from bot.config import LANGUAGES, Settings
from bot.db.models import AuditEntry, Role
from bot.procedures.last_good import load_at_startup, load_last_good
from bot.procedures.library import PROCEDURES_DIR, ProcedureErrors, load_library, revision_of
from bot.services.notifications import (
    PROCEDURES_REFUSED,
    Refusal,
    enqueue_procedures_refused,
    read_refusal,
)
from bot.services.users import ensure_admins, upsert_user
from tests.procedure_fixtures import (
    BOMB,
    SCENE,
    broken,
    safe_order,
    with_deadline,
    write_glossary,
    write_library,
)

RULES = [
    ("unknown target", "check-scene.yaml: steps.0.next: unknown step 'nowhere'"),
    ("duplicate id", "check-scene.yaml: steps.4.id: duplicate step id 'hands-off'"),
    ("missing language", "check-scene.yaml: steps.1.text.ky: missing"),
    ("unreachable", "check-scene.yaml: steps.3: step 'orphan' cannot be reached"),
    ("loop", "check-scene.yaml: steps.1: loop back to 'keep-back'"),
    ("unknown procedure", "steps.2.answers.0.procedure: unknown procedure 'no-such-procedure'"),
    ("unknown source", "check-scene.yaml: steps.0.sources.0: unknown source 'NOPE'"),
    (
        "handling before hazard check",
        "check-scene.yaml: steps.3 (photo): handles an item before the hazard checks ('note-time')",
    ),
    (
        "hazard check skipped on a branch",
        "check-scene.yaml: steps.4 (note-time): handles an item before the hazard checks ('photo')",
    ),
    (
        "hazard check that handles",
        "check-scene.yaml: steps.2 (explosive): a hazard check must not handle the item "
        "(handle it in a later step)",
    ),
    (
        "handling after stopping",
        "check-scene.yaml: steps.2 (explosive).answers.1: after this answer, which stops "
        "handling, step 'note-time' (steps.4) handles an item",
    ),
    (
        "banned term",
        "check-scene.yaml: steps.0 (hands-off).text.ky: «курокко тийгизбеңиз» is not to be "
        "used (trigger: use «машаа»)",
    ),
    (
        "critical step not translated",
        "check-scene.yaml: steps.1 (keep-back).text.ky: a critical step without its Kyrgyz "
        "text (no Cyrillic letter in it)",
    ),
    (
        "critical answer not translated",
        "check-scene.yaml: steps.2 (explosive).answers.1.label.ru: a critical step without "
        "its Russian text (no Cyrillic letter in it)",
    ),
    ("ky same as ru", "check-scene.yaml: summary: the Kyrgyz text is the Russian one"),
    (
        "step ky same as ru",
        "check-scene.yaml: steps.4 (note-time).text: the Kyrgyz text is the Russian one",
    ),
    (
        "unknown placeholder",
        "check-scene.yaml: steps.4 (note-time).text.en: unknown placeholder "
        "{full_report_deadlin} (the only one is {full_report_deadline})",
    ),
    (
        "stray brace",
        "check-scene.yaml: steps.4 (note-time).text.ru: a brace that is not part of a placeholder",
    ),
    (
        "placeholder in one language",
        "check-scene.yaml: steps.4 (note-time).text: {full_report_deadline} is in en "
        "but not in ky, ru",
    ),
]


@pytest.mark.parametrize(("mistake", "message"), RULES, ids=[rule[0] for rule in RULES])
def test_each_mistake_is_named_with_file_and_field(tmp_path, mistake, message):
    write_library(tmp_path, broken(mistake), BOMB)
    with pytest.raises(ProcedureErrors) as problems:
        load_library(tmp_path, glossary=write_glossary(tmp_path / "locales"))
    assert any(line.startswith(message) or message in line for line in problems.value.errors), (
        problems.value.errors
    )


def test_check_command_prints_errors_and_fails(tmp_path):
    write_library(tmp_path, broken("missing language"), BOMB)
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "procedures", "check", str(tmp_path / "check-scene.yaml")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert "check-scene.yaml: steps.1.text.ky: missing" in result.stderr


def test_check_command_names_the_step_handled_before_the_hazard_checks(tmp_path):
    write_library(tmp_path, broken("handling before hazard check"), BOMB)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "procedures", "check", str(tmp_path / "check-scene.yaml")],
        capture_output=True,
        text=True,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
        timeout=60,
    )
    assert result.returncode == 1
    assert (
        "check-scene.yaml: steps.3 (photo): handles an item before the hazard checks "
        "('note-time')" in result.stderr.splitlines()
    )


def test_shipped_procedures_are_valid():
    library = load_library(PROCEDURES_DIR)
    assert len(library.procedures) == 9


def test_check_command_checks_the_configured_folder_by_default(tmp_path):
    write_library(tmp_path, broken("hazard check that handles"), BOMB)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "procedures", "check"],
        capture_output=True,
        text=True,
        env={**os.environ, "LOG_LEVEL": "WARNING", "PROCEDURES_DIR": str(tmp_path)},
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "check-scene.yaml: steps.2 (explosive): a hazard check must not handle the item "
        "(handle it in a later step)"
    ]


def test_procedures_without_safety_flags_load_as_before(tmp_path):
    write_library(tmp_path)
    assert set(load_library(tmp_path).procedures) == {"check-scene", "bomb"}


def test_hazards_checked_before_handling_and_a_stop_that_leaves_are_accepted(tmp_path):
    write_library(tmp_path, safe_order(), BOMB)
    step = load_library(tmp_path).get("check-scene").step("photo")
    assert step is not None and step.handles_item


def test_a_changed_procedure_gets_a_new_revision_though_its_version_stays(tmp_path):
    write_library(tmp_path)
    before = load_library(tmp_path).get("check-scene")
    assert before.revision == f"1 · {before.content_hash[:8]}"
    changed = copy.deepcopy(SCENE)
    changed["steps"][4]["text"]["en"] = "Note the time and the place."
    write_library(tmp_path, changed, BOMB)
    after = load_library(tmp_path).get("check-scene")
    assert after.procedure.version == before.procedure.version
    assert after.revision != before.revision and after.revision.startswith("1 · ")
    assert revision_of(1, after.content_hash) == after.revision


@pytest.mark.parametrize("hours", [24, 12, 1])
def test_the_full_report_deadline_is_filled_in_from_the_settings(tmp_path, hours):
    write_library(tmp_path, with_deadline(), BOMB)
    settings = Settings(_env_file=None, full_report_deadline_hours=hours)
    step = load_library(tmp_path, settings=settings).get("check-scene").step("note-time")
    for language in LANGUAGES:
        phrase = format_timedelta(
            timedelta(hours=hours), granularity="hour", threshold=1000, locale=language
        )
        assert phrase in step.text(language)
        assert "{" not in step.text(language)
    assert step.text("ru").endswith(f"через {phrase_ru(hours)}.")


def phrase_ru(hours: int) -> str:
    return format_timedelta(timedelta(hours=hours), granularity="hour", threshold=1000, locale="ru")


def test_the_deadline_defaults_to_24_hours_and_is_part_of_the_revision(tmp_path):
    write_library(tmp_path, with_deadline(), BOMB)
    default = load_library(tmp_path).get("check-scene")
    assert "24 часа" in default.step("note-time").text("ru")
    shorter = load_library(
        tmp_path, settings=Settings(_env_file=None, full_report_deadline_hours=12)
    ).get("check-scene")
    assert shorter.revision != default.revision
    # A procedure without the placeholder keeps the file's own hash.
    bomb = load_library(tmp_path).get("bomb")
    assert bomb.content_hash == hashlib.sha256((tmp_path / "bomb.yaml").read_bytes()).hexdigest()


def startup_settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        procedures_dir=tmp_path / "procedures",
        last_good_procedures=tmp_path / "data" / "procedures-last-good.json",
    )


def test_first_start_with_refused_procedures_does_not_start(tmp_path):
    settings = startup_settings(tmp_path)
    write_library(settings.procedures_dir, broken("handling before hazard check"), BOMB)
    with pytest.raises(ProcedureErrors) as problems:
        load_at_startup(settings)
    assert "check-scene.yaml: steps.3 (photo): handles an item before the hazard checks " in (
        "\n".join(problems.value.errors)
    )
    assert not settings.last_good_procedures.exists()


def test_a_refused_edit_keeps_the_last_good_procedures_in_service(tmp_path):
    settings = startup_settings(tmp_path)
    write_library(settings.procedures_dir)
    good = load_at_startup(settings)
    assert good.refused == [] and settings.last_good_procedures.exists()
    revision = good.library.get("check-scene").revision

    write_library(settings.procedures_dir, broken("handling after stopping"), BOMB)
    served = load_at_startup(settings)
    assert served.library.get("check-scene").revision == revision
    assert served.kept_since is not None
    stopped = "steps.2 (explosive).answers.1: after this answer, which stops handling"
    assert any(stopped in line for line in served.refused)

    write_library(settings.procedures_dir, safe_order(), BOMB)
    fixed = load_at_startup(settings)
    assert fixed.refused == []
    assert fixed.library.get("check-scene").revision != revision
    assert load_last_good(settings).get("check-scene").revision == (
        fixed.library.get("check-scene").revision
    )


async def test_admins_are_told_the_procedures_were_refused(session):
    await ensure_admins(session, [501, 502])
    officer = await upsert_user(session, 503, Role.OFFICER)
    errors = [f"ammunition.yaml: steps.{number} (count): problem {number}" for number in range(80)]
    kept_since = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    queued = await enqueue_procedures_refused(session, errors, kept_since)
    assert len(queued) == 2 and officer.id not in {item.recipient_id for item in queued}
    payload = json.loads(queued[0].note)
    assert queued[0].kind == PROCEDURES_REFUSED
    assert payload["errors"] == errors[: len(payload["errors"])]
    assert payload["omitted"] == len(errors) - len(payload["errors"]) > 0
    assert payload["kept_since"] == kept_since.isoformat()
    assert len(queued[0].note) <= 1000
    assert read_refusal(queued[0].note) == Refusal(
        payload["errors"], payload["omitted"], kept_since
    )
    # A second replica starting at once, or a restart loop, does not tell them again.
    assert await enqueue_procedures_refused(session, errors, kept_since) == []
    actions = await session.scalars(select(AuditEntry.action))
    assert "procedures.refused" in actions.all()
