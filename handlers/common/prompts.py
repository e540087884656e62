"""A typed answer is taken only for the question on the person's screen.

The invariant, kept by every form that asks for typed text:
1. the conversation state names the question, and is committed (with whatever the previous
   answer changed), before the question is sent;
2. once Telegram has taken the message that shows it, its id is kept in the state (`PROMPT`);
3. a typed answer whose state holds no shown question is refused, and the question the state
   names is shown again.
So a crash, a refused send or a failed commit between the two can cost the officer one more
tap, never an answer stored under a question they did not see.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

PROMPT = "prompt"


async def remember_question(
    session: AsyncSession, state: FSMContext, question: State, data: dict[str, Any]
) -> None:
    """Store which question is about to be shown, before it is: step 1 of the invariant."""
    # The database first: with Redis the state is written at once, and a state ahead of its
    # answer would be a question shown whose previous answer was never stored.
    await session.commit()
    await state.set_state(question)
    await state.set_data({**data, PROMPT: None})
    await session.commit()


async def question_shown(state: FSMContext, message_id: int | None) -> None:
    """Step 2: the question is on the screen (an unknown id keeps it unconfirmed)."""
    if message_id is not None:
        await state.update_data({PROMPT: message_id})


async def ask_typed(
    session: AsyncSession,
    state: FSMContext,
    question: State,
    data: dict[str, Any],
    send: Callable[[], Awaitable[Message]],
) -> None:
    """A one-message question: stored, sent, then marked shown."""
    await remember_question(session, state, question, data)
    await question_shown(state, (await send()).message_id)


async def question_on_screen(
    message: Message, data: dict[str, Any], ask_again: Callable[[], Awaitable[None]]
) -> bool:
    """Step 3: True when the typed answer's question is known to be on the screen; otherwise
    the person is told the answer was not saved, the question is asked again, and False."""
    if data.get(PROMPT):
        return True
    await message.answer(
        _(
            "Your answer was not saved: the question it would go to had not reached your "
            "screen. Here it is; please answer it."
        )
    )
    await ask_again()
    return False
