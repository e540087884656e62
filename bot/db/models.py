"""Typed SQLAlchemy models of people, units, access and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class UserStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    BLOCKED = "blocked"


class UnitKind(StrEnum):
    HEADQUARTERS = "headquarters"
    DETACHMENT = "detachment"
    POST = "post"
    CROSSING_POINT = "crossing_point"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"


def _enum(enum_class: type[StrEnum]) -> Enum:
    # Stored as plain strings so both databases share one schema and values stay readable.
    return Enum(
        enum_class,
        native_enum=False,
        length=24,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    name_ru: Mapped[str | None] = mapped_column(String(128))
    name_ky: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[UnitKind] = mapped_column(_enum(UnitKind), default=UnitKind.POST)
    crossing_type: Mapped[str | None] = mapped_column(String(16))
    neighbour: Mapped[str | None] = mapped_column(String(2))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The unit (and the units below it) is in exercise: what its people start is an exercise.
    exercise: Mapped[bool] = mapped_column(default=False, server_default=false())

    parent: Mapped[Unit | None] = relationship(remote_side=[id], lazy="raise")

    def display_name(self, language: str) -> str:
        localized = {"ru": self.name_ru, "ky": self.name_ky or self.name_ru}.get(language)
        return localized or self.name


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    full_name: Mapped[str] = mapped_column(String(128), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(2))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.OFFICER)
    status: Mapped[UserStatus] = mapped_column(_enum(UserStatus), default=UserStatus.PENDING)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The person switched to exercise: what they start from now on is an exercise.
    exercise: Mapped[bool] = mapped_column(default=False, server_default=false())

    unit: Mapped[Unit | None] = relationship(lazy="raise")

    @property
    def is_active(self) -> bool:
        return self.status is UserStatus.ACTIVE


class AccessRequest(Base):
    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(128))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    status: Mapped[RequestStatus] = mapped_column(
        _enum(RequestStatus), default=RequestStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None]


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(48), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The chain: entries are sealed in order, each hash covering the previous one, so a changed
    # or deleted entry breaks every hash after it.
    seal: Mapped[int | None] = mapped_column(unique=True)
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class FsmRecord(Base):
    """Conversation state of one aiogram StorageKey, so a restart resumes the dialogue."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProcessedUpdate(Base):
    """Update ids already handled, so an update delivered twice is handled once."""

    __tablename__ = "processed_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class RunStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    STOPPED = "stopped"
    REDIRECTED = "redirected"


class StepOutcome(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    ANSWERED = "answered"
    PHOTO = "photo"
    BACK = "back"


class ProcedureRun(Base):
    """One officer walking through one procedure, at the exact content version they saw."""

    __tablename__ = "procedure_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    procedure_id: Mapped[str] = mapped_column(String(40), index=True)
    procedure_version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus), default=RunStatus.IN_PROGRESS)
    current_step: Mapped[str | None] = mapped_column(String(40))
    # Steps behind the current one, so Back retraces the branch actually taken.
    path: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    continued_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedure_runs.id", ondelete="SET NULL")
    )
    # An exercise (and the drill it was part of), decided when it was started and kept.
    exercise: Mapped[bool] = mapped_column(default=False, server_default=false())
    drill_id: Mapped[int | None] = mapped_column(
        ForeignKey("drills.id", ondelete="SET NULL"), index=True
    )


class ProcedureStepEvent(Base):
    """What happened at a step, when: the record a supervisor reads afterwards."""

    __tablename__ = "procedure_step_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("procedure_runs.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[StepOutcome] = mapped_column(_enum(StepOutcome))
    # Where a question's answer led (a step or a procedure), and which answer it was, counted
    # from 0 in the text the run followed: two answers may lead to the same place.
    answer: Mapped[str | None] = mapped_column(String(40))
    answer_number: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    # The photo's content as kept in the media store; None for photos kept before hashes.
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportStatus(StrEnum):
    DRAFT = "draft"
    INITIAL = "initial"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class FoundCategory(StrEnum):
    FIREARMS = "firearms"
    AMMUNITION = "ammunition"
    EXPLOSIVES = "explosives"
    MIXED = "mixed"
    OTHER = "other"


class ItemEstimate(StrEnum):
    ONE = "1"
    FEW = "2-5"
    SEVERAL = "6-20"
    MANY = "20+"
    UNKNOWN = "unknown"


