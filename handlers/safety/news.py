"""What the safety check-ins say: the officer's "Are you safe?" with its buttons, and the
supervisors' alerts (silence, a call for help) and the all-clear, each in its reader's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import format_time
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Notification, SeizureReport, User
from bot.db.safety_models import WatchEnd
from bot.i18n import MINUTES, format_datetime
from bot.services import reports, safety
from handlers.common import texts
from handlers.common.callbacks import ReportOpen, SafetyAnswer, SafetyHelp, SafetyReply
from handlers.common.keyboard import Keyboard
from handlers.common.texts import quote

MAP_LINK = "https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}"


def clock(moment: datetime, language: str, timezone: ZoneInfo) -> str:
    """The time of day, as the reader writes it: what happened minutes ago needs no date."""
    return format_time(moment.astimezone(timezone), "short", locale=language)


def ending_name(reason: WatchEnd | str) -> str:
    return {
        WatchEnd.SAPPERS_TOOK_OVER: _("the sappers took over"),
        WatchEnd.SCENE_CLOSED: _("the scene is closed"),
    }.get(WatchEnd(reason), str(reason))


def help_button(builder: Keyboard, report_id: int) -> None:
    builder.button(text=_("🆘 Need help"), callback_data=SafetyHelp(report=report_id))


def check_keyboard(watch_id: int, check: int, report_id: int, ask: bool = True) -> Keyboard:
    """The buttons of a check: "I am safe" answers this check only (`ask`); ending the check-ins
    and calling for help are right from any of them."""
    builder = Keyboard()
    if ask:
        builder.button(
            text=_("✅ I am safe"),
            callback_data=SafetyAnswer(watch=watch_id, check=check, reply=SafetyReply.SAFE),
        )
    builder.button(
        text=_("🧨 Sappers took over"),
        callback_data=SafetyAnswer(watch=watch_id, check=check, reply=SafetyReply.SAPPERS),
    )
    builder.button(
        text=_("🏁 Scene closed"),
        callback_data=SafetyAnswer(watch=watch_id, check=check, reply=SafetyReply.CLOSED),
    )
    help_button(builder, report_id)
    if ask:
        builder.adjust(1, 2, 1)
    else:
        builder.adjust(2, 1)
    return builder


def check_text(number: str | None, unanswered: int) -> str:
    lines = [_("🦺 Safety check · report No. {number}").format(number=number), _("Are you safe?")]
    if unanswered % safety.SILENT_CHECKS:
        lines.append(
            _(
                "⚠️ The last check was not answered. If this one is not answered either, your "
                "supervisors will be alerted."
            )
        )
    elif unanswered:
        lines.append(
            ngettext(
                "⚠️ {count} check in a row was not answered: your supervisors were alerted.",
                "⚠️ {count} checks in a row were not answered: your supervisors were alerted.",
                unanswered,
            ).format(count=unanswered)
        )
    lines.append(
        _("If you can, share your location (📎 → Location): your supervisors will see it.")
    )
    return "\n".join(lines)


async def _location_line(
    session: AsyncSession,
    report: SeizureReport,
    alert: safety.AlertNote,
    language: str,
    timezone: ZoneInfo,
) -> str:
    """The last known location with a map link, else the place the report names."""
    if alert.latitude is None or alert.longitude is None:
        place = await reports.place_name(session, report, language)
        return _("Last known place: {place} (from the report)").format(place=quote(place))
    link = MAP_LINK.format(lat=alert.latitude, lon=alert.longitude)
    when = format_datetime(alert.located_at or alert.at, language, timezone, MINUTES)
    label = _("open the map")
    return _("Last known location: {coordinates} ({date}), {map}").format(
        coordinates=f"{alert.latitude:.5f}, {alert.longitude:.5f}",
        date=when,
        map=f'<a href="{link}">{label}</a>',
    )


async def _alert_text(
    session: AsyncSession,
    notification: Notification,
    report: SeizureReport,
    officer: User,
    language: str,
    timezone: ZoneInfo,
) -> str:
    alert = safety.read_alert(notification.note)
    name = texts.person_label(officer)
    if notification.kind == safety.SAFETY_HELP:
        lines = [
            _("🆘 URGENT: {name} asks for help.").format(name=name),
            _("Asked at {time}.").format(time=format_datetime(alert.at, language, timezone)),
        ]
    else:
        lines = [
            ngettext(
                "🆘 URGENT: {name} has not answered {count} safety check in a row.",
                "🆘 URGENT: {name} has not answered {count} safety checks in a row.",
                alert.unanswered,
            ).format(name=name, count=alert.unanswered),
            _("Last answer: {date}").format(
                date=format_datetime(alert.last_answer_at, language, timezone, MINUTES)
            )
            if alert.last_answer_at
            else _("No answer since the report was filed."),
        ]
    lines += [
        _("Report No. {number}: {category}").format(
            number=report.number, category=texts.found_name(report.category)
        ),
        await _location_line(session, report, alert, language, timezone),
    ]
    return "\n".join(lines)


def _answered_text(notification: Notification, officer: User, language: str, tz: ZoneInfo) -> str:
    answer = safety.read_answer(notification.note)
    said = _("safe") if answer.answer == safety.SAFE else ending_name(answer.answer)
    return _("✅ {name} answered the safety check at {time}: {answer}.").format(
        name=texts.person_label(officer), time=clock(answer.at, language, tz), answer=said
    )


async def safety_news(
    session: AsyncSession,
    notification: Notification,
    recipient: User,
    language: str,
    timezone: ZoneInfo,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message of a safety notification (one of `safety.SAFETY_NEWS`)."""
    report = await session.get_one(SeizureReport, notification.report_id)
    if notification.kind == safety.SAFETY_CHECK:
        watch = await safety.watch_of_report(session, report.id)
        if watch is None:
            raise LookupError(f"notification {notification.id}: no safety watch")
        check = safety.read_check(notification.note)
        markup = check_keyboard(watch.id, check.check, report.id).as_markup()
        return check_text(report.number, check.unanswered), markup
    officer = await session.get_one(User, report.officer_id)
    if notification.kind == safety.SAFETY_ANSWERED:
        text = _answered_text(notification, officer, language, timezone)
        text += "\n" + _("Report No. {number}").format(number=report.number)
    else:
        text = await _alert_text(session, notification, report, officer, language, timezone)
    builder = Keyboard()
    builder.button(text=_("📂 Open"), callback_data=ReportOpen(report=report.id))
    return text, builder.as_markup()
