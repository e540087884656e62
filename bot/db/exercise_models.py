"""Drills: a supervisor's scenario sent to chosen officers, and each officer's part in it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


class Drill(Base):
    """A scenario ("explosive found in a train at Kainda") a supervisor sends to officers of
    their units; what the officers record while in it is an exercise linked to it."""

    __tablename__ = "drills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    scenario: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Until sent, the officers chosen can still change; once closed, nobody starts it any more.
    sent_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class DrillParticipant(Base):
    """An officer chosen for a drill: when they started it and when they ended it."""

    __tablename__ = "drill_participants"
    __table_args__ = (UniqueConstraint("drill_id", "officer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    accepted_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
