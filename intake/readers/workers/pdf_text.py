"""The worker for a PDF: its text layer read with pdfplumber, a page without one read by OCR.

The page count comes first, from pdfium (fast, and before anything is parsed
or rendered); more than limits.max_pdf_pages pages is refused as too_large.

A page with a text layer: each ruled table (pdfplumber's "lines" strategy,
the borders Word and LibreOffice draw) becomes a Grid with its merged cells
(pdf_tables.py); the text above the first table, between tables and below the
last one becomes the grids' lines, as in the docx reader.  A page without
ruled tables is rebuilt from word positions (layout.py), unless it is a scan
with an OCR layer, which goes to OCR like a page without any text.  A table
that goes on over the next page, with the same columns, is one grid (a
repeated header row is dropped).

Scanned pages (no text) are rendered by pdfium at 300 dpi (less when the
page would exceed limits.max_image_pixels) and read by ocr_read.read_page
when the job says use_ocr; otherwise a scanned PDF is refused as unsupported.
A roster scanned over several pages is one grid (ocr_join).
"""

from __future__ import annotations

import io
import math
import time
from typing import Any

import pdfplumber
import pypdfium2
from pdfplumber.page import Page

from intake.errors import UnreadableAttachment
from intake.readers._common import split_lines
from intake.readers.grid import CellValue, Grid
from intake.readers.limits import Limits

from . import Job, ReadInWorker
from .layout import Box, layout, text_of
from .ocr_join import join_pages
from .ocr_load import page_reader
from .ocr_text import join_pieces
from .pdf_tables import KIND, join_continued, table_grid

OCR_DPI = 300  # a scanned page is rendered at this resolution for OCR (within max_image_pixels)
MIN_TEXT_CHARS = 10  # fewer characters than this on a page: it is a scan
MAX_WORDS = 20000  # words of one page placed by position (a page of text has a few thousand)


def read_in_worker(data: bytes, job: Job, deadline: float) -> list[Grid]:
    """The grids of every table in the PDF (a part per table: 表格1, 表格2), or its text as lines."""
    document = _open(data, job.name)
    try:
        count = _page_count(document, job.name, job.limits)
        pages, scanned = _read_pages(data, document, count, job, deadline)
    finally:
        document.close()
    grids = join_pages(join_continued(pages))  # a table over pages with text, then one over scanned pages
    for number, grid in enumerate(g for g in grids if g.rows):
        grid.part = f"表格{number + 1}"
    if not any(g.rows for g in grids) and scanned and not job.use_ocr:
        raise UnreadableAttachment(
            job.name, "unsupported", "scanned PDF; OCR (rapidocr, onnxruntime) is not installed"
        )
    return [g for g in grids if g.rows] or [g for g in grids if g.lines][:1]


def _open(data: bytes, name: str) -> Any:  # pypdfium2.PdfDocument: the library has no type hints
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise UnreadableAttachment(name, "encrypted", "password-protected PDF") from exc
        raise UnreadableAttachment(name, "corrupt", f"PDF: {exc}") from exc


def _page_count(document: Any, name: str, limits: Limits) -> int:
    count = len(document)
    if count == 0:
        raise UnreadableAttachment(name, "empty", "PDF without pages")
    if count > limits.max_pdf_pages:
        raise UnreadableAttachment(name, "too_large", f"{count} pages (limit {limits.max_pdf_pages})")
    return count


def _read_pages(
    data: bytes, document: Any, count: int, job: Job, deadline: float
) -> tuple[list[list[Grid]], int]:
    """The grids of each page, and how many pages had no text layer."""
    pages: list[list[Grid]] = []
    scanned = 0
    with pdfplumber.open(io.BytesIO(data), pages=list(range(1, count + 1))) as pdf:
        for index, page in enumerate(pdf.pages[:count]):
            if time.monotonic() > deadline:
                raise UnreadableAttachment(job.name, "too_large", "PDF took too long to read")
            found = _text_page(page, job.name, job.limits, job.use_ocr)
            if found is None:
                scanned += 1
                found = _scanned_page(document, index, job.name, job.limits, deadline) if job.use_ocr else []
            pages.append(found)
            page.close()
    return pages, scanned


