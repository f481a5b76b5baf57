"""Scans and photos (JPEG, PNG, TIFF, BMP, WEBP) read by OCR: Tesseract with simplified Chinese.

The image is cleaned first: the red channel of a colour image (a red seal
nearly vanishes in it), a 3x3 median filter against speckle, and the skew
found by projection profiles (the angle within +-5 degrees whose row sums are
most uneven) is undone.  The table comes from the page layout: ruling lines
are rows and columns in which most short segments are dark; a rule missing
between two cells makes them one merged cell.  Each cell is cropped and all
cells go through one Tesseract run (a list of images), chi_sim first; cells
of columns that read as Latin text (mobiles, e-mails, times) are read again
with eng, with a digit whitelist for numeric columns.  Text above and below
the table becomes the grid's lines.  Without ruling lines, rows and columns
come from the white space between text lines and between columns.

Every grid made here has ocr=True and a confidence per cell (the lowest word
confidence Tesseract gave, 0.0-1.0), so extraction can warn about the values
it is unsure of.  Runs in the sandbox worker (sandbox.py); can_read is False
when Tesseract or its chi_sim data is not installed, and the image is then
refused as before ("unsupported").

The work is split over helper modules: _ocr_image (cleaning), _ocr_table
(table structure from ruling lines or white space), _ocr_tesseract (running
Tesseract, joining words) and _ocr_cells (reading cells and text lines).
Their public names are re-exported here.
"""

from __future__ import annotations

import io
import logging
import math
import tempfile
from pathlib import Path

from intake.errors import UnreadableAttachment
from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.limits import Limits

from . import sandbox
from ._ocr_cells import DIGITS, DISAGREED, SURE, _ink_share, _read_cells, _text_lines, tidy_latin
from ._ocr_image import CUT, clean, contrast, ink_mask, skew
from ._ocr_table import Layout, find_table, find_unruled
from ._ocr_tesseract import LANG_CJK, Word, join_pieces, join_words, run_tesseract, tesseract

__all__ = [
    "CUT",
    "DIGITS",
    "DISAGREED",
    "IMAGE_MAGICS",
    "KIND",
    "LANG_CJK",
    "OCR_DPI",
    "SURE",
    "Layout",
    "Word",
    "available",
    "can_read",
    "clean",
    "contrast",
    "find_table",
    "find_unruled",
    "ink_mask",
    "join_pieces",
    "join_words",
    "load_images",
    "read",
    "read_in_worker",
    "read_page",
    "run_tesseract",
    "skew",
    "tesseract",
    "tidy_latin",
]

log = logging.getLogger(__name__)
KIND = "ocr"
IMAGE_MAGICS = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")
OCR_DPI = 300  # the resolution Tesseract reads 10.5 pt Chinese best at


