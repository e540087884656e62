"""The shape of a procedure file, validated with pydantic; rules across steps live in checks.py."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """One text in every language the bot speaks; a missing one is an error naming the field."""

    ky: NonEmpty
    ru: NonEmpty
    en: NonEmpty

    def __call__(self, language: str) -> str:
        return str(getattr(self, language, self.en))


class Category(StrEnum):
    SAFETY = "safety"
    EXPLOSIVES = "explosives"
    FIREARMS = "firearms"
    AMMUNITION = "ammunition"
    EVIDENCE = "evidence"
    TRACING = "tracing"
    PERSONS = "persons"
    REPORTING = "reporting"


class StepKind(StrEnum):
    INSTRUCTION = "instruction"
    CRITICAL = "critical"
    QUESTION = "question"
    PHOTO = "photo"


class Answer(Strict):
    """A button of a question: it leads to a step of this procedure or to another procedure."""

    label: Text
    goto: Identifier | None = None
    procedure: Identifier | None = None
    # "Not trained / weapon not intact": after this answer no step that handles an item may follow.
    stops_handling: bool = False


class Step(Strict):
    id: Identifier
    kind: StepKind
    text: Text
    critical: bool = False
    sources: list[NonEmpty] = Field(default_factory=list)
    next: Identifier | None = None
    answers: list[Answer] = Field(default_factory=list)
    # A step that checks for explosive or ammunition hazards; handling waits for all of them.
    hazard_check: bool = False
    # A step where the officer touches, moves, unloads, counts or packs an item.
    handles_item: bool = False

    @property
    def is_critical(self) -> bool:
        return self.kind is StepKind.CRITICAL or self.critical


class Procedure(Strict):
    id: Identifier
    version: Annotated[int, Field(ge=1)]
    category: Category
    order: Annotated[int, Field(ge=1)] = 100
    title: Text
    summary: Text
    keywords: Text | None = None
    steps: Annotated[list[Step], Field(min_length=1)]

    def following(self, step: Step) -> list[str]:
        """Steps a step can lead to within this procedure: its answers' steps, else its `next`,
        else the step after it."""
        if step.answers:
            return [answer.goto for answer in step.answers if answer.goto]
        if step.next:
            return [step.next]
        ids = [candidate.id for candidate in self.steps]
        index = ids.index(step.id)
        return [ids[index + 1]] if index + 1 < len(ids) else []


class Source(Strict):
    title: Text
    url: str | None = None


class SourceList(Strict):
    sources: dict[NonEmpty, Source]
