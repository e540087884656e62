"""The message that asks supervisors about a possible link between two seizures, and how a
link reads once decided."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LinkStatus, Notification, SerialLink
from bot.i18n import format_datetime
from bot.services import serials
from bot.services.serials import LinkView
from bot.services.units import get_unit
from handlers.common import texts
from handlers.common.callbacks import LinkVerdict, ReportOpen
from handlers.common.keyboard import Keyboard
from handlers.common.texts import quote

CONFIRMED, UNRELATED = "c", "u"
VERDICTS = {CONFIRMED: LinkStatus.CONFIRMED, UNRELATED: LinkStatus.UNRELATED}


async def link_news(
    session: AsyncSession, notification: Notification, language: str, timezone: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    link = await session.get(SerialLink, notification.serial_link_id)
    if link is None:
        raise LookupError(f"notification {notification.id}: link gone")
    return await link_screen(session, await serials.view(session, link), language, timezone)


async def link_screen(
    session: AsyncSession, shown: LinkView, language: str, timezone: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Both seizures side by side, how the serials matched, and the decision or its buttons."""
    lines = [_("🔗 <b>Possible link between two seizures</b>")]
    for report, item, serial in (
        (shown.report, shown.link.item_number, shown.serial),
        (shown.earlier, shown.link.earlier_item_number, shown.earlier_serial),
    ):
        unit = await get_unit(session, report.unit_id)
        lines.append(
            _("No. {number}, item {item}: {serial} · {date} · {unit}").format(
                number=report.number,
                item=item,
                serial=quote(serial),
                date=format_datetime(report.occurred_at, language, timezone),
                unit=texts.unit_label(unit, language),
            )
        )
    lines.append(
        _("The serials are the same, character for character.")
        if shown.link.exact
        else _(
            "The serials match once look-alike letters (Cyrillic and Latin, O and 0, I and 1), "
            "spaces and dashes are set aside: check the markings."
        )
    )
    builder = Keyboard()
    if shown.link.status is LinkStatus.POSSIBLE:
        lines.append(_("Is it the same weapon or part?"))
        builder.button(
            text=_("✅ Same: confirm the link"),
            callback_data=LinkVerdict(link=shown.link.id, verdict=CONFIRMED),
        )
        builder.button(
            text=_("❌ Unrelated"),
            callback_data=LinkVerdict(link=shown.link.id, verdict=UNRELATED),
        )
    else:
        lines.append(decision_line(shown, language, timezone))
    for report in (shown.report, shown.earlier):
        builder.button(
            text=_("📂 No. {number}").format(number=report.number),
            callback_data=ReportOpen(report=report.id),
        )
    builder.adjust(2, 2)
    return "\n".join(lines), builder.as_markup()


def decision_line(shown: LinkView, language: str, timezone: ZoneInfo) -> str:
    who = texts.person_label(shown.decided_by) if shown.decided_by else "—"
    when = (
        format_datetime(shown.link.decided_at, language, timezone) if shown.link.decided_at else ""
    )
    if shown.link.status is LinkStatus.CONFIRMED:
        return _("✅ Link confirmed by {name}, {date}.").format(name=who, date=when)
    return _("❌ Marked unrelated by {name}, {date}.").format(name=who, date=when)
