"""The screens of a draft: the review of the whole report, a section, one field's question,
and My drafts. Built in the reader's language; the handlers in `report_form` show them."""

from __future__ import annotations

from typing import Any

from aiogram.types import (
    InlineKeyboardButton,
)
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import ReportDraft, User
from bot.i18n import format_datetime, language_of
from bot.services import drafts, reports
from bot.services.drafts import ENTRY_LISTS, Target, values_of
from bot.services.report_fields import (
    NEARBY_COUNTRIES,
    REPEATED,
    UNKNOWN,
    Kind,
    Section,
    applicable,
    field_of,
    unconfirmed,
)
from bot.services.units import get_unit
from handlers.common import report_texts, report_values, texts
from handlers.common.callbacks import (
    DraftAddEntry,
    DraftAsk,
    DraftChoice,
    DraftDiscard,
    DraftOpen,
    DraftPhotos,
    DraftRemoveEntry,
    DraftSectionOpen,
    DraftsList,
    DraftSubmit,
)
from handlers.common.keyboard import Keyboard
from handlers.common.report_texts import field_label, section_title
from handlers.common.texts import quote
from handlers.common.ui import Screen

SKIP, CLEAR, PLACE_UNIT = "_skip", "_clear", "u"
# What the review screen shows of the items and persons before "and N more".
ENTRIES_SHOWN = 20
MESSAGE_LIMIT = 4096


def fit(lines: list[str], limit: int = MESSAGE_LIMIT) -> str:
    """Lines joined within Telegram's limit; the tail is cut at a line, never inside a tag."""
    text = ""
    for number, line in enumerate(lines):
        candidate = f"{text}\n{line}" if text else line
        if len(candidate) > limit - 40:
            return text + "\n" + _("… and {count} more lines").format(count=len(lines) - number)
        text = candidate
    return text


async def unit_names(session: AsyncSession, content: dict[str, Any], language: str) -> dict:
    place = content["incident"].get("place") or {}
    if "unit_id" not in place:
        return {}
    unit = await get_unit(session, place["unit_id"])
    return {unit.id: unit.display_name(language)}


def _heading(draft: ReportDraft, number: str | None) -> str:
    if number:
        heading = _("<b>Completing report No. {number}</b> (draft, saved)").format(number=number)
    else:
        heading = _("<b>Full report</b> (draft, saved)")
    return texts.exercise_marked(heading, draft.exercise)


async def review_screen(
    session: AsyncSession, user: User, settings: Settings, draft: ReportDraft
) -> Screen:
    language = language_of(user, settings.default_language)
    content = draft.content
    names = await unit_names(session, content, language)
    number = None
    if draft.report_id:
        number = (await reports.get_own_report(session, user, draft.report_id)).number
    lines = [_heading(draft, number), ""]
    lines += report_values.section_lines(
        Section.INCIDENT, content["incident"], language, settings.tz, names
    )
    conveyance = report_values.section_lines(
        Section.CONVEYANCE, content["conveyance"], language, settings.tz, names, answered_only=True
    )
    if conveyance:
        lines += ["", section_title(Section.CONVEYANCE), *conveyance]
    builder = Keyboard()
    builder.button(
        text=_("✏️ Incident details"),
        callback_data=DraftSectionOpen(draft=draft.id, section=Section.INCIDENT),
    )
    builder.button(
        text=str(report_texts.SECTION_TITLES[Section.CONVEYANCE]),
        callback_data=DraftSectionOpen(draft=draft.id, section=Section.CONVEYANCE),
    )
    for section, heading in (
        (Section.ITEM, _("📦 Items: {count}")),
        (Section.PERSON, _("👤 Persons: {count}")),
        (Section.NOTICE, _("📣 Agencies notified: {count}")),
    ):
        entries = content[ENTRY_LISTS[section]]
        lines += ["", heading.format(count=len(entries))]
        for number_in_report, values in enumerate(entries, start=1):
            summary = report_values.entry_summary(section, values, number_in_report, language)
            if number_in_report > ENTRIES_SHOWN:
                # The rest are reached with ◀️ ▶️ from an item: Telegram shows 100 buttons at most.
                continue
            lines.append(quote(summary))
            builder.button(
                text=summary[:60],
                callback_data=DraftSectionOpen(draft=draft.id, section=section, entry=values["id"]),
            )
        if len(entries) > ENTRIES_SHOWN:
            lines.append(_("… and {count} more").format(count=len(entries) - ENTRIES_SHOWN))
    photos = content["photos"]
    lines += ["", _("📷 Photos: {count}").format(count=len(photos))]
    builder.button(
        text=_("➕ Item"), callback_data=DraftAddEntry(draft=draft.id, section=Section.ITEM)
    )
    builder.button(
        text=_("➕ Person"), callback_data=DraftAddEntry(draft=draft.id, section=Section.PERSON)
    )
    builder.button(
        text=_("➕ Agency notified"),
        callback_data=DraftAddEntry(draft=draft.id, section=Section.NOTICE),
    )
    builder.button(text=_("📷 Add photos"), callback_data=DraftPhotos(draft=draft.id))
    gaps = drafts.gaps(content)
    if gaps:
        lines += [
            "",
            _("❗ Still missing before it can be submitted: {count}").format(count=len(gaps)),
        ]
        first = gaps[0].target
        if first.section is Section.ITEM and first.entry == 0:
            builder.button(
                text=_("▶️ Continue: add the first item"),
                callback_data=DraftAddEntry(draft=draft.id, section=Section.ITEM),
            )
        else:
            builder.button(
                text=_("▶️ Continue: {field}").format(field=field_label(first.key))[:60],
                callback_data=DraftAsk(
                    draft=draft.id,
                    section=first.section,
                    key=first.key,
                    entry=first.entry,
                    walk=True,
                ),
            )
    else:
        builder.button(text=_("✅ Submit"), callback_data=DraftSubmit(draft=draft.id))
    builder.button(text=_("🗑 Discard draft"), callback_data=DraftDiscard(draft=draft.id))
    builder.button(text=_("🗂 My drafts"), callback_data=DraftsList())
    entry_buttons = sum(
        min(len(content[ENTRY_LISTS[section]]), ENTRIES_SHOWN) for section in REPEATED
    )
    builder.adjust(2, *([1] * entry_buttons), 2, 2, 1, 2)
    return fit(lines), builder.as_markup()


