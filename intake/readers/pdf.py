"""PDF: a text layer (exported from Word or WPS) read with pdfplumber; a scanned page read by OCR.

The reading runs in the sandbox's child process (sandbox.py), bounded in time
and memory, by the pdf_text worker (workers/pdf_text.py, where the details
are).  Pages without a text layer are read by OCR when the recogniser is
installed (ocr.available); otherwise a scanned PDF is refused as unsupported.
"""

from __future__ import annotations

from intake.readers.grid import Grid
from intake.readers.limits import Limits

from . import ocr, sandbox
from .workers import Job, Worker


def can_read(name: str, head: bytes) -> bool:
    return head[:1024].lstrip(b"\x00\t\n\r\f ").startswith(b"%PDF-")


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    use_ocr = ocr.available()
    timeout = limits.conversion_timeout_s + (limits.ocr_timeout_s if use_ocr else 0)
    return sandbox.run(Job(Worker.PDF_TEXT, name, limits, timeout, use_ocr=use_ocr), data)
