"""aiogram's Telegram types are built when first used (bot/lazy_aiogram.py), and all still build."""

from __future__ import annotations

import subprocess
import sys

import aiogram.methods
import aiogram.types
import pytest
from pydantic import BaseModel

from bot import PROJECT_ROOT


def telegram_models(module: object) -> list[type[BaseModel]]:
    exported = (getattr(module, name) for name in module.__all__)  # type: ignore[attr-defined]
    return [item for item in exported if isinstance(item, type) and issubclass(item, BaseModel)]


@pytest.mark.parametrize("module", [aiogram.types, aiogram.methods], ids=["types", "methods"])
def test_every_telegram_type_and_method_builds_on_first_use(module: object) -> None:
    models = telegram_models(module)
    assert len(models) > 100
    for model in models:
        # None: already built by an earlier use; True: built now; an unresolved name raises.
        assert model.model_rebuild() in (None, True), model.__name__


def test_a_fresh_bot_process_builds_only_what_it_meets() -> None:
    script = (
        "import bot\n"
        "from aiogram.types import Message, Update, Sticker\n"
        "from aiogram.methods import SendMessage\n"
        "assert not Message.__pydantic_complete__\n"
        "assert not SendMessage.__pydantic_complete__\n"
        "update = Update.model_validate({'update_id': 1, 'message': {'message_id': 2, 'date': 0,"
        " 'chat': {'id': 3, 'type': 'private'}, 'text': 'Салам'}})\n"
        "assert update.message.text == 'Салам'\n"
        "request = SendMessage(chat_id=3, text='ok').model_dump(exclude_none=True)\n"
        "assert request['text'] == 'ok'\n"
        "assert not Sticker.__pydantic_complete__\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr
