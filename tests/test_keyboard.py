"""Our keyboard builder makes exactly the markup aiogram's does, without its copies."""

from __future__ import annotations

from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.common.callbacks import UnitPick
from handlers.common.keyboard import Keyboard


def build(builder_type: type[InlineKeyboardBuilder]) -> InlineKeyboardBuilder:
    builder = builder_type()
    for number in range(7):
        builder.button(text=f"Unit {number}", callback_data=UnitPick(purpose="go", unit_id=number))
    builder.adjust(2, 1)
    turns = builder_type()
    turns.button(text="◀️", callback_data="back")
    turns.button(text="▶️", callback_data="next")
    builder.attach(turns)
    builder.row(*builder_type().button(text="Menu", callback_data="menu").buttons)
    return builder


def test_the_markup_is_the_one_aiogram_builds() -> None:
    ours = build(Keyboard).as_markup()
    aiogram = build(InlineKeyboardBuilder).as_markup()
    assert ours.model_dump() == aiogram.model_dump()


def test_a_markup_already_made_does_not_change_when_the_builder_goes_on() -> None:
    builder = Keyboard()
    builder.button(text="One", callback_data="one")
    first = builder.as_markup()
    builder.button(text="Two", callback_data="two")
    builder.adjust(1)
    assert [[button.text for button in row] for row in first.inline_keyboard] == [["One"]]
    assert len(builder.as_markup().inline_keyboard) == 2
