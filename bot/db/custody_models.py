"""Chain of custody: hand-overs of a report's items, and who holds each item now."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, _enum, utcnow


class TransferStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"
    CANCELLED = "cancelled"


OPEN_SEAL = text("status = 'pending'")


class CustodyTransfer(Base):
    """One hand-over of some of a report's items, from the person holding them to a user of the
    bot (who confirms or refuses) or to an outside body (confirmed by the giver with the act)."""

    __tablename__ = "custody_transfers"
    # A seal number names one package: two open hand-overs under the same seal would be two
    # packages nobody can tell apart. The database refuses the second even when both come at once.
    __table_args__ = (
        Index(
            "uq_custody_transfers_open_seal",
            "seal_number",
            unique=True,
            sqlite_where=OPEN_SEAL,
            postgresql_where=OPEN_SEAL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("seizure_reports.id", ondelete="CASCADE"), index=True
    )
    # The items' numbers within the report.
    items: Mapped[list[int]] = mapped_column(JSON)
    giver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    receiver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # An outside body (a laboratory, a court) as the giver typed it.
    receiver_text: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(300))
    seal_number: Mapped[str] = mapped_column(String(64))
    seal_photo_file_id: Mapped[str] = mapped_column(String(255))
    seal_photo_sha256: Mapped[str] = mapped_column(String(64))
    seal_intact: Mapped[bool]
    status: Mapped[TransferStatus] = mapped_column(
        _enum(TransferStatus), default=TransferStatus.PENDING
    )
    refused_reason: Mapped[str | None] = mapped_column(String(500))
    # The signed act of an outside body, photographed by the giver.
    act_photo_file_id: Mapped[str | None] = mapped_column(String(255))
    act_photo_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]


class CustodyHolding(Base):
    """Who holds one item of a report now, and the hand-over of it still open, if any.

    Starting a hand-over sets `open_transfer_id` with a conditional UPDATE (only where it is
    empty and the giver is the holder): of two hand-overs of one item at once, one finds the row
    taken and is refused, whichever process each runs in."""

    __tablename__ = "custody_holdings"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("seizure_reports.id", ondelete="CASCADE"), primary_key=True
    )
    item_number: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    holder_text: Mapped[str | None] = mapped_column(String(200))
    since: Mapped[datetime] = mapped_column(default=utcnow)
    open_transfer_id: Mapped[int | None] = mapped_column(
        ForeignKey("custody_transfers.id", ondelete="SET NULL")
    )
