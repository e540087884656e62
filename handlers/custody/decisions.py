"""What each side does with an open hand-over: the receiver confirms or refuses with a reason,
the giver cancels it or confirms a hand-over to an outside body with a photo of the signed act.
Every button is safe to press twice: a hand-over already closed is refused, saying how."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import User, UserStatus
from bot.media import MediaStore
from bot.services import custody
from bot.services.errors import InvalidInput
from handlers.common.callbacks import CustodyAction, CustodyDecide
from handlers.common.evidence import keep_photo
from handlers.common.filters import HasStatus, router_for
from handlers.common.prompts import ask_typed, question_on_screen
from handlers.common.states import CustodyForm
from handlers.custody.problems import custody_problem
from handlers.custody.screens import custody_screen

TYPED_STEP = {
    CustodyAction.REFUSE: CustodyForm.refuse_reason,
    CustodyAction.ACT: CustodyForm.act_photo,
}


def _question(action: CustodyAction, transfer_id: int) -> str:
    if action is CustodyAction.REFUSE:
        return _("❌ Type why you refuse the hand-over {id}.").format(id=transfer_id)
    return _("📎 Send a photo of the act signed by the receiver of the hand-over {id}.").format(
        id=transfer_id
    )


async def decide(
    callback: CallbackQuery,
    callback_data: CustodyDecide,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
    callback_answer: CallbackAnswer,
) -> None:
    action, transfer_id = callback_data.action, callback_data.transfer
    try:
        # A savepoint: a refused decision changes nothing, the update's claim stays.
        async with session.begin_nested():
            if action is CustodyAction.CONFIRM:
                transfer = await custody.confirm(session, user, transfer_id)
            elif action is CustodyAction.CANCEL:
                transfer = await custody.cancel(session, user, transfer_id)
            else:
                transfer = await custody.get_transfer(session, user, transfer_id)
                if transfer.status is not custody.TransferStatus.PENDING:
                    raise custody.TransferClosed(transfer.status)
                custody.require_side(transfer, user, receiver=action is CustodyAction.REFUSE)
    except (custody.TransferClosed, InvalidInput) as problem:
        callback_answer.text, callback_answer.show_alert = custody_problem(problem), True
        return
    if action in TYPED_STEP:
        assert isinstance(callback.message, Message)
        message = callback.message
        await ask_typed(
            session,
            state,
            TYPED_STEP[action],
            {"transfer": transfer_id},
            lambda: message.answer(_question(action, transfer_id)),
        )
        return
    await session.commit()
    callback_answer.text = (
        _("✅ Receipt confirmed: the items are yours now.")
        if action is CustodyAction.CONFIRM
        else _("✖️ Hand-over cancelled: the items stay with you.")
    )
    text, markup = await custody_screen(session, user, transfer.report_id, settings)
    if callback.message is not None:
        await callback.message.answer(text, reply_markup=markup)


async def _closing(message: Message, session: AsyncSession, state: FSMContext, step, close) -> None:
    """A typed answer that closes the hand-over named in the state, asked again if refused."""
    data = await state.get_data()
    transfer_id = int(data["transfer"])

    async def again() -> None:
        action = CustodyAction.REFUSE if step == CustodyForm.refuse_reason else CustodyAction.ACT
        await ask_typed(
            session,
            state,
            step,
            {"transfer": transfer_id},
            lambda: message.answer(_question(action, transfer_id)),
        )

    if not await question_on_screen(message, data, again):
        return
    try:
        async with session.begin_nested():
            done = await close(transfer_id)
    except InvalidInput as problem:
        await message.answer(custody_problem(problem))
        await again()
        return
    except custody.TransferClosed as problem:
        await state.clear()
        await message.answer(custody_problem(problem))
        return
    await state.clear()
    await session.commit()
    await message.answer(done)


async def refusal_typed(
    message: Message, user: User, session: AsyncSession, state: FSMContext
) -> None:
    async def close(transfer_id: int) -> str:
        await custody.refuse(session, user, transfer_id, message.text or "")
        return _("❌ Hand-over {id} refused; the giver is told why.").format(id=transfer_id)

    await _closing(message, session, state, CustodyForm.refuse_reason, close)


async def act_photo(
    message: Message,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    bot: Bot,
    media: MediaStore,
) -> None:
    async def close(transfer_id: int) -> str:
        if not message.photo:
            raise InvalidInput("act_photo", "not_photo")
        largest = message.photo[-1]
        sha256 = await keep_photo(bot, media, largest.file_id)
        act = custody.SealPhoto(largest.file_id, sha256)
        await custody.confirm_with_act(session, user, transfer_id, act)
        return _("✅ Hand-over {id} confirmed with the signed act.").format(id=transfer_id)

    await _closing(message, session, state, CustodyForm.act_photo, close)


def create_router() -> Router:
    router = router_for("custody_decisions", HasStatus(UserStatus.ACTIVE))
    router.callback_query.register(decide, CustodyDecide.filter())
    router.message.register(refusal_typed, CustodyForm.refuse_reason, F.text)
    router.message.register(act_photo, CustodyForm.act_photo)
    return router
