"""Photos sent while a draft is open join it (the item on screen's, or the report's); one sent
by mistake is taken back from the button under its confirmation."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User, UserStatus
from bot.media import MediaStore
from bot.services import drafts
from bot.services.drafts import values_of
from bot.services.report_fields import (
    Section,
)
from handlers.common.callbacks import (
    DraftPhotoRemove,
    DraftPhotos,
    PhotoDecision,
)
from handlers.common.evidence import keep_photo
from handlers.common.filters import HasStatus, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.states import ReportForm
from handlers.common.ui import show
from handlers.reports.navigation import (
    screen_state,
)


async def photo_received(
    message: Message,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    bot: Bot,
    media: MediaStore,
) -> None:
    """A photo sent while a draft is open joins it: the item on screen's, or the report's."""
    assert message.photo
    data = await state.get_data()
    item = int(data.get("item") or 0)
    if data.get("section") == Section.ITEM.value:
        item = int(data["entry"])
    largest = message.photo[-1]
    sha256 = await keep_photo(bot, media, largest.file_id)
    draft_id = int(data["draft"])
    photo = await drafts.add_photo(
        session, user, draft_id, largest.file_id, largest.file_unique_id, sha256, item or None
    )
    await session.commit()
    # A reply, so that among several photos sent at once the button names its own.
    await message.reply(
        _photo_saved(photo),
        reply_markup=_photo_kept_keyboard(draft_id, photo),
        allow_sending_without_reply=True,
    )


def _photo_saved(photo: drafts.DraftPhoto) -> str:
    if photo.item:
        return _("📷 Photo of this item saved ({count}).").format(count=photo.count)
    return _("📷 Photo of the report saved ({count}).").format(count=photo.count)


def _photo_kept_keyboard(draft_id: int, photo: drafts.DraftPhoto) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(
        text=_("🗑 Remove this photo"),
        callback_data=DraftPhotoRemove(draft=draft_id, photo=photo.id),
    )
    return builder.as_markup()


async def remove_photo(
    callback: CallbackQuery,
    callback_data: DraftPhotoRemove,
    user: User,
    session: AsyncSession,
) -> None:
    """Asked first: the photo may be evidence. Whatever screen the officer is on stays as it is."""
    if callback_data.decision is PhotoDecision.REMOVE:
        photo = await drafts.remove_photo(session, user, callback_data.draft, callback_data.photo)
        await session.commit()
        if photo.item:
            text = _("🗑 Photo removed from the draft. Photos of this item: {count}.")
        else:
            text = _("🗑 Photo removed from the draft. Photos of the report: {count}.")
        await show(callback, text.format(count=photo.count))
        return
    draft = await drafts.get_draft(session, user, callback_data.draft)
    photo = drafts.photo_in_draft(draft, callback_data.photo)
    if callback_data.decision is PhotoDecision.KEEP:
        await show(callback, _photo_saved(photo), _photo_kept_keyboard(draft.id, photo))
        return
    builder = Keyboard()
    for text, decision in (
        (_("🗑 Yes, remove it"), PhotoDecision.REMOVE),
        (_("« No, keep it"), PhotoDecision.KEEP),
    ):
        builder.button(
            text=text, callback_data=callback_data.model_copy(update={"decision": decision})
        )
    builder.adjust(1)
    question = _("Remove this photo from the draft? It will not be part of the report.")
    await show(callback, question, builder.as_markup())


async def ask_photos(
    callback: CallbackQuery,
    callback_data: DraftPhotos,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    draft = await drafts.get_draft(session, user, callback_data.draft)
    if callback_data.item:
        values_of(draft.content, Section.ITEM, callback_data.item)
    await screen_state(session, state, draft, callback_data.item)
    callback_answer.show_alert = True
    callback_answer.text = _(
        "Send the photos now, as photos (not files). Each one is saved as it arrives."
    )


def create_router() -> Router:
    router = router_for("report_photos", HasStatus(UserStatus.ACTIVE))
    router.callback_query.register(ask_photos, DraftPhotos.filter())
    router.callback_query.register(remove_photo, DraftPhotoRemove.filter())
    # Before the form's own message handlers, which would take a photo as a wrong answer.
    router.message.register(
        photo_received, StateFilter(ReportForm.answer, ReportForm.screen), F.photo
    )
    return router
