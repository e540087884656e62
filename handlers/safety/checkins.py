"""The officer answers a safety check (safe, sappers took over, scene closed), calls for help,
or shares a location that becomes the last known one."""

from __future__ import annotations

from datetime import timedelta

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import SeizureReport, User, UserStatus
from bot.db.safety_models import SafetyWatch, WatchEnd
from bot.delivery import DeliveryWorker
from bot.i18n import language_of
from bot.services import safety
from bot.services.safety import AlreadyAnswered, HelpAlreadyAsked, StaleCheck, WatchClosed
from handlers.common.callbacks import SafetyAnswer, SafetyHelp, SafetyReply
from handlers.common.filters import HasStatus, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.ui import show
from handlers.safety.news import check_keyboard, check_text, clock, ending_name, help_button

ENDINGS = {
    SafetyReply.SAPPERS: WatchEnd.SAPPERS_TOOK_OVER,
    SafetyReply.CLOSED: WatchEnd.SCENE_CLOSED,
}


async def _report_number(session: AsyncSession, watch: SafetyWatch) -> str | None:
    return (await session.get_one(SeizureReport, watch.report_id)).number


async def answer(
    callback: CallbackQuery,
    callback_data: SafetyAnswer,
    user: User,
    session: AsyncSession,
    settings: Settings,
    delivery: DeliveryWorker,
) -> None:
    language = language_of(user, settings.default_language)
    try:
        if callback_data.reply is SafetyReply.SAFE:
            watch = await safety.answer_check(
                session, user, callback_data.watch, callback_data.check
            )
        else:
            watch = await safety.end_watch(
                session, user, callback_data.watch, ENDINGS[callback_data.reply]
            )
    except (WatchClosed, AlreadyAnswered, StaleCheck) as refusal:
        # Nothing changed, but the watch stays locked until the update commits: released
        # before answering, so the next check is not skipped meanwhile.
        await session.commit()
        await _refused(callback, session, refusal, language, settings)
        return
    await session.commit()
    delivery.wake()
    at = clock(watch.last_answer_at or watch.started_at, language, settings.tz)
    number = await _report_number(session, watch)
    if watch.closed_reason is None:
        minutes = round(timedelta(minutes=settings.safety_check_minutes).total_seconds() / 60)
        recorded = _("✅ Recorded at {time}: you are safe. Next check in about {minutes} min.")
        recorded = recorded.format(time=at, minutes=minutes)
        markup = check_keyboard(watch.id, watch.checks_sent, watch.report_id, ask=False)
    else:
        recorded = _("Recorded at {time}: {ending}. No more safety checks for report No. {number}.")
        recorded = recorded.format(time=at, ending=ending_name(watch.closed_reason), number=number)
        markup = Keyboard()
        help_button(markup, watch.report_id)
    await show(callback, f"{check_text(number, 0)}\n\n{recorded}", markup.as_markup())


async def _refused(
    callback: CallbackQuery,
    session: AsyncSession,
    refusal: WatchClosed | AlreadyAnswered | StaleCheck,
    language: str,
    settings: Settings,
) -> None:
    """Nothing changed: said so, and for an earlier check the latest one is asked again."""
    watch = refusal.watch
    number = await _report_number(session, watch)
    assert callback.message is not None
    chat = callback.message.chat.id
    bot = callback.bot
    assert bot is not None
    if isinstance(refusal, StaleCheck):
        markup = check_keyboard(watch.id, watch.checks_sent, watch.report_id).as_markup()
        note = _("That was an earlier check. Answer this one:")
        await bot.send_message(
            chat, f"{note}\n\n{check_text(number, watch.unanswered)}", reply_markup=markup
        )
        return
    if isinstance(refusal, WatchClosed):
        assert watch.closed_at is not None and watch.closed_reason is not None
        text = _(
            "The safety checks of report No. {number} ended at {time}: {ending}. "
            "Nothing was changed."
        ).format(
            number=number,
            time=clock(watch.closed_at, language, settings.tz),
            ending=ending_name(watch.closed_reason),
        )
    else:
        assert watch.last_answer_at is not None
        text = _("Your answer was already recorded at {time}. Nothing was changed.").format(
            time=clock(watch.last_answer_at, language, settings.tz)
        )
    await bot.send_message(chat, text)


async def need_help(
    callback: CallbackQuery,
    callback_data: SafetyHelp,
    user: User,
    session: AsyncSession,
    settings: Settings,
    delivery: DeliveryWorker,
) -> None:
    language = language_of(user, settings.default_language)
    assert callback.message is not None and callback.bot is not None
    try:
        watch, _told = await safety.ask_for_help(session, user, callback_data.report)
    except HelpAlreadyAsked as asked:
        await session.commit()  # the watch's lock released before answering, as above
        assert asked.watch.help_requested_at is not None
        text = _(
            "🆘 Help was already asked at {time}, and your supervisors were told then. "
            "Nothing was sent again."
        ).format(time=clock(asked.watch.help_requested_at, language, settings.tz))
        await callback.bot.send_message(callback.message.chat.id, text)
        return
    await session.commit()
    delivery.wake()
    assert watch.help_requested_at is not None
    text = _(
        "🆘 Recorded at {time}: your supervisors are being alerted that you need help, with "
        "your last known location. If you can, share your location now (📎 → Location)."
    ).format(time=clock(watch.help_requested_at, language, settings.tz))
    await callback.bot.send_message(callback.message.chat.id, text)


async def location_shared(message: Message, user: User, session: AsyncSession) -> None:
    """A location sent outside any question: the last known location of the officer's open
    check-ins; without any, it is not for this screen."""
    assert message.location is not None
    watches = await safety.note_location(
        session, user, message.location.latitude, message.location.longitude
    )
    if not watches:
        raise SkipHandler()
    await session.commit()
    await message.answer(_("📍 Location recorded: your supervisors will see it if alerted."))


def create_router() -> Router:
    router = router_for("safety_checkins", HasStatus(UserStatus.ACTIVE))
    router.callback_query.register(answer, SafetyAnswer.filter())
    router.callback_query.register(need_help, SafetyHelp.filter())
    router.message.register(location_shared, StateFilter(None), F.location)
    return router
