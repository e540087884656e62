"""Localized explanations of what a service refused, so each can be answered plainly."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.services.drafts import ENTRIES_PER_LIST, PHOTOS_PER_DRAFT
from bot.services.errors import InvalidInput
from bot.services.exports import PDF_REPORTS_LIMIT
from bot.services.procedure_runs import REASON_MAX, REASON_MIN
from bot.services.reports import COMMENT_MAX, PLACE_TEXT_MAX
from bot.services.units import NAME_MAX_LENGTH


def input_problem(problem: InvalidInput) -> str:
    reasons = {
        ("name", "too_short"): _("The name is too short. Please type it again."),
        ("name", "too_long"): _(
            "The name is too long (at most {limit} characters). Please type it again."
        ).format(limit=NAME_MAX_LENGTH),
        ("name", "no_letters"): _("A name must contain letters. Please type it again."),
        ("code", "format"): _(
            "A unit code is 2 to 32 Latin letters, digits or dashes, e.g. DOSTUK. "
            "Please type it again."
        ),
        ("code", "taken"): _("A unit with this code already exists. Please type another code."),
        ("language", "unknown"): _("Unknown language."),
        ("location", "out_of_range"): _(
            "This location is not valid (latitude −90…90, longitude −180…180). "
            "Please send it again."
        ),
        ("place", "too_short"): _("The place is too short. Please type it again."),
        ("place", "too_long"): _(
            "The place is too long (at most {limit} characters). Please type it again."
        ).format(limit=PLACE_TEXT_MAX),
        ("occurred_at", "in_future"): _("The time of the seizure cannot be in the future."),
        ("unit", "missing"): _(
            "You have no unit yet, so a report cannot be numbered. "
            "Ask an administrator to set your unit."
        ),
        ("export", "too_many_for_pdf"): _(
            "Too many reports for one PDF (at most {limit}). Choose a spreadsheet instead."
        ).format(limit=PDF_REPORTS_LIMIT),
        ("period", "reversed"): _("The period ends before it begins."),
        ("period", "too_long"): _("The period is too long: at most three years."),
        ("report", "not_open"): _("This report can no longer be changed by you."),
        ("report", "incomplete"): _("Some mandatory fields are still missing."),
        ("choice", "stale"): _("This button belongs to an earlier question. Nothing was changed."),
        ("field", "required"): _("This field is mandatory and cannot be cleared."),
        ("item", "too_many"): _("A report holds at most {limit} items.").format(
            limit=ENTRIES_PER_LIST
        ),
        ("person", "too_many"): _("A report holds at most {limit} persons.").format(
            limit=ENTRIES_PER_LIST
        ),
        ("photos", "too_many"): _("A draft holds at most {limit} photos.").format(
            limit=PHOTOS_PER_DRAFT
        ),
        ("photo", "gone"): _("This photo is no longer in the draft. Nothing was changed."),
        ("procedure_run", "unfinished"): _("Only a finished procedure can be added to a report."),
        ("comment", "too_short"): _("The comment is too short. Please type it again."),
        ("comment", "too_long"): _(
            "The comment is too long (at most {limit} characters). Please type it again."
        ).format(limit=COMMENT_MAX),
        ("reason", "too_short"): _(
            "The reason is too short (at least {limit} characters). Please type it again."
        ).format(limit=REASON_MIN),
        ("reason", "too_long"): _(
            "The reason is too long (at most {limit} characters). Please type it again."
        ).format(limit=REASON_MAX),
    }
    return reasons.get((problem.field, problem.reason), _("This value is not valid."))
