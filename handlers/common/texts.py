"""Words shown on buttons and screens, in one place so every feature names things alike."""

from __future__ import annotations

import unicodedata

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.text_decorations import html_decoration

from bot.db.models import (
    FoundCategory,
    ItemEstimate,
    ProcedureRun,
    ProcedureStepEvent,
    ReportStatus,
    Role,
    RunStatus,
    StepOutcome,
    Unit,
    UnitKind,
    User,
    UserStatus,
)
from bot.procedures.library import revision_of
from bot.procedures.schema import Category, Step

quote = html_decoration.quote

URGENT = "⚠️"
# What a label's leading emoji is made of: symbols, variation selectors, joiners, skin tones.
_EMOJI_CATEGORIES = ("So", "Sk", "Mn", "Cf")

MENU_PROCEDURES = __("📋 Procedures")
MENU_NEW_REPORT = __("📝 New report")
MENU_MY_REPORTS = __("🗂 My reports")
MENU_MY_DRAFTS = __("📝 My drafts")
MENU_INBOX = __("📥 Inbox")
MENU_INVITE = __("🔗 Invite")
MENU_USERS = __("👥 Users")
MENU_LANGUAGE = __("🌐 Language")
MENU_HELP = __("❓ Help")
MENU_LABELS = (
    MENU_PROCEDURES,
    MENU_NEW_REPORT,
    MENU_MY_REPORTS,
    MENU_MY_DRAFTS,
    MENU_INBOX,
    MENU_INVITE,
    MENU_USERS,
    MENU_LANGUAGE,
    MENU_HELP,
)

# Each language's own name, so a newcomer finds theirs whatever the bot's current language.
LANGUAGE_NAMES = {"ky": "🇰🇬 Кыргызча", "ru": "🇷🇺 Русский", "en": "🇬🇧 English"}


def role_name(role: Role) -> str:
    return {
        Role.OFFICER: _("officer"),
        Role.SUPERVISOR: _("supervisor"),
        Role.ADMIN: _("administrator"),
    }[role]


def status_name(status: UserStatus) -> str:
    return {
        UserStatus.PENDING: _("awaiting approval"),
        UserStatus.ACTIVE: _("active"),
        UserStatus.BLOCKED: _("blocked"),
    }[status]


STATUS_MARKS = {UserStatus.PENDING: "⏳", UserStatus.ACTIVE: "✅", UserStatus.BLOCKED: "⛔"}


def unit_kind_name(kind: UnitKind) -> str:
    return {
        UnitKind.HEADQUARTERS: _("headquarters"),
        UnitKind.DETACHMENT: _("border detachment"),
        UnitKind.POST: _("border post"),
        UnitKind.CROSSING_POINT: _("border crossing point"),
    }[kind]


def unit_label(unit: Unit | None, language: str) -> str:
    """A unit as people read it; HTML-escaped because admins type unit names."""
    if unit is None:
        return _("no unit")
    return html_decoration.quote(f"{unit.display_name(language)} ({unit.code})")


def person_label(user: User) -> str:
    name = user.full_name or _("(no name)")
    username = f" @{user.username}" if user.username else ""
    return html_decoration.quote(f"{name}{username}")


CATEGORY_MARKS = {
    Category.SAFETY: "🛑",
    Category.EXPLOSIVES: "💣",
    Category.FIREARMS: "🔫",
    Category.AMMUNITION: "🧰",
    Category.EVIDENCE: "📦",
    Category.TRACING: "🔎",
    Category.PERSONS: "🧍",
    Category.REPORTING: "📣",
}


def category_name(category: Category) -> str:
    return {
        Category.SAFETY: _("First response and safety"),
        Category.EXPLOSIVES: _("Explosives"),
        Category.FIREARMS: _("Firearms"),
        Category.AMMUNITION: _("Ammunition"),
        Category.EVIDENCE: _("Evidence and custody"),
        Category.TRACING: _("Tracing and checks"),
        Category.PERSONS: _("Persons and vehicles"),
        Category.REPORTING: _("Notification and reporting"),
    }[category]


def plain_name(label: str) -> str:
    """A label without the emoji it starts with ("🔫 Firearms" -> "Firearms"): the buttons'
    words, for data such as a spreadsheet cell, where an emoji breaks filters and imports."""
    start = 0
    while start < len(label) and (
        label[start].isspace() or unicodedata.category(label[start]) in _EMOJI_CATEGORIES
    ):
        start += 1
    return label[start:]


def found_name(category: FoundCategory) -> str:
    return {
        FoundCategory.FIREARMS: _("🔫 Firearms"),
        FoundCategory.AMMUNITION: _("🧰 Ammunition"),
        FoundCategory.EXPLOSIVES: _("💣 Explosives"),
        FoundCategory.MIXED: _("🔀 Mixed"),
        FoundCategory.OTHER: _("❔ Other"),
    }[category]


def estimate_name(estimate: ItemEstimate) -> str:
    return {
        # Numbers read the same in every language.
        ItemEstimate.ONE: "1",
        ItemEstimate.FEW: "2–5",
        ItemEstimate.SEVERAL: "6–20",
        ItemEstimate.MANY: _("more than 20"),
        ItemEstimate.UNKNOWN: _("not known yet"),
    }[estimate]


def report_status_name(status: ReportStatus) -> str:
    return {
        ReportStatus.DRAFT: _("draft"),
        ReportStatus.INITIAL: _("quick log filed"),
        ReportStatus.SUBMITTED: _("submitted"),
        ReportStatus.RETURNED: _("returned for correction"),
        ReportStatus.ACKNOWLEDGED: _("acknowledged"),
        ReportStatus.CLOSED: _("closed"),
    }[status]


def outcome_name(outcome: StepOutcome) -> str:
    """What became of a procedure step, in the run review and in the report's PDF."""
    return {
        StepOutcome.DONE: _("done"),
        StepOutcome.SKIPPED: _("skipped"),
        StepOutcome.ANSWERED: _("answered"),
        StepOutcome.PHOTO: _("photo stored"),
        StepOutcome.BACK: _("went back"),
    }[outcome]


def run_status_name(status: RunStatus) -> str:
    return {
        RunStatus.IN_PROGRESS: _("in progress"),
        RunStatus.COMPLETED: _("completed"),
        RunStatus.STOPPED: _("stopped"),
        RunStatus.REDIRECTED: _("continued in another procedure"),
    }[status]


def chosen_answer(step: Step, event: ProcedureStepEvent, language: str) -> str | None:
    """The label of the answer a question step's event records, in the reader's language. An
    event recorded before answers were numbered keeps only where it led: two answers leading
    to the same place are then both named."""
    number = event.answer_number
    if number is not None and 0 <= number < len(step.answers):
        return step.answers[number].label(language)
    labels = [
        answer.label(language)
        for answer in step.answers
        if event.answer is not None and event.answer in (answer.goto, answer.procedure)
    ]
    return " / ".join(labels) or None


def procedure_version(version: int, content_hash: str) -> str:
    """Which text of a procedure was read: its file's version and the start of its content
    hash, the same in the overview, the run review and the PDF."""
    return _("Version: {revision}").format(revision=revision_of(version, content_hash))


def run_version(run: ProcedureRun) -> str:
    return procedure_version(run.procedure_version, run.content_hash)


EXERCISE_MARK = "🎯"


def exercise_marked(text: str, exercise: bool) -> str:
    """A title of something made in exercise, marked so nobody takes it for real work."""
    return f"{EXERCISE_MARK} {_('EXERCISE')} · {text}" if exercise else text
