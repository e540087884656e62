"""Printable documents: a titled sequence of sections (label/value rows, tables, paragraphs)
rendered as an A4 PDF with PT Sans, a typeface drawn for the languages of the CIS (ң, ө, ү)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import fontpkg_pt_sans

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_FILES = fontpkg_pt_sans.ROOT / "files"
FAMILY = "PTSans"
LABEL_WIDTH = 55  # mm of an A4 page's 180 for the label column
IMAGE_WIDTH = 90  # mm: half the page, large enough to read a serial number


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    # Relative widths of the columns; equal when not given.
    widths: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    table: Table | None = None
    paragraphs: list[str] = field(default_factory=list)
    images: list[bytes] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    title: str
    sections: list[Section]
    footer: str = ""


@cache
def _glyphs() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(FONT_FILES / "PT_Sans-Web-Regular.ttf")
    return frozenset(font.getBestCmap())


def printable(text: str) -> str:
    """The text without what the typeface cannot draw (the emoji of the chat screens)."""
    glyphs = _glyphs()
    return "".join(c for c in text if c == "\n" or ord(c) in glyphs).strip()


def render(documents: list[Document]) -> bytes:
    """One PDF; each document starts on a page of its own."""
    # Imported when a PDF is made: tens of megabytes an idle bot does not need.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font(FAMILY, "", FONT_FILES / "PT_Sans-Web-Regular.ttf")
    pdf.add_font(FAMILY, "B", FONT_FILES / "PT_Sans-Web-Bold.ttf")
    if documents:
        pdf.set_title(printable(documents[0].title))
    for document in documents:
        _document(pdf, document)
    return bytes(pdf.output())


def _document(pdf: FPDF, document: Document) -> None:
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 15)
    pdf.multi_cell(0, 8, printable(document.title), new_x="LMARGIN", new_y="NEXT")
    for section in document.sections:
        _section(pdf, section)
    if document.footer:
        pdf.ln(6)
        pdf.set_font(FAMILY, "", 8)
        pdf.multi_cell(0, 4, printable(document.footer), new_x="LMARGIN", new_y="NEXT")


def _section(pdf: FPDF, section: Section) -> None:
    pdf.ln(4)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 7, printable(section.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    if section.rows:
        with pdf.table(
            col_widths=(LABEL_WIDTH, pdf.epw - LABEL_WIDTH),
            first_row_as_headings=False,
            line_height=5,
        ) as table:
            for label, value in section.rows:
                row = table.row()
                row.cell(printable(label))
                row.cell(printable(value))
    if section.table is not None and section.table.rows:
        with pdf.table(line_height=5, col_widths=section.table.widths) as table:
            heading = table.row()
            for header in section.table.headers:
                heading.cell(printable(header))
            for values in section.table.rows:
                row = table.row()
                for value in values:
                    row.cell(printable(value))
    for paragraph in section.paragraphs:
        pdf.multi_cell(0, 5, printable(paragraph), new_x="LMARGIN", new_y="NEXT")
    for image in section.images:
        pdf.ln(2)
        pdf.image(io.BytesIO(image), w=IMAGE_WIDTH)
