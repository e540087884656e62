"""The figures as a table and as JSON, and the issue's targets checked against them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.fanout import FanOutResult
from benchmarks.measure import InteractiveResult

MAX_SQL_STATEMENTS = 4
MAX_P99_MS_ON_POSTGRESQL = 10.0
MIN_UPDATES_PER_SECOND = 500
MAX_FAN_OUT_RATIO = 1.10
MAX_IDLE_MB, MAX_LOADED_MB = 120, 250
# The export against XlsxWriter alone writing the same cells in the same run, and its peak.
MAX_EXPORT_FLOOR_RATIO, MAX_EXPORT_MB = 2.0, 200
MAX_PDF_SECONDS = 2.0
MAX_SERIAL_LOOKUP_P99_MS = 20.0
CHECKED_CONCURRENCY = (50, 500)  # one user is bound by latency, not by what the process can do

PASSED, MISSED, SKIPPED = "passed", "MISSED", "skipped"


def export_ratio(export: dict[str, Any]) -> float:
    return export["seconds"] / export["xlsxwriter_seconds"]


def _pdf_title(pdf: dict[str, Any]) -> str:
    return f"PDF of a report with {pdf['items']} items and {pdf['photos']} photos"


@dataclass(frozen=True)
class Throughput:
    users: int
    updates: int
    bot_per_second: float
    bare_per_second: float
    floor_per_second: float


@dataclass
class Results:
    database: str
    quick: bool
    interactive: list[InteractiveResult] = field(default_factory=list)
    throughput: list[Throughput] = field(default_factory=list)
    fan_out: FanOutResult | None = None
    memory: dict[str, Any] | None = None
    export: dict[str, Any] | None = None
    serial_lookup: dict[str, Any] | None = None
    pdf: dict[str, Any] | None = None

    def checks(self) -> list[tuple[str, str, str]]:
        """(target, status, what was found) for every target of the issue."""
        found: list[tuple[str, str, str]] = []
        for item in self.interactive:
            found.append(
                (
                    f"{item.title}: ≤{MAX_SQL_STATEMENTS} SQL statements",
                    _status(item.sql_statements <= MAX_SQL_STATEMENTS),
                    str(item.sql_statements),
                )
            )
            status = (
                _status(item.bot.p99_ms < MAX_P99_MS_ON_POSTGRESQL)
                if self.database == "postgresql"
                else SKIPPED
            )
            found.append(
                (
                    f"{item.title}: p99 < {MAX_P99_MS_ON_POSTGRESQL:g} ms on PostgreSQL",
                    status,
                    f"{item.bot.p99_ms:.1f} ms on {self.database}",
                )
            )
        for level in self.throughput:
            if level.users in CHECKED_CONCURRENCY:
                found.append(
                    (
                        f"≥{MIN_UPDATES_PER_SECOND} updates/s with {level.users} users",
                        _status(level.bot_per_second >= MIN_UPDATES_PER_SECOND),
                        f"{level.bot_per_second:.0f}/s",
                    )
                )
        if self.fan_out is not None:
            fan_out = self.fan_out
            found.append(
                (
                    f"fan-out within {MAX_FAN_OUT_RATIO - 1:.0%} of minimum, no 429",
                    _status(fan_out.ratio <= MAX_FAN_OUT_RATIO and fan_out.refused_429 == 0),
                    f"×{fan_out.ratio:.2f}, {fan_out.refused_429} × 429",
                )
            )
        if self.memory is not None:
            memory = self.memory
            found.append(
                (
                    f"idle RSS < {MAX_IDLE_MB} MB",
                    _status(memory["idle_mb"] < MAX_IDLE_MB),
                    f"{memory['idle_mb']:.0f} MB",
                )
            )
            found.append(
                (
                    f"RSS < {MAX_LOADED_MB} MB with {memory['open_items']:,} drafts and runs",
                    _status(memory["with_open_items_mb"] < MAX_LOADED_MB),
                    f"{memory['with_open_items_mb']:.0f} MB",
                )
            )
        if self.export is not None:
            export = self.export
            ratio = export_ratio(export)
            found.append(
                (
                    f"XLSX of {export['items']:,} items ≤ {MAX_EXPORT_FLOOR_RATIO:g}× XlsxWriter "
                    f"alone, peak ≤ {MAX_EXPORT_MB} MB",
                    _status(ratio <= MAX_EXPORT_FLOOR_RATIO and export["peak_mb"] <= MAX_EXPORT_MB),
                    f"×{ratio:.2f} ({export['seconds']:.1f} s against "
                    f"{export['xlsxwriter_seconds']:.1f} s), peak {export['peak_mb']:.0f} MB",
                )
            )
        if self.serial_lookup is not None:
            lookup = self.serial_lookup
            found.append(
                (
                    f"serial lookup among {lookup['items']:,} items: "
                    f"p99 ≤ {MAX_SERIAL_LOOKUP_P99_MS:g} ms",
                    _status(lookup["p99_ms"] <= MAX_SERIAL_LOOKUP_P99_MS),
                    f"p50 {lookup['p50_ms']:.1f} ms, p99 {lookup['p99_ms']:.1f} ms",
                )
            )
        if self.pdf is not None:
            pdf = self.pdf
            found.append(
                (
                    f"{_pdf_title(pdf)} ≤ {MAX_PDF_SECONDS:g} s",
                    _status(pdf["seconds"] <= MAX_PDF_SECONDS),
                    f"{pdf['seconds']:.2f} s",
                )
            )
        return found

    def missed(self) -> list[str]:
        return [target for target, status, _ in self.checks() if status == MISSED]

    def as_json(self) -> dict[str, Any]:
        document = asdict(self)
        if self.fan_out is not None:
            document["fan_out"]["ratio"] = self.fan_out.ratio
        document["checks"] = [
            {"target": target, "status": status.lower(), "found": value}
            for target, status, value in self.checks()
        ]
        return document

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_json(), indent=2, ensure_ascii=False) + "\n")


def _status(ok: bool) -> str:
    return PASSED if ok else MISSED


def _ratio(bot: float, bare: float) -> str:
    return f"×{bot / bare:.1f}" if bare else "—"


def table(results: Results) -> str:
    """What a person reads in the terminal; every figure next to bare aiogram's."""
    rows = [("measure", "bot", "bare aiogram", "ratio")]
    for item in results.interactive:
        for label, bot, bare in (
            ("p50", item.bot.p50_ms, item.bare.p50_ms),
            ("p95", item.bot.p95_ms, item.bare.p95_ms),
            ("p99", item.bot.p99_ms, item.bare.p99_ms),
        ):
            rows.append(
                (f"{item.title} {label}", f"{bot:.2f} ms", f"{bare:.2f} ms", _ratio(bot, bare))
            )
        rows.append((f"{item.title} SQL statements", str(item.sql_statements), "0", ""))
    for level in results.throughput:
        rows.append(
            (
                f"throughput, {level.users} users",
                f"{level.bot_per_second:.0f} updates/s",
                f"{level.bare_per_second:.0f} updates/s",
                _ratio(level.bare_per_second, level.bot_per_second) + " slower",
            )
        )
        rows.append(
            (
                f"  floor: bare aiogram + the same SQL, {level.users} users",
                f"{level.floor_per_second:.0f} updates/s",
                "",
                f"bot at {level.bot_per_second / level.floor_per_second:.0%} of it",
            )
        )
    if results.fan_out is not None:
        fan_out = results.fan_out
        rows.append(
            (
                f"fan-out {fan_out.notifications:,} to {fan_out.supervisors}",
                f"{fan_out.seconds:.1f} s, {fan_out.refused_429} × 429",
                f"minimum {fan_out.theoretical_seconds:.1f} s",
                f"×{fan_out.ratio:.2f}",
            )
        )
    if results.memory is not None:
        memory = results.memory
        bare = memory.get("bare_idle_mb")
        rows.append(
            (
                "RSS idle",
                f"{memory['idle_mb']:.0f} MB",
                f"{bare:.0f} MB" if bare else "—",
                _ratio(memory["idle_mb"], bare or 0),
            )
        )
        rows.append(
            (
                f"RSS, {memory['open_items']:,} drafts and runs",
                f"{memory['with_open_items_mb']:.0f} MB",
                "",
                "",
            )
        )
    if results.export is not None:
        export = results.export
        rows.append(
            (
                f"export XLSX {export['items']:,} items",
                f"{export['seconds']:.1f} s, peak {export['peak_mb']:.0f} MB",
                f"XlsxWriter alone {export['xlsxwriter_seconds']:.1f} s",
                f"×{export_ratio(export):.2f}",
            )
        )
    if results.pdf is not None:
        pdf = results.pdf
        rows.append(
            (
                _pdf_title(pdf),
                f"{pdf['seconds']:.2f} s, {pdf['pages']} pages",
                "",
                "",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines += ["", f"targets ({results.database}{', quick run' if results.quick else ''}):"]
    lines += [f"  [{status}] {target}: {value}" for target, status, value in results.checks()]
    return "\n".join(line.rstrip() for line in lines)
