"""PDF: a text layer (exported from Word or WPS) read with pdfplumber; a scanned page read by OCR.

Runs in the sandbox worker (sandbox.py), bounded in time and memory.  The page
count comes first, from pdfium (fast, and before anything is parsed or
rendered); more than limits.max_pdf_pages pages is refused as too_large.

A page with a text layer: each ruled table (pdfplumber's "lines" strategy,
the borders Word and LibreOffice draw) becomes a Grid with its merged cells;
the text above the first table, between tables and below the last one
becomes the grids' lines, as in the docx reader.  A page without ruled tables
is rebuilt from word positions (_layout.py), unless it is a scan with an OCR
layer, which goes to OCR like a page without any text.
Text wrapped inside a cell is joined without a space between Chinese
characters.  A table that goes on over the next page, with the same columns,
is one grid (a repeated header row is dropped).

Scanned pages (no text) are rendered by pdfium at 300 dpi (less when the
page would exceed limits.max_image_pixels) and read by ocr.read_page, when
Tesseract is installed; otherwise a scanned PDF is refused as unsupported.
"""

from __future__ import annotations

import io
import logging
import math
import time

from intake.errors import UnreadableAttachment
from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.limits import Limits

from . import ocr, sandbox
from ._common import split_lines
from ._layout import Box, layout, text_of

log = logging.getLogger(__name__)
KIND = "pdf"
OCR_DPI = ocr.OCR_DPI
MIN_TEXT_CHARS = 10  # fewer characters than this on a page: it is a scan
TOLERANCE = 1.5  # points: cell edges closer than this are the same edge


def can_read(name: str, head: bytes) -> bool:
    return head[:1024].lstrip(b"\x00\t\n\r\f ").startswith(b"%PDF-")


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    use_ocr = ocr.available()
    timeout = limits.conversion_timeout_s + (limits.ocr_timeout_s if use_ocr else 0)
    return sandbox.run("pdf", data, name, limits, timeout, use_ocr=use_ocr)


# --- in the worker ------------------------------------------------------------------------------


def read_in_worker(
    data: bytes, name: str, limits: Limits, deadline: float, use_ocr: bool = False
) -> list[Grid]:
    import pdfplumber
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise UnreadableAttachment(name, "encrypted", "password-protected PDF") from exc
        raise UnreadableAttachment(name, "corrupt", f"PDF: {exc}") from exc
    try:
        count = len(document)
        if count == 0:
            raise UnreadableAttachment(name, "empty", "PDF without pages")
        if count > limits.max_pdf_pages:
            raise UnreadableAttachment(name, "too_large", f"{count} pages (limit {limits.max_pdf_pages})")
        pages: list[list[Grid]] = []
        scanned = 0
        with pdfplumber.open(io.BytesIO(data), pages=list(range(1, count + 1))) as pdf:
            for index, page in enumerate(pdf.pages[:count]):
                if time.monotonic() > deadline:
                    raise UnreadableAttachment(name, "too_large", "PDF took too long to read")
                found = _text_page(page, name, limits, use_ocr)
                if found is None:
                    scanned += 1
                    found = _scanned_page(document, index, name, limits, deadline) if use_ocr else []
                pages.append(found)
                page.close()
    finally:
        document.close()
    grids = _join_continued(pages)
    for number, grid in enumerate(g for g in grids if g.rows):
        grid.part = f"表格{number + 1}"
    if not any(g.rows for g in grids) and scanned and not use_ocr:
        raise UnreadableAttachment(
            name, "unsupported", "scanned PDF; OCR (tesseract-ocr-chi-sim) is not installed"
        )
    return [g for g in grids if g.rows] or [g for g in grids if g.lines][:1]


def _text_page(page, name: str, limits: Limits, use_ocr: bool) -> list[Grid] | None:  # type: ignore[no-untyped-def]
    """The grids of a page with a text layer; None for a page to OCR."""
    chars = [c for c in page.chars if c.get("text", "").strip()]
    if len(chars) < MIN_TEXT_CHARS:
        return None
    tables = page.find_tables()
    if not tables:
        if use_ocr and _mostly_image(page):
            return None  # a scan with an OCR text layer: its own words, positions guessed; read it again
        return _unruled_page(page, name, limits)
    tables = sorted(tables, key=lambda t: t.bbox[1])[: limits.max_sheets]
    grids: list[Grid] = []
    top = 0.0
    for table in tables:
        x0, t_top, x1, t_bottom = table.bbox
        lines = _lines(page, (0, top, page.width, t_top))
        grid = _table_grid(table, name, limits)
        grid.lines = lines
        grids.append(grid)
        top = t_bottom
    rest = _lines(page, (0, top, page.width, page.height))
    if grids:
        grids[-1].lines.extend(rest)
    elif rest:
        grids.append(Grid(source=name, part="", rows=[], lines=rest, kind=KIND))
    return grids


