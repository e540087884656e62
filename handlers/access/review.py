"""Admins and supervisors approve or deny access requests from the notification itself."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.text_decorations import html_decoration
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import AccessRequest, Notification, Role, User, UserStatus
from bot.delivery import DeliveryWorker
from bot.i18n import format_datetime, language_of
from bot.services.access import decide_access_request
from bot.services.errors import AlreadyDecided, RequestOutdated
from bot.services.units import get_unit
from handlers.common import texts
from handlers.common.callbacks import AccessDecision
from handlers.common.filters import HasRole
from handlers.common.keyboard import Keyboard
from handlers.common.ui import show


def decision_keyboard(request: AccessRequest) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(
        text=_("✅ Approve"), callback_data=AccessDecision(request_id=request.id, approve=True)
    )
    builder.button(
        text=_("❌ Deny"), callback_data=AccessDecision(request_id=request.id, approve=False)
    )
    return builder.as_markup()


async def request_news(
    session: AsyncSession, notification: Notification, language: str, timezone: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The outbox message that tells a reviewer of a request (ACCESS_REQUESTED), with the
    buttons that decide it; pressed once it is decided, they say who decided it."""
    request_id = int(notification.note or 0)
    request = await session.get(AccessRequest, request_id)
    text = _(
        "🆕 Access request No. {number}\n"
        "Name: {name}\nTelegram: {telegram}\nUnit: {unit}\nSent: {sent}"
    )
    if request is None:  # the applicant's account is gone, and the request with it
        return text.format(number=request_id, name="—", telegram="—", unit="—", sent="—"), None
    applicant = await session.get(User, request.user_id)
    unit = await get_unit(session, request.unit_id)
    text = text.format(
        number=request.id,
        name=html_decoration.quote(request.full_name),
        telegram=(texts.person_label(applicant) + f" (id {applicant.telegram_id})")
        if applicant
        else "—",
        unit=texts.unit_label(unit, language),
        sent=format_datetime(request.created_at, language, timezone),
    )
    return text, decision_keyboard(request)


def outdated_note(outdated: RequestOutdated, language: str, settings: Settings) -> str:
    """Why a request is no longer decided: the person's access as it is now, and who changed it
    and when."""
    now = (
        ", ".join(
            (
                _("Status: {status}").format(status=texts.status_name(UserStatus(outdated.status))),
                _("Role: {role}").format(role=texts.role_name(Role(outdated.role))),
            )
        )
        + "."
    )
    if outdated.changed_at is not None:
        now += " " + _("Changed by {name}, {date}.").format(
            name=html_decoration.quote(outdated.changed_by or "—"),
            date=format_datetime(outdated.changed_at, language, settings.tz),
        )
    return _("This request is out of date: nothing was changed.") + " " + now


async def decide(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: AccessDecision,
    user: User,
    session: AsyncSession,
    settings: Settings,
    delivery: DeliveryWorker,
) -> None:
    original = callback.message.html_text if isinstance(callback.message, Message) else ""
    try:
        await decide_access_request(
            session, user, callback_data.request_id, callback_data.approve
        )
    except AlreadyDecided as handled:
        outcome = _("already approved") if handled.approved else _("already denied")
        note = _("This request was {outcome} by {name}.").format(
            outcome=outcome, name=html_decoration.quote(handled.decided_by or "—")
        )
        callback_answer.text, callback_answer.show_alert = note, True
        await show(callback, f"{original}\n\n{note}")
        return
    except RequestOutdated as outdated:
        note = outdated_note(outdated, language_of(user, settings.default_language), settings)
        callback_answer.text, callback_answer.show_alert = note[:200], True
        await show(callback, f"{original}\n\n{note}")
        return
    await session.commit()
    # The applicant is told through the outbox, queued with the decision.
    delivery.wake()
    verdict = _("✅ Approved by {name}") if callback_data.approve else _("❌ Denied by {name}")
    await show(callback, f"{original}\n\n" + verdict.format(name=texts.person_label(user)))


def create_router() -> Router:
    router = Router(name="access_review")
    router.callback_query.filter(HasRole(Role.ADMIN, Role.SUPERVISOR))
    router.callback_query.register(decide, AccessDecision.filter())
    return router
