"""Time to print a long report: 50 items and 20 photos as taken by a phone (1280×960), rendered
in Russian through the same code as the report's PDF button.

Run in a fresh interpreter (`python -m benchmarks.pdf`), so fonts and imports are loaded as in a
bot that prints its first PDF; prints one JSON line. Timed: reading the report and its photos
(`report_document`) and rendering (`render`)."""

from __future__ import annotations

import argparse
import io
import re
import tempfile
import time
from datetime import timedelta
from pathlib import Path

# Before aiogram, as in `python -m bot`, so aiogram loads as it does in production.
from bot import lazy_aiogram  # noqa: F401  # isort: skip
from benchmarks.database import bench_settings, reset_database
from benchmarks.memory import Figures, in_fresh_process, print_figures
from benchmarks.officers import add_officers
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_database
from bot.db.models import FoundCategory, ReportPhoto, ReportStatus, SeizureReport, utcnow
from bot.documents.pdf import render
from bot.i18n import create_i18n
from bot.media import MediaStore
from bot.procedures.library import load_library
from bot.services.report_fields import Values
from handlers.documents.report_pdf import report_document

ITEMS, PHOTOS = 50, 20
PHOTO_SIZE = (1280, 960)
# Telegram sends photos as JPEG; a few come as PNG files (screenshots, scans).
PNG_EVERY = 5
LANGUAGE = "ru"
PAGE = re.compile(rb"/Type\s*/Page\b")


def _item(number: int) -> Values:
    """Firearms, parts, ammunition lots and explosives in turn, each with its usual fields."""
    kind = ("firearm", "part", "ammunition", "explosive")[(number - 1) % 4]
    common: Values = {"number": number, "kind": kind, "storage_location": "Evidence room"}
    weapon: Values = {
        "make": "Izhmekh",
        "model": "PM",
        "calibre": "9×18 mm",
        "serial_number": {"text": f"КА {1000 + number}"},
        "country_of_manufacture": "RU",
        "marking_status": "marked",
        "condition": "working",
    }
    if kind == "firearm":
        return (
            common
            | weapon
            | {
                "firearm_type": "pistol",
                "quantity": 1,
                "year_of_manufacture": 1978,
                "action_type": "semi_automatic",
                "barrel_length_mm": 93,
                "barrels": 1,
                "state_when_found": "loaded",
            }
        )
    if kind == "part":
        return common | weapon | {"part_type": "slide", "quantity": 1}
    if kind == "ammunition":
        return common | {
            "ammunition_type": "ball",
            "calibre": "9×18 mm",
            "quantity": 16 * number,
            "headstamp_country": "RU",
        }
    return common | {"explosive_kind": "hand_grenade", "quantity": 1}


def _photo(number: int) -> bytes:
    """A photo-like picture: a gradient under grain, which compresses as a real photo does."""
    from PIL import Image

    gradient = Image.linear_gradient("L").resize(PHOTO_SIZE)
    grain = Image.effect_noise(PHOTO_SIZE, 10)
    picture = Image.merge("RGB", (gradient, grain, gradient.rotate(90).resize(PHOTO_SIZE)))
    output = io.BytesIO()
    if number % PNG_EVERY == 0:
        picture.save(output, "PNG")
    else:
        picture.save(output, "JPEG", quality=85)
    return output.getvalue()


def _report(officer_id: int, unit_id: int) -> SeizureReport:
    seized_at = utcnow() - timedelta(hours=3)
    return SeizureReport(
        number="BENCH-2026-000001",
        unit_id=unit_id,
        officer_id=officer_id,
        status=ReportStatus.SUBMITTED,
        category=FoundCategory.MIXED,
        occurred_at=seized_at,
        place_text="Kara-Suu station, platform 2",
        anyone_in_danger=False,
        complete=True,
        revision=1,
        submitted_at=seized_at + timedelta(hours=1),
        details={
            "incident": {
                "direction": "entry",
                "detection_method": "x_ray_scanner",
                "context": "trafficking",
                "route_departure": "TJ",
                "narrative": "Weapons, parts, cartridges and grenades in a truck's false floor. "
                * 20,
            },
            "conveyance": {"conveyance_type": "truck", "registration_country": "KG"},
            "items": [_item(number) for number in range(1, ITEMS + 1)],
            "persons": [],
        },
    )


async def measure_pdf(url: str) -> Figures:
    await reset_database(url)
    settings = bench_settings(url)
    engine = create_engine(url)
    media = MediaStore(Path(tempfile.mkdtemp()))
    try:
        await upgrade_database(engine)
        session_factory = create_session_factory(engine)
        [officer] = await add_officers(session_factory, 1)
        photos = [media.save(_photo(number)) for number in range(1, PHOTOS + 1)]
        async with session_factory.begin() as session:
            report = _report(officer.user_id, officer.unit_id)
            session.add(report)
            await session.flush()
            for number, digest in enumerate(photos, start=1):
                session.add(
                    ReportPhoto(
                        report_id=report.id,
                        file_id=f"photo-{number}",
                        file_unique_id=f"unique-{number}",
                        item_number=number if number <= ITEMS else None,
                        sha256=digest,
                    )
                )
            report_id = report.id
        i18n = create_i18n("en")
        library = load_library(settings.procedures_dir)
        with i18n.context(), i18n.use_locale(LANGUAGE):
            started = time.perf_counter()
            async with session_factory() as session:
                report = await session.get_one(SeizureReport, report_id)
                document = await report_document(
                    session, report, LANGUAGE, settings, library, media
                )
            prepared = time.perf_counter()
            content = render([document])
            finished = time.perf_counter()
    finally:
        await engine.dispose()
    return {
        "items": ITEMS,
        "photos": PHOTOS,
        "photos_mb": sum(media.path_of(digest).stat().st_size for digest in photos) / 2**20,
        "seconds": finished - started,
        "document_seconds": prepared - started,
        "render_seconds": finished - prepared,
        "pages": len(PAGE.findall(content)),
        "file_mb": len(content) / 2**20,
    }


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    print_figures("pdf.db", measure_pdf)


def measure_pdf_in_subprocess() -> Figures:
    return in_fresh_process("benchmarks.pdf")


if __name__ == "__main__":
    main()
