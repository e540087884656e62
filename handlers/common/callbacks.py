"""Callback data of every button: short prefixes and database ids, never text (64-byte limit)."""

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import BeforeValidator, PlainSerializer

from bot.services.report_fields import Section

# A report section in one letter: a field key and a choice code must fit beside it in 64 bytes.
_SECTION_LETTERS = {
    Section.INCIDENT: "n",
    Section.CONVEYANCE: "c",
    Section.ITEM: "t",
    Section.PERSON: "p",
}
_SECTIONS = {letter: section for section, letter in _SECTION_LETTERS.items()}
SectionField = Annotated[
    Section,
    BeforeValidator(lambda value: _SECTIONS.get(value, value)),
    PlainSerializer(lambda section: _SECTION_LETTERS[section], return_type=str),
]


class LanguagePick(CallbackData, prefix="lang"):
    code: str


class RequestAccess(CallbackData, prefix="rq"):
    pass


class UnitPage(CallbackData, prefix="upg"):
    purpose: str
    page: int


class UnitPick(CallbackData, prefix="upk"):
    purpose: str
    unit_id: int


class AccessDecision(CallbackData, prefix="acc"):
    request_id: int
    approve: bool


class UsersPage(CallbackData, prefix="usp"):
    page: int


class UserCard(CallbackData, prefix="usc"):
    user_id: int


class UserAction(CallbackData, prefix="usa"):
    user_id: int
    action: str


class UserRolePick(CallbackData, prefix="usr"):
    user_id: int
    role: str


class UnitsScreen(CallbackData, prefix="uns"):
    action: str
    page: int = 0


class UnitKindPick(CallbackData, prefix="ukd"):
    kind: str


class InviteRolePick(CallbackData, prefix="ivr"):
    role: str


class ProcedureMenu(CallbackData, prefix="pm"):
    category: str = ""


class ProcedureOpen(CallbackData, prefix="po"):
    procedure: str
    action: str = "overview"


class StepAction(CallbackData, prefix="st"):
    run: int
    step: int
    action: str


class StepAnswer(CallbackData, prefix="sa"):
    run: int
    step: int
    answer: int


class RunsPage(CallbackData, prefix="rp"):
    page: int


class RunDetails(CallbackData, prefix="rd"):
    run: int


class QuickStart(CallbackData, prefix="ql"):
    run: int = 0


class QuickCategory(CallbackData, prefix="qc"):
    category: str


class QuickPlace(CallbackData, prefix="qp"):
    unit_id: int


class QuickCount(CallbackData, prefix="qn"):
    estimate: str


class QuickDanger(CallbackData, prefix="qd"):
    danger: bool


class AttachRun(CallbackData, prefix="at"):
    report: int
    run: int


class ReportsPage(CallbackData, prefix="rl"):
    page: int


class ReportOpen(CallbackData, prefix="ro"):
    report: int


class AckReport(CallbackData, prefix="ak"):
    """Names the revision the message showed: a report changed since is not acknowledged."""

    report: int
    revision: int


class InboxPage(CallbackData, prefix="ib"):
    page: int = 0
    awaiting: bool = True
    unit: int = 0


class ReturnReport(CallbackData, prefix="rt"):
    report: int
    revision: int


class CorrectReport(CallbackData, prefix="cr"):
    report: int


class FullReportStart(CallbackData, prefix="frs"):
    # When the officer pressed New report, as Telegram stamped it: the default time.
    at: int


class DraftsList(CallbackData, prefix="drl"):
    pass


class DraftOpen(CallbackData, prefix="dro"):
    draft: int


class DraftSectionOpen(CallbackData, prefix="drs"):
    draft: int
    section: SectionField
    entry: int = 0


class DraftAsk(CallbackData, prefix="drq"):
    draft: int
    section: SectionField
    key: str
    entry: int = 0
    walk: bool = False


class DraftChoice(CallbackData, prefix="dc"):
    """A button answer; it names its field, so a button of an older question is not misapplied."""

    draft: int
    section: SectionField
    key: str
    entry: int
    code: str
    walk: bool = False


class DraftAddEntry(CallbackData, prefix="dra"):
    draft: int
    section: SectionField
    kind: str = ""


class DraftRemoveEntry(CallbackData, prefix="drx"):
    draft: int
    section: SectionField
    entry: int
    confirmed: bool = False


class DraftPhotos(CallbackData, prefix="drp"):
    draft: int
    item: int = 0


class PhotoDecision(StrEnum):
    ASK = "a"
    REMOVE = "r"
    KEEP = "k"


class DraftPhotoRemove(CallbackData, prefix="drr"):
    """A photo sent to a draft by mistake: asked about, then removed or kept after all."""

    draft: int
    photo: int
    decision: PhotoDecision = PhotoDecision.ASK


class DraftSubmit(CallbackData, prefix="drf"):
    draft: int


class DraftDiscard(CallbackData, prefix="drd"):
    draft: int
    confirmed: bool = False


class ReportComplete(CallbackData, prefix="rcm"):
    report: int


class ReportItemView(CallbackData, prefix="riv"):
    report: int
    number: int


class ReportMedia(CallbackData, prefix="rmd"):
    """The report's photos, or its whole narrative, sent as messages of their own."""

    report: int
    what: str


class ExportChoice(CallbackData, prefix="ex"):
    period: str = ""
    file_format: str = ""


class ReportHistory(CallbackData, prefix="rhi"):
    report: int
