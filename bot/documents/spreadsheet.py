"""Spreadsheets written row by row as the rows are read, so 100,000 rows never sit in memory:
XLSX (openpyxl's write-only workbook) and CSV (UTF-8 with a byte-order mark, which spreadsheet
programs need to read Cyrillic). Sheets are written one after the other."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import IO, Any, Protocol

Cell = str | int | float | datetime | None
DATE_FORMAT = "yyyy-mm-dd hh:mm"
# Excel refuses a cell longer than this.
CELL_LIMIT = 32_767


class SheetWriter(Protocol):
    def sheet(self, title: str, headers: list[str]) -> None: ...

    def append(self, row: list[Cell]) -> None: ...


class XlsxWriter:
    def __init__(self) -> None:
        # Imported when a spreadsheet is made: megabytes an idle bot does not need.
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self._workbook = Workbook(write_only=True)
        self._cell = WriteOnlyCell
        self._bold = Font(bold=True)
        self._current: Any = None

    def sheet(self, title: str, headers: list[str]) -> None:
        self._current = self._workbook.create_sheet(title=title[:31])
        self._current.freeze_panes = "A2"
        row = []
        for header in headers:
            cell = self._cell(self._current, value=header)
            cell.font = self._bold
            row.append(cell)
        self._current.append(row)

    def append(self, row: list[Cell]) -> None:
        self._current.append([self._value(value) for value in row])

    def _value(self, value: Cell) -> Any:
        if isinstance(value, datetime):
            cell = self._cell(self._current, value=value)
            cell.number_format = DATE_FORMAT
            return cell
        if isinstance(value, str):
            return value[:CELL_LIMIT]
        return value

    def save(self, target: IO[bytes]) -> None:
        self._workbook.save(target)


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
