"""Chain of custody: who holds each item of a report, and hand-overs both sides confirm.

The report's officer holds its items at first. A hand-over keeps the items with the giver until
the receiver confirms it (a user of the bot, from their message) or the giver does with a photo
of the act signed by an outside body; one refused or cancelled leaves them where they were.
Nobody hands over what they do not hold, and of two hand-overs of one item at once only one
succeeds: the database decides (see `CustodyHolding`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.custody_models import CustodyHolding, CustodyTransfer, TransferStatus
from bot.db.models import (
    Notification,
    ReportStatus,
    Role,
    SeizureReport,
    User,
    UserStatus,
    utcnow,
)
from bot.db.upsert import insert_ignoring_duplicates
from bot.services import audit, reports
from bot.services.errors import AccessDenied, DomainError, InvalidInput, NotFound, bounded_text
from bot.services.permissions import require_active
from bot.services.units import ancestor_ids

# What the outbox tells of a hand-over; each notification's note is the hand-over's id.
CUSTODY_OFFERED = "custody.offered"  # the receiver: confirm or refuse
CUSTODY_CONFIRMED = "custody.confirmed"  # the giver
CUSTODY_REFUSED = "custody.refused"  # the giver, with the reason
CUSTODY_CANCELLED = "custody.cancelled"  # the receiver
CUSTODY_REMINDER = "custody.reminder"  # giver and receiver: still not confirmed
CUSTODY_OVERDUE = "custody.overdue"  # their supervisors, after a second wait
CUSTODY_SEAL_BROKEN = "custody.seal_broken"  # the supervisors, at once
CUSTODY_NEWS = (
    CUSTODY_OFFERED,
    CUSTODY_CONFIRMED,
    CUSTODY_REFUSED,
    CUSTODY_CANCELLED,
    CUSTODY_REMINDER,
    CUSTODY_OVERDUE,
    CUSTODY_SEAL_BROKEN,
)
OUTSIDE_BODY_MAX, PURPOSE_MAX, SEAL_MAX, REASON_MAX = 200, 300, 64, 500


class TransferClosed(DomainError):
    """The hand-over was already confirmed, refused or cancelled."""

    def __init__(self, status: TransferStatus) -> None:
        super().__init__(status.value)
        self.status = status


class ItemsNotHeld(DomainError):
    """The giver does not hold these items now, or another hand-over of them is open."""


@dataclass(frozen=True)
class Receiver:
    """Whom items go to: a user of the bot, or an outside body named in words."""

    user: User | None = None
    outside_body: str | None = None


@dataclass(frozen=True)
class SealPhoto:
    file_id: str
    sha256: str


@dataclass(frozen=True)
class Handover:
    """Everything the giver answered, checked once more when the hand-over is started."""

    items: list[int]
    receiver: Receiver
    purpose: str
    seal_number: str
    seal_photo: SealPhoto
    seal_intact: bool


def item_numbers(report: SeizureReport) -> list[int]:
    return sorted(int(values["number"]) for values in report.details.get("items", []))


async def readable_report(session: AsyncSession, actor: User, report_id: int) -> SeizureReport:
    """A report whose custody the actor may see: its readers, and anyone who gave or was to
    receive its items (a receiver of another unit included)."""
    require_active(actor)
    try:
        return await reports.get_report_for(session, actor, report_id)
    except AccessDenied:
        involved = await session.scalar(
            select(CustodyTransfer.id)
            .where(
                CustodyTransfer.report_id == report_id,
                or_(CustodyTransfer.giver_id == actor.id, CustodyTransfer.receiver_id == actor.id),
            )
            .limit(1)
        )
        if involved is None:
            raise
        report = await session.get(SeizureReport, report_id)
        assert report is not None
        return report


@dataclass(frozen=True)
class Holding:
    """Who holds an item now, and whether a hand-over of it is open."""

    item: int
    holder: User | None
    holder_text: str | None
    since: datetime
    open_transfer_id: int | None


async def holdings(session: AsyncSession, report: SeizureReport) -> list[Holding]:
    """Every item of the report with its holder; an item never handed over is the officer's."""
    rows = {
        row.item_number: row
        for row in await session.scalars(
            select(CustodyHolding).where(CustodyHolding.report_id == report.id)
        )
    }
    officer = await session.get(User, report.officer_id)
    found = []
    for number in item_numbers(report):
        row = rows.get(number)
        if row is None:
            found.append(Holding(number, officer, None, _held_from(report), None))
        else:
            holder = await session.get(User, row.holder_id) if row.holder_id else None
            found.append(Holding(number, holder, row.holder_text, row.since, row.open_transfer_id))
    return found


