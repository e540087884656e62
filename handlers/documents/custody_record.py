"""The chain of custody in a report's PDF and in the export's Custody sheet: who held which
items, from when to when, under which seal, and the hand-overs that never moved them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.custody_models import CustodyTransfer, TransferStatus
from bot.db.models import SeizureReport
from bot.documents.pdf import Section, Table
from bot.services import custody
from bot.services.custody import CustodyRow
from handlers.common.report_values import record_moment


def holder_of(row: CustodyRow) -> str:
    if row.holder is not None:
        return row.holder.full_name
    return row.holder_text or "—"


def seal_of(row: CustodyRow) -> str:
    if row.seal_number is None:
        return "—"
    state = _("intact") if row.seal_intact else _("NOT intact")
    return f"{row.seal_number} ({state})"


def status_name(status: str) -> str:
    """A holding's or a hand-over's state, in words without marks (a record, a data cell)."""
    return {
        custody.HELD: _("held"),
        TransferStatus.PENDING.value: _("awaiting confirmation"),
        TransferStatus.CONFIRMED.value: _("confirmed"),
        TransferStatus.REFUSED.value: _("refused"),
        TransferStatus.CANCELLED.value: _("cancelled"),
    }[status]


def items_of(row: CustodyRow) -> str:
    return ", ".join(str(number) for number in row.items)


async def custody_section(
    session: AsyncSession, report: SeizureReport, timezone: ZoneInfo
) -> list[Section]:
    """The report's chain of custody as one table, oldest first: who held which items, and
    the hand-overs that never moved them (their state beside the receiver); none for a report
    without items."""
    if not custody.item_numbers(report):
        return []
    headers = [
        _("Items"),
        _("Held by"),
        _("Held from"),
        _("Held until"),
        _("Seal or package number"),
        _("Purpose"),
    ]
    rows = [
        [
            items_of(row),
            holder_of(row)
            if row.status == custody.HELD
            else f"{holder_of(row)} ({status_name(row.status)})",
            record_moment(row.since, timezone),
            record_moment(row.until, timezone) if row.until else "—",
            seal_of(row),
            row.purpose or "—",
        ]
        for row in await custody.timeline(session, report)
    ]
    return [Section(_("Chain of custody"), [Table(headers, rows)])]


@dataclass(frozen=True)
class HandedOver:
    """A hand-over as the export's Custody sheet shows it: names as data, not HTML."""

    items: list[int]
    giver: str
    receiver: str
    # When it was confirmed, refused or cancelled; when it was started, while still open.
    at: datetime
    purpose: str
    seal_number: str
    seal_intact: bool
    status: str


async def handed_over(
    transfers: list[CustodyTransfer], name_of: Callable[[int], Awaitable[str]]
) -> list[HandedOver]:
    """The hand-overs of a report's items (`exports.hand_overs_of`), oldest first, as data."""
    found = []
    for transfer in transfers:
        receiver = (
            await name_of(transfer.receiver_id)
            if transfer.receiver_id
            else transfer.receiver_text or ""
        )
        found.append(
            HandedOver(
                items=list(transfer.items),
                giver=await name_of(transfer.giver_id),
                receiver=receiver,
                at=transfer.decided_at or transfer.created_at,
                purpose=transfer.purpose,
                seal_number=transfer.seal_number,
                seal_intact=transfer.seal_intact,
                status=transfer.status.value,
            )
        )
    return found
