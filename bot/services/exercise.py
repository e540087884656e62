"""Exercise mode and drills: what a person starts while in exercise (by their own switch, their
unit's, or a drill they started) is an exercise, numbered in its own series and kept out of
digests, serial links and national exports; a supervisor's drill is debriefed per officer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.exercise_models import Drill, DrillParticipant
from bot.db.models import (
    Notification,
    ProcedureRun,
    ProcedureStepEvent,
    Role,
    SeizureReport,
    StepOutcome,
    Unit,
    User,
    UserStatus,
    utcnow,
)
from bot.procedures.library import ProcedureLibrary
from bot.services import audit
from bot.services.errors import AccessDenied, DomainError, NotFound, bounded_text
from bot.services.permissions import managed_unit_ids, require_active, require_admin
from bot.services.units import ancestor_ids, get_unit

DRILL_STARTED = "drill.started"
SCENARIO_MIN, SCENARIO_MAX = 5, 1000
OFFICERS_PAGE_SIZE = 8


class MidReport(DomainError):
    """The officer is answering a report's questions: their report stays as it is, and the
    drill waits until they are done."""


class DrillClosed(DomainError):
    """The supervisor closed the drill: nobody starts it any more."""


class DrillAlreadySent(DomainError):
    """The drill was sent: the officers chosen for it no longer change."""


class NobodyChosen(DomainError):
    """A drill is sent to at least one officer."""


@dataclass(frozen=True)
class Mode:
    """Whether what a person starts now is an exercise, and why: their own switch, their unit
    (`unit` names it) or a drill they started (`drill_id`)."""

    exercise: bool
    drill_id: int | None = None
    unit: Unit | None = None
    personal: bool = False


async def mode_of(session: AsyncSession, user: User) -> Mode:
    participation = await active_participation(session, user)
    if participation is not None:
        return Mode(True, drill_id=participation.drill_id)
    if user.exercise:
        return Mode(True, personal=True)
    if user.unit_id is not None:
        ids = [user.unit_id, *await ancestor_ids(session, user.unit_id)]
        unit = await session.scalar(
            select(Unit).where(Unit.id.in_(ids), Unit.exercise.is_(True)).limit(1)
        )
        if unit is not None:
            return Mode(True, unit=unit)
    return Mode(False)


async def switch(session: AsyncSession, user: User, exercise: bool) -> Mode:
    """The person's own switch; what they already started keeps its mode."""
    require_active(user)
    if user.exercise != exercise:
        user.exercise = exercise
        await audit.record(session, user, "exercise.switched", "user", user.id, on=exercise)
    return await mode_of(session, user)


async def switch_unit(session: AsyncSession, admin: User, unit_id: int, exercise: bool) -> Unit:
    """An admin puts a unit (and the units below it) in exercise, or back to real work."""
    require_admin(admin)
    unit = await get_unit(session, unit_id)
    if unit.exercise != exercise:
        unit.exercise = exercise
        await audit.record(session, admin, "exercise.unit_switched", "unit", unit.id, on=exercise)
    return unit


async def units_in_exercise(session: AsyncSession) -> list[Unit]:
    return list((await session.scalars(select(Unit).where(Unit.exercise.is_(True)))).all())


def _require_supervisor(actor: User) -> None:
    require_active(actor)
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise AccessDenied()


def validate_scenario(text: str) -> str:
    return bounded_text(text, "scenario", SCENARIO_MIN, SCENARIO_MAX, one_line=False)


async def create_drill(session: AsyncSession, supervisor: User, scenario: str) -> Drill:
    _require_supervisor(supervisor)
    drill = Drill(supervisor_id=supervisor.id, scenario=validate_scenario(scenario))
    session.add(drill)
    await session.flush()
    await audit.record(session, supervisor, "drill.created", "drill", drill.id)
    return drill


async def get_drill(session: AsyncSession, actor: User, drill_id: int) -> Drill:
    """A drill its supervisor (or an admin) handles."""
    _require_supervisor(actor)
    drill = await session.get(Drill, drill_id)
    if drill is None:
        raise NotFound("drill")
    if drill.supervisor_id != actor.id and actor.role is not Role.ADMIN:
        raise AccessDenied()
    return drill


async def my_drills(session: AsyncSession, supervisor: User, limit: int = 8) -> list[Drill]:
    _require_supervisor(supervisor)
    query = select(Drill).where(Drill.supervisor_id == supervisor.id)
    return list((await session.scalars(query.order_by(Drill.id.desc()).limit(limit))).all())


