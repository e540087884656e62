"""Small procedure files for tests: one of every step kind, and one per schema mistake."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml


def text(en: str) -> dict[str, str]:
    return {"en": en, "ru": f"{en} (ru)", "ky": f"{en} (ky)"}


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
    return procedure
