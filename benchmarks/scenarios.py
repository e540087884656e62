"""The three moments an officer waits for, as updates fed to the bot, each undone afterwards
(outside the timing) so that every sample measures the same thing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aiogram.types import Update
from sqlalchemy import update

from benchmarks.harness import RealBot
from benchmarks.officers import (
    Officer,
    open_procedure_runs,
    open_report_drafts,
)
from benchmarks.updates import UpdateFactory
from bot.db.models import ProcedureRun
from bot.services.report_fields import Section
from handlers.common.callbacks import DraftChoice, StepAction


class Scenario(Protocol):
    name: str
    title: str

    async def prepare(self, bot: RealBot, officers: list[Officer]) -> None:
        """Put the officers where the update finds them (a run, a draft)."""

    def update(self, officer: Officer) -> Update: ...

    async def undo(self, bot: RealBot, officer: Officer) -> None:
        """Back to where `prepare` left the officer."""


@dataclass
class ChecklistStepPress:
    """ "✅ Done" on a step of a procedure run: the next step replaces the message."""

    updates: UpdateFactory
    name: str = "checklist_step"
    title: str = "checklist step press"

    def __post_init__(self) -> None:
        self.run_of: dict[int, int] = {}

    async def prepare(self, bot: RealBot, officers: list[Officer]) -> None:
        library = bot.dispatcher["procedures"]
        self.first_step = library.get("tracing").procedure.steps[0].id
        self.run_of |= await open_procedure_runs(bot.app.session_factory, officers, library)

    def update(self, officer: Officer) -> Update:
        return self.press(officer, step=1, action="done")

    def press(self, officer: Officer, step: int, action: str) -> Update:
        data = StepAction(run=self.run_of[officer.telegram_id], step=step, action=action)
        return self.updates.press(officer.telegram_id, data.pack(), "Step 1 of 5")

    async def undo(self, bot: RealBot, officer: Officer) -> None:
        async with bot.app.session_factory.begin() as session:
            await session.execute(
                update(ProcedureRun)
                .where(ProcedureRun.id == self.run_of[officer.telegram_id])
                .values(current_step=self.first_step, path=[])
            )


def report_field_answer_scenario(updates: UpdateFactory) -> Scenario:
    """A field of the full report answered with a button: "Direction: Entry"."""
    return FullReportFieldAnswer(updates)


@dataclass
class FullReportFieldAnswer:
    updates: UpdateFactory
    name: str = "report_field_answer"
    title: str = "report field answer"

    def __post_init__(self) -> None:
        self.draft_of: dict[int, int] = {}

    async def prepare(self, bot: RealBot, officers: list[Officer]) -> None:
        self.draft_of |= await open_report_drafts(bot.app.session_factory, officers)

    def update(self, officer: Officer) -> Update:
        data = DraftChoice(
            draft=self.draft_of[officer.telegram_id],
            section=Section.INCIDENT,
            key="direction",
            entry=0,
            code="entry",
        )
        return self.updates.press(officer.telegram_id, data.pack(), "Direction")

    async def undo(self, bot: RealBot, officer: Officer) -> None:
        """Answering the same field again stores the same answer: nothing to undo."""


@dataclass
class MainMenuOpen:
    """/start of an active officer: the welcome with the main menu keyboard."""

    updates: UpdateFactory
    name: str = "main_menu"
    title: str = "main menu open"

    async def prepare(self, bot: RealBot, officers: list[Officer]) -> None:
        """Active officers need nothing more."""

    def update(self, officer: Officer) -> Update:
        return self.updates.text(officer.telegram_id, "/start")

    async def undo(self, bot: RealBot, officer: Officer) -> None:
        """Opening the menu changes nothing worth undoing."""


def interactive_scenarios(updates: UpdateFactory) -> list[Scenario]:
    return [
        ChecklistStepPress(updates),
        report_field_answer_scenario(updates),
        MainMenuOpen(updates),
    ]
