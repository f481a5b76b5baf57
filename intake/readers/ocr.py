"""Scans and photos (JPEG, PNG, TIFF, BMP, WEBP) read by OCR: PP-OCR through RapidOCR and ONNX Runtime.

The reading runs in the sandbox's child process (sandbox.py), bounded in time and memory, by the
ocr_image worker and its helpers in workers/:

- ocr_prepare: the page before the text: the document found in a photo and its perspective
  corrected, the light evened, a seal's red taken out, the table's border squared (skew and
  keystone undone), the page cut to its ink;
- ocr_orient: which way up (0/90/180/270: the way whose text has the form's header labels);
- ocr_engine: the text boxes, each with its text, its least confident character and its
  characters' positions (PP-OCRv6 detection and recognition, the 0/180 line classifier);
- ocr_rules and ocr_grid: the table from the boxes' positions and the ruling lines (merged cells,
  wrapped text, a lost rule found again), or from the white space when there are no rules;
- ocr_join: a roster over several pages made one table.

Every grid made here has ocr=True and a confidence per cell (0.0-1.0), so extraction can warn about
the values it is unsure of.  can_read is False when rapidocr, onnxruntime or the models are not
installed, and the image is then refused as before ("unsupported").
"""

from __future__ import annotations

from intake.readers.grid import Grid
from intake.readers.limits import Limits

from . import sandbox
from .recogniser import available as recogniser_available
from .workers import Job, Worker

IMAGE_MAGICS = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")


def _is_image(head: bytes) -> bool:
    return (
        head.startswith(IMAGE_MAGICS)
        or (head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    )


def available() -> bool:
    """Are the recogniser and its models installed (checked once)?"""
    return recogniser_available()


def can_read(name: str, head: bytes) -> bool:
    return _is_image(head) and available()


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    return sandbox.run(Job(Worker.OCR_IMAGE, name, limits, limits.ocr_timeout_s), data)