async def section_screen(
    session: AsyncSession,
    user: User,
    settings: Settings,
    draft: ReportDraft,
    section: Section,
    entry: int = 0,
) -> Screen:
    language = language_of(user, settings.default_language)
    values = values_of(draft.content, section, entry)
    names = await unit_names(session, draft.content, language)
    number = entry_number(draft.content, section, entry)
    lines = [texts.exercise_marked(f"<b>{section_title(section, number)}</b>", draft.exercise), ""]
    lines += report_values.section_lines(section, values, language, settings.tz, names)
    builder = Keyboard()
    for spec in applicable(section, values):
        builder.button(
            text=("✏️ " + field_label(spec.key))[:60],
            callback_data=DraftAsk(draft=draft.id, section=section, key=spec.key, entry=entry),
        )
    builder.adjust(2)
    if section is Section.ITEM:
        photos = drafts.item_photos(draft.content, entry)
        lines.append(_("📷 Photos of this item: {count}").format(count=photos))
        builder.row(
            InlineKeyboardButton(
                text=_("📷 Add photos of this item"),
                callback_data=DraftPhotos(draft=draft.id, item=entry).pack(),
            )
        )
    if section in REPEATED:
        if turns := _neighbours(draft, section, entry):
            builder.row(*turns)
        builder.row(
            InlineKeyboardButton(
                text=_("🗑 Remove"),
                callback_data=DraftRemoveEntry(draft=draft.id, section=section, entry=entry).pack(),
            )
        )
    builder.row(back_to_report(draft))
    return fit(lines), builder.as_markup()


def _neighbours(draft: ReportDraft, section: Section, entry: int) -> list[InlineKeyboardButton]:
    """◀️ and ▶️ to the previous and the next item (or person) of the draft."""
    ids = [values["id"] for values in draft.content[ENTRY_LISTS[section]]]
    position = ids.index(entry)
    turns = []
    for step, mark in ((-1, "◀️ {title}"), (1, "{title} ▶️")):
        if 0 <= position + step < len(ids):
            title = section_title(section, position + step + 1)
            turns.append(
                InlineKeyboardButton(
                    text=mark.format(title=title),
                    callback_data=DraftSectionOpen(
                        draft=draft.id, section=section, entry=ids[position + step]
                    ).pack(),
                )
            )
    return turns


def back_to_report(draft: ReportDraft) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=_("« Back to the report"), callback_data=DraftOpen(draft=draft.id).pack()
    )


def entry_number(content: dict[str, Any], section: Section, entry: int) -> int:
    if section not in REPEATED:
        return 0
    ids = [values["id"] for values in content[ENTRY_LISTS[section]]]
    return ids.index(entry) + 1


