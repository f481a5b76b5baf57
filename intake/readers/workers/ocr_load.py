"""The OCR page reader, loaded on first use.

OpenCV, NumPy's image work and ONNX Runtime load only when a page needs OCR (a PDF with a text layer
never pays for them).  When the worker's memory limit (limits.max_worker_memory_bytes) is too small
for them to load, the file is refused as too_large, as for any file that needs more than the limit:
it is not the file that is broken.
"""

from __future__ import annotations

from typing import Protocol

from PIL import Image

from intake.errors import UnreadableAttachment
from intake.readers.grid import Grid
from intake.readers.limits import Limits


class ReadPage(Protocol):
    def __call__(
        self,
        image: Image.Image,
        name: str,
        part: str,
        limits: Limits,
        deadline: float,
        dpi: float | None = None,
    ) -> Grid | None: ...


def page_reader(name: str) -> ReadPage:
    """ocr_read.read_page, imported here (UnreadableAttachment too_large when it does not fit)."""
    try:
        from .ocr_read import read_page  # noqa: PLC0415 - OpenCV and ONNX Runtime: only for a page to OCR
    except (ImportError, MemoryError, OSError) as exc:
        raise UnreadableAttachment(name, "too_large", f"OCR does not fit the worker's memory: {exc}") from exc
    reader: ReadPage = read_page
    return reader
