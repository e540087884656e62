"""What exercise mode and drills say: the person's mode, the officer's "🎯 Drill" message with
its start button, durations, and the supervisor's per-officer lines."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.dates import format_timedelta
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.exercise_models import Drill
from bot.db.models import Notification, User
from bot.i18n import format_datetime
from bot.services import exercise
from handlers.common import texts
from handlers.common.callbacks import DrillStart
from handlers.common.keyboard import Keyboard
from handlers.common.texts import quote


def duration(span: timedelta, language: str) -> str:
    """How long something took, as the reader says it: seconds up to two minutes."""
    return format_timedelta(span, threshold=2, format="short", locale=language)


def mode_lines(mode: exercise.Mode, language: str) -> list[str]:
    if not mode.exercise:
        return [_("✅ You are working for real: what you start now is real work.")]
    if mode.drill_id is not None:
        why = _("you started a drill")
    elif mode.unit is not None:
        why = _("your unit {unit} is in exercise").format(
            unit=texts.unit_label(mode.unit, language)
        )
    else:
        why = _("you switched to it")
    return [
        texts.exercise_marked(_("You are in exercise mode ({why}).").format(why=why), True),
        _(
            "Reports and procedures you start now are exercises: numbered apart (…-EX-…), "
            "marked on every screen, message, PDF page and export row, and left out of "
            "digests, links between seizures and national exports."
        ),
    ]


KEPT_AS_BEGUN = __(
    "A report or procedure already begun keeps the mode it was begun in: a real draft stays "
    "real, an exercise stays an exercise."
)


def drill_title(drill: Drill) -> str:
    return texts.exercise_marked(_("Drill No. {number}").format(number=drill.id), True)


async def drill_news(
    session: AsyncSession,
    notification: Notification,
    recipient: User,
    language: str,
    timezone: ZoneInfo,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The officer's "🎯 Drill" message: the scenario, from whom, and the start button."""
    drill = await session.get_one(Drill, int(notification.note or 0))
    supervisor = await session.get(User, drill.supervisor_id)
    lines = [
        f"<b>{drill_title(drill)}</b>",
        _("From: {name}, {date}").format(
            name=texts.person_label(supervisor) if supervisor else "—",
            date=format_datetime(drill.sent_at or drill.created_at, language, timezone),
        ),
        "",
        quote(drill.scenario),
        "",
        _(
            "Start when you are ready: then walk the procedures and file your report as you "
            "would. Everything you record during the drill is marked as exercise."
        ),
    ]
    builder = Keyboard()
    builder.button(text=_("▶️ Start the drill"), callback_data=DrillStart(drill=drill.id))
    return "\n".join(lines), builder.as_markup()


def officer_line(entry: exercise.OfficerDebrief, language: str, timezone: ZoneInfo) -> list[str]:
    """One officer on the supervisor's drill screen."""
    name = f"• <b>{texts.person_label(entry.officer)}</b>"
    if entry.accepted_at is None:
        return [name + ": " + _("not started")]
    lines = [
        name
        + ": "
        + _("started {date}").format(date=format_datetime(entry.accepted_at, language, timezone)),
        "  "
        + _("steps done: {done}; critical steps skipped: {skipped}").format(
            done=len(entry.steps_done), skipped=len(entry.critical_skipped)
        ),
    ]
    if entry.first_report_after is not None:
        lines.append(
            "  "
            + _("first report after {time}: {numbers}").format(
                time=duration(entry.first_report_after, language),
                numbers=", ".join(entry.report_numbers),
            )
        )
    else:
        lines.append("  " + _("no report yet"))
    return lines
