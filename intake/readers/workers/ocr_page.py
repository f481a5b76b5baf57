"""One page or photo read by OCR into a Grid (ocr=True, a confidence per cell).

The page is cleaned (ocr_clean), its table found from its ruling lines or,
without rules, from the white space (ocr_table), each cell cropped and read
(ocr_cells), and the text above and below the table read as the grid's lines.
"""

from __future__ import annotations

import logging
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from intake.errors import UnreadableAttachment
from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.limits import Limits

from .ocr_cells import Cell, Reading, ink_share, read_cells, text_lines
from .ocr_clean import clean, contrast, ink_mask
from .ocr_table import Layout, find_table, find_unruled

log = logging.getLogger("intake.readers.ocr")  # the reader's logger, as before the split
KIND = "ocr"
OCR_DPI = 300  # the resolution Tesseract reads 10.5 pt Chinese best at
_PAD = 16  # white border around a cell's crop: Tesseract misreads text touching the edge


@dataclass(frozen=True)
class _Page:
    """What reading one page needs besides its pixels."""

    name: str
    part: str
    limits: Limits
    deadline: float  # time.monotonic() by which all OCR of the file is done
    work: Path  # a temporary directory for Tesseract's input files


def read_page(
    image: Image.Image,
    name: str,
    part: str,
    limits: Limits,
    deadline: float,
    dpi: float | None = None,
) -> Grid | None:
    """One page or photo as a Grid (ocr=True), or None when no text was found on it.

    An image of less than about 300 dpi is enlarged first (thin rules and small
    Chinese characters are lost below it), within limits.max_image_pixels.
    """
    dpi = dpi or _guess_dpi(image)
    scale = min(OCR_DPI / dpi, math.sqrt(limits.max_image_pixels / max(1, image.width * image.height)))
    if scale > 1.15:
        image = image.resize((int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS)
        dpi *= scale
    gray, angle = clean(image)
    log.debug("%s %s: %dx%d, skew %.2f, ~%.0f dpi", name, part, gray.width, gray.height, angle, dpi)
    mask = ink_mask(gray)
    with tempfile.TemporaryDirectory(prefix="intake-ocr-") as tmp:
        page = _Page(name, part, limits, deadline, Path(tmp))
        layout = find_table(mask, dpi)
        if layout is not None and len(layout.rows) >= 3 and len(layout.cols) >= 3:
            return _read_ruled(gray, mask, layout, page)
        return _read_unruled(gray, mask, page, dpi)


def _guess_dpi(image: Image.Image) -> float:
    """A page is about A4 (8.27 in wide); a photo's dpi is a guess anyway."""
    return max(100.0, min(600.0, min(image.size) / 8.27))


def _read_ruled(gray: Image.Image, mask: Image.Image, layout: Layout, page: _Page) -> Grid:
    """The table whose cells layout gives, each cell read by OCR; the text above and below as lines."""
    cut = contrast(gray)
    crops, plain, keys = _cell_crops(gray, cut, mask, layout)
    readings = read_cells(crops, plain, keys, page.deadline, page.work)
    ncols = min(len(layout.cols) - 1, page.limits.max_cols)
    rows, confidence = _table(readings, len(layout.rows) - 1, ncols)
    merges = [
        Merge(t, lft, b, min(rgt, ncols - 1))
        for t, lft, b, rgt in layout.cells
        if (b > t or rgt > lft) and lft < ncols
    ]
    if sum(1 for row in rows if any(v is not None for v in row)) > page.limits.max_rows:
        raise UnreadableAttachment(
            page.name, "too_many_rows", f"more than {page.limits.max_rows} filled rows"
        )
    lines = text_lines(_above_and_below(cut, layout), page.deadline, page.work)
    return Grid(
        source=page.name,
        part=page.part or "表格1",
        rows=rows,
        merges=merges,
        lines=lines,
        kind=KIND,
        ocr=True,
        confidence=confidence,
    )


def _cell_crops(
    gray: Image.Image, cut: Image.Image, mask: Image.Image, layout: Layout
) -> tuple[list[Image.Image], list[Image.Image], list[Cell]]:
    """For each cell with ink: its crop from the contrasted page, from the plain grey page, and its key."""
    inset = layout.thickness + 3
    crops, plain, keys = [], [], []
    for top, left, bottom, right in layout.cells:
        box = (
            int(layout.cols[left]) + inset,
            int(layout.rows[top]) + inset,
            int(layout.cols[right + 1]) - inset,
            int(layout.rows[bottom + 1]) - inset,
        )
        if box[2] - box[0] < 4 or box[3] - box[1] < 4:
            continue
        if ink_share(mask.crop(box)) < 0.003:
            continue  # an empty cell: a few specks of noise at most
        crops.append(ImageOps.expand(cut.crop(box), _PAD, fill=255))
        plain.append(ImageOps.expand(gray.crop(box), _PAD, fill=255))
        keys.append((top, left))
    return crops, plain, keys


def _table(
    readings: dict[Cell, Reading], nrows: int, ncols: int
) -> tuple[list[list[CellValue]], dict[tuple[int, int], float]]:
    """The rows of cell texts and the confidence per cell, from the cells' readings."""
    rows: list[list[CellValue]] = [[None] * ncols for _ in range(nrows)]
    confidence: dict[tuple[int, int], float] = {}
    for (r, c), (text, conf) in readings.items():
        if c < ncols:
            rows[r][c] = text or None
            confidence[(r, c)] = conf
    return rows, confidence


def _above_and_below(cut: Image.Image, layout: Layout) -> list[Image.Image]:
    """The page above the table's top rule and below its bottom rule."""
    top = max(1, int(layout.rows[0]) - layout.thickness)
    bottom = min(cut.height - 1, int(layout.rows[-1]) + layout.thickness)
    return [cut.crop((0, 0, cut.width, top)), cut.crop((0, bottom, cut.width, cut.height))]


def _read_unruled(gray: Image.Image, mask: Image.Image, page: _Page, dpi: float) -> Grid | None:
    """No ruling lines: cells from the white space (find_unruled), or only text lines when there is no table."""
    found = find_unruled(mask, dpi)
    if found is not None:
        return _read_ruled(gray, mask, found, page)
    lines = text_lines([contrast(gray)], page.deadline, page.work)
    if not lines:
        return None
    return Grid(source=page.name, part=page.part, rows=[], lines=lines, kind=KIND, ocr=True)
