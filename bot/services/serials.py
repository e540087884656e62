"""Serial hygiene and links between seizures: serials are kept as typed and compared in a
normalised form, so «КА-1234», "KA 1234" and "ka1234" are one serial; a serial seen in an
earlier report raises a possible link that a supervisor confirms or calls unrelated."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    ItemSerial,
    LinkStatus,
    Notification,
    Role,
    SeizureReport,
    SerialLink,
    User,
    utcnow,
)
from bot.services import audit
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.notifications import supervisor_levels
from bot.services.permissions import managed_unit_ids

SERIAL_LINK = "serial.link"
# The fields of an item that hold a serial: the weapon's (frame or receiver) and its parts'.
SERIAL_FIELDS = ("serial_number", "slide_serial", "barrel_serial", "bolt_serial", "cylinder_serial")
# A serial this short is shared by chance between unrelated weapons: it links two seizures
# only when the make and model match too.
SHORTEST_SERIAL_ALONE = 5

# Letters that look alike in Cyrillic and Latin, and the signs read as digits: a serial typed
# on either keyboard, or misread from a worn marking, compares equal (field review, issue 19).
_LOOKALIKES = str.maketrans(
    {
        **dict(zip("АВСЕНКМОРТХаесорх", "ABCEHKMOPTXAECOPX", strict=True)),
        "І": "1",  # Kazakh and Ukrainian I
        "і": "1",
        "l": "1",  # a lower-case L, before the text is upper-cased
        "O": "0",
        "o": "0",
        "I": "1",
        "i": "1",
    }
)
_SEPARATORS = {" ", "-", "‐", "‑", "–", "—", "_", ".", "/", "\\"}


def normalise(serial: str) -> str:
    """The form serials are compared in: look-alikes folded, separators dropped, capitals."""
    text = unicodedata.normalize("NFKC", serial).translate(_LOOKALIKES).upper()
    # Upper-casing can bring back an O or an I (from «о», «і» already folded, or "ı"): fold again.
    text = text.translate(_LOOKALIKES)
    return "".join(character for character in text if character not in _SEPARATORS)


def _name(value: Any) -> str | None:
    if not isinstance(value, str) or value == "unknown":
        return None
    return " ".join(value.split()).casefold()[:100] or None


def serial_rows(details: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The serials of a report's items, one row per typed serial (a state such as
    "obliterated" is no serial)."""
    for item in details.get("items", []):
        for field in SERIAL_FIELDS:
            value = item.get(field)
            if not isinstance(value, dict) or not value.get("text"):
                continue
            normalised = normalise(value["text"])
            if not normalised:
                continue
            yield {
                "item_number": item["number"],
                "field": field,
                "serial": value["text"][:64],
                "normalised": normalised[:64],
                "make": _name(item.get("make")),
                "model": _name(item.get("model")),
            }


def _related(ours: ItemSerial, theirs: ItemSerial) -> bool:
    if len(ours.normalised) >= SHORTEST_SERIAL_ALONE:
        return True
    return bool(ours.make and ours.model) and (ours.make, ours.model) == (theirs.make, theirs.model)


async def record(session: AsyncSession, report: SeizureReport) -> list[SerialLink]:
    """Index the serials of a report just filed (again), and raise a possible link to every
    earlier report whose item has the same serial; the supervisors of both are told."""
    await session.execute(delete(ItemSerial).where(ItemSerial.report_id == report.id))
    if report.exercise:
        # An exercise's made-up serials are not indexed: they neither raise links nor are found.
        return []
    ours = [ItemSerial(report_id=report.id, **row) for row in serial_rows(report.details or {})]
    session.add_all(ours)
    if not ours:
        return []
    # A revision filed again keeps the links already raised (and their decisions).
    already = set(await _linked(session, report.id))
    links: list[SerialLink] = []
    seen = await serials_seen_elsewhere(session, {serial.normalised for serial in ours}, report.id)
    for theirs in seen:
        for serial in ours:
            key = (theirs.report_id, serial.normalised)
            if serial.normalised != theirs.normalised or key in already:
                continue
            if not _related(serial, theirs):
                continue
            already.add(key)
            links.append(
                SerialLink(
                    report_id=report.id,
                    item_number=serial.item_number,
                    earlier_report_id=theirs.report_id,
                    earlier_item_number=theirs.item_number,
                    normalised=serial.normalised,
                    exact=serial.serial == theirs.serial,
                )
            )
    session.add_all(links)
    await session.flush()
    for link in links:
        await _tell_supervisors(session, report, link)
    return links


