"""Spreadsheets written row by row as the rows are read, so 100,000 rows never sit in memory:
XLSX (XlsxWriter, constant memory) and CSV (UTF-8 with a byte-order mark, which spreadsheet
programs need to read Cyrillic). A workbook has several sheets, each filled as its rows come
(rows of different sheets may alternate); a CSV export is one file per sheet.

What officers typed stays text in both: a cell starting with "=" is never run as a formula when
the file is opened. Dates and moments are real date cells in XLSX and ISO 8601 in CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any, Protocol

Cell = str | int | float | date | datetime | None
# Official records write dd.mm.yyyy (HH:MM) in every language; the cell is a date all the same.
DATETIME_FORMAT = "dd.mm.yyyy hh:mm"
DATE_FORMAT = "dd.mm.yyyy"
# Excel refuses a cell longer than this.
CELL_LIMIT = 32_767
# Columns as wide as their longest cell, within these bounds (in characters).
NARROWEST, WIDEST = 6, 60
# A spreadsheet program runs a CSV cell starting with one of these as a formula (OWASP, "CSV
# injection"); an apostrophe in front keeps it text and is not shown.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Sheet(Protocol):
    def append(self, row: list[Cell]) -> None: ...


class SheetWriter(Protocol):
    def sheet(self, title: str, headers: list[str]) -> Sheet: ...


class XlsxSheet:
    """One worksheet: frozen header row, autofilter over its rows, columns fitted to content."""

    def __init__(self, worksheet: Any, headers: list[str], formats: dict[str, Any]) -> None:
        self._worksheet, self._formats = worksheet, formats
        self._widths = [_width(header) for header in headers]
        worksheet.freeze_panes(1, 0)
        worksheet.write_row(0, 0, headers, formats["header"])
        self._row = 1

    def append(self, row: list[Cell]) -> None:
        # Written for a hundred thousand rows: the sheet's methods and the row's number are
        # looked up once, and text (most cells) is tested first.
        worksheet, widths, number = self._worksheet, self._widths, self._row
        for column, value in enumerate(row):
            if value is None:  # most cells of a wide sheet: nothing to write or measure
                continue
            if isinstance(value, str):
                worksheet.write_string(number, column, value[:CELL_LIMIT])
            elif isinstance(value, datetime):
                worksheet.write_datetime(number, column, value, self._formats["datetime"])
            elif isinstance(value, date):
                worksheet.write_datetime(number, column, value, self._formats["date"])
            else:
                worksheet.write_number(number, column, value)
            width = _width(value)
            if width > widths[column]:
                widths[column] = width
        self._row += 1

    def finish(self) -> None:
        # Widths and the filter go into the sheet's XML ahead of its rows when the file is put
        # together, so they are set once every row is known.
        for column, width in enumerate(self._widths):
            self._worksheet.set_column(column, column, min(max(width, NARROWEST), WIDEST))
        self._worksheet.autofilter(0, 0, self._row - 1, len(self._widths) - 1)


def _width(value: Cell) -> int:
    if isinstance(value, str):
        longest_line = max(map(len, value.splitlines())) if "\n" in value else len(value)
        return longest_line + 2  # room for the filter's arrow
    if isinstance(value, datetime):
        return len("00.00.0000 00:00") + 1
    if isinstance(value, date):
        return len("00.00.0000") + 1
    return len(str(value)) + 2


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
                # What officers typed stays text: "=…" is not a formula, "http…" not a link.
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self._formats = {
            "header": self._workbook.add_format({"bold": True}),
            "datetime": self._workbook.add_format({"num_format": DATETIME_FORMAT}),
            "date": self._workbook.add_format({"num_format": DATE_FORMAT}),
        }
        self._sheets: list[XlsxSheet] = []

    def sheet(self, title: str, headers: list[str]) -> XlsxSheet:
        worksheet = self._workbook.add_worksheet(title[:31])
        self._sheets.append(XlsxSheet(worksheet, headers, self._formats))
        return self._sheets[-1]

    def close(self) -> bytes:
        """The finished file."""
        for sheet in self._sheets:
            sheet.finish()
        self._workbook.close()
        return self._output.getvalue()


class CsvSheet:
    def __init__(self, headers: list[str]) -> None:
        self.buffer = io.StringIO()
        self._writer = csv.writer(self.buffer)
        self.append(headers)

    def append(self, row: list[Cell]) -> None:
        self._writer.writerow([_csv_value(value) for value in row])


def _csv_value(value: Cell) -> Cell:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # Only text is guarded: a number field's -3 is written as a number, while "-3" typed
        # into a text field becomes "'-3", as anything else typed there.
        return "'" + value
    return value


class CsvWriter:
    """One CSV per sheet: `close` maps each sheet's title to its bytes."""

    def __init__(self) -> None:
        self._sheets: dict[str, CsvSheet] = {}

    def sheet(self, title: str, headers: list[str]) -> CsvSheet:
        self._sheets[title] = CsvSheet(headers)
        return self._sheets[title]

    def close(self) -> dict[str, bytes]:
        return {
            title: sheet.buffer.getvalue().encode("utf-8-sig")
            for title, sheet in self._sheets.items()
        }
