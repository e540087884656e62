"""Walking through a procedure: every step's outcome recorded, critical steps guarded."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    ProcedureRun,
    ProcedureStepEvent,
    RunStatus,
    StepOutcome,
    User,
    utcnow,
)
from bot.procedures.library import LoadedProcedure, ProcedureLibrary
from bot.procedures.schema import Step, StepKind
from bot.services import audit, exercise
from bot.services.errors import AccessDenied, DomainError, NotFound, bounded_text
from bot.services.permissions import managed_unit_ids, require_active

REASON_MIN, REASON_MAX = 3, 500


class StaleStep(DomainError):
    """The button belongs to a step the run has already left (an old message, a double tap)."""


class ConfirmationRequired(DomainError):
    """A critical step is passed only by its explicit confirmation, or skipped with a reason."""


class PhotoRequired(DomainError):
    """A photo step is done once a photo is stored; otherwise it is skipped."""


class ProcedureChanged(DomainError):
    """The procedure's content changed so that the run's step no longer exists."""


@dataclass(frozen=True)
class RunView:
    """A run with the content it follows, as the screens need it."""

    run: ProcedureRun
    item: LoadedProcedure

    @property
    def step(self) -> Step | None:
        return self.item.step(self.run.current_step) if self.run.current_step else None

    @property
    def finished(self) -> bool:
        return self.run.status is not RunStatus.IN_PROGRESS


async def active_run(session: AsyncSession, user: User) -> ProcedureRun | None:
    return await session.scalar(
        select(ProcedureRun)
        .where(ProcedureRun.user_id == user.id, ProcedureRun.status == RunStatus.IN_PROGRESS)
        .order_by(ProcedureRun.id.desc())
        .limit(1)
    )


async def usage_counts(session: AsyncSession) -> dict[str, int]:
    """How often each procedure was followed for real (drills and exercises are not use)."""
    rows = await session.execute(
        select(ProcedureRun.procedure_id, func.count())
        .where(ProcedureRun.exercise.is_(False))
        .group_by(ProcedureRun.procedure_id)
    )
    return {procedure_id: count for procedure_id, count in rows.all()}


async def start_run(session: AsyncSession, user: User, item: LoadedProcedure) -> ProcedureRun:
    """A new run; one still open is closed as stopped (its record stays)."""
    require_active(user)
    previous = await active_run(session, user)
    if previous is not None:
        _finish(previous, RunStatus.STOPPED)
    mode = await exercise.mode_of(session, user)
    run = ProcedureRun(
        exercise=mode.exercise,
        drill_id=mode.drill_id,
        user_id=user.id,
        procedure_id=item.id,
        procedure_version=item.procedure.version,
        content_hash=item.content_hash,
        current_step=item.procedure.steps[0].id,
        path=[],
    )
    session.add(run)
    await session.flush()
    await audit.record(
        session, user, "procedure.started", "procedure_run", run.id, procedure=item.id
    )
    return run


async def open_run(
    session: AsyncSession, user: User, run_id: int, library: ProcedureLibrary
) -> RunView:
    run = await session.get(ProcedureRun, run_id, with_for_update=True)
    if run is None:
        raise NotFound("procedure_run")
    if run.user_id != user.id:
        raise AccessDenied()
    item = library.get(run.procedure_id)
    if item is None or (run.current_step and item.step(run.current_step) is None):
        if run.status is RunStatus.IN_PROGRESS:
            _finish(run, RunStatus.STOPPED)
        raise ProcedureChanged()
    return RunView(run, item)


def _current(view: RunView, step_number: int) -> Step:
    """The run's current step, if the button pressed was made for it."""
    step = view.step
    if view.finished or step is None or view.item.position(step.id) != step_number:
        raise StaleStep()
    return step


def _finish(run: ProcedureRun, status: RunStatus) -> None:
    run.status, run.finished_at = status, utcnow()


def _record(
    session: AsyncSession,
    run: ProcedureRun,
    step: Step,
    outcome: StepOutcome,
    **details: str | int | None,
) -> None:
    session.add(ProcedureStepEvent(run_id=run.id, step_id=step.id, outcome=outcome, **details))


def _advance(view: RunView, step: Step, target: str | None) -> None:
    run = view.run
    run.path = [*run.path, step.id]
    if target is None:
        run.current_step = None
        _finish(run, RunStatus.COMPLETED)
    else:
        run.current_step = target


def _next_of(view: RunView, step: Step) -> str | None:
    following = view.item.following(step)
    return following[0] if following else None


async def _photos_at(session: AsyncSession, run: ProcedureRun, step: Step) -> int:
    return (
        await session.scalar(
            select(func.count()).where(
                ProcedureStepEvent.run_id == run.id,
                ProcedureStepEvent.step_id == step.id,
                ProcedureStepEvent.outcome == StepOutcome.PHOTO,
            )
        )
        or 0
    )


async def complete_step(
    session: AsyncSession, view: RunView, step_number: int, confirmed: bool = False
) -> None:
    step = _current(view, step_number)
    if step.kind is StepKind.QUESTION:
        raise StaleStep()
    if step.is_critical and not confirmed:
        raise ConfirmationRequired()
    if step.kind is StepKind.PHOTO and not await _photos_at(session, view.run, step):
        raise PhotoRequired()
    _record(session, view.run, step, StepOutcome.DONE)
    _advance(view, step, _next_of(view, step))


