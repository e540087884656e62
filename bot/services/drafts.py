"""Drafts of the full report: saved in the database after every answer, so a restart, a lost
connection or a day's pause loses nothing; submitted as a new report or as a new revision of
an existing one (the completion of a quick log, a correction)."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    FoundCategory,
    ItemEstimate,
    ReportDraft,
    ReportStatus,
    SeizureReport,
    Unit,
    User,
    UserStatus,
    utcnow,
)
from bot.services import audit, exercise, safety, serials
from bot.services.errors import AccessDenied, InvalidInput, NotFound
from bot.services.notifications import enqueue_report_filed
from bot.services.permissions import require_active
from bot.services.report_fields import (
    REPEATED,
    UNKNOWN,
    DuplicateItem,
    Field,
    Kind,
    Section,
    Values,
    check_coordinates,
    check_count,
    check_countries,
    check_country,
    check_date,
    check_datetime,
    check_related,
    check_text,
    check_weight,
    check_year,
    country_codes,
    field_of,
    kept,
    missing,
    typed_coordinates,
    unconfirmed,
    unconfirmed_fields,
)
from bot.services.reports import (
    NewPhoto,
    attach_photos,
    freeze,
    get_own_report,
    next_number,
    validate_occurred_at,
)
from bot.services.units import get_unit, subtree_ids

# Kept as columns of the report (to list, search and notify by); the rest goes into its details.
COLUMN_FIELDS = ("category", "occurred_at", "place", "anyone_in_danger")
ENTRY_LISTS = {Section.ITEM: "items", Section.PERSON: "persons", Section.NOTICE: "notices"}
# A button naming an officer carries "u" and the user's id.
OFFICER_PREFIX = "u"
# The button that says the item's photos show the serial's marking.
MARKING_PHOTO = "photo"
PHOTOS_PER_DRAFT = 50
ENTRIES_PER_LIST = 100
# Reports an officer may still complete or correct; an acknowledged quick log is completed too.
COMPLETABLE = (ReportStatus.INITIAL, ReportStatus.RETURNED, ReportStatus.ACKNOWLEDGED)


@dataclass(frozen=True)
class Target:
    """One field of a draft: of the incident, the conveyance, or of item/person `entry`."""

    section: Section
    key: str
    entry: int = 0


def empty_content() -> dict[str, Any]:
    return {
        "incident": {},
        "conveyance": {},
        "items": [],
        "persons": [],
        "notices": [],
        "photos": [],
        "next": 1,
    }


def values_of(content: dict[str, Any], section: Section, entry: int = 0) -> Values:
    if section in REPEATED:
        for values in content[ENTRY_LISTS[section]]:
            if values["id"] == entry:
                return values
        raise NotFound(section.value)
    return content[section.value]


async def get_draft(
    session: AsyncSession, user: User, draft_id: int, for_update: bool = False
) -> ReportDraft:
    draft = await session.get(ReportDraft, draft_id, with_for_update=for_update)
    if draft is None:
        raise NotFound("draft")
    if draft.officer_id != user.id:
        raise AccessDenied()
    return draft


async def my_drafts(session: AsyncSession, user: User) -> list[ReportDraft]:
    query = (
        select(ReportDraft)
        .where(ReportDraft.officer_id == user.id)
        .order_by(ReportDraft.updated_at.desc(), ReportDraft.id.desc())
    )
    return list((await session.scalars(query)).all())


async def count_drafts(session: AsyncSession, user: User) -> int:
    query = select(func.count()).where(ReportDraft.officer_id == user.id)
    return await session.scalar(query) or 0


async def start_draft(
    session: AsyncSession, user: User, started_at: datetime, copied_from: int | None = None
) -> ReportDraft:
    """A new full report; `started_at` is when the officer asked for it (the default time);
    `copied_from` names the earlier report whose circumstances it starts with."""
    require_active(user)
    if user.unit_id is None:
        raise InvalidInput("unit", "missing")
    validate_occurred_at(started_at)
    # Exercise or real work is decided now and kept, whatever the mode when it is submitted.
    mode = await exercise.mode_of(session, user)
    draft = ReportDraft(
        officer_id=user.id,
        started_at=started_at,
        content=empty_content(),
        exercise=mode.exercise,
        drill_id=mode.drill_id,
    )
    session.add(draft)
    await session.flush()
    if copied_from is None:
        await audit.record(session, user, "draft.started", "draft", draft.id)
    else:
        await audit.record(session, user, "draft.started", "draft", draft.id, copied=copied_from)
    return draft


def _content_of_report(report: SeizureReport) -> dict[str, Any]:
    details = report.details or {}
    content = empty_content()
    place: Values = {}
    if report.place_unit_id:
        place = {"unit_id": report.place_unit_id}
    elif report.place_text:
        place = {"text": report.place_text}
    elif report.latitude is not None and report.longitude is not None:
        place = {"latitude": report.latitude, "longitude": report.longitude}
    content["incident"] = {
        "category": report.category.value,
        "occurred_at": report.occurred_at.isoformat(),
        "place": place or None,
        "anyone_in_danger": report.anyone_in_danger,
        **details.get("incident", {}),
    }
    content["conveyance"] = dict(details.get("conveyance", {}))
    for section in REPEATED:
        for values in details.get(ENTRY_LISTS[section], []):
            entry = {key: value for key, value in values.items() if key != "number"}
            entry["id"] = content["next"]
            content["next"] += 1
            content[ENTRY_LISTS[section]].append(entry)
    return content


# What a repeat seizure at the same place or on the same route shares with an earlier one:
# never the items, the persons, the time or what happened.
REPEATED_CIRCUMSTANCES = (
    "place",
    "location_type",
    "direction",
    "route_departure",
    "route_transit",
    "route_destination",
)


async def start_from_report(
    session: AsyncSession, user: User, report_id: int, started_at: datetime
) -> ReportDraft:
    """A new full report that starts with the place, the route and the conveyance of one of
    the officer's earlier reports."""
    earlier = _content_of_report(await get_own_report(session, user, report_id))
    draft = await start_draft(session, user, started_at, copied_from=report_id)
    content = empty_content()
    content["incident"] = {
        key: earlier["incident"][key]
        for key in REPEATED_CIRCUMSTANCES
        if earlier["incident"].get(key) is not None
    }
    content["conveyance"] = kept(Section.CONVEYANCE, earlier["conveyance"])
    _save(draft, content)
    await session.flush()
    return draft


