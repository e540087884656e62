"""No text reaches a person without gettext: handlers pass no word literals as message or
button text."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot import PROJECT_ROOT

# Calls whose text a person reads, and where the text is (positional index or keyword).
TEXT_CALLS = {
    "answer": 0,
    "send_message": 1,
    "edit_text": 0,
    "show": 1,
    "deliver": 2,
    "button": None,
    "KeyboardButton": None,
    "InlineKeyboardButton": None,
    "BotCommand": None,
}
TEXT_KEYWORDS = {"text", "description", "caption"}


def readable_words(node: ast.AST) -> bool:
    """A literal with letters in it is words; arrows, emoji and punctuation are not."""
    parts = []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parts = [node.value]
    elif isinstance(node, ast.JoinedStr):
        parts = [
            value.value
            for value in node.values
            if isinstance(value, ast.Constant) and isinstance(value.value, str)
        ]
    return any(character.isalpha() for part in parts for character in part)


def raw_texts(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        if name not in TEXT_CALLS:
            continue
        candidates = [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
        position = TEXT_CALLS[name]
        if position is not None and len(node.args) > position:
            candidates.append(node.args[position])
        found += [
            f"{path.name}:{node.lineno}" for candidate in candidates if readable_words(candidate)
        ]
    return found


@pytest.mark.parametrize(
    "path", sorted((PROJECT_ROOT / "handlers").glob("*.py")), ids=lambda path: path.name
)
def test_handlers_send_no_untranslated_words(path):
    assert raw_texts(path) == []


def test_the_scan_catches_a_raw_text(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "async def h(message, builder):\n"
        "    await message.answer('Hello there')\n"
        "    builder.button(text=f'Next {1}', callback_data='x')\n"
        "    builder.button(text='▶️', callback_data='y')\n"
    )
    assert sorted(raw_texts(sample)) == ["sample.py:2", "sample.py:3"]