class SeizureReport(Base):
    __tablename__ = "seizure_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Unit code + year + sequence, given at submission: unique, no gaps.
    number: Mapped[str | None] = mapped_column(String(48), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    status: Mapped[ReportStatus] = mapped_column(_enum(ReportStatus), default=ReportStatus.DRAFT)
    category: Mapped[FoundCategory] = mapped_column(_enum(FoundCategory))
    anyone_in_danger: Mapped[bool] = mapped_column(default=False)
    urgent: Mapped[bool] = mapped_column(default=False)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    place_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    place_text: Mapped[str | None] = mapped_column(String(200))
    item_estimate: Mapped[ItemEstimate] = mapped_column(
        _enum(ItemEstimate), default=ItemEstimate.UNKNOWN
    )
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(default=0)
    # Set until the supervisors' notifications are queued in the outbox.
    notification_pending: Mapped[bool] = mapped_column(default=True, index=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    acknowledged_at: Mapped[datetime | None]
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    return_comment: Mapped[str | None] = mapped_column(String(1000))
    # How many levels of supervisors have been told, and when the last of them was.
    notified_levels: Mapped[int] = mapped_column(default=0)
    last_notified_at: Mapped[datetime | None]
    # The full report: incident fields beyond the columns above, conveyance, items, persons.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    # Whether the full report was submitted (a quick log alone is not complete).
    complete: Mapped[bool] = mapped_column(default=False, server_default=false())
    # An exercise (and the drill it was part of), decided when it was started and kept.
    exercise: Mapped[bool] = mapped_column(default=False, server_default=false())
    drill_id: Mapped[int | None] = mapped_column(
        ForeignKey("drills.id", ondelete="SET NULL"), index=True
    )


class ReportPhoto(Base):
    __tablename__ = "report_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("seizure_reports.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    # The item (its number within the report) the photo shows; none for the whole seizure.
    item_number: Mapped[int | None]
    # SHA-256 of the file as downloaded: its name in the media store.
    sha256: Mapped[str | None] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportDraft(Base):
    """An officer's full report being written, or the working copy of a report being completed
    or corrected; saved after every answer."""

    __tablename__ = "report_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("seizure_reports.id", ondelete="CASCADE"), unique=True
    )
    content: Mapped[dict[str, Any]]
    # When the officer started it: the default time of the seizure.
    started_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An exercise (and the drill it was part of), decided when it was started and kept.
    exercise: Mapped[bool] = mapped_column(default=False, server_default=false())
    drill_id: Mapped[int | None] = mapped_column(
        ForeignKey("drills.id", ondelete="SET NULL"), index=True
    )


class ReportProcedureRun(Base):
    """A procedure followed for a report."""

    __tablename__ = "report_procedure_runs"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("seizure_reports.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int] = mapped_column(
        ForeignKey("procedure_runs.id", ondelete="CASCADE"), primary_key=True
    )


class ReportRevision(Base):
    """The frozen content of each submission, with its SHA-256 digest."""

    __tablename__ = "report_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("seizure_reports.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int]
    content: Mapped[dict[str, Any]]
    # Names of the fields that differ from the previous revision.
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)
    digest: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportCounter(Base):
    """The last report number given in a unit, year and series (exercises count apart)."""

    __tablename__ = "report_counters"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    # "" for real reports, "EX" for exercises.
    series: Mapped[str] = mapped_column(String(4), primary_key=True, default="", server_default="")
    last: Mapped[int] = mapped_column(default=0)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"
    # The send timed out: it may have arrived. Sent again later, marked as a repeat.
    OUTCOME_UNKNOWN = "outcome_unknown"


class Notification(Base):
    """The outbox: written in the transaction of the event, delivered by the worker."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("seizure_reports.id", ondelete="CASCADE")
    )
    urgent: Mapped[bool] = mapped_column(default=False)
    # Words a person wrote for the recipient (a supervisor's reason for returning a report).
    note: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    available_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # When a send first timed out: every later send of it says it is a repeat.
    outcome_unknown_at: Mapped[datetime | None]
    # The possible link between two seizures this message asks a supervisor to decide.
    serial_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("serial_links.id", ondelete="CASCADE")
    )


class DigestDay(Base):
    """A day whose digest has been queued: one row, so two processes never queue it twice."""

    __tablename__ = "digest_days"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


class ItemSerial(Base):
    """A serial of a filed report's item (the primary one or a part's), as typed and in the
    form serials are compared in (`bot.services.serials.normalise`), so a weapon seen again
    is found among a million items by an index, not by reading every report."""

    __tablename__ = "item_serials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("seizure_reports.id", ondelete="CASCADE"), index=True
    )
    item_number: Mapped[int]
    field: Mapped[str] = mapped_column(String(32))
    serial: Mapped[str] = mapped_column(String(64))
    normalised: Mapped[str] = mapped_column(String(64), index=True)
    make: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))


class LinkStatus(StrEnum):
    POSSIBLE = "possible"
    CONFIRMED = "confirmed"
    UNRELATED = "unrelated"


class SerialLink(Base):
    """Two reports whose items carry the same serial: a possible link between two seizures,
    until a supervisor says it is confirmed or unrelated."""

    __tablename__ = "serial_links"
    __table_args__ = (UniqueConstraint("report_id", "earlier_report_id", "normalised"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("seizure_reports.id", ondelete="CASCADE"), index=True
    )
    item_number: Mapped[int]
    earlier_report_id: Mapped[int] = mapped_column(
        ForeignKey("seizure_reports.id", ondelete="CASCADE"), index=True
    )
    earlier_item_number: Mapped[int]
    normalised: Mapped[str] = mapped_column(String(64))
    # Typed the same, character for character; otherwise equal only once normalised.
    exact: Mapped[bool]
    status: Mapped[LinkStatus] = mapped_column(_enum(LinkStatus), default=LinkStatus.POSSIBLE)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The drills that the exercise columns above refer to: their tables join this metadata.
from bot.db import exercise_models as _exercise_models  # noqa: E402, F401
