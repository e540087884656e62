"""Updates reach the same handlers as aiogram would send them to, at less cost."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Chat, Message, Update, User

from bot.app import create_routers
from handlers.common.routing import filter_checks, own_buttons_only, without_thread_hops


class StepButton(CallbackData, prefix="step"):
    number: int


class PageButton(CallbackData, prefix="page", sep="|"):
    number: int


class ReportButton(CallbackData, prefix="report"):
    number: int


def _typed(text: str) -> Update:
    person = User(id=7, is_bot=False, first_name="Officer")
    message = Message(
        message_id=2, date=0, chat=Chat(id=7, type="private"), from_user=person, text=text
    )
    return Update(update_id=2, message=message)


def _press(data: str) -> Update:
    person = User(id=7, is_bot=False, first_name="Officer")
    shown = Message(message_id=1, date=0, chat=Chat(id=7, type="private"), text="…")
    query = CallbackQuery(id="1", from_user=person, chat_instance="7", message=shown, data=data)
    return Update(update_id=1, callback_query=query)


def _routers(tried: list[str], handled: list[str]) -> tuple[Router, Router]:
    def looked_at(name: str):
        def spy(_query: CallbackQuery) -> bool:
            tried.append(name)
            return True

        return spy

    steps = Router(name="steps")

    @steps.callback_query(looked_at("step"), StepButton.filter())
    async def step(_query: CallbackQuery) -> None:
        handled.append("step")

    @steps.callback_query(looked_at("page"), PageButton.filter())
    async def page(_query: CallbackQuery) -> None:
        handled.append("page")

    anything = Router(name="anything")

    @anything.callback_query(looked_at("any"))
    async def any_press(_query: CallbackQuery) -> None:
        handled.append("any")

    return steps, anything


async def _feed(data: str) -> tuple[list[str], list[str]]:
    tried: list[str] = []
    handled: list[str] = []
    dispatcher = Dispatcher()
    dispatcher.include_routers(*(own_buttons_only(r) for r in _routers(tried, handled)))
    await dispatcher.feed_update(Bot("42:TEST"), _press(data))
    return tried, handled


async def test_a_press_of_another_features_button_skips_the_router_at_once():
    tried, handled = await _feed(ReportButton(number=3).pack())

    assert tried == ["any"]
    assert handled == ["any"]


async def test_the_routers_own_buttons_still_reach_their_handlers_whatever_the_separator():
    assert (await _feed(StepButton(number=2).pack()))[1] == ["step"]
    assert (await _feed(PageButton(number=2).pack()))[1] == ["page"]


async def test_a_router_that_also_takes_any_press_still_gets_every_press():
    handled: list[str] = []
    mixed = Router(name="mixed")

    @mixed.callback_query(StepButton.filter())
    async def step(_query: CallbackQuery) -> None:
        handled.append("mixed step")

    @mixed.callback_query()
    async def any_press(_query: CallbackQuery) -> None:
        handled.append("mixed any")

    dispatcher = Dispatcher()
    dispatcher.include_router(own_buttons_only(mixed))
    await dispatcher.feed_update(Bot("42:TEST"), _press(ReportButton(number=3).pack()))

    assert handled == ["mixed any"]


class Form(StatesGroup):
    answer = State()


async def test_state_and_magic_filters_still_decide_but_without_a_thread(monkeypatch):
    answered: list[str] = []
    forms = Router(name="forms")

    @forms.message(Form.answer, F.text)
    async def typed(message: Message) -> None:
        answered.append(message.text or "")

    def no_threads(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a filter was sent to a thread")

    monkeypatch.setattr(asyncio, "to_thread", no_threads)
    dispatcher = Dispatcher()
    dispatcher.include_router(without_thread_hops(forms))
    bot = Bot("42:TEST")
    state = dispatcher.fsm.get_context(bot, chat_id=7, user_id=7)

    await dispatcher.feed_update(bot, _typed("before the question"))
    await state.set_state(Form.answer)
    await dispatcher.feed_update(bot, _typed("the answer"))

    assert answered == ["the answer"]


def test_no_filter_of_the_bot_runs_in_a_thread():
    checks = [check for router in create_routers() for check in filter_checks(router)]

    assert len(checks) > 100
    assert [check.callback for check in checks if not check.awaitable] == []
