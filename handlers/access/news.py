"""What a person is told through the outbox when their access changes: approved, declined,
granted again, blocked."""

from __future__ import annotations

from aiogram.types import ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Notification, User
from bot.services.notifications import ACCESS_APPROVED, ACCESS_DECLINED, ACCESS_GRANTED
from bot.services.units import get_unit
from handlers.common import texts
from handlers.common.ui import main_menu


async def access_news(
    session: AsyncSession, notification: Notification, recipient: User, language: str
) -> tuple[str, ReplyKeyboardMarkup | None]:
    """The message, in the recipient's language; the menu comes with access granted."""
    if notification.kind == ACCESS_APPROVED:
        unit = await get_unit(session, recipient.unit_id) if recipient.unit_id else None
        text = _("Your access request was approved: you are {role}, {unit}.").format(
            role=texts.role_name(recipient.role), unit=texts.unit_label(unit, language)
        )
        return text, main_menu(recipient)
    if notification.kind == ACCESS_GRANTED:
        return _("Your access has been granted. Choose an action below."), main_menu(recipient)
    if notification.kind == ACCESS_DECLINED:
        text = _(
            "Your access request was declined. Contact your supervisor if this is a mistake."
        )
        return text, None
    return _("Your access is blocked. Contact your supervisor."), None