async def draft_for_report(session: AsyncSession, user: User, report_id: int) -> ReportDraft:
    """The working copy of an officer's report: the one already open, or a new one."""
    report = await get_own_report(session, user, report_id)
    if report.status not in COMPLETABLE or (
        report.status is ReportStatus.ACKNOWLEDGED and report.complete
    ):
        raise InvalidInput("report", "not_open")
    existing = await session.scalar(select(ReportDraft).where(ReportDraft.report_id == report.id))
    if existing is not None:
        return existing
    draft = ReportDraft(
        officer_id=user.id,
        report_id=report.id,
        started_at=report.occurred_at,
        content=_content_of_report(report),
        exercise=report.exercise,
        drill_id=report.drill_id,
    )
    session.add(draft)
    await session.flush()
    await audit.record(session, user, "draft.started", "draft", draft.id, report=report.id)
    return draft


def _save(draft: ReportDraft, content: dict[str, Any]) -> None:
    # A new object, so the JSON column is seen as changed.
    draft.content = content
    draft.updated_at = utcnow()


@asynccontextmanager
async def _editing(
    session: AsyncSession, user: User, draft_id: int
) -> AsyncIterator[tuple[ReportDraft, dict[str, Any]]]:
    """The officer's draft, locked, and a copy of its content that is saved when the block ends
    without an error (a refused change leaves the draft as it was)."""
    draft = await get_draft(session, user, draft_id, for_update=True)
    content = copy.deepcopy(draft.content)
    yield draft, content
    _save(draft, content)
    await session.flush()


def _put(content: dict[str, Any], target: Target, value: Any) -> None:
    values = values_of(content, target.section, target.entry)
    if value is None:
        values.pop(target.key, None)
    else:
        values[target.key] = value


async def _set(
    session: AsyncSession, user: User, draft_id: int, target: Target, value: Any
) -> ReportDraft:
    async with _editing(session, user, draft_id) as (draft, content):
        _put(content, target, value)
    return draft