def _held_from(report: SeizureReport) -> datetime:
    return report.submitted_at or report.created_at


async def items_to_hand_over(
    session: AsyncSession, actor: User, report: SeizureReport
) -> list[int]:
    """The items the actor holds with no hand-over of them open."""
    return [
        holding.item
        for holding in await holdings(session, report)
        if holding.holder is not None
        and holding.holder.id == actor.id
        and holding.open_transfer_id is None
    ]


async def find_receiver(
    session: AsyncSession, giver: User, report: SeizureReport, typed: str
) -> User:
    """The user named by `@username` or Telegram id, if they may receive the report's items:
    active, not the giver, and in the same agency (under the same top unit) as the report."""
    typed = typed.strip()
    if typed.lstrip("-").isdigit() and len(typed) < 20:
        query = select(User).where(User.telegram_id == int(typed))
    elif typed.startswith("@") and 1 < len(typed) <= 65:
        query = select(User).where(User.username.ilike(typed[1:]))
    else:
        raise InvalidInput("receiver", "format")
    receiver = await session.scalar(query.limit(1))
    await _check_receiver(session, giver, report, receiver)
    assert receiver is not None
    return receiver


async def _check_receiver(
    session: AsyncSession, giver: User, report: SeizureReport, receiver: User | None
) -> None:
    if receiver is None:
        raise InvalidInput("receiver", "unknown")
    if receiver.id == giver.id:
        raise InvalidInput("receiver", "giver")
    if receiver.status is not UserStatus.ACTIVE:
        raise InvalidInput("receiver", "inactive")
    if receiver.unit_id is None or await _agency(session, receiver.unit_id) != await _agency(
        session, report.unit_id
    ):
        raise InvalidInput("receiver", "other_agency")


async def _agency(session: AsyncSession, unit_id: int) -> int:
    """The top unit above a unit: the agency it belongs to."""
    return (await ancestor_ids(session, unit_id))[-1]


def validate_outside_body(text: str) -> str:
    return bounded_text(text, "outside_body", 2, OUTSIDE_BODY_MAX)


def validate_purpose(text: str) -> str:
    return bounded_text(text, "purpose", 3, PURPOSE_MAX)


async def free_seal_number(session: AsyncSession, text: str) -> str:
    """A seal number no open hand-over uses."""
    seal = bounded_text(text, "seal_number", 1, SEAL_MAX)
    used = await session.scalar(
        select(CustodyTransfer.id).where(
            CustodyTransfer.seal_number == seal, CustodyTransfer.status == TransferStatus.PENDING
        )
    )
    if used is not None:
        raise InvalidInput("seal_number", "in_use")
    return seal


def validate_reason(text: str) -> str:
    return bounded_text(text, "refusal_reason", 3, REASON_MAX, one_line=False)


