"""Spreadsheets written row by row as the rows are read, so 100,000 rows never sit in memory:
XLSX (XlsxWriter, constant memory) and CSV (UTF-8 with a byte-order mark, which spreadsheet
programs need to read Cyrillic). What officers typed stays text in both: a cell starting with "="
is never run as a formula when the file is opened. Sheets are written one after the other."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any, Protocol

from defusedcsv import csv

Cell = str | int | float | datetime | None
DATE_FORMAT = "yyyy-mm-dd hh:mm"
# Excel refuses a cell longer than this.
CELL_LIMIT = 32_767


class SheetWriter(Protocol):
    def sheet(self, title: str, headers: list[str]) -> None: ...

    def append(self, row: list[Cell]) -> None: ...


class XlsxWriter:
    """XLSX through the XlsxWriter library, in its constant-memory mode: each row goes to a
    temporary file as it is written, and the file is put together at `close`."""

    def __init__(self) -> None:
        # Imported when a spreadsheet is made: megabytes an idle bot does not need.
        import xlsxwriter

        self._output = io.BytesIO()
        self._workbook = xlsxwriter.Workbook(
            self._output,
            {
                "constant_memory": True,
                "default_date_format": DATE_FORMAT,
                # What officers typed stays text: "=…" is not a formula, "http…" not a link.
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self._bold = self._workbook.add_format({"bold": True})
        self._current: Any = None
        self._row = 0

    def sheet(self, title: str, headers: list[str]) -> None:
        self._current = self._workbook.add_worksheet(title[:31])
        self._current.freeze_panes(1, 0)
        self._current.write_row(0, 0, headers, self._bold)
        self._row = 1

    def append(self, row: list[Cell]) -> None:
        self._current.write_row(self._row, 0, [self._value(value) for value in row])
        self._row += 1

    @staticmethod
    def _value(value: Cell) -> Cell:
        if isinstance(value, str):
            return value[:CELL_LIMIT]
        return value

    def close(self) -> bytes:
        """The finished file."""
        self._workbook.close()
        return self._output.getvalue()


class CsvWriter:
    """One CSV per sheet: `files` maps each sheet's title to its bytes once done."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self._title = ""
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def sheet(self, title: str, headers: list[str]) -> None:
        self._finish()
        self._title = title
        self._writer.writerow(headers)

    def append(self, row: list[Cell]) -> None:
        self._writer.writerow(
            value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value
            for value in row
        )

    def _finish(self) -> None:
        if self._title:
            self.files[self._title] = self._buffer.getvalue().encode("utf-8-sig")
        self._buffer.seek(0)
        self._buffer.truncate()

    def close(self) -> dict[str, bytes]:
        self._finish()
        self._title = ""
        return self.files
