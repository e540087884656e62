"""Callback data of every button: short prefixes and database ids, never text (64-byte limit)."""

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import BeforeValidator, Field, PlainSerializer

from bot.services.report_fields import Section

# Every number a button carries is a database id, a page or a position: an `integer` column's
# range (PostgreSQL's is 32 bits). Forged data beyond it is not unpacked, so the press is
# refused as an unknown button instead of failing in the database.
Number = Annotated[int, Field(ge=-(2**31), lt=2**31)]
# Seconds since 1970 up to the last day Python's dates reach (9999-12-31).
Timestamp = Annotated[int, Field(ge=0, le=253_402_300_799)]

# A report section in one letter: a field key and a choice code must fit beside it in 64 bytes.
_SECTION_LETTERS = {
    Section.INCIDENT: "n",
    Section.CONVEYANCE: "c",
    Section.ITEM: "t",
    Section.PERSON: "p",
    Section.NOTICE: "g",
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
    page: Number


class UnitPick(CallbackData, prefix="upk"):
    purpose: str
    unit_id: Number


class AccessDecision(CallbackData, prefix="acc"):
    request_id: Number
    approve: bool


class UsersPage(CallbackData, prefix="usp"):
    page: Number


class UserCard(CallbackData, prefix="usc"):
    user_id: Number


class UserAction(CallbackData, prefix="usa"):
    user_id: Number
    action: str


class UserRolePick(CallbackData, prefix="usr"):
    user_id: Number
    role: str


class UnitsScreen(CallbackData, prefix="uns"):
    action: str
    page: Number = 0


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
    run: Number
    step: Number
    action: str


class StepAnswer(CallbackData, prefix="sa"):
    run: Number
    step: Number
    answer: Number


class RunsPage(CallbackData, prefix="rp"):
    page: Number


class RunDetails(CallbackData, prefix="rd"):
    run: Number


class QuickStart(CallbackData, prefix="ql"):
    run: Number = 0


class QuickCategory(CallbackData, prefix="qc"):
    category: str


class QuickPlace(CallbackData, prefix="qp"):
    unit_id: Number


class QuickCount(CallbackData, prefix="qn"):
    estimate: str


class QuickDanger(CallbackData, prefix="qd"):
    danger: bool


class AttachRun(CallbackData, prefix="at"):
    report: Number
    run: Number


class ReportsPage(CallbackData, prefix="rl"):
    page: Number


class ReportOpen(CallbackData, prefix="ro"):
    report: Number


class AckReport(CallbackData, prefix="ak"):
    """Names the revision the message showed: a report changed since is not acknowledged."""

    report: Number
    revision: Number


class InboxPage(CallbackData, prefix="ib"):
    page: Number = 0
    awaiting: bool = True
    unit: Number = 0


class ReturnReport(CallbackData, prefix="rt"):
    report: Number
    revision: Number


class CorrectReport(CallbackData, prefix="cr"):
    report: Number


class FullReportStart(CallbackData, prefix="frs"):
    # When the officer pressed New report, as Telegram stamped it: the default time.
    at: Timestamp


class DraftsList(CallbackData, prefix="drl"):
    pass


class DraftOpen(CallbackData, prefix="dro"):
    draft: Number


class DraftSectionOpen(CallbackData, prefix="drs"):
    draft: Number
    section: SectionField
    entry: Number = 0


class DraftAsk(CallbackData, prefix="drq"):
    draft: Number
    section: SectionField
    key: str
    entry: Number = 0
    walk: bool = False


class DraftChoice(CallbackData, prefix="dc"):
    """A button answer; it names its field, so a button of an older question is not misapplied."""

    draft: Number
    section: SectionField
    key: str
    entry: Number
    code: str
    walk: bool = False


class DraftAddEntry(CallbackData, prefix="dra"):
    draft: Number
    section: SectionField
    kind: str = ""


class DraftRemoveEntry(CallbackData, prefix="drx"):
    draft: Number
    section: SectionField
    entry: Number
    confirmed: bool = False


class DraftPhotos(CallbackData, prefix="drp"):
    draft: Number
    item: Number = 0


class PhotoDecision(StrEnum):
    ASK = "a"
    REMOVE = "r"
    KEEP = "k"


class DraftPhotoRemove(CallbackData, prefix="drr"):
    """A photo sent to a draft by mistake: asked about, then removed or kept after all."""

    draft: Number
    photo: Number
    decision: PhotoDecision = PhotoDecision.ASK


class DraftSubmit(CallbackData, prefix="drf"):
    draft: Number


class DraftDiscard(CallbackData, prefix="drd"):
    draft: Number
    confirmed: bool = False


class ReportStartFrom(CallbackData, prefix="rsf"):
    """A new full report starting with the place, route and conveyance of this one."""

    report: Number


class ReportComplete(CallbackData, prefix="rcm"):
    report: Number


class ReportItemView(CallbackData, prefix="riv"):
    report: Number
    number: Number


class ReportMedia(CallbackData, prefix="rmd"):
    """The report's photos, or its whole narrative, sent as messages of their own."""

    report: Number
    what: str


class ExportChoice(CallbackData, prefix="ex"):
    period: str = ""
    file_format: str = ""
    # The national sheet with exercises too (it leaves them out otherwise).
    exercises: bool = False


class ReportHistory(CallbackData, prefix="rhi"):
    report: Number


class LinkVerdict(CallbackData, prefix="lnk"):
    """A supervisor's decision on a possible link between two seizures: "c" confirmed, "u"
    unrelated."""

    link: Number
    verdict: str


class CustodyOpen(CallbackData, prefix="cuo"):
    """A report's chain of custody: who holds each item, and every hand-over."""

    report: Number


class CustodyStart(CallbackData, prefix="cus"):
    report: Number


class CustodyPick(CallbackData, prefix="cup"):
    """An item chosen (or not) for the hand-over being written; 0 chooses all, -1 goes on."""

    report: Number
    item: Number


class CustodyTo(CallbackData, prefix="cut"):
    report: Number
    outside: bool


class CustodySeal(CallbackData, prefix="cui"):
    report: Number
    intact: bool


class CustodyAction(StrEnum):
    CONFIRM = "c"
    REFUSE = "r"
    CANCEL = "x"
    ACT = "a"


class CustodyDecide(CallbackData, prefix="cud"):
    """What a side does with an open hand-over; the service checks who may."""

    transfer: Number
    action: CustodyAction


class SafetyReply(StrEnum):
    SAFE = "s"
    SAPPERS = "p"
    CLOSED = "c"


class SafetyAnswer(CallbackData, prefix="sfa"):
    """An answer to one safety check: the check's number, so an old one is not taken for the
    latest."""

    watch: Number
    check: Number
    reply: SafetyReply


class SafetyHelp(CallbackData, prefix="sfh"):
    report: Number


# Exercise mode and drills (handlers/exercise).
class ExerciseMenu(CallbackData, prefix="xmn"):
    pass


class ExerciseSwitch(CallbackData, prefix="xsw"):
    on: bool


class ExerciseUnits(CallbackData, prefix="xun"):
    page: Number = 0


class ExerciseUnitSwitch(CallbackData, prefix="xus"):
    unit: Number
    on: bool
    page: Number = 0


class DrillDo(StrEnum):
    NEW = "n"
    OPEN = "o"
    SEND = "s"
    CLOSE = "c"
    PDF = "p"


class DrillAction(CallbackData, prefix="xda"):
    """A supervisor's press on a drill's screens (drill 0: a new one)."""

    do: DrillDo
    drill: Number = 0


class DrillPick(CallbackData, prefix="xdp"):
    drill: Number
    officer: Number = 0  # 0: only turn to `page`
    page: Number = 0


class DrillStart(CallbackData, prefix="xdt"):
    drill: Number


class DrillEnd(CallbackData, prefix="xde"):
    drill: Number
