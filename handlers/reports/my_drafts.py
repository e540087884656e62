"""My drafts, items and persons added to or removed from a draft, submitting and discarding it."""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    Message,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import User, UserStatus
from bot.delivery import DeliveryWorker
from bot.i18n import format_datetime, language_of
from bot.services import drafts
from bot.services.drafts import Incomplete, Target
from bot.services.errors import InvalidInput
from bot.services.report_fields import (
    FIELDS,
    REPEATED,
    Section,
    field_of,
)
from handlers.common import report_texts, texts
from handlers.common.callbacks import (
    DraftAddEntry,
    DraftDiscard,
    DraftOpen,
    DraftRemoveEntry,
    DraftSectionOpen,
    DraftsList,
    DraftSubmit,
)
from handlers.common.filters import HasStatus, MenuButton, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.report_texts import field_label, section_title
from handlers.common.ui import show
from handlers.reports.navigation import (
    ask,
    next_unanswered,
    open_review,
)
from handlers.reports.screens import (
    back_to_report,
    drafts_screen,
    entry_number,
)


async def list_drafts(
    message: Message, user: User, session: AsyncSession, settings: Settings
) -> None:
    text, markup = await drafts_screen(session, user, settings)
    await message.answer(text, reply_markup=markup)


async def drafts_page(
    callback: CallbackQuery, user: User, session: AsyncSession, settings: Settings
) -> None:
    await show(callback, *await drafts_screen(session, user, settings))


async def add_entry(
    callback: CallbackQuery,
    callback_data: DraftAddEntry,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    section = Section(callback_data.section)
    if section not in REPEATED:
        raise InvalidInput("field", "unknown")
    kinds = field_of(Section.ITEM, "kind").choices
    if section is Section.ITEM and callback_data.kind not in kinds:
        draft = await drafts.get_draft(session, user, callback_data.draft)
        builder = Keyboard()
        for kind in kinds:
            builder.button(
                text=report_texts.choice_name(kind),
                callback_data=DraftAddEntry(draft=draft.id, section=section, kind=kind),
            )
        builder.adjust(2)
        builder.row(back_to_report(draft))
        await show(callback, _("What kind of item?"), builder.as_markup())
        return
    first = {"kind": callback_data.kind} if section is Section.ITEM else {}
    draft, entry = await drafts.add_entry(session, user, callback_data.draft, section, first)
    target = Target(section, FIELDS[section][0].key, entry)
    if section is Section.ITEM:
        # The kind is chosen: on to the first field of that kind.
        kind = Target(section, "kind", entry)
        target = next_unanswered(draft, kind) or kind
    await session.commit()
    await ask(callback, session, user, settings, state, draft, target, walk=True)


async def remove_entry(
    callback: CallbackQuery,
    callback_data: DraftRemoveEntry,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
) -> None:
    section = Section(callback_data.section)
    draft = await drafts.get_draft(session, user, callback_data.draft)
    if not callback_data.confirmed:
        number = entry_number(draft.content, section, callback_data.entry)
        builder = Keyboard()
        builder.button(
            text=_("🗑 Yes, remove it"),
            callback_data=DraftRemoveEntry(
                draft=draft.id, section=section, entry=callback_data.entry, confirmed=True
            ),
        )
        builder.button(
            text=_("« No, keep it"),
            callback_data=DraftSectionOpen(
                draft=draft.id, section=section, entry=callback_data.entry
            ),
        )
        builder.adjust(1)
        question = _("Remove {what} from the draft? Its photos stay with the report.")
        await show(
            callback, question.format(what=section_title(section, number)), builder.as_markup()
        )
        return
    draft = await drafts.remove_entry(session, user, draft.id, section, callback_data.entry)
    await session.commit()
    await open_review(callback, session, user, settings, state, draft)


async def submit(
    callback: CallbackQuery,
    callback_data: DraftSubmit,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
    delivery: DeliveryWorker,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        report = await drafts.submit(session, user, callback_data.draft, settings.tz)
    except Incomplete as incomplete:
        await session.rollback()
        labels = [field_label(gap.target.key) for gap in incomplete.gaps[:5]]
        callback_answer.show_alert = True
        callback_answer.text = _("Still missing: {fields}").format(fields=", ".join(labels))[:200]
        draft = await drafts.get_draft(session, user, callback_data.draft)
        await open_review(callback, session, user, settings, state, draft)
        return
    await session.commit()
    delivery.wake()
    await state.clear()
    language = language_of(user, settings.default_language)
    lines = [
        _("✅ Report No. {number} submitted (revision {revision}).").format(
            number=report.number, revision=report.revision
        ),
        _("Time of the seizure: {date}").format(
            date=format_datetime(report.occurred_at, language, settings.tz)
        ),
        _("Your supervisors are being told now."),
    ]
    await show(callback, "\n".join(lines))


async def discard(
    callback: CallbackQuery,
    callback_data: DraftDiscard,
    user: User,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    draft = await drafts.get_draft(session, user, callback_data.draft)
    if not callback_data.confirmed:
        builder = Keyboard()
        builder.button(
            text=_("🗑 Yes, discard it"),
            callback_data=DraftDiscard(draft=draft.id, confirmed=True),
        )
        builder.button(text=_("« No, keep it"), callback_data=DraftOpen(draft=draft.id))
        builder.adjust(1)
        if draft.report_id:
            question = _(
                "Discard the changes of this draft? The report as submitted stays unchanged."
            )
        else:
            question = _("Discard this draft? Everything typed in it is deleted.")
        await show(callback, question, builder.as_markup())
        return
    await drafts.discard(session, user, draft.id)
    await session.commit()
    await state.clear()
    await show(callback, _("🗑 Draft discarded."))


def create_router() -> Router:
    router = router_for("report_drafts", HasStatus(UserStatus.ACTIVE))
    router.message.register(list_drafts, MenuButton(texts.MENU_MY_DRAFTS))
    router.callback_query.register(drafts_page, DraftsList.filter())
    router.callback_query.register(add_entry, DraftAddEntry.filter())
    router.callback_query.register(remove_entry, DraftRemoveEntry.filter())
    router.callback_query.register(submit, DraftSubmit.filter())
    router.callback_query.register(discard, DraftDiscard.filter())
    return router
