"""The officer's safety check-ins after a report with explosives or someone in danger."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


class WatchEnd(StrEnum):
    """Why the officer stopped the check-ins: the scene is someone else's or over."""

    SAPPERS_TOOK_OVER = "sappers_took_over"
    SCENE_CLOSED = "scene_closed"


class SafetyWatch(Base):
    """One report's check-ins: the officer is asked "Are you safe?" at intervals until they end
    them; checks left unanswered in a row alert the supervisors. Everything the schedule needs
    is here, so a restart neither loses a check nor sends one twice."""

    __tablename__ = "safety_watches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("seizure_reports.id", ondelete="CASCADE"), unique=True
    )
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The next check is due SAFETY_CHECK_MINUTES after this: the start, the last check sent or
    # the officer's last answer. Kept as a moment, not as the due time, so a changed setting
    # applies to the watches already open.
    interval_from: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Checks are numbered 1, 2, …; a button names the check it answers.
    checks_sent: Mapped[int] = mapped_column(default=0)
    answered_check: Mapped[int] = mapped_column(default=0)
    last_check_sent_at: Mapped[datetime | None]
    last_answer_at: Mapped[datetime | None]
    # Checks in a row without an answer, and how many supervisor levels were alerted of it.
    unanswered: Mapped[int] = mapped_column(default=0)
    alerted_levels: Mapped[int] = mapped_column(default=0)
    # The last known location: the report's coordinates, then each location the officer shares.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    located_at: Mapped[datetime | None]
    help_requested_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_reason: Mapped[WatchEnd | None] = mapped_column(
        Enum(
            WatchEnd,
            native_enum=False,
            length=24,
            values_callable=lambda members: [member.value for member in members],
            validate_strings=True,
        )
    )