def _unruled_page(page, name: str, limits: Limits) -> list[Grid]:  # type: ignore[no-untyped-def]
    """A page without ruled tables: the table from word positions (_layout), the rest as lines."""
    words = [
        Box(w["text"], w["x0"], w["top"], w["x1"], w["bottom"])
        for w in page.extract_words(x_tolerance=1.5)[:20000]
    ]
    found = layout(words)
    if found is None:
        lines = split_lines(page.extract_text() or "")
        return [Grid(source=name, part="", rows=[], lines=lines, kind=KIND)] if lines else []
    width = min(max((len(r) for r in found.rows), default=0), limits.max_cols)
    rows: list[list[CellValue]] = [
        [text_of(cell, words, ocr.join_pieces) or None for cell in row[:width]] for row in found.rows
    ]
    if len(rows) > limits.max_rows:
        raise UnreadableAttachment(name, "too_many_rows", f"more than {limits.max_rows} filled rows")
    lines = [text_of(line, words, ocr.join_pieces) for line in [*found.above, *found.below]]
    return [Grid(source=name, part="", rows=rows, lines=[t for t in lines if t], kind=KIND)]


def _mostly_image(page) -> bool:  # type: ignore[no-untyped-def]
    area = float(page.width * page.height) or 1.0
    return any((im["x1"] - im["x0"]) * (im["bottom"] - im["top"]) > 0.5 * area for im in page.images)


def _lines(page, box: tuple[float, float, float, float]) -> list[str]:  # type: ignore[no-untyped-def]
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


def _edges(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > TOLERANCE:
            out.append(v)
    return out


def _index(edges: list[float], value: float) -> int:
    """The last edge index at or before value (within the tolerance)."""
    found = 0
    for i, edge in enumerate(edges):
        if edge <= value + TOLERANCE:
            found = i
    return found


def _table_grid(table, name: str, limits: Limits) -> Grid:  # type: ignore[no-untyped-def]
    """A pdfplumber table as a Grid: the text at each cell's top-left, merges for cells spanning edges."""
    cells = [c for c in table.cells if c]
    xs = _edges([c[0] for c in cells])
    ys = _edges([c[1] for c in cells])
    width = min(len(xs), limits.max_cols)
    rows: list[list[CellValue]] = [[None] * width for _ in ys]
    merges: list[Merge] = []
    texts = table.extract()
    for row, values in zip(table.rows, texts, strict=False):
        for cell, value in zip(row.cells, values, strict=False):
            if cell is None:
                continue
            r, c = _index(ys, cell[1]), _index(xs, cell[0])
            bottom = _index(ys, cell[3] - 2 * TOLERANCE)
            right = min(_index(xs, cell[2] - 2 * TOLERANCE), width - 1)
            if c >= width:
                continue
            rows[r][c] = join_wrapped(value) if value else None
            if bottom > r or right > c:
                merges.append(Merge(r, c, bottom, right))
    filled = sum(1 for row in rows if any(v not in (None, "") for v in row))
    if filled > limits.max_rows:
        raise UnreadableAttachment(name, "too_many_rows", f"more than {limits.max_rows} filled rows")
    return Grid(source=name, part="", rows=rows, merges=merges, kind=KIND)


def join_wrapped(text: str) -> str:
    """A cell's text with its visual line breaks undone (no space between Chinese characters)."""
    out = ""
    for line in text.split("\n"):
        out = ocr.join_pieces(out, line.strip())
    return out


def _scanned_page(
    document,
    index: int,
    name: str,
    limits: Limits,  # type: ignore[no-untyped-def]
    deadline: float,
) -> list[Grid]:
    page = document[index]
    try:
        w, h = page.get_size()
        scale = min(OCR_DPI / 72, math.sqrt(limits.max_image_pixels / max(1.0, w * h)))
        if w * scale < 200 or h * scale < 200:
            return []
        image = page.render(scale=scale).to_pil()
    finally:
        page.close()
    grid = ocr.read_page(image, name, "", limits, deadline, dpi=scale * 72)
    return [grid] if grid is not None else []


def _join_continued(pages: list[list[Grid]]) -> list[Grid]:
    """All grids in order; a table continued at the top of the next page is appended to its first part."""
    out: list[Grid] = []
    previous_last: Grid | None = None
    for grids in pages:
        for k, grid in enumerate(grids):
            if (
                k == 0
                and previous_last is not None
                and grid.rows
                and previous_last.rows
                and _width(grid) == _width(previous_last)
                and grid.ocr == previous_last.ocr
            ):
                _append(previous_last, grid)
                continue
            out.append(grid)
        previous_last = out[-1] if grids and out else None
    return out


def _width(grid: Grid) -> int:
    return max((len(r) for r in grid.rows), default=0)


def _append(first: Grid, more: Grid) -> None:
    skip = 1 if more.rows[0] in first.rows[:5] else 0  # the header row repeated on the new page
    offset = len(first.rows) - skip
    first.rows.extend(more.rows[skip:])
    first.merges.extend(
        Merge(m.top + offset, m.left, m.bottom + offset, m.right) for m in more.merges if m.top >= skip
    )
    first.confidence.update({(r + offset, c): v for (r, c), v in more.confidence.items() if r >= skip})
    first.lines.extend(more.lines)
