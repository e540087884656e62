"""Printable documents: a titled sequence of sections (label/value rows, tables, paragraphs,
photos) rendered as an A4 PDF with PT Sans, a typeface drawn for the languages of the CIS
(ң, ө, ү). A document is an official record: its letterhead opens the first page, and every page
carries its number, the page count and who printed it, so no page can be swapped or lost
unnoticed."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import fontpkg_pt_sans

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_FILES = fontpkg_pt_sans.ROOT / "files"
FAMILY = "PTSans"
MARGIN = 15  # mm around an A4 page
RUNNING_SIZE = 8  # pt: the header and footer of every page
LINE = 5  # mm: a line of body text at 10 pt
CELL_PADDING = 1.5  # mm: fpdf's table padding on each side of a cell
PADDING = 2 * CELL_PADDING + 1  # mm a cell needs beside its text
LABEL_SHARE = 0.45  # a label column never takes more of the line than this
SHORT_COLUMN = 0.2  # a column that fits in this share of the line is never wrapped
IMAGE_WIDTH = 90  # mm: half the page, large enough to read a serial number
KEEP_WITH_TITLE = 25  # mm: a title and the first lines under it
HAND_WRITTEN = 9  # mm: the height of a line to be filled in by hand
# Characters the typeface lacks but Babel writes (narrow and thin spaces in ky/ru numbers and
# times): printed as the no-break space the font has, so "10 000" keeps its gap.
SPACES = {"\u202f": "\u00a0", "\u2009": "\u00a0", "\u2007": "\u00a0"}


@dataclass(frozen=True)
class Rows:
    """Label / value pairs, the label column as wide as the longest label needs."""

    pairs: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    # Rows whose widest column is printed in bold (a critical step), by their index in `rows`.
    emphasised: frozenset[int] = frozenset()
    # A form filled in by hand (signatures): rows high enough to write in, and the columns
    # after the labels equally wide.
    hand_written: bool = False


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Image:
    content: bytes
    caption: str = ""


Block = Rows | Table | Paragraph | Image


@dataclass(frozen=True)
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    # A section that must not be split over two pages (the signatures).
    together: bool = False


@dataclass(frozen=True)
class Document:
    title: str
    sections: list[Section]
    # The service, the unit's parents and the unit, top first: the first lines of page 1.
    letterhead: list[str] = field(default_factory=list)
    # On every page: what the document is (a report's number), and a template with {page} and
    # {pages} for the page numbering, counted within this document.
    running_title: str = ""
    page_numbering: str = "{page} / {pages}"
    # On every page's foot: when and by whom it was printed.
    printed: str = ""


@cache
def _glyphs() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(FONT_FILES / "PT_Sans-Web-Regular.ttf")
    return frozenset(font.getBestCmap())


def printable(text: str) -> str:
    """The text without what the typeface cannot draw (the emoji of the chat screens)."""
    glyphs = _glyphs()
    text = "".join(SPACES.get(c, c) for c in text)
    return "".join(c for c in text if c == "\n" or ord(c) in glyphs).strip()


def render(documents: list[Document]) -> bytes:
    """One PDF; each document starts on a page of its own and counts its own pages."""
    # Imported when a PDF is made: tens of megabytes an idle bot does not need.
    from fpdf import FPDF

    # fontTools logs every table it subsets at INFO: hundreds of lines per PDF on the console
    # of the CLI export, none of them about the report.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf = FPDF(format="A4")
    pdf.set_margins(MARGIN, MARGIN + 5, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN + 5)
    pdf.add_font(FAMILY, "", FONT_FILES / "PT_Sans-Web-Regular.ttf")
    pdf.add_font(FAMILY, "B", FONT_FILES / "PT_Sans-Web-Bold.ttf")
    if documents:
        pdf.set_title(printable(documents[0].title))
    for document in documents:
        first = pdf.page_no() + 1
        _document(pdf, document)
        _running_lines(pdf, document, first, pdf.page_no())
    return bytes(pdf.output())


def _document(pdf: FPDF, document: Document) -> None:
    pdf.add_page()
    if document.letterhead:
        pdf.set_font(FAMILY, "B", 10)
        for line in document.letterhead:
            pdf.multi_cell(0, LINE, printable(line), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.set_font(FAMILY, "B", 15)
    pdf.multi_cell(0, 8, printable(document.title), align="L", new_x="LMARGIN", new_y="NEXT")
    for section in document.sections:
        if section.together:
            with pdf.unbreakable() as keeping:
                _section(keeping, section)
        else:
            _section(pdf, section)


def _running_lines(pdf: FPDF, document: Document, first: int, last: int) -> None:
    """The header and footer of each page of a document, written once its page count is known."""
    pdf.set_auto_page_break(auto=False)
    for page in range(first, last + 1):
        pdf.page = page
        # The page's own text stream no longer says which font is selected.
        pdf.current_font_is_set_on_page = False
        pdf.set_font(FAMILY, "", RUNNING_SIZE)
        numbering = document.page_numbering.format(page=page - first + 1, pages=last - first + 1)
        pdf.set_xy(MARGIN, MARGIN - 5)
        pdf.cell(pdf.epw / 2, 4, printable(document.running_title), align="L")
        pdf.cell(pdf.epw / 2, 4, printable(numbering), align="R")
        pdf.set_xy(MARGIN, pdf.h - MARGIN)
        pdf.cell(pdf.epw, 4, printable(document.printed), align="L")
    pdf.page = last
    pdf.set_auto_page_break(auto=True, margin=MARGIN + 5)


def _section(pdf: FPDF, section: Section) -> None:
    pdf.ln(4)
    # A title is never left alone at the foot of a page.
    if pdf.will_page_break(KEEP_WITH_TITLE):
        pdf.add_page()
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 7, printable(section.title), align="L", new_x="LMARGIN", new_y="NEXT")
    for block in section.blocks:
        pdf.set_font(FAMILY, "", 10)
        match block:
            case Rows(pairs) if pairs:
                _rows(pdf, pairs)
            case Table() if block.rows:
                _table(pdf, block)
            case Paragraph(text, bold):
                pdf.ln(1)
                pdf.set_font(FAMILY, "B" if bold else "", 10)
                pdf.multi_cell(0, LINE, printable(text), align="L", new_x="LMARGIN", new_y="NEXT")
            case Image(content, caption):
                _image(pdf, content, caption)


def _rows(pdf: FPDF, pairs: list[tuple[str, str]]) -> None:
    labels = [printable(label) for label, _value in pairs]
    widest = max(pdf.get_string_width(label) for label in labels) + PADDING
    label_width = min(widest, pdf.epw * LABEL_SHARE)
    with pdf.table(
        col_widths=(label_width, pdf.epw - label_width),
        first_row_as_headings=False,
        line_height=LINE,
        text_align="LEFT",
        padding=CELL_PADDING,
    ) as table:
        for label, (_label, value) in zip(labels, pairs, strict=True):
            row = table.row()
            row.cell(label)
            row.cell(printable(value))


def _table(pdf: FPDF, table_block: Table) -> None:
    from fpdf.fonts import FontFace

    headers = [printable(header) for header in table_block.headers]
    rows = [[printable(value) for value in values] for values in table_block.rows]
    if table_block.hand_written:
        labels = max(pdf.get_string_width(values[0]) for values in [headers, *rows]) + PADDING
        shared = (pdf.epw - labels) / (len(headers) - 1)
        widths = [labels, *[shared] * (len(headers) - 1)]
    else:
        widths = fitting_widths(pdf, [headers, *rows], pdf.epw)
    widest = widths.index(max(widths))
    bold = FontFace(emphasis="BOLD")
    pdf.ln(1)
    with pdf.table(
        col_widths=widths,
        line_height=LINE,
        text_align="LEFT",
        padding=CELL_PADDING,
        min_row_height=HAND_WRITTEN if table_block.hand_written else None,
    ) as table:
        heading = table.row()
        for header in headers:
            heading.cell(header)
        for number, values in enumerate(rows):
            row = table.row()
            for column, value in enumerate(values):
                emphasised = number in table_block.emphasised and column == widest
                row.cell(value, style=bold if emphasised else None)


def fitting_widths(pdf: FPDF, lines: Sequence[Sequence[str]], total: float) -> list[float]:
    """Column widths that fit their content, the way a browser lays out a table: a short column
    (a number, a time, a name) gets what its longest cell needs on one line; the long ones share
    the rest in proportion to their text, none narrower than its longest word, and the widest
    takes what is left over."""
    columns = list(zip(*lines, strict=True))

    def width(text: str) -> float:
        return max(pdf.get_string_width(line) for line in text.split("\n")) + PADDING

    natural = [max(width(text) for text in column) for column in columns]
    if sum(natural) <= total:
        widest = natural.index(max(natural))
        return [
            size + (total - sum(natural) if n == widest else 0) for n, size in enumerate(natural)
        ]
    short = [size <= total * SHORT_COLUMN for size in natural]
    room = total - sum(size for size, fixed in zip(natural, short, strict=True) if fixed)
    least = [
        max(width(word) for text in column for word in text.split() or [""]) for column in columns
    ]
    stretch = [most - few for most, few in zip(natural, least, strict=True)]
    flexible = [n for n, fixed in enumerate(short) if not fixed]
    if not flexible:
        return [total * size / sum(natural) for size in natural]
    spare = room - sum(least[n] for n in flexible)
    total_stretch = sum(stretch[n] for n in flexible)
    widths = list(natural)
    for n in flexible:
        if spare <= 0 or not total_stretch:
            widths[n] = room * least[n] / sum(least[m] for m in flexible)
        else:
            widths[n] = least[n] + spare * stretch[n] / total_stretch
    return widths


def _image(pdf: FPDF, content: bytes, caption: str) -> None:
    """A photo and its caption, kept on one page. The photo is read once and its height taken
    from it: fpdf's `unbreakable` would copy the whole document and read the photo a second time
    whenever it moves to the next page (half the time of printing a report's photos)."""
    from fpdf.image_parsing import preload_image

    pdf.ln(2)
    photo = io.BytesIO(content)
    _name, _picture, info = preload_image(pdf.image_cache, photo)
    _width, height = info.size_in_document_units(IMAGE_WIDTH, 0)
    lines = []
    if caption:
        caption = printable(caption)
        pdf.set_font(FAMILY, "", 8)
        lines = pdf.multi_cell(0, 4, caption, dry_run=True, output="LINES")
    if pdf.will_page_break(height + 4 * len(lines)):
        pdf.add_page()
    pdf.image(photo, w=IMAGE_WIDTH)
    if caption:
        pdf.multi_cell(0, 4, caption, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
