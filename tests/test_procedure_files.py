"""Procedure files are checked at start and by `python -m bot procedures check`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.procedures.library import PROCEDURES_DIR, ProcedureErrors, load_library
from tests.procedure_fixtures import BOMB, broken, write_library

RULES = [
    ("unknown target", "check-scene.yaml: steps.0.next: unknown step 'nowhere'"),
    ("duplicate id", "check-scene.yaml: steps.4.id: duplicate step id 'hands-off'"),
    ("missing language", "check-scene.yaml: steps.1.text.ky: missing"),
    ("unreachable", "check-scene.yaml: steps.3: step 'orphan' cannot be reached"),
    ("loop", "check-scene.yaml: steps.1: loop back to 'keep-back'"),
    ("unknown procedure", "steps.2.answers.0.procedure: unknown procedure 'no-such-procedure'"),
    ("unknown source", "check-scene.yaml: steps.0.sources.0: unknown source 'NOPE'"),
]


@pytest.mark.parametrize(("mistake", "message"), RULES, ids=[rule[0] for rule in RULES])
def test_each_mistake_is_named_with_file_and_field(tmp_path, mistake, message):
    write_library(tmp_path, broken(mistake), BOMB)
    with pytest.raises(ProcedureErrors) as problems:
        load_library(tmp_path)
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


def test_shipped_procedures_are_valid():
    library = load_library(PROCEDURES_DIR)
    assert len(library.procedures) == 9