async def answer_text(
    session: AsyncSession,
    user: User,
    draft_id: int,
    target: Target,
    text: str,
    sent_at: datetime,
    timezone: ZoneInfo,
) -> ReportDraft:
    """A typed answer, checked by its field's kind; InvalidInput says why it was refused."""
    spec = field_of(target.section, target.key)
    value = await _typed_value(session, spec, text, sent_at, timezone)
    async with _editing(session, user, draft_id) as (draft, content):
        if spec.confirm:
            current = values_of(content, target.section, target.entry).get(spec.key)
            value = _confirming(current, value)
            _refuse_same_item_twice(content, target, value["text"])
        _put_checked(content, target, spec, value)
    return draft


# What makes two items of a report the same thing, besides their serial.
_SAME_THING = ("kind", "firearm_type", "part_type")


def _refuse_same_item_twice(content: dict[str, Any], target: Target, serial: str) -> None:
    """The same weapon or part, with the same serial, entered as two items of one report is a
    duplicate (two parts of one weapon often share its serial: that is not refused)."""
    values = values_of(content, target.section, target.entry)
    wanted = serials.normalise(serial)
    for number, other in enumerate(content[ENTRY_LISTS[target.section]], start=1):
        if other["id"] == target.entry:
            continue
        theirs = other.get(target.key)
        if not isinstance(theirs, dict) or not theirs.get("text"):
            continue
        same = all(other.get(key) == values.get(key) for key in _SAME_THING)
        if same and serials.normalise(theirs["text"]) == wanted:
            raise DuplicateItem(number, theirs["text"])


def _confirming(current: Any, typed: Values) -> Values:
    """A serial typed the same way twice running is confirmed; typed otherwise, the new one
    waits for its own confirmation (the officer looked at the marking again)."""
    if (
        isinstance(current, dict)
        and current.get("unconfirmed")
        and current["text"] == typed["text"]
    ):
        return {"text": typed["text"], "confirmed": "twice"}
    return {"text": typed["text"], "unconfirmed": True}


def _put_checked(content: dict[str, Any], target: Target, spec: Field, value: Any) -> None:
    check_related(target.section, spec, value, values_of(content, target.section, target.entry))
    _put(content, target, value)


async def _typed_value(
    session: AsyncSession, spec: Field, text: str, sent_at: datetime, timezone: ZoneInfo
) -> Any:
    match spec.kind:
        case Kind.TEXT | Kind.LONG_TEXT:
            return check_text(spec, text)
        case Kind.SERIAL:
            return {"text": check_text(spec, text)}
        case Kind.COUNT:
            return check_count(spec, text)
        case Kind.WEIGHT:
            return check_weight(spec, text)
        case Kind.YEAR:
            return check_year(spec, text, sent_at.astimezone(timezone))
        case Kind.DATE:
            return check_date(spec, text, sent_at, timezone)
        case Kind.DATETIME:
            return check_datetime(spec, text, sent_at, timezone)
        case Kind.COUNTRY:
            return check_country(spec, text)
        case Kind.COUNTRIES:
            return check_countries(spec, text)
        case Kind.OFFICER:
            return {"name": check_text(spec, text)}
        case Kind.PLACE:
            coordinates = typed_coordinates(text)
            if coordinates is not None:
                return {"latitude": coordinates[0], "longitude": coordinates[1]}
            return {"text": check_text(spec, text)}
    # Choices and yes/no are answered with buttons: typing them is not understood.
    raise InvalidInput(spec.kind, "use_buttons")


def item_photos(content: dict[str, Any], item: int) -> int:
    """How many photos of the draft show item `item`."""
    return sum(1 for photo in content["photos"] if photo.get("item") == item)


def _shown_in_photo(draft: ReportDraft, target: Target, spec: Field) -> Values:
    """The officer says the photos of the item show the marking: the serial is confirmed by
    them, if the item has any."""
    current = values_of(draft.content, target.section, target.entry).get(spec.key)
    if not unconfirmed(spec, current):
        raise InvalidInput("choice", "stale")
    if not item_photos(draft.content, target.entry):
        raise InvalidInput("serial", "no_photo")
    return {"text": current["text"], "confirmed": "photo"}