def _is_image(head: bytes) -> bool:
    return (
        head.startswith(IMAGE_MAGICS)
        or (head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    )


def available() -> bool:
    return tesseract() is not None


def can_read(name: str, head: bytes) -> bool:
    return _is_image(head) and available()


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    return sandbox.run("image", data, name, limits, limits.ocr_timeout_s)


# --- in the worker ------------------------------------------------------------------------------


def read_in_worker(data: bytes, name: str, limits: Limits, deadline: float) -> list[Grid]:
    frames = load_images(data, name, limits)
    grids: list[Grid] = []
    for index, frame in enumerate(frames):
        grid = read_page(frame, name, "" if len(frames) == 1 else f"第{index + 1}页", limits, deadline)
        if grid is not None:
            grids.append(grid)
    return grids


def load_images(data: bytes, name: str, limits: Limits) -> list:  # type: ignore[type-arg]
    """The image (each page of a multi-page TIFF, up to limits.max_pdf_pages) upright, within
    limits.max_image_pixels (a JPEG up to 4x larger is decoded at half or quarter scale)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 4 * limits.max_image_pixels  # Pillow's own bomb check, beyond ours below
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UnreadableAttachment(name, "corrupt", f"image: {exc}") from exc
    except Image.DecompressionBombError as exc:
        raise UnreadableAttachment(name, "too_large", str(exc)) from exc
    w, h = image.size
    if w * h > limits.max_image_pixels and image.format == "JPEG":
        image.draft("RGB", (w // 2, h // 2) if w * h <= 4 * limits.max_image_pixels else (w // 4, h // 4))
        w, h = image.size
    if w * h > limits.max_image_pixels:
        raise UnreadableAttachment(name, "too_large", f"{w}x{h} pixels (limit {limits.max_image_pixels})")
    frames = []
    try:
        for index in range(min(getattr(image, "n_frames", 1), limits.max_pdf_pages)):
            image.seek(index)
            if image.size[0] * image.size[1] > limits.max_image_pixels:
                raise UnreadableAttachment(name, "too_large", f"page {index + 1}: {image.size} pixels")
            image.load()
            frames.append(ImageOps.exif_transpose(image.copy()))
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise UnreadableAttachment(name, "corrupt", f"image: {exc}") from exc
    return frames


# --- a page --------------------------------------------------------------------------------------


def read_page(
    image,
    name: str,
    part: str,
    limits: Limits,
    deadline: float,  # type: ignore[no-untyped-def]
    dpi: float | None = None,
) -> Grid | None:
    """One page or photo as a Grid (ocr=True), or None when no text was found on it.

    An image of less than about 300 dpi is enlarged first (thin rules and small
    Chinese characters are lost below it), within limits.max_image_pixels.
    """
    from PIL import Image

    dpi = dpi or _guess_dpi(image)
    scale = min(OCR_DPI / dpi, math.sqrt(limits.max_image_pixels / max(1, image.width * image.height)))
    if scale > 1.15:
        image = image.resize((int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS)
        dpi *= scale
    gray, angle = clean(image)
    log.debug("%s %s: %dx%d, skew %.2f, ~%.0f dpi", name, part, gray.width, gray.height, angle, dpi)
    mask = ink_mask(gray)
    with tempfile.TemporaryDirectory(prefix="intake-ocr-") as tmp:
        work = Path(tmp)
        layout = find_table(mask, dpi)
        if layout is not None and len(layout.rows) >= 3 and len(layout.cols) >= 3:
            return _read_ruled(gray, mask, layout, name, part, limits, deadline, work)
        return _read_unruled(gray, mask, name, part, limits, deadline, work, dpi)


def _guess_dpi(gray) -> float:  # type: ignore[no-untyped-def]
    """A page is about A4 (8.27 in wide); a photo's dpi is a guess anyway."""
    return max(100.0, min(600.0, min(gray.size) / 8.27))


def _read_ruled(
    gray,
    mask,
    layout: Layout,
    name: str,
    part: str,
    limits: Limits,  # type: ignore[no-untyped-def]
    deadline: float,
    work: Path,
) -> Grid:
    from PIL import ImageOps

    inset = layout.thickness + 3
    cut = contrast(gray)
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
        if _ink_share(mask.crop(box)) < 0.003:
            continue  # an empty cell: a few specks of noise at most
        crops.append(ImageOps.expand(cut.crop(box), 16, fill=255))
        plain.append(ImageOps.expand(gray.crop(box), 16, fill=255))
        keys.append((top, left))
    readings = _read_cells(crops, plain, keys, deadline, work)
    nrows, ncols = len(layout.rows) - 1, min(len(layout.cols) - 1, limits.max_cols)
    rows: list[list[CellValue]] = [[None] * ncols for _ in range(nrows)]
    confidence: dict[tuple[int, int], float] = {}
    for (r, c), (text, conf) in readings.items():
        if c < ncols:
            rows[r][c] = text or None
            confidence[(r, c)] = conf
    merges = [
        Merge(t, lft, b, min(rgt, ncols - 1))
        for t, lft, b, rgt in layout.cells
        if (b > t or rgt > lft) and lft < ncols
    ]
    if sum(1 for row in rows if any(v is not None for v in row)) > limits.max_rows:
        raise UnreadableAttachment(name, "too_many_rows", f"more than {limits.max_rows} filled rows")
    above = cut.crop((0, 0, cut.width, max(1, int(layout.rows[0]) - layout.thickness)))
    below = cut.crop((0, min(cut.height - 1, int(layout.rows[-1]) + layout.thickness), cut.width, cut.height))
    lines = _text_lines([above, below], deadline, work)
    return Grid(
        source=name,
        part=part or "表格1",
        rows=rows,
        merges=merges,
        lines=lines,
        kind=KIND,
        ocr=True,
        confidence=confidence,
    )


def _read_unruled(
    gray,
    mask,
    name: str,
    part: str,
    limits: Limits,  # type: ignore[no-untyped-def]
    deadline: float,
    work: Path,
    dpi: float,
) -> Grid | None:
    """No ruling lines: cells from the white space (find_unruled), or only text lines when there is no table."""
    found = find_unruled(mask, dpi)
    if found is not None:
        return _read_ruled(gray, mask, found, name, part, limits, deadline, work)
    lines = _text_lines([contrast(gray)], deadline, work)
    return Grid(source=name, part=part, rows=[], lines=lines, kind=KIND, ocr=True) if lines else None
