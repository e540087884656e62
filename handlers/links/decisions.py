"""A supervisor confirms a possible link between two seizures or calls it unrelated."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import User, UserStatus
from bot.i18n import language_of
from bot.services import serials
from bot.services.serials import LinkDecided
from handlers.common.callbacks import LinkVerdict
from handlers.common.filters import HasStatus, router_for
from handlers.common.ui import show
from handlers.links.news import VERDICTS, decision_line, link_screen


async def decide(
    callback: CallbackQuery,
    callback_data: LinkVerdict,
    user: User,
    session: AsyncSession,
    settings: Settings,
    callback_answer: CallbackAnswer,
) -> None:
    language = language_of(user, settings.default_language)
    verdict = VERDICTS.get(callback_data.verdict)
    if verdict is None:
        raise LookupError(f"unknown verdict {callback_data.verdict!r}")
    try:
        shown = await serials.decide(session, user, callback_data.link, verdict)
    except LinkDecided as decided:
        # Pressed on a message of before the decision (or twice): who decided, and the link.
        line = decision_line(decided.shown, language, settings.tz)
        callback_answer.text, callback_answer.show_alert = line[:200], True
        shown = decided.shown
    else:
        await session.commit()
    await show(callback, *await link_screen(session, shown, language, settings.tz))


def create_router() -> Router:
    router = router_for("links", HasStatus(UserStatus.ACTIVE))
    router.callback_query.register(decide, LinkVerdict.filter())
    return router
