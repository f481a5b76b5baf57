"""The heavy readers' work, done only in the sandbox's child process (sandbox.py).

The client readers (pdf.py, ocr.py) name a worker module in a Job; the child
imports that module by its name and calls its ``read_in_worker(data, job,
deadline)``.  No module outside this package imports a worker module, so
pdfplumber, pdfium, ONNX Runtime and the OCR models load only in the child, which is
bounded in memory and time and killed when it runs over.

pdf_text:  a PDF, its text layer (ocr_read for pages without one)
ocr_image: a scan or photo (JPEG, PNG, TIFF, BMP, WEBP), read by ocr_read
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from intake.readers.grid import Grid
from intake.readers.limits import Limits


class Worker(StrEnum):
    """A worker module in this package, by its module name."""

    PDF_TEXT = "pdf_text"
    OCR_IMAGE = "ocr_image"

    @property
    def module(self) -> str:
        return f"{__name__}.{self.value}"


@dataclass(frozen=True)
class Job:
    """One file for a worker to read: which worker, the file's name, the limits and the time it has."""

    worker: Worker
    name: str
    limits: Limits
    timeout: float  # seconds of wall-clock time for the whole file
    use_ocr: bool = False  # PDF: pages without a text layer are read by OCR (the recogniser is installed)


class ReadInWorker(Protocol):
    """What each worker module has: its grids of the file, or UnreadableAttachment."""

    def __call__(self, data: bytes, job: Job, deadline: float) -> list[Grid]: ...
