"""Picks a reader by content and runs it inside the attachment limits.

Every reader is a Reader (reader.py: ``can_read(name, head)`` and
``read(data, name, limits)``).  They are tried in order; the file name only
matters to the text readers, when content alone cannot tell CSV from other text.
"""

from __future__ import annotations

import logging

from intake.errors import Reason, UnreadableAttachment
from intake.readers.grid import Grid
from intake.readers.limits import Limits
from intake.readers.reader import FormatReader, Reader

from . import archive, convert, csvtext, docx, htmltables, mhtml, ocr, pdf, plaintext, xls, xlsx, xml2003
from ._common import quiet_warnings

log = logging.getLogger(__name__)

# Formats recognised only to be refused: (magic, reason, what it is).
KNOWN: tuple[tuple[bytes, Reason, str], ...] = (
    (b"\xff\xd8\xff", "unsupported", "JPEG image"),
    (b"\x89PNG\r\n\x1a\n", "unsupported", "PNG image"),
    (b"GIF8", "unsupported", "GIF image"),
    (b"II*\x00", "unsupported", "TIFF image"),
    (b"MM\x00*", "unsupported", "TIFF image"),
    (b"Rar!\x1a\x07", "unsupported", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "unsupported", "7z archive"),
    (b"\x1f\x8b", "unsupported", "gzip data"),
    (b"BZh", "unsupported", "bzip2 data"),
    (b"%!PS", "unsupported", "PostScript document"),
    (b"{\\rtf", "legacy_format", "RTF document"),
    (b"\x78\x9f\x3e\x22", "winmail", "Outlook winmail.dat (TNEF) not opened"),
)


def read_bytes(name: str, data: bytes, limits: Limits) -> list[Grid]:
    """The grids of one attachment, or UnreadableAttachment; never any other exception."""
    if len(data) > limits.max_attachment_bytes:
        raise UnreadableAttachment(
            name, "too_large", f"{len(data)} bytes (limit {limits.max_attachment_bytes})"
        )
    if not data.strip(b" \t\r\n\x00\x1a"):
        raise UnreadableAttachment(name, "empty", "no content")
    for reader in FIRST:
        if _can_read(reader, name, data):
            return _read(reader, name, data, limits)
    for magic, reason, what in KNOWN:
        if data.startswith(magic):
            raise UnreadableAttachment(name, reason, what)
    if data[:2] == b"BM" and data[6:10] == b"\x00\x00\x00\x00":
        raise UnreadableAttachment(name, "unsupported", "BMP image")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        raise UnreadableAttachment(name, "unsupported", "WEBP image")
    for reader in READERS:
        if _can_read(reader, name, data):
            return _read(reader, name, data, limits)
    raise UnreadableAttachment(name, "unsupported", "unknown file format")


def _read(reader: Reader, name: str, data: bytes, limits: Limits) -> list[Grid]:
    grids = _run(reader, name, data, limits)
    if not grids:
        raise UnreadableAttachment(name, "empty", f"no table found ({reader.label})")
    return grids


def capabilities() -> dict[str, bool]:
    """Which optional formats this machine reads (for the operator's status)."""
    return {
        "doc_wps_odt": convert.available("doc"),
        "ods": convert.available("ods"),
        "pdf_text": True,
        "ocr": ocr.available(),
    }


def _can_read(reader: Reader, name: str, data: bytes) -> bool:
    try:
        return reader.can_read(name, data)
    except Exception:  # a sniffing bug must not stop the other readers
        log.exception("%s: %s.can_read failed", name, reader.label)
        return False


def _run(reader: Reader, name: str, data: bytes, limits: Limits) -> list[Grid]:
    try:
        with quiet_warnings():
            return list(reader.read(data, name, limits))
    except UnreadableAttachment:
        raise
    except Exception as exc:  # libraries fail on damaged files in every possible way
        log.info("%s: %s reader failed: %r", name, reader.label, exc)
        raise UnreadableAttachment(name, "corrupt", f"{type(exc).__name__}: {exc}"[:500]) from exc


def _read_member(data: bytes, name: str, limits: Limits) -> list[Grid]:
    """An archive member read like any attachment (the archive reader refuses a zip inside)."""
    return read_bytes(name, data, limits)


# Tried before the refusals above: PDF (always), images (when the OCR recogniser is installed),
# RTF (when LibreOffice is: without it, RTF is refused as legacy_format).
FIRST: tuple[Reader, ...] = (
    FormatReader("pdf", pdf.can_read, pdf.read),
    FormatReader("ocr", ocr.can_read, ocr.read),
    FormatReader("rtf", convert.can_read_rtf, convert.read),
)
# convert (LibreOffice, when installed) before xls, which refuses a Word 97 .doc as legacy_format.
READERS: tuple[Reader, ...] = (
    FormatReader("xlsx", xlsx.can_read, xlsx.read),
    FormatReader("docx", docx.can_read, docx.read),
    FormatReader("convert", convert.can_read, convert.read),
    archive.ArchiveReader(read_member=_read_member),
    FormatReader("xls", xls.can_read, xls.read),
    FormatReader("xml2003", xml2003.can_read, xml2003.read),
    FormatReader("mhtml", mhtml.can_read, mhtml.read),
    FormatReader("htmltables", htmltables.can_read, htmltables.read),
    FormatReader("csvtext", csvtext.can_read, csvtext.read),
    FormatReader("plaintext", plaintext.can_read, plaintext.read),
)
