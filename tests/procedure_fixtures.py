"""Small procedure files for tests: one of every step kind, and one per schema mistake or
refused content."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml


def text(en: str) -> dict[str, str]:
    # Marked in Cyrillic: a critical step's ky and ru texts must be written in Cyrillic.
    return {"en": en, "ru": f"{en} (ру)", "ky": f"{en} (кы)"}


SOURCES = {"sources": {"EOD": {"title": text("First-responder practice")}}}

SCENE = {
    "id": "check-scene",
    "version": 1,
    "category": "safety",
    "order": 1,
    "title": text("Check the scene"),
    "summary": text("What to do first."),
    "keywords": {"en": "scene first", "ru": "место осмотр", "ky": "окуя жери"},
    "steps": [
        {
            "id": "hands-off",
            "kind": "instruction",
            "text": text("Keep hands off."),
            "sources": ["EOD"],
        },
        {"id": "keep-back", "kind": "critical", "text": text("Keep people back.")},
        {
            "id": "explosive",
            "kind": "question",
            "text": text("Could it explode?"),
            "answers": [
                {"label": text("Yes"), "procedure": "bomb"},
                {"label": text("No"), "goto": "photo"},
            ],
        },
        {"id": "photo", "kind": "photo", "critical": True, "text": text("Photograph it as found.")},
        {"id": "note-time", "kind": "instruction", "text": text("Note the time.")},
    ],
}

BOMB = {
    "id": "bomb",
    "version": 2,
    "category": "explosives",
    "order": 2,
    "title": text("Suspected bomb"),
    "summary": text("Clear and cordon."),
    "keywords": {"en": "bomb explosive", "ru": "бомба взрывчатка", "ky": "жарылгыч бомба"},
    "steps": [
        {"id": "evacuate", "kind": "critical", "text": text("Evacuate to 366 m.")},
        {"id": "call-sappers", "kind": "instruction", "text": text("Call the sappers.")},
    ],
}


GLOSSARY = """# Glossary

| English | Russian | Kyrgyz |
|---|---|---|
| trigger | спусковой крючок | машаа |

## Not to be used

| concept | language | use | not to be used |
|---|---|---|---|
| trigger | ky | машаа | «курокко тийгизбеңиз» · «курокту баспаңыз» |
| dry-fire | ru | контрольный спуск не производите | «спуск курка вхолостую» |

## Another section

| concept | language | use | not to be used |
|---|---|---|---|
| not banned | en | fine | «note» |
"""


def write_glossary(directory: Path, content: str = GLOSSARY) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "GLOSSARY.md"
    path.write_text(content)
    return path


def write_library(directory: Path, *procedures: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sources.yaml").write_text(yaml.safe_dump(SOURCES, allow_unicode=True))
    for procedure in procedures or (SCENE, BOMB):
        path = directory / f"{procedure['id']}.yaml"
        path.write_text(yaml.safe_dump(procedure, allow_unicode=True, sort_keys=False))
    return directory


def broken(change: str) -> dict[str, Any]:
    """The scene procedure with one mistake of the kind named."""
    procedure = copy.deepcopy(SCENE)
    steps = procedure["steps"]
    if change == "unknown target":
        steps[0]["next"] = "nowhere"
    elif change == "duplicate id":
        steps[4]["id"] = "hands-off"
    elif change == "missing language":
        del steps[1]["text"]["ky"]
    elif change == "unreachable":
        steps[1]["next"] = "explosive"
        steps[2]["answers"][1]["goto"] = "note-time"
        steps.insert(3, {"id": "orphan", "kind": "instruction", "text": text("Never shown.")})
    elif change == "loop":
        steps[4]["next"] = "keep-back"
    elif change == "unknown procedure":
        steps[2]["answers"][0]["procedure"] = "no-such-procedure"
    elif change == "unknown source":
        steps[0]["sources"] = ["NOPE"]
    elif change == "handling before hazard check":
        steps[3]["handles_item"] = True
        steps[4]["hazard_check"] = True
    elif change == "hazard check skipped on a branch":
        steps[2]["answers"][0] = {"label": text("Yes"), "goto": "note-time"}
        steps[3]["hazard_check"] = True
        steps[4]["handles_item"] = True
    elif change == "hazard check that handles":
        steps[2]["hazard_check"] = True
        steps[2]["handles_item"] = True
    elif change == "handling after stopping":
        steps[2]["answers"][1]["stops_handling"] = True
        steps[4]["handles_item"] = True
    elif change == "banned term":
        steps[0]["text"]["ky"] = "Курокко тийгизбеңиз, колуңузду алыңыз."
    elif change == "critical step not translated":
        steps[1]["text"]["ky"] = "Keep people back."
    elif change == "critical answer not translated":
        steps[2]["critical"] = True
        steps[2]["answers"][1]["label"]["ru"] = "No"
    elif change == "ky same as ru":
        procedure["summary"]["ky"] = procedure["summary"]["ru"]
    elif change == "step ky same as ru":
        steps[4]["text"]["ky"] = " note the TIME. (ру) "
    elif change == "unknown placeholder":
        steps[4]["text"]["en"] = "Note the time; report within {full_report_deadlin}."
    elif change == "stray brace":
        steps[4]["text"]["ru"] = "Отметьте время {full_report_deadline."
    elif change == "placeholder in one language":
        steps[4]["text"]["en"] = "Note the time; report within {full_report_deadline}."
    return procedure


def safe_order() -> dict[str, Any]:
    """The scene procedure annotated as it should be: hazards checked, then the item handled;
    the answer that stops handling leads away to another procedure."""
    procedure = copy.deepcopy(SCENE)
    steps = procedure["steps"]
    steps[2]["hazard_check"] = True
    steps[2]["answers"][0]["stops_handling"] = True
    steps[3]["handles_item"] = True
    steps[4]["handles_item"] = True
    return procedure


def with_deadline() -> dict[str, Any]:
    """The scene procedure telling the officer when the full report is due."""
    procedure = copy.deepcopy(SCENE)
    procedure["steps"][4]["text"] = {
        "en": "Complete the full report within {full_report_deadline}.",
        "ru": "Полный рапорт составьте не позднее чем через {full_report_deadline}.",
        "ky": "Толук баяндаманы {full_report_deadline} ичинде толтуруңуз.",
    }
    return procedure