async def serials_seen_elsewhere(
    session: AsyncSession, normalised: set[str], report_id: int
) -> list[ItemSerial]:
    """Items of other reports with one of these normalised serials: one index lookup each
    (`ix_item_serials_normalised`), whatever the number of items filed."""
    query = select(ItemSerial).where(
        ItemSerial.normalised.in_(normalised), ItemSerial.report_id != report_id
    )
    return list((await session.scalars(query.order_by(ItemSerial.report_id))).all())


async def _linked(session: AsyncSession, report_id: int) -> list[tuple[int, str]]:
    rows = await session.execute(
        select(SerialLink.earlier_report_id, SerialLink.normalised).where(
            SerialLink.report_id == report_id
        )
    )
    return [(earlier, normalised) for earlier, normalised in rows.all()]


async def _tell_supervisors(session: AsyncSession, report: SeizureReport, link: SerialLink) -> None:
    """The nearest supervisors of both reports' units, each once."""
    earlier = await session.get(SeizureReport, link.earlier_report_id)
    recipients: dict[int, User] = {}
    for linked in (report, earlier):
        if linked is None:
            continue
        levels = await supervisor_levels(session, linked)
        for person in levels[0] if levels else []:
            recipients.setdefault(person.id, person)
    session.add_all(
        Notification(
            recipient_id=person_id, kind=SERIAL_LINK, report_id=report.id, serial_link_id=link.id
        )
        for person_id in recipients
    )


@dataclass(frozen=True)
class LinkView:
    """A link as its reader sees it: both reports' numbers and items, and the decision."""

    link: SerialLink
    report: SeizureReport
    earlier: SeizureReport
    serial: str
    earlier_serial: str
    decided_by: User | None


async def _serial_of(session: AsyncSession, report_id: int, item: int, normalised: str) -> str:
    typed = await session.scalar(
        select(ItemSerial.serial).where(
            ItemSerial.report_id == report_id,
            ItemSerial.item_number == item,
            ItemSerial.normalised == normalised,
        )
    )
    return typed or normalised


async def view(session: AsyncSession, link: SerialLink) -> LinkView:
    report = await session.get(SeizureReport, link.report_id)
    earlier = await session.get(SeizureReport, link.earlier_report_id)
    if report is None or earlier is None:
        raise NotFound("link")
    return LinkView(
        link,
        report,
        earlier,
        await _serial_of(session, report.id, link.item_number, link.normalised),
        await _serial_of(session, earlier.id, link.earlier_item_number, link.normalised),
        await session.get(User, link.decided_by_id) if link.decided_by_id else None,
    )


async def _readable_link(session: AsyncSession, actor: User, link_id: int) -> SerialLink:
    link = await session.get(SerialLink, link_id, with_for_update=True)
    if link is None:
        raise NotFound("link")
    managed = await managed_unit_ids(session, actor)
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise AccessDenied()
    if managed is not None:
        units = await session.scalars(
            select(SeizureReport.unit_id).where(
                SeizureReport.id.in_((link.report_id, link.earlier_report_id))
            )
        )
        if not managed & set(units.all()):
            raise AccessDenied()
    return link


class LinkDecided(DomainError):
    """The link was already decided (by someone else, or the same decision pressed twice)."""

    def __init__(self, shown: LinkView) -> None:
        super().__init__(shown.link.status)
        self.shown = shown


async def decide(session: AsyncSession, actor: User, link_id: int, status: LinkStatus) -> LinkView:
    """A supervisor of either report's unit says the link is confirmed or unrelated; once."""
    if status is LinkStatus.POSSIBLE:
        raise AccessDenied()
    link = await _readable_link(session, actor, link_id)
    if link.status is not LinkStatus.POSSIBLE:
        raise LinkDecided(await view(session, link))
    link.status, link.decided_by_id, link.decided_at = status, actor.id, utcnow()
    await audit.record(
        session,
        actor,
        f"link.{status.value}",
        "report",
        link.report_id,
        earlier=link.earlier_report_id,
        serial=link.normalised,
    )
    await session.flush()
    return await view(session, link)


async def links_of(session: AsyncSession, report_id: int) -> list[SerialLink]:
    """The links of a report, with either side being this report, the newest first."""
    query = select(SerialLink).where(
        (SerialLink.report_id == report_id) | (SerialLink.earlier_report_id == report_id)
    )
    return list((await session.scalars(query.order_by(SerialLink.id.desc()))).all())