def _chosen_value(spec: Field, code: str, draft: ReportDraft, target: Target) -> Any:
    if spec.kind is Kind.CHOICE and code in spec.choices:
        return code
    if spec.kind is Kind.YES_NO and code in ("yes", "no"):
        return code == "yes"
    if spec.kind is Kind.SERIAL and code in spec.choices:
        return {"state": code}
    if spec.kind is Kind.SERIAL and code == MARKING_PHOTO:
        return _shown_in_photo(draft, target, spec)
    if spec.kind is Kind.COUNTRY and (
        code in country_codes() or (code == UNKNOWN and spec.allows_unknown)
    ):
        return code
    if spec.kind is Kind.TEXT and code == UNKNOWN and spec.allows_unknown:
        return UNKNOWN
    if spec.kind is Kind.DATETIME and code == "started":
        return draft.started_at.isoformat()
    raise InvalidInput("choice", "stale")


async def answer_choice(
    session: AsyncSession, user: User, draft_id: int, target: Target, code: str
) -> ReportDraft:
    """A button's answer; a button of an older question is refused, not misapplied."""
    spec = field_of(target.section, target.key)
    officer = await _colleague(session, user, code) if spec.kind is Kind.OFFICER else None
    async with _editing(session, user, draft_id) as (draft, content):
        value = officer if officer is not None else _chosen_value(spec, code, draft, target)
        _put_checked(content, target, spec, value)
    return draft


