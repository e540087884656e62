"""What supervisors and officers are told through the outbox: new and escalated reports,
decisions on them, unreachable recipients and the daily digest."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from aiogram.types import (
    InlineKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    FoundCategory,
    Notification,
    SeizureReport,
    User,
)
from bot.i18n import format_datetime
from bot.services import reports
from bot.services.custody import CUSTODY_NEWS
from bot.services.exercise import DRILL_STARTED
from bot.services.notifications import (
    ACCESS_NEWS,
    ACCESS_REQUESTED,
    DAILY_DIGEST,
    PROCEDURES_REFUSED,
    RECIPIENT_UNREACHABLE,
    REPORT_ACKNOWLEDGED,
    REPORT_ESCALATED,
    REPORT_FILED,
    REPORT_RETURNED,
    digest_counts,
    read_refusal,
)
from bot.services.safety import SAFETY_NEWS
from bot.services.serials import SERIAL_LINK
from bot.services.units import get_unit
from handlers.access import access_news, request_news
from handlers.common import texts
from handlers.common.callbacks import (
    AckReport,
    ReportOpen,
    ReturnReport,
)
from handlers.common.keyboard import Keyboard
from handlers.common.overview import with_overview_button
from handlers.common.texts import URGENT, quote
from handlers.custody import custody_news
from handlers.exercise import drill_news
from handlers.links import link_news
from handlers.safety import safety_news


async def _exercise_marked(session: AsyncSession, notification: Notification, text: str) -> str:
    """Whatever a message says of an exercise report (its news, a safety alert, a hand-over,
    a link) says first that it is an exercise, unless its title already does."""
    if notification.report_id is None:
        return text
    report = await session.get(SeizureReport, notification.report_id)
    if report is None or not report.exercise or texts.EXERCISE_MARK in text:
        return text
    return texts.exercise_marked(text, True)


async def render_notification(
    session: AsyncSession,
    notification: Notification,
    recipient: User,
    language: str,
    timezone: ZoneInfo,
    webapp_url: str | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message of a queued notification, in its recipient's language, at sending time.

    A notification whose earlier send timed out (it may have arrived) says it is a repeat; its
    buttons are safe twice: a decision already taken is refused, naming who took it. A new or
    escalated report also opens the Mini App's map at it (`webapp_url`, when served)."""
    text, markup = await _message(session, notification, recipient, language, timezone)
    text = await _exercise_marked(session, notification, text)
    if webapp_url and markup and notification.kind in (REPORT_FILED, REPORT_ESCALATED):
        markup = with_overview_button(markup, webapp_url, notification.report_id or 0)
    if notification.outcome_unknown_at is not None:
        text = _("🔁 Repeat (the first sending may not have arrived):") + "\n\n" + text
    return text, markup