def _text_page(page: Page, name: str, limits: Limits, use_ocr: bool) -> list[Grid] | None:
    """The grids of a page with a text layer; None for a page to OCR."""
    chars = [c for c in page.chars if c.get("text", "").strip()]
    if len(chars) < MIN_TEXT_CHARS:
        return None
    tables = page.find_tables()
    if not tables:
        if use_ocr and _mostly_image(page):
            return None  # a scan with an OCR text layer: its own words, positions guessed; read it again
        return _unruled_page(page, name, limits)
    grids: list[Grid] = []
    top = 0.0
    for table in sorted(tables, key=lambda t: t.bbox[1])[: limits.max_sheets]:
        _x0, t_top, _x1, t_bottom = table.bbox
        grid = table_grid(table, name, limits)
        grid.lines = _lines(page, (0, top, page.width, t_top))
        grids.append(grid)
        top = t_bottom
    rest = _lines(page, (0, top, page.width, page.height))
    if grids:
        grids[-1].lines.extend(rest)
    elif rest:  # limits.max_sheets is 0
        grids.append(Grid(source=name, part="", rows=[], lines=rest, kind=KIND))
    return grids


def _unruled_page(page: Page, name: str, limits: Limits) -> list[Grid]:
    """A page without ruled tables: the table from word positions (layout.py), the rest as lines."""
    words = [
        Box(w["text"], w["x0"], w["top"], w["x1"], w["bottom"])
        for w in page.extract_words(x_tolerance=1.5)[:MAX_WORDS]
    ]
    found = layout(words)
    if found is None:
        lines = split_lines(page.extract_text() or "")
        return [Grid(source=name, part="", rows=[], lines=lines, kind=KIND)] if lines else []
    width = min(max((len(r) for r in found.rows), default=0), limits.max_cols)
    rows: list[list[CellValue]] = [
        [text_of(cell, words, join_pieces) or None for cell in row[:width]] for row in found.rows
    ]
    if len(rows) > limits.max_rows:
        raise UnreadableAttachment(name, "too_many_rows", f"more than {limits.max_rows} filled rows")
    lines = [text_of(line, words, join_pieces) for line in [*found.above, *found.below]]
    return [Grid(source=name, part="", rows=rows, lines=[t for t in lines if t], kind=KIND)]


def _mostly_image(page: Page) -> bool:
    area = float(page.width * page.height) or 1.0
    return any((im["x1"] - im["x0"]) * (im["bottom"] - im["top"]) > 0.5 * area for im in page.images)


def _lines(page: Page, box: tuple[float, float, float, float]) -> list[str]:
    x0, top, x1, bottom = box
    if bottom - top < 1:
        return []
    try:
        region = page.crop(
            (max(0, x0), max(0, top), min(page.width, x1), min(page.height, bottom)), strict=False
        )
        return split_lines(region.extract_text() or "")
    except ValueError:  # a box outside the page
        return []


def _scanned_page(document: Any, index: int, name: str, limits: Limits, deadline: float) -> list[Grid]:
    """A page without a text layer rendered (about 300 dpi, within limits.max_image_pixels) and read by OCR."""
    page = document[index]
    try:
        w, h = page.get_size()
        scale = min(OCR_DPI / 72, math.sqrt(limits.max_image_pixels / max(1.0, w * h)))
        if w * scale < 200 or h * scale < 200:
            return []
        image = page.render(scale=scale).to_pil()
    finally:
        page.close()
    grid = page_reader(name)(image, name, "", limits, deadline, dpi=scale * 72)
    return [grid] if grid is not None else []


_READ: ReadInWorker = read_in_worker  # the signature the sandbox calls, checked by mypy