async def question_screen(
    session: AsyncSession,
    user: User,
    settings: Settings,
    draft: ReportDraft,
    target: Target,
    walk: bool,
    candidates: list[str] | None = None,
) -> Screen:
    language = language_of(user, settings.default_language)
    spec = field_of(target.section, target.key)
    values = values_of(draft.content, target.section, target.entry)
    number = entry_number(draft.content, target.section, target.entry)
    lines = [
        texts.exercise_marked(
            f"{section_title(target.section, number)} · <b>{quote(field_label(spec.key))}</b>",
            draft.exercise,
        ),
        report_values.field_hint(spec, language),
    ]
    current = values.get(spec.key)
    confirming = unconfirmed(spec, current)
    if confirming:
        lines.append(
            _(
                "To confirm the serial, type it again exactly as marked, or show the marking "
                "in a photo of this item."
            )
        )
    if current is not None:
        names = await unit_names(session, draft.content, language)
        lines.append(
            _("Now: {value}").format(
                value=quote(
                    report_values.preview_of(
                        report_values.display_value(spec, current, language, settings.tz, names)
                    )
                )
            )
        )
    builder, controls = Keyboard(), Keyboard()

    def choice(label: str, code: str, row: Keyboard = builder) -> None:
        answer = DraftChoice(
            draft=draft.id,
            section=target.section,
            key=target.key,
            entry=target.entry,
            code=code,
            walk=walk,
        )
        row.button(text=label[:60], callback_data=answer)

    if confirming:
        if drafts.item_photos(draft.content, target.entry):
            choice(_("📷 The marking is in the photos"), drafts.MARKING_PHOTO)
        else:
            builder.button(
                text=_("📷 Add a photo of the marking"),
                callback_data=DraftPhotos(draft=draft.id, item=target.entry),
            )
    if candidates:
        for code in candidates[:12]:
            choice(report_texts.country_name(code, language), code)
    elif spec.kind in (Kind.CHOICE, Kind.SERIAL):
        for code in spec.choices:
            choice(report_texts.choice_name(code), code)
    elif spec.kind is Kind.OFFICER:
        for colleague in await drafts.colleagues(session, user):
            name = colleague.full_name or f"#{colleague.id}"
            choice(name, f"{drafts.OFFICER_PREFIX}{colleague.id}")
    elif spec.kind is Kind.YES_NO:
        choice(_("Yes"), "yes")
        choice(_("No"), "no")
    elif spec.kind is Kind.COUNTRY:
        for code in NEARBY_COUNTRIES:
            choice(report_texts.country_name(code, language), code)
    elif spec.kind is Kind.DATETIME and target.key == "occurred_at":
        started = format_datetime(draft.started_at, language, settings.tz, length="short")
        choice(_("🕒 {time} (when you began)").format(time=started), "started")
    elif spec.kind is Kind.PLACE:
        for point in (await reports.crossing_points_of(session, user))[:8]:
            choice(point.display_name(language), f"{PLACE_UNIT}{point.id}")
    if spec.allows_unknown and not candidates:
        choice(report_texts.choice_name(UNKNOWN), UNKNOWN)
    builder.adjust(2)
    if walk and not spec.required:
        choice(_("⏭ Skip"), SKIP, controls)
    if not walk and not spec.required and current is not None:
        choice(_("🧹 Clear"), CLEAR, controls)
    controls.button(
        text=_("« Back"),
        callback_data=DraftSectionOpen(draft=draft.id, section=target.section, entry=target.entry),
    )
    builder.attach(controls)
    return "\n".join(lines), builder.as_markup()


async def drafts_screen(session: AsyncSession, user: User, settings: Settings) -> Screen:
    language = language_of(user, settings.default_language)
    found = await drafts.my_drafts(session, user)
    builder = Keyboard()
    for draft in found:
        incident = draft.content["incident"]
        what = report_texts.choice_name(incident["category"]) if "category" in incident else "…"
        saved = format_datetime(draft.updated_at, language, settings.tz, length="short")
        if draft.report_id:
            report = await reports.get_own_report(session, user, draft.report_id)
            label = _("✏️ No. {number} · {what} · {saved}").format(
                number=report.number, what=what, saved=saved
            )
        else:
            label = _("📝 {what} · items: {count} · {saved}").format(
                what=what, count=len(draft.content["items"]), saved=saved
            )
        builder.button(text=label[:60], callback_data=DraftOpen(draft=draft.id))
    builder.adjust(1)
    if not found:
        return _("You have no drafts. New report starts one."), builder.as_markup()
    return _("Your drafts, last changed first. Each is saved as you go:"), builder.as_markup()