async def _message(
    session: AsyncSession,
    notification: Notification,
    recipient: User,
    language: str,
    timezone: ZoneInfo,
) -> tuple[str, InlineKeyboardMarkup | None]:
    if notification.kind in ACCESS_NEWS:
        return await access_news(session, notification, recipient, language)
    if notification.kind in SAFETY_NEWS:
        return await safety_news(session, notification, recipient, language, timezone)
    if notification.kind == ACCESS_REQUESTED:
        return await request_news(session, notification, language, timezone)
    if notification.kind in CUSTODY_NEWS:
        return await custody_news(session, notification, recipient, language, timezone)
    if notification.kind == PROCEDURES_REFUSED:
        return procedures_refused_text(notification, language, timezone), None
    if notification.kind == DAILY_DIGEST:
        return await digest_text(session, notification, recipient, language, timezone), None
    if notification.kind == SERIAL_LINK:
        return await link_news(session, notification, language, timezone)
    if notification.kind == DRILL_STARTED:
        return await drill_news(session, notification, recipient, language, timezone)
    if notification.kind == RECIPIENT_UNREACHABLE:
        person = await session.get(User, int(notification.note or 0))
        text = _(
            "⚠️ {name} cannot be reached (the bot is blocked or the chat is gone): "
            "notifications to them are not delivered."
        ).format(name=texts.person_label(person) if person else "—")
        return text, None
    if notification.report_id is None:
        raise LookupError(f"no message for notifications of kind {notification.kind!r}")
    report = await session.get(SeizureReport, notification.report_id)
    if report is None:
        raise LookupError(f"notification {notification.id}: report {notification.report_id} gone")
    if notification.kind == REPORT_ACKNOWLEDGED:
        supervisor = await session.get(User, report.acknowledged_by_id)
        text = _("✅ Your report No. {number} was acknowledged by {name}.").format(
            number=report.number, name=texts.person_label(supervisor) if supervisor else "—"
        )
        return text, None
    if notification.kind == REPORT_RETURNED:
        supervisor = await session.get(User, report.returned_by_id)
        text = _("↩️ Your report No. {number} was returned for correction by {name}:").format(
            number=report.number, name=texts.person_label(supervisor) if supervisor else "—"
        )
        builder = Keyboard()
        builder.button(text=_("📂 Open"), callback_data=ReportOpen(report=report.id))
        return f"{text}\n{quote(notification.note or '')}", builder.as_markup()
    officer = await session.get(User, report.officer_id)
    unit = await get_unit(session, report.unit_id)
    lines = [
        _("⏫ Not acknowledged yet: passed up to you.")
        if notification.kind == REPORT_ESCALATED
        else "",
        report_title(report) + (f" {URGENT} " + _("URGENT") if report.urgent else ""),
        _("✏️ Changed by the officer (revision {number})").format(number=report.revision)
        if report.revision > 1
        else "",
        _("Found: {category}").format(category=texts.found_name(report.category)),
        _("Place: {place}").format(
            place=quote(await reports.place_name(session, report, language))
        ),
        _("Time of the seizure: {date}").format(
            date=format_datetime(report.occurred_at, language, timezone)
        ),
        _("Items, roughly: {estimate}").format(estimate=texts.estimate_name(report.item_estimate)),
        _("Anyone in danger or hurt: {answer}").format(
            answer=_("yes") if report.anyone_in_danger else _("no")
        ),
        _("Officer: {name}").format(name=texts.person_label(officer) if officer else "—"),
        _("Unit: {unit}").format(unit=texts.unit_label(unit, language)),
    ]
    return "\n".join(line for line in lines if line), decision_keyboard(report)


def procedures_refused_text(notification: Notification, language: str, timezone: ZoneInfo) -> str:
    """For admins: the edited procedure files were refused at start-up, the last good ones are
    served, and what to fix, as the checker names it (file, step, rule)."""
    refusal = read_refusal(notification.note)
    since = format_datetime(refusal.kept_since, language, timezone) if refusal.kept_since else "—"
    lines = [
        _(
            "⚠️ The edited procedure files were refused at start-up: officers are still shown "
            "the procedures accepted on {date}. Fix these problems, check them with "
            "python -m bot procedures check, and restart the bot:"
        ).format(date=since),
        *(f"• <code>{quote(line)}</code>" for line in refusal.errors),
    ]
    if refusal.omitted:
        lines.append(
            ngettext(
                "… and {count} more problem.", "… and {count} more problems.", refusal.omitted
            ).format(count=refusal.omitted)
        )
    return "\n".join(lines)


async def digest_text(
    session: AsyncSession,
    notification: Notification,
    recipient: User,
    language: str,
    timezone: ZoneInfo,
) -> str:
    day = date.fromisoformat(notification.note or "")
    counts, awaiting = await digest_counts(session, recipient, day, timezone)
    total = sum(counts.values())
    lines = [
        _("🗓 Daily summary, {day}").format(day=format_date(day, format="long", locale=language)),
        ngettext("{count} report in your units", "{count} reports in your units", total).format(
            count=total
        ),
    ]
    lines += [
        f"• {texts.found_name(category)}: {counts[category.value]}"
        for category in FoundCategory
        if category.value in counts
    ]
    lines.append(_("Awaiting acknowledgement: {count}").format(count=awaiting))
    return "\n".join(lines)


def report_title(report: SeizureReport) -> str:
    if report.complete:
        title = _("📝 Full report No. {number}").format(number=report.number)
    else:
        title = _("⚡ Quick log No. {number}").format(number=report.number)
    return texts.exercise_marked(title, report.exercise)


def decision_keyboard(report: SeizureReport) -> InlineKeyboardMarkup:
    shown = {"report": report.id, "revision": report.revision}
    builder = Keyboard()
    builder.button(text=_("📂 Open"), callback_data=ReportOpen(report=report.id))
    builder.button(text=_("✅ Acknowledge"), callback_data=AckReport(**shown))
    builder.button(text=_("↩️ Return for correction"), callback_data=ReturnReport(**shown))
    builder.adjust(2, 1)
    return builder.as_markup()