async def colleagues(session: AsyncSession, user: User, limit: int = 8) -> list[User]:
    """Active users of the officer's unit, the officer first: who may have made a weapon safe
    or told an agency, offered as buttons."""
    if user.unit_id is None:
        return [user]
    query = (
        select(User)
        .where(User.unit_id == user.unit_id, User.status == UserStatus.ACTIVE)
        .order_by((User.id == user.id).desc(), User.full_name, User.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def _colleague(session: AsyncSession, user: User, code: str) -> Values:
    """The officer a button names ("u<user id>"): a user of the officer's unit or below, with
    the name as it is now, so the record keeps it if the account is renamed later."""
    if not code.startswith(OFFICER_PREFIX) or not code[len(OFFICER_PREFIX) :].isdecimal():
        raise InvalidInput("choice", "stale")
    chosen = await session.get(User, int(code[len(OFFICER_PREFIX) :]))
    if (
        chosen is None
        or user.unit_id is None
        or chosen.unit_id not in await subtree_ids(session, user.unit_id)
    ):
        raise InvalidInput("choice", "stale")
    return {"user_id": chosen.id, "name": chosen.full_name or f"#{chosen.id}"}


async def answer_place_unit(
    session: AsyncSession, user: User, draft_id: int, unit_id: int
) -> ReportDraft:
    unit = await _crossing_point_of(session, user, unit_id)
    return await _set(
        session, user, draft_id, Target(Section.INCIDENT, "place"), {"unit_id": unit.id}
    )


async def _crossing_point_of(session: AsyncSession, user: User, unit_id: int) -> Unit:
    unit = await get_unit(session, unit_id)
    if user.unit_id is None or unit.id not in await subtree_ids(session, user.unit_id):
        raise AccessDenied()
    return unit


async def answer_location(
    session: AsyncSession, user: User, draft_id: int, latitude: float, longitude: float
) -> ReportDraft:
    latitude, longitude = check_coordinates(latitude, longitude)
    place = {"latitude": latitude, "longitude": longitude}
    return await _set(session, user, draft_id, Target(Section.INCIDENT, "place"), place)


async def clear_answer(
    session: AsyncSession, user: User, draft_id: int, target: Target
) -> ReportDraft:
    if field_of(target.section, target.key).required:
        raise InvalidInput("field", "required")
    return await _set(session, user, draft_id, target, None)


async def add_entry(
    session: AsyncSession, user: User, draft_id: int, section: Section, first: Values
) -> tuple[ReportDraft, int]:
    """A new item or person, numbered within the draft; `first` holds e.g. an item's kind."""
    async with _editing(session, user, draft_id) as (draft, content):
        entries = content[ENTRY_LISTS[section]]
        if len(entries) >= ENTRIES_PER_LIST:
            raise InvalidInput(section.value, "too_many")
        entry_id = content["next"]
        content["next"] += 1
        entries.append({"id": entry_id, **first})
    return draft, entry_id


async def remove_entry(
    session: AsyncSession, user: User, draft_id: int, section: Section, entry: int
) -> ReportDraft:
    async with _editing(session, user, draft_id) as (draft, content):
        values_of(content, section, entry)
        content[ENTRY_LISTS[section]] = [
            values for values in content[ENTRY_LISTS[section]] if values["id"] != entry
        ]
        if section is Section.ITEM:
            # The item's photos stay with the report: evidence is not thrown away with a typo.
            for photo in content["photos"]:
                if photo.get("item") == entry:
                    photo["item"] = None
    return draft


@dataclass(frozen=True)
class DraftPhoto:
    """A photo in a draft, and how many the draft now holds of what it shows (an item, or the
    whole report when `item` is None)."""

    id: int
    item: int | None
    count: int


def _photo_entry(content: dict[str, Any], photo_id: int) -> dict[str, Any]:
    for photo in content["photos"]:
        if photo.get("id") == photo_id:
            return photo
    raise InvalidInput("photo", "gone")


def _counted(content: dict[str, Any], photo: dict[str, Any]) -> DraftPhoto:
    item = photo["item"]
    count = sum(1 for other in content["photos"] if other["item"] == item)
    return DraftPhoto(photo["id"], item, count)


def photo_in_draft(draft: ReportDraft, photo_id: int) -> DraftPhoto:
    return _counted(draft.content, _photo_entry(draft.content, photo_id))


async def add_photo(
    session: AsyncSession,
    user: User,
    draft_id: int,
    file_id: str,
    file_unique_id: str,
    sha256: str,
    item: int | None,
) -> DraftPhoto:
    """Attach a photo to the draft (to one of its items, or to the whole report); the same
    photo sent twice is kept once."""
    async with _editing(session, user, draft_id) as (_draft, content):
        if item is not None:
            values_of(content, Section.ITEM, item)
        photos = content["photos"]
        for photo in photos:
            if photo["file_unique_id"] == file_unique_id:
                # Photos kept before they were numbered get their number when sent again.
                photo.setdefault("id", content["next"])
                content["next"] = max(content["next"], photo["id"] + 1)
                return _counted(content, photo)
        if len(photos) >= PHOTOS_PER_DRAFT:
            raise InvalidInput("photos", "too_many")
        photo = {
            "id": content["next"],
            "file_id": file_id,
            "file_unique_id": file_unique_id,
            "sha256": sha256,
            "item": item,
        }
        content["next"] += 1
        photos.append(photo)
    return _counted(content, photo)


async def remove_photo(
    session: AsyncSession, user: User, draft_id: int, photo_id: int
) -> DraftPhoto:
    """Take a photo sent by mistake back out of the draft. Only a draft's own photos can be:
    a submitted report's photos are evidence. The file stays in the media store and the audit
    log names it."""
    async with _editing(session, user, draft_id) as (draft, content):
        photo = _photo_entry(content, photo_id)
        content["photos"].remove(photo)
    await audit.record(
        session, user, "draft.photo_removed", "draft", draft.id, sha256=photo.get("sha256")
    )
    # Counted without it: what the draft still holds of what it showed.
    return _counted(content, photo)


async def discard(session: AsyncSession, user: User, draft_id: int) -> None:
    draft = await get_draft(session, user, draft_id, for_update=True)
    await audit.record(session, user, "draft.discarded", "draft", draft.id, report=draft.report_id)
    await session.execute(delete(ReportDraft).where(ReportDraft.id == draft.id))


@dataclass(frozen=True)
class Gap:
    """A mandatory field not answered yet: what blocks submission."""

    target: Target
    number: int = 0


def gaps(content: dict[str, Any]) -> list[Gap]:
    found = [
        Gap(Target(section, spec.key))
        for section in (Section.INCIDENT, Section.CONVEYANCE)
        for spec in missing(section, content[section.value])
    ]
    for section in REPEATED:
        for number, values in enumerate(content[ENTRY_LISTS[section]], start=1):
            found += [
                Gap(Target(section, spec.key, values["id"]), number)
                for spec in (*missing(section, values), *unconfirmed_fields(section, values))
            ]
    if not content["items"]:
        found.append(Gap(Target(Section.ITEM, "kind")))
    return found


def _details(content: dict[str, Any]) -> dict[str, Any]:
    incident = kept(Section.INCIDENT, content["incident"])
    details: dict[str, Any] = {
        "incident": {key: value for key, value in incident.items() if key not in COLUMN_FIELDS},
        "conveyance": kept(Section.CONVEYANCE, content["conveyance"]),
    }
    for section in REPEATED:
        details[ENTRY_LISTS[section]] = [
            {"number": number, **kept(section, values)}
            for number, values in enumerate(content[ENTRY_LISTS[section]], start=1)
        ]
    return details


def _estimate(items: list[Values]) -> ItemEstimate:
    total = sum(values.get("quantity") or 0 for values in items)
    if total <= 0:
        return ItemEstimate.UNKNOWN
    if total == 1:
        return ItemEstimate.ONE
    if total <= 5:
        return ItemEstimate.FEW
    return ItemEstimate.SEVERAL if total <= 20 else ItemEstimate.MANY


def _apply(report: SeizureReport, content: dict[str, Any]) -> None:
    incident = content["incident"]
    report.category = FoundCategory(incident["category"])
    report.occurred_at = validate_occurred_at(datetime.fromisoformat(incident["occurred_at"]))
    report.anyone_in_danger = bool(incident["anyone_in_danger"])
    place = incident["place"]
    report.place_unit_id = place.get("unit_id")
    report.place_text = place.get("text")
    report.latitude, report.longitude = place.get("latitude"), place.get("longitude")
    report.details = _details(content)
    report.item_estimate = _estimate(report.details["items"])
    report.urgent = (
        report.anyone_in_danger
        or report.category is FoundCategory.EXPLOSIVES
        or any(item.get("kind") == "explosive" for item in report.details["items"])
    )
    report.complete = True


class Incomplete(InvalidInput):
    """Mandatory fields are missing; they are named so the officer can go straight to them."""

    def __init__(self, found: list[Gap]) -> None:
        super().__init__("report", "incomplete")
        self.gaps = found


async def submit(
    session: AsyncSession, user: User, draft_id: int, timezone: ZoneInfo
) -> SeizureReport:
    """File the draft: a new numbered report, or a new revision of the report it completes.
    The draft is gone afterwards; its content is frozen in the revision."""
    require_active(user)
    draft = await get_draft(session, user, draft_id, for_update=True)
    content = draft.content
    if found := gaps(content):
        raise Incomplete(found)
    if draft.report_id is None:
        if user.unit_id is None:
            raise InvalidInput("unit", "missing")
        unit = await get_unit(session, user.unit_id)
        report = SeizureReport(
            unit_id=unit.id,
            officer_id=user.id,
            submitted_at=utcnow(),
            exercise=draft.exercise,
            drill_id=draft.drill_id,
        )
        _apply(report, content)
        year = utcnow().astimezone(timezone).year
        report.number = await next_number(session, unit, year, report.exercise)
        session.add(report)
        action = "report.submitted"
    else:
        report = await get_own_report(session, user, draft.report_id)
        if report.status not in COMPLETABLE:
            raise InvalidInput("report", "not_open")
        _apply(report, content)
        action = "report.completed"
    report.status = ReportStatus.SUBMITTED
    # The full report is what supervisors now acknowledge, even if they saw the quick log.
    report.acknowledged_by_id = report.acknowledged_at = None
    report.returned_by_id = report.return_comment = None
    await session.flush()
    new_photos = [
        NewPhoto(
            photo["file_id"],
            photo["file_unique_id"],
            photo.get("sha256"),
            _item_number(content, photo["item"]),
        )
        for photo in content["photos"]
    ]
    await attach_photos(session, report, new_photos)
    await serials.record(session, report)
    revision = await freeze(session, report, user)
    await session.execute(delete(ReportDraft).where(ReportDraft.id == draft.id))
    await enqueue_report_filed(session, report)
    await safety.watch_if_in_danger(session, report)
    await audit.record(
        session,
        user,
        action,
        "report",
        report.id,
        number=report.number,
        revision=revision.revision,
        digest=revision.digest,
    )
    return report


def _item_number(content: dict[str, Any], item: int | None) -> int | None:
    for number, values in enumerate(content["items"], start=1):
        if values["id"] == item:
            return number
    return None
