"""One page or photo read by PP-OCR into a Grid (ocr=True, a confidence per cell).

The page is prepared (ocr_prepare: the document found in a photo and flattened, light evened, seal
out, deskewed), turned the right way up (ocr_orient), its text boxes found and read (ocr_engine),
and the table built from the boxes' positions and the ruling lines (ocr_rules, ocr_grid).
"""

from __future__ import annotations

import logging
import time

from PIL import Image

from intake.errors import UnreadableAttachment
from intake.readers.grid import Grid
from intake.readers.limits import Limits

from .ocr_grid import Table, page_lines, ruled_table, unruled_table
from .ocr_orient import upright
from .ocr_prepare import prepare
from .ocr_rules import find_rules

log = logging.getLogger("intake.readers.ocr")
KIND = "ocr"
MIN_ROWS, MIN_COLS = 3, 3  # fewer ruled bands than this is no table (a boxed title, an underline)


def read_page(
    image: Image.Image,
    name: str,
    part: str,
    limits: Limits,
    deadline: float,
    dpi: float | None = None,
) -> Grid | None:
    """One page or photo as a Grid (ocr=True), or None when no text was found on it."""
    started = time.monotonic()
    page = prepare(image, dpi, limits.max_image_pixels)
    page, boxes = upright(page, deadline, name)
    log.debug(
        "%s %s: %dx%d at ~%.0f dpi, skew %.2f, document %s, %d text boxes, %.1f s",
        name,
        part,
        page.gray.shape[1],
        page.gray.shape[0],
        page.dpi,
        page.angle,
        "flattened" if page.flattened else "as scanned",
        len(boxes),
        time.monotonic() - started,
    )
    if not boxes:
        return None
    rules = find_rules(page.gray, page.dpi)
    table: Table | None
    if rules is not None and len(rules.rows) > MIN_ROWS and len(rules.cols) > MIN_COLS:
        table = ruled_table(boxes, rules)
    else:
        table = unruled_table(boxes)
    if table is None:
        return Grid(source=name, part=part, rows=[], lines=page_lines(boxes), kind=KIND, ocr=True)
    return _grid(table, name, part, limits)


def _grid(table: Table, name: str, part: str, limits: Limits) -> Grid:
    filled = sum(1 for row in table.rows if any(v is not None for v in row))
    if filled > limits.max_rows:
        raise UnreadableAttachment(name, "too_many_rows", f"more than {limits.max_rows} filled rows")
    width = limits.max_cols
    return Grid(
        source=name,
        part=part or "表格1",
        rows=[row[:width] for row in table.rows],
        merges=[m for m in table.merges if m.left < width],
        lines=[*table.above, *table.below],
        kind=KIND,
        ocr=True,
        confidence={cell: v for cell, v in table.confidence.items() if cell[1] < width},
    )