async def candidates(
    session: AsyncSession, supervisor: User, page: int = 0
) -> tuple[list[User], int]:
    """Active officers of the units the supervisor manages, by name, a page at a time."""
    managed = await managed_unit_ids(session, supervisor)
    conditions = [User.status == UserStatus.ACTIVE, User.role == Role.OFFICER]
    if managed is not None:
        conditions.append(User.unit_id.in_(managed))
    total = await session.scalar(select(func.count()).where(*conditions)) or 0
    query = (
        select(User)
        .where(*conditions)
        .order_by(User.full_name, User.id)
        .offset(max(page, 0) * OFFICERS_PAGE_SIZE)
        .limit(OFFICERS_PAGE_SIZE)
    )
    return list((await session.scalars(query)).all()), total


async def chosen(session: AsyncSession, drill_id: int) -> set[int]:
    query = select(DrillParticipant.officer_id).where(DrillParticipant.drill_id == drill_id)
    return set((await session.scalars(query)).all())


async def toggle_officer(
    session: AsyncSession, supervisor: User, drill_id: int, officer_id: int
) -> bool:
    """Choose an officer for an unsent drill, or leave them out again; True when chosen."""
    drill = await get_drill(session, supervisor, drill_id)
    if drill.sent_at is not None:
        raise DrillAlreadySent()
    officer = await session.get(User, officer_id)
    managed = await managed_unit_ids(session, supervisor)
    if officer is None or (managed is not None and officer.unit_id not in managed):
        raise AccessDenied()
    existing = await session.scalar(
        select(DrillParticipant).where(
            DrillParticipant.drill_id == drill.id, DrillParticipant.officer_id == officer.id
        )
    )
    if existing is not None:
        await session.delete(existing)
        await session.flush()
        return False
    session.add(DrillParticipant(drill_id=drill.id, officer_id=officer.id))
    await session.flush()
    return True


async def send_drill(session: AsyncSession, supervisor: User, drill_id: int) -> int:
    """Tell each chosen officer through the outbox; how many were told."""
    drill = await get_drill(session, supervisor, drill_id)
    if drill.sent_at is not None:
        raise DrillAlreadySent()
    officers = await chosen(session, drill.id)
    if not officers:
        raise NobodyChosen()
    drill.sent_at = utcnow()
    session.add_all(
        Notification(recipient_id=officer, kind=DRILL_STARTED, note=str(drill.id))
        for officer in sorted(officers)
    )
    await session.flush()
    await audit.record(
        session, supervisor, "drill.sent", "drill", drill.id, officers=sorted(officers)
    )
    return len(officers)


async def close_drill(session: AsyncSession, supervisor: User, drill_id: int) -> Drill:
    """Nobody starts it any more; officers still in it are back to real work."""
    drill = await get_drill(session, supervisor, drill_id)
    if drill.closed_at is None:
        drill.closed_at = utcnow()
        participants = await session.scalars(
            select(DrillParticipant).where(
                DrillParticipant.drill_id == drill.id,
                DrillParticipant.accepted_at.is_not(None),
                DrillParticipant.finished_at.is_(None),
            )
        )
        for participant in participants.all():
            participant.finished_at = drill.closed_at
        await audit.record(session, supervisor, "drill.closed", "drill", drill.id)
    return drill


async def drill_for_officer(session: AsyncSession, officer: User, drill_id: int) -> Drill:
    """A drill sent to this officer."""
    require_active(officer)
    drill = await session.get(Drill, drill_id)
    if drill is None or drill.sent_at is None or drill.id not in await _drills_of(session, officer):
        raise NotFound("drill")
    return drill


async def _drills_of(session: AsyncSession, officer: User) -> set[int]:
    query = select(DrillParticipant.drill_id).where(DrillParticipant.officer_id == officer.id)
    return set((await session.scalars(query)).all())


async def _participation(session: AsyncSession, officer: User, drill_id: int) -> DrillParticipant:
    participant = await session.scalar(
        select(DrillParticipant)
        .where(DrillParticipant.drill_id == drill_id, DrillParticipant.officer_id == officer.id)
        .with_for_update()
    )
    if participant is None:
        raise NotFound("drill")
    return participant


async def active_participation(session: AsyncSession, officer: User) -> DrillParticipant | None:
    return await session.scalar(
        select(DrillParticipant)
        .where(
            DrillParticipant.officer_id == officer.id,
            DrillParticipant.accepted_at.is_not(None),
            DrillParticipant.finished_at.is_(None),
        )
        .order_by(DrillParticipant.accepted_at.desc())
        .limit(1)
    )


