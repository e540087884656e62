"""The chain of custody screen of a report, and what the outbox tells of a hand-over."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.custody_models import CustodyTransfer, TransferStatus
from bot.db.models import Notification, SeizureReport, User, UserStatus
from bot.i18n import MINUTES, format_datetime, language_of
from bot.services import custody
from bot.services.errors import AccessDenied
from bot.services.reports import get_report_for
from handlers.common import texts
from handlers.common.callbacks import (
    CustodyAction,
    CustodyDecide,
    CustodyOpen,
    CustodyStart,
    ReportOpen,
)
from handlers.common.filters import HasStatus, router_for
from handlers.common.keyboard import Keyboard
from handlers.common.texts import quote

SCREEN_LIMIT = 4000


def custody_button(report: SeizureReport, builder: Keyboard) -> None:
    """The report's "🔗 Custody" button, for a report with items."""
    if report.details.get("items"):
        builder.button(text=_("🔗 Custody"), callback_data=CustodyOpen(report=report.id))


def items_text(items: list[int]) -> str:
    return ", ".join(str(number) for number in items)


def holder_name(holder: User | None, holder_text: str | None) -> str:
    if holder is not None:
        return texts.person_label(holder)
    return quote(holder_text or "—")


def seal_text(seal_number: str | None, intact: bool | None) -> str:
    if seal_number is None:
        return ""
    state = _("intact") if intact else _("⚠️ NOT intact")
    return _("seal {number} ({state})").format(number=quote(seal_number), state=state)


def status_name(status: str) -> str:
    return {
        custody.HELD: _("held"),
        TransferStatus.PENDING.value: _("⏳ awaiting confirmation"),
        TransferStatus.REFUSED.value: _("❌ refused"),
        TransferStatus.CANCELLED.value: _("✖️ cancelled"),
    }[status]