async def start_handover(
    session: AsyncSession, giver: User, report_id: int, handover: Handover
) -> CustodyTransfer:
    """Open a hand-over of items the giver holds; they stay the giver's until it is confirmed.

    The receiver is told (a user), and the supervisors at once when the seal is not intact."""
    report = await readable_report(session, giver, report_id)
    if report.status is ReportStatus.DRAFT:
        raise InvalidInput("report", "draft")
    items = sorted(set(handover.items))
    if not items or not set(items) <= set(item_numbers(report)):
        raise InvalidInput("items", "unknown")
    receiver = handover.receiver
    if receiver.user is not None:
        await _check_receiver(session, giver, report, receiver.user)
    outside = validate_outside_body(receiver.outside_body) if receiver.user is None else None
    purpose = validate_purpose(handover.purpose)
    seal = await free_seal_number(session, handover.seal_number)
    for number in items:
        await insert_ignoring_duplicates(
            session,
            CustodyHolding,
            {
                "report_id": report.id,
                "item_number": number,
                "holder_id": report.officer_id,
                "since": _held_from(report),
            },
        )
    transfer = CustodyTransfer(
        report_id=report.id,
        items=items,
        giver_id=giver.id,
        receiver_id=receiver.user.id if receiver.user else None,
        receiver_text=outside,
        purpose=purpose,
        seal_number=seal,
        seal_photo_file_id=handover.seal_photo.file_id,
        seal_photo_sha256=handover.seal_photo.sha256,
        seal_intact=handover.seal_intact,
        status=TransferStatus.PENDING,
    )
    try:
        async with session.begin_nested():
            session.add(transfer)
    except IntegrityError:
        # Another hand-over took this seal number between the check and now.
        raise InvalidInput("seal_number", "in_use") from None
    taken = await session.execute(
        update(CustodyHolding)
        .where(
            CustodyHolding.report_id == report.id,
            CustodyHolding.item_number.in_(items),
            CustodyHolding.holder_id == giver.id,
            CustodyHolding.open_transfer_id.is_(None),
        )
        .values(open_transfer_id=transfer.id)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != len(items):
        raise ItemsNotHeld()
    await audit.record(
        session,
        giver,
        "custody.started",
        "custody",
        transfer.id,
        report=report.id,
        items=items,
        receiver_id=transfer.receiver_id,
        receiver_text=outside,
        purpose=purpose,
        seal_number=seal,
        seal_photo_sha256=transfer.seal_photo_sha256,
        seal_intact=transfer.seal_intact,
    )
    if receiver.user is not None:
        _tell(session, [receiver.user], CUSTODY_OFFERED, transfer)
    if not transfer.seal_intact:
        _tell(session, await _supervisors_of(session, [giver]), CUSTODY_SEAL_BROKEN, transfer)
    await session.flush()
    return transfer


def _tell(
    session: AsyncSession, recipients: list[User], kind: str, transfer: CustodyTransfer
) -> None:
    session.add_all(
        Notification(
            recipient_id=person.id, kind=kind, report_id=transfer.report_id, note=str(transfer.id)
        )
        for person in {person.id: person for person in recipients}.values()
    )


async def _supervisors_of(session: AsyncSession, people: list[User]) -> list[User]:
    """The nearest supervisors up the unit tree of each person (the admins when none)."""
    found: dict[int, User] = {}
    for person in people:
        for unit_id in await ancestor_ids(session, person.unit_id) if person.unit_id else []:
            level = (
                await session.scalars(
                    select(User).where(
                        User.unit_id == unit_id,
                        User.role == Role.SUPERVISOR,
                        User.status == UserStatus.ACTIVE,
                        User.id != person.id,
                    )
                )
            ).all()
            if level:
                found.update((supervisor.id, supervisor) for supervisor in level)
                break
    if not found:
        admins = await session.scalars(
            select(User).where(User.role == Role.ADMIN, User.status == UserStatus.ACTIVE)
        )
        found.update((admin.id, admin) for admin in admins)
    return list(found.values())


async def _open_transfer(session: AsyncSession, transfer_id: int) -> CustodyTransfer:
    transfer = await session.get(CustodyTransfer, transfer_id, with_for_update=True)
    if transfer is None:
        raise NotFound("transfer")
    if transfer.status is not TransferStatus.PENDING:
        raise TransferClosed(transfer.status)
    return transfer


async def _close(
    session: AsyncSession,
    transfer: CustodyTransfer,
    status: TransferStatus,
    holder: User | None = None,
    holder_text: str | None = None,
) -> None:
    """End the hand-over: its items go to `holder` (or `holder_text`) when confirmed, and are
    free to hand over again either way."""
    now = utcnow()
    moved = {"holder_id": holder.id if holder else None, "holder_text": holder_text, "since": now}
    await session.execute(
        update(CustodyHolding)
        .where(CustodyHolding.open_transfer_id == transfer.id)
        .values(open_transfer_id=None, **(moved if status is TransferStatus.CONFIRMED else {}))
        .execution_options(synchronize_session=False)
    )
    transfer.status, transfer.decided_at = status, now


def require_side(transfer: CustodyTransfer, actor: User, receiver: bool) -> None:
    """The actor is the hand-over's receiver (a user), or its giver to an outside body: the
    one who may close it."""
    allowed = (
        transfer.receiver_id == actor.id
        if receiver
        else transfer.giver_id == actor.id and transfer.receiver_text is not None
    )
    if not allowed:
        raise AccessDenied()


async def confirm(session: AsyncSession, receiver: User, transfer_id: int) -> CustodyTransfer:
    """The receiver confirms they hold the items now; the giver is told."""
    require_active(receiver)
    transfer = await _open_transfer(session, transfer_id)
    require_side(transfer, receiver, receiver=True)
    await _close(session, transfer, TransferStatus.CONFIRMED, holder=receiver)
    await audit.record(
        session, receiver, "custody.confirmed", "custody", transfer.id, report=transfer.report_id
    )
    _tell(session, [await session.get_one(User, transfer.giver_id)], CUSTODY_CONFIRMED, transfer)
    await session.flush()
    return transfer


async def refuse(
    session: AsyncSession, receiver: User, transfer_id: int, reason: str
) -> CustodyTransfer:
    """The receiver does not take the items, saying why; they stay with the giver, who is told."""
    require_active(receiver)
    reason = validate_reason(reason)
    transfer = await _open_transfer(session, transfer_id)
    require_side(transfer, receiver, receiver=True)
    await _close(session, transfer, TransferStatus.REFUSED)
    transfer.refused_reason = reason
    await audit.record(
        session,
        receiver,
        "custody.refused",
        "custody",
        transfer.id,
        report=transfer.report_id,
        reason=reason,
    )
    _tell(session, [await session.get_one(User, transfer.giver_id)], CUSTODY_REFUSED, transfer)
    await session.flush()
    return transfer


async def confirm_with_act(
    session: AsyncSession, giver: User, transfer_id: int, act: SealPhoto
) -> CustodyTransfer:
    """The giver confirms a hand-over to an outside body with a photo of the signed act."""
    require_active(giver)
    transfer = await _open_transfer(session, transfer_id)
    require_side(transfer, giver, receiver=False)
    await _close(session, transfer, TransferStatus.CONFIRMED, holder_text=transfer.receiver_text)
    transfer.act_photo_file_id, transfer.act_photo_sha256 = act.file_id, act.sha256
    await audit.record(
        session,
        giver,
        "custody.confirmed",
        "custody",
        transfer.id,
        report=transfer.report_id,
        act_photo_sha256=act.sha256,
    )
    await session.flush()
    return transfer


async def cancel(session: AsyncSession, giver: User, transfer_id: int) -> CustodyTransfer:
    """The giver takes back a hand-over not confirmed yet; a receiver who is a user is told."""
    require_active(giver)
    transfer = await _open_transfer(session, transfer_id)
    if transfer.giver_id != giver.id:
        raise AccessDenied()
    await _close(session, transfer, TransferStatus.CANCELLED)
    await audit.record(
        session, giver, "custody.cancelled", "custody", transfer.id, report=transfer.report_id
    )
    if transfer.receiver_id is not None:
        receiver = await session.get_one(User, transfer.receiver_id)
        _tell(session, [receiver], CUSTODY_CANCELLED, transfer)
    await session.flush()
    return transfer


async def get_transfer(session: AsyncSession, actor: User, transfer_id: int) -> CustodyTransfer:
    transfer = await session.get(CustodyTransfer, transfer_id)
    if transfer is None:
        raise NotFound("transfer")
    await readable_report(session, actor, transfer.report_id)
    return transfer


async def remind_due(
    session: AsyncSession, after: timedelta, now: datetime | None = None
) -> list[CustodyTransfer]:
    """Hand-overs still open `after` their start remind giver and receiver; still open `after`
    that reminder, they go to both sides' supervisors."""
    now = now or utcnow()
    waiting = await session.scalars(
        select(CustodyTransfer)
        .where(
            CustodyTransfer.status == TransferStatus.PENDING,
            CustodyTransfer.escalated_at.is_(None),
            CustodyTransfer.created_at <= now - after,
        )
        .order_by(CustodyTransfer.id)
        .with_for_update(skip_locked=True)
    )
    changed = []
    for transfer in waiting.all():
        giver = await session.get_one(User, transfer.giver_id)
        receiver = await session.get(User, transfer.receiver_id) if transfer.receiver_id else None
        both = [person for person in (giver, receiver) if person is not None]
        if transfer.reminded_at is None:
            _tell(session, both, CUSTODY_REMINDER, transfer)
            transfer.reminded_at, action = now, "custody.reminded"
        elif transfer.reminded_at <= now - after:
            _tell(session, await _supervisors_of(session, both), CUSTODY_OVERDUE, transfer)
            transfer.escalated_at, action = now, "custody.escalated"
        else:
            continue
        await audit.record(session, None, action, "custody", transfer.id, report=transfer.report_id)
        changed.append(transfer)
    await session.flush()
    return changed


async def transfers_of(session: AsyncSession, report: SeizureReport) -> list[CustodyTransfer]:
    query = select(CustodyTransfer).where(CustodyTransfer.report_id == report.id)
    return list((await session.scalars(query.order_by(CustodyTransfer.id))).all())


@dataclass(frozen=True)
class CustodyRow:
    """One line of the timeline: who held (or was offered) which items, from when to when,
    under which seal. `status` is "held" for a holding, else the hand-over's that never moved
    the items (pending, refused, cancelled)."""

    items: list[int]
    holder: User | None
    holder_text: str | None
    since: datetime
    until: datetime | None
    seal_number: str | None
    seal_intact: bool | None
    purpose: str | None
    status: str


HELD = "held"


async def timeline(session: AsyncSession, report: SeizureReport) -> list[CustodyRow]:
    """The report's chain of custody, oldest first: for the screen, the PDF and the XLSX."""
    transfers = await transfers_of(session, report)
    people = {
        person.id: person
        for person in await session.scalars(
            select(User).where(
                User.id.in_(
                    {report.officer_id}
                    | {t.giver_id for t in transfers}
                    | {t.receiver_id for t in transfers if t.receiver_id}
                )
            )
        )
    }
    # Each item's periods: from the report (the officer's) and from each confirmed hand-over.
    periods: dict[tuple, list[int]] = {}
    for number in item_numbers(report):
        start, source = _held_from(report), None
        for transfer in transfers:
            if transfer.status is TransferStatus.CONFIRMED and number in transfer.items:
                assert transfer.decided_at is not None
                periods.setdefault((start, transfer.decided_at, source), []).append(number)
                start, source = transfer.decided_at, transfer
        periods.setdefault((start, None, source), []).append(number)
    rows = []
    for (since, until, source), items in periods.items():
        if source is None:
            holder, holder_text, seal, intact, purpose = (
                people.get(report.officer_id),
                None,
                None,
                None,
                None,
            )
        else:
            holder = people.get(source.receiver_id) if source.receiver_id else None
            holder_text, seal = source.receiver_text, source.seal_number
            intact, purpose = source.seal_intact, source.purpose
        rows.append(
            CustodyRow(items, holder, holder_text, since, until, seal, intact, purpose, HELD)
        )
    for transfer in transfers:
        if transfer.status is not TransferStatus.CONFIRMED:
            rows.append(
                CustodyRow(
                    list(transfer.items),
                    people.get(transfer.receiver_id) if transfer.receiver_id else None,
                    transfer.receiver_text,
                    transfer.created_at,
                    transfer.decided_at,
                    transfer.seal_number,
                    transfer.seal_intact,
                    transfer.purpose,
                    transfer.status.value,
                )
            )
    return sorted(rows, key=lambda row: (row.since, row.items))