async def accept(
    session: AsyncSession, officer: User, drill_id: int, mid_report: bool
) -> DrillParticipant:
    """The officer starts the drill: from now on what they start is an exercise of it. One
    answering a report's questions is refused and changes nothing; a second press is the same
    start; a drill started while in another one ends the other."""
    drill = await drill_for_officer(session, officer, drill_id)
    participant = await _participation(session, officer, drill.id)
    if participant.accepted_at is not None:
        return participant
    if drill.closed_at is not None:
        raise DrillClosed()
    if mid_report:
        raise MidReport()
    earlier = await active_participation(session, officer)
    participant.accepted_at = utcnow()
    if earlier is not None:
        earlier.finished_at = participant.accepted_at
    await session.flush()
    await audit.record(session, officer, "drill.accepted", "drill", drill.id)
    return participant


async def finish(session: AsyncSession, officer: User, drill_id: int) -> DrillParticipant:
    """The officer ends their part in the drill: back to their own mode."""
    participant = await _participation(session, officer, drill_id)
    if participant.accepted_at is not None and participant.finished_at is None:
        participant.finished_at = utcnow()
        await audit.record(session, officer, "drill.finished", "drill", drill_id)
    return participant


@dataclass(frozen=True)
class StepWalked:
    procedure_id: str
    step_id: str
    step_number: int
    outcome: StepOutcome
    took: timedelta
    critical: bool
    reason: str | None


@dataclass(frozen=True)
class OfficerDebrief:
    officer: User
    accepted_at: datetime | None
    finished_at: datetime | None
    steps: list[StepWalked]
    first_report_after: timedelta | None
    report_numbers: list[str]

    @property
    def steps_done(self) -> list[StepWalked]:
        return [step for step in self.steps if step.outcome is not StepOutcome.SKIPPED]

    @property
    def critical_skipped(self) -> list[StepWalked]:
        return [s for s in self.steps if s.critical and s.outcome is StepOutcome.SKIPPED]


@dataclass(frozen=True)
class DrillDebrief:
    drill: Drill
    supervisor: User
    officers: list[OfficerDebrief]


async def debrief(
    session: AsyncSession, actor: User, drill_id: int, library: ProcedureLibrary
) -> DrillDebrief:
    """Per officer: when they started, each procedure step walked and how long it took (since
    the step before, or the run's start), critical steps skipped with the reasons given, and
    the time from starting the drill to their first report."""
    drill = await get_drill(session, actor, drill_id)
    supervisor = await session.get(User, drill.supervisor_id)
    rows = await session.execute(
        select(DrillParticipant, User)
        .join(User, User.id == DrillParticipant.officer_id)
        .where(DrillParticipant.drill_id == drill.id)
        .order_by(User.full_name, User.id)
    )
    officers = [
        await _officer_debrief(session, drill, participant, officer, library)
        for participant, officer in rows.all()
    ]
    return DrillDebrief(drill, supervisor or actor, officers)


async def _officer_debrief(
    session: AsyncSession,
    drill: Drill,
    participant: DrillParticipant,
    officer: User,
    library: ProcedureLibrary,
) -> OfficerDebrief:
    runs = await session.scalars(
        select(ProcedureRun)
        .where(ProcedureRun.drill_id == drill.id, ProcedureRun.user_id == officer.id)
        .order_by(ProcedureRun.id)
    )
    steps: list[StepWalked] = []
    for run in runs.all():
        steps += await _steps_of(session, run, library)
    reports = await session.execute(
        select(SeizureReport.number, SeizureReport.submitted_at)
        .where(SeizureReport.drill_id == drill.id, SeizureReport.officer_id == officer.id)
        .order_by(SeizureReport.submitted_at, SeizureReport.id)
    )
    filed = reports.all()
    first_after = (
        filed[0][1] - participant.accepted_at
        if filed and filed[0][1] is not None and participant.accepted_at is not None
        else None
    )
    return OfficerDebrief(
        officer,
        participant.accepted_at,
        participant.finished_at,
        steps,
        first_after,
        [number for number, _submitted in filed if number],
    )


async def _steps_of(
    session: AsyncSession, run: ProcedureRun, library: ProcedureLibrary
) -> list[StepWalked]:
    item = library.get(run.procedure_id)
    events = await session.scalars(
        select(ProcedureStepEvent)
        .where(ProcedureStepEvent.run_id == run.id)
        .order_by(ProcedureStepEvent.id)
    )
    walked, since = [], run.started_at
    for event in events.all():
        if event.outcome is StepOutcome.PHOTO:
            continue
        if event.outcome is StepOutcome.BACK:
            since = event.at
            continue
        step = item.step(event.step_id) if item else None
        walked.append(
            StepWalked(
                procedure_id=run.procedure_id,
                step_id=event.step_id,
                step_number=item.position(event.step_id) + 1 if step and item else 0,
                outcome=event.outcome,
                took=event.at - since,
                critical=step is not None and step.is_critical,
                reason=event.reason,
            )
        )
        since = event.at
    return walked