def validate_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    return bounded_text(reason, "reason", REASON_MIN, REASON_MAX)


async def skip_step(
    session: AsyncSession, view: RunView, step_number: int, reason: str | None = None
) -> None:
    step = _current(view, step_number)
    reason = validate_reason(reason)
    if step.is_critical and reason is None:
        raise ConfirmationRequired()
    if step.kind is StepKind.QUESTION:
        raise StaleStep()
    _record(session, view.run, step, StepOutcome.SKIPPED, reason=reason)
    _advance(view, step, _next_of(view, step))


async def answer_question(
    session: AsyncSession,
    user: User,
    view: RunView,
    step_number: int,
    answer_number: int,
    library: ProcedureLibrary,
) -> ProcedureRun:
    """Follow an answer; one leading to another procedure starts a run of it, linked."""
    step = _current(view, step_number)
    if not 0 <= answer_number < len(step.answers):
        raise StaleStep()
    answer = step.answers[answer_number]
    _record(
        session,
        view.run,
        step,
        StepOutcome.ANSWERED,
        answer=answer.goto or answer.procedure,
        answer_number=answer_number,
    )
    if answer.goto:
        _advance(view, step, answer.goto)
        return view.run
    target = library.get(answer.procedure or "")
    if target is None:
        raise ProcedureChanged()
    view.run.path = [*view.run.path, step.id]
    _finish(view.run, RunStatus.REDIRECTED)
    continued = await start_run(session, user, target)
    view.run.continued_in_id = continued.id
    return continued


async def add_photo(
    session: AsyncSession, user: User, view: RunView, file_id: str, sha256: str
) -> int:
    """Record a photo, already kept under its SHA-256, at the current photo step; returns how
    many that step has. The hash also goes into the audit log, whose chain covers it."""
    step = view.step
    if view.finished or step is None or step.kind is not StepKind.PHOTO:
        raise StaleStep()
    _record(session, view.run, step, StepOutcome.PHOTO, photo_file_id=file_id, photo_sha256=sha256)
    await audit.record(
        session, user, "procedure.photo", "procedure_run", view.run.id, step=step.id, sha256=sha256
    )
    await session.flush()
    return await _photos_at(session, view.run, step)


async def photos_at_current(session: AsyncSession, view: RunView) -> int:
    step = view.step
    # Only a photo step shows its count: every other step press is spared the query.
    if step is None or step.kind is not StepKind.PHOTO:
        return 0
    return await _photos_at(session, view.run, step)


async def go_back(session: AsyncSession, view: RunView, step_number: int) -> None:
    step = _current(view, step_number)
    if not view.run.path:
        raise StaleStep()
    _record(session, view.run, step, StepOutcome.BACK)
    *earlier, previous = view.run.path
    view.run.path, view.run.current_step = earlier, previous


async def stop_run(session: AsyncSession, user: User, view: RunView) -> None:
    if view.finished:
        raise StaleStep()
    _finish(view.run, RunStatus.STOPPED)
    await audit.record(session, user, "procedure.stopped", "procedure_run", view.run.id)


async def run_events(session: AsyncSession, run_id: int) -> list[ProcedureStepEvent]:
    query = select(ProcedureStepEvent).where(ProcedureStepEvent.run_id == run_id)
    return list((await session.scalars(query.order_by(ProcedureStepEvent.id))).all())


RUNS_PAGE_SIZE = 8


async def runs_for_review(
    session: AsyncSession, actor: User, page: int = 0
) -> tuple[list[tuple[ProcedureRun, User]], int]:
    """Runs of the people in the units an actor manages, newest first."""
    managed = await managed_unit_ids(session, actor)
    if managed is not None and not managed:
        raise AccessDenied()
    query = select(ProcedureRun, User).join(User, User.id == ProcedureRun.user_id)
    count = (
        select(func.count()).select_from(ProcedureRun).join(User, User.id == ProcedureRun.user_id)
    )
    if managed is not None:
        query, count = (
            query.where(User.unit_id.in_(managed)),
            count.where(User.unit_id.in_(managed)),
        )
    rows = await session.execute(
        query.order_by(ProcedureRun.id.desc())
        .offset(max(page, 0) * RUNS_PAGE_SIZE)
        .limit(RUNS_PAGE_SIZE)
    )
    return [(run, officer) for run, officer in rows.all()], await session.scalar(count) or 0


async def run_for_review(
    session: AsyncSession, actor: User, run_id: int
) -> tuple[ProcedureRun, User, list[ProcedureStepEvent]]:
    run = await session.get(ProcedureRun, run_id)
    if run is None:
        raise NotFound("procedure_run")
    officer = await session.get(User, run.user_id)
    if officer is None:
        raise NotFound("user")
    if officer.id != actor.id:
        managed = await managed_unit_ids(session, actor)
        if managed is not None and officer.unit_id not in managed:
            raise AccessDenied()
    return run, officer, await run_events(session, run.id)
