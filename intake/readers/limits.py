"""Bounds on what one message may cost to read.  Values come from [limits] in the config."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int = 30 * 1024 * 1024  # whole raw message (the email parser peaks near 7x this)
    max_attachment_bytes: int = 20 * 1024 * 1024  # one decoded attachment
    max_attachments: int = 20  # attachments considered per message
    max_rows: int = 5000  # non-empty rows per sheet or table
    max_cols: int = 100  # columns read per row
    max_sheets: int = 20  # sheets or tables per file
    max_zip_members: int = 50  # entries in one archive
    max_zip_total_bytes: int = 50 * 1024 * 1024  # uncompressed total of an archive (or an xlsx/docx package)
    max_zip_ratio: int = 200  # uncompressed/compressed per member
    max_xml_bytes: int = 40 * 1024 * 1024  # one XML part inside xlsx/docx
    max_pdf_pages: int = 10  # pages of one PDF (a receipt has one or two); more is refused
    max_image_pixels: int = 64_000_000  # one photo, or one PDF page as rendered for OCR
    conversion_timeout_s: float = 60.0  # one LibreOffice conversion, or reading one PDF's text layer
    ocr_timeout_s: float = 120.0  # OCR of one attachment, all its pages
    max_worker_memory_bytes: int = 3 * 1024**3  # address space of the process that parses a PDF or image
    # One budget per message across all its attachments (intake/readers/budget.py): OCR, LibreOffice
    # and PDF workers get at most what is left; once spent, the rest is answered as not read.
    message_budget_s: float = 180.0  # wall-clock seconds
    message_cpu_budget_s: float = 180.0  # CPU seconds (this thread and the finished children)
