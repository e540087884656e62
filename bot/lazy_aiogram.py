"""Load aiogram so that each Telegram type's validator is built the first time it is used.

aiogram builds a pydantic validator for every one of its ~600 Bot API types and methods at
import (aiogram issue #1513): about 105 MB of a bot that meets a dozen of them (Update, Message,
CallbackQuery, the methods it calls). Its types already ask pydantic to defer their build
(`defer_build=True`), but `aiogram.types` then calls `model_rebuild` on each with a namespace
of all types, so that forward references such as "Message" resolve, and that builds them all.

While aiogram is imported, that rebuild only leaves the namespace where pydantic looks when it
builds the type later (the type's own module), and the methods defer their build like the types.
Nothing else changes: `tests/test_lazy_aiogram.py` builds every type and method this way.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict


def load_aiogram_lazily() -> None:
    if "aiogram" in sys.modules:
        return  # someone imported it first, eagerly; it works the same, only heavier
    eager_rebuild = BaseModel.__dict__["model_rebuild"]
    base_config = BaseModel.model_config

    def leave_namespace_for_later(
        model: type[BaseModel],
        *,
        force: bool = False,
        raise_errors: bool = True,
        _parent_namespace_depth: int = 2,
        _types_namespace: Mapping[str, Any] | None = None,
    ) -> bool | None:
        if force or _types_namespace is None or not model.model_config.get("defer_build"):
            return eager_rebuild.__func__(
                model,
                force=force,
                raise_errors=raise_errors,
                _parent_namespace_depth=_parent_namespace_depth + 1,
                _types_namespace=_types_namespace,
            )
        module_namespace = vars(sys.modules[model.__module__])
        for name, value in _types_namespace.items():
            module_namespace.setdefault(name, value)
        return None

    BaseModel.model_rebuild = classmethod(leave_namespace_for_later)  # type: ignore[method-assign,assignment]
    BaseModel.model_config = ConfigDict({**base_config, "defer_build": True})
    try:
        import aiogram  # noqa: F401
    finally:
        BaseModel.model_rebuild = eager_rebuild  # type: ignore[method-assign]
        BaseModel.model_config = base_config
