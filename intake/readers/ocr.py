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
it is unsure of.  The reading runs in the sandbox's child process
(sandbox.py); can_read is False when Tesseract or its chi_sim data is not
installed, and the image is then refused as before ("unsupported").

The work is done by the ocr_image worker and its helpers in workers/:
ocr_clean (cleaning), ocr_table (table structure from ruling lines or white
space), ocr_words (running Tesseract, joining words), ocr_cells (reading cells
and text lines) and ocr_page (one page, also for the PDF reader's scans).
"""

from __future__ import annotations

from intake.readers.grid import Grid
from intake.readers.limits import Limits

from . import sandbox
from .tesseract import tesseract
from .workers import Job, Worker

IMAGE_MAGICS = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")


def _is_image(head: bytes) -> bool:
    return (
        head.startswith(IMAGE_MAGICS)
        or (head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    )


def available() -> bool:
    """Is Tesseract installed with its chi_sim data (checked once)?"""
    return tesseract() is not None


def can_read(name: str, head: bytes) -> bool:
    return _is_image(head) and available()


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    return sandbox.run(Job(Worker.OCR_IMAGE, name, limits, limits.ocr_timeout_s), data)
