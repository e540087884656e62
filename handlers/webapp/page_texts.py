"""The Mini App's own words, sent to the page in the reader's language from the same catalogs
as the bot's messages, and its refusals."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.services.errors import InvalidInput


def page_texts() -> dict[str, str]:
    return {
        "map": _("🗺 Map"),
        "trends": _("📈 Trends"),
        "work": _("📋 Open work"),
        "from": _("From"),
        "to": _("To"),
        "unit": _("Unit"),
        "all_units": _("All units"),
        "category": _("Category"),
        "all_categories": _("All categories"),
        "by_week": _("By week"),
        "by_month": _("By month"),
        "exercise": _("Exercise data only"),
        "apply": _("Show"),
        "urgent": _("URGENT"),
        "open_report": _("📂 Open"),
        "back_to_report": _("📂 Back to report No. {number}"),
        "shown_of": _("Shown on the map: {shown} of {total}"),
        "unplaced": _("Without coordinates: {count}"),
        "seizures": _("Seizures in the period: {count}"),
        "by_category": _("Seizures by category"),
        "by_unit": _("Seizures by unit"),
        "items_by_kind": _("Items by kind"),
        "top_calibres": _("Most seized calibres"),
        "tracing": _("Tracing of seized firearms (SDG 16.4.2)"),
        "firearms": _("Firearms seized"),
        "traces_sent": _("Traces sent"),
        "traces_answered": _("Traces answered"),
        "origin_established": _("Origin established"),
        "answered_share": _("Share of traces answered"),
        "established_share": _("Share of seized firearms traced"),
        "awaiting": _("Awaiting acknowledgement"),
        "returned": _("Returned for correction"),
        "handovers": _("Unconfirmed hand-overs"),
        "traces": _("Overdue traces"),
        "links": _("Possible links between seizures"),
        "more": _("More"),
        "nothing": _("Nothing here."),
        "items": _("Items"),
        "photos": _("Photos"),
        "custody": _("Chain of custody"),
        "history": _("History"),
        "acknowledge": _("✅ Acknowledge"),
        "return": _("↩️ Return for correction"),
        "comment": _("What must be corrected? Type it; the officer will read it as you write it."),
        "send": _("Send"),
        "cancel": _("Cancel"),
        "pdf": _("📄 PDF"),
        "back": _("« Back"),
    }


def refusal_text(reason: str) -> str:
    """Why a request was refused, for the page to show."""
    return {
        "missing": _("Open this page from the bot's menu in Telegram."),
        "forged": _("This page was not opened from the bot: its data is not signed by Telegram."),
        "expired": _("This page was opened too long ago: close it and open it again from the bot."),
        "no_user": _("Open this page from the bot's menu in Telegram."),
        "no_access": _("You have no access to the overview."),
        "denied": _("This is not yours to see."),
        "not_found": _("Not found: it may have been removed."),
    }[reason]


def pdf_sent() -> str:
    return _("The PDF was sent to your chat with the bot.")


def pdf_not_sent() -> str:
    return _("The PDF could not be sent: open your chat with the bot and try again.")


def filter_problem(problem: InvalidInput) -> str:
    if problem.field == "period" and problem.reason == "too_long":
        return _("The period is longer than a year: choose a shorter one.")
    if problem.field == "period":
        return _("The period ends before it starts.")
    if problem.field == "comment":
        return _("The comment must be 3 to 1000 characters long.")
    return _("This filter is not understood: {name}.").format(name=problem.field)