async def custody_screen(
    session: AsyncSession, user: User, report_id: int, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    report = await custody.readable_report(session, user, report_id)
    language = language_of(user, settings.default_language)

    def when(moment):
        return format_datetime(moment, language, settings.tz, MINUTES) if moment else "…"

    lines = [_("<b>{number}</b> · chain of custody").format(number=report.number)]
    for holding in await custody.holdings(session, report):
        line = _("📦 Item {item}: {holder}, since {date}").format(
            item=holding.item,
            holder=holder_name(holding.holder, holding.holder_text),
            date=when(holding.since),
        )
        if holding.open_transfer_id:
            line += " · " + _("⏳ hand-over open")
        lines.append(line)
    lines.append(_("🔗 Timeline:"))
    for row in await custody.timeline(session, report):
        parts = [
            f"{when(row.since)} – {when(row.until)}",
            _("items {items}").format(items=items_text(row.items)),
            holder_name(row.holder, row.holder_text),
            seal_text(row.seal_number, row.seal_intact),
            quote(row.purpose or ""),
            "" if row.status == custody.HELD else status_name(row.status),
        ]
        lines.append("• " + " · ".join(part for part in parts if part))
    builder = Keyboard()
    if await custody.items_to_hand_over(session, user, report):
        builder.button(text=_("🤝 Hand over items"), callback_data=CustodyStart(report=report.id))
    for transfer in await custody.transfers_of(session, report):
        if transfer.status is TransferStatus.PENDING:
            decision_buttons(transfer, user, builder)
    try:
        await get_report_for(session, user, report.id)
        builder.button(text=_("« Back"), callback_data=ReportOpen(report=report.id))
    except AccessDenied:
        pass  # a receiver of another unit sees the custody, not the report
    builder.adjust(1)
    text = "\n".join(lines)
    return (text if len(text) <= SCREEN_LIMIT else text[: SCREEN_LIMIT - 1] + "…"), (
        builder.as_markup()
    )


def decision_buttons(transfer: CustodyTransfer, user: User, builder: Keyboard) -> None:
    """What the person may do with an open hand-over: its receiver confirms or refuses, its
    giver cancels it or, for an outside body, confirms it with the signed act."""
    number = {"number": transfer.id}
    choices = []
    if transfer.receiver_id == user.id:
        choices = [
            (_("✅ Confirm receipt (hand-over {number})"), CustodyAction.CONFIRM),
            (_("❌ Refuse (hand-over {number})"), CustodyAction.REFUSE),
        ]
    elif transfer.giver_id == user.id:
        if transfer.receiver_text is not None:
            choices.append((_("📎 Signed act (hand-over {number})"), CustodyAction.ACT))
        choices.append((_("✖️ Cancel hand-over {number}"), CustodyAction.CANCEL))
    for label, action in choices:
        builder.button(
            text=label.format(**number),
            callback_data=CustodyDecide(transfer=transfer.id, action=action),
        )


async def open_custody(
    callback: CallbackQuery,
    callback_data: CustodyOpen,
    user: User,
    session: AsyncSession,
    settings: Settings,
) -> None:
    text, markup = await custody_screen(session, user, callback_data.report, settings)
    if callback.message is not None:
        await callback.message.answer(text, reply_markup=markup)


async def custody_news(
    session: AsyncSession,
    notification: Notification,
    recipient: User,
    language: str,
    timezone: ZoneInfo,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message of a custody notification (see bot.services.custody.CUSTODY_NEWS)."""
    transfer = await session.get_one(CustodyTransfer, int(notification.note or 0))
    report = await session.get_one(SeizureReport, transfer.report_id)
    giver = await session.get_one(User, transfer.giver_id)
    receiver = await session.get(User, transfer.receiver_id) if transfer.receiver_id else None
    values = {
        "number": report.number,
        "id": transfer.id,
        "giver": texts.person_label(giver),
        "receiver": holder_name(receiver, transfer.receiver_text),
        "items": items_text(transfer.items),
    }
    heading = {
        custody.CUSTODY_OFFERED: _(
            "🤝 {giver} hands over to you items {items} of report No. {number} (hand-over "
            "{id}). Confirm only once you hold the sealed package."
        ),
        custody.CUSTODY_CONFIRMED: _(
            "✅ {receiver} confirmed receiving items {items} of report No. {number} "
            "(hand-over {id})."
        ),
        custody.CUSTODY_REFUSED: _(
            "❌ {receiver} refused items {items} of report No. {number} (hand-over {id}); "
            "they stay with you. Reason:"
        ),
        custody.CUSTODY_CANCELLED: _(
            "✖️ {giver} cancelled the hand-over {id} of items {items} of report No. {number}."
        ),
        custody.CUSTODY_REMINDER: _(
            "⏰ The hand-over {id} of items {items} of report No. {number} from {giver} to "
            "{receiver} is still not confirmed."
        ),
        custody.CUSTODY_OVERDUE: _(
            "⏫ The hand-over {id} of items {items} of report No. {number} from {giver} to "
            "{receiver} is still not confirmed after a reminder."
        ),
        custody.CUSTODY_SEAL_BROKEN: _(
            "🚨 Seal NOT intact: {giver} hands over items {items} of report No. {number} to "
            "{receiver} (hand-over {id})."
        ),
    }[notification.kind].format(**values)
    lines = [heading]
    if notification.kind == custody.CUSTODY_REFUSED:
        lines.append(quote(transfer.refused_reason or ""))
    else:
        lines += [
            _("Purpose: {purpose}").format(purpose=quote(transfer.purpose)),
            _("Seal: {seal}").format(seal=seal_text(transfer.seal_number, transfer.seal_intact)),
        ]
    builder = Keyboard()
    if transfer.status is TransferStatus.PENDING:
        decision_buttons(transfer, recipient, builder)
    builder.button(text=_("🔗 Custody"), callback_data=CustodyOpen(report=report.id))
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


def create_router() -> Router:
    router = router_for("custody_screens", HasStatus(UserStatus.ACTIVE))
    router.callback_query.register(open_custody, CustodyOpen.filter())
    return router
