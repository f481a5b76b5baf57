"""Zip containers (zip archives and xlsx/docx packages), checked before anything is inflated.

Every size check uses the central directory only.  zipfile itself stops each
member at its declared size (a member that inflates further fails its CRC),
so a member cannot grow past what was checked here.
"""

from __future__ import annotations

import io
import struct
import zipfile

from intake.errors import UnreadableAttachment
from intake.readers.limits import Limits

from ._xml import refuse_dtd

# Parts in one xlsx/docx package; real ones have tens, one with many images a few hundred.
PACKAGE_MAX_PARTS = 2000
# Members smaller than this are not held to the compression-ratio limit: a
# small, very compressible part (a styles.xml full of repeats) is harmless.
RATIO_FLOOR = 1024 * 1024
XML_SUFFIXES = (".xml", ".rels")


def declared_entries(data: bytes) -> int | None:
    """The entry count in the end-of-central-directory record, read without parsing the directory."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or end + 22 > len(data):
        return None
    (count,) = struct.unpack("<H", data[end + 10 : end + 12])
    return None if count == 0xFFFF else count


def open_zip(data: bytes, filename: str, max_members: int) -> zipfile.ZipFile:
    count = declared_entries(data)
    if count is not None and count > max_members:
        raise UnreadableAttachment(filename, "zip_bomb", f"{count} entries (limit {max_members})")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, struct.error, ValueError, ... on a damaged directory
        raise UnreadableAttachment(filename, "corrupt", f"not a readable zip: {exc}") from exc
    if len(zf.infolist()) > max_members:
        raise UnreadableAttachment(
            filename, "zip_bomb", f"{len(zf.infolist())} entries (limit {max_members})"
        )
    return zf


def check_sizes(zf: zipfile.ZipFile, filename: str, limits: Limits, *, package: bool) -> None:
    """Raise zip_bomb when the archive would inflate too far; for a package also check XML parts."""
    total = 0
    for info in zf.infolist():
        if package and info.flag_bits & 0x1:
            raise UnreadableAttachment(filename, "encrypted", f"zip-encrypted part {info.filename}")
        total += info.file_size
        if total > limits.max_zip_total_bytes:
            raise UnreadableAttachment(
                filename, "zip_bomb", f"inflates to more than {limits.max_zip_total_bytes} bytes"
            )
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_zip_ratio * max(
            info.compress_size, 1
        ):
            raise UnreadableAttachment(
                filename, "zip_bomb", f"{info.filename}: {info.file_size} bytes from {info.compress_size}"
            )
        if package and info.filename.lower().endswith(XML_SUFFIXES) and info.file_size > limits.max_xml_bytes:
            raise UnreadableAttachment(
                filename, "zip_bomb", f"{info.filename}: {info.file_size} bytes of XML"
            )


def refuse_dtds(zf: zipfile.ZipFile, filename: str) -> None:
    """Raise corrupt if any XML part of the package declares a DTD (only prologs are read)."""
    for info in zf.infolist():
        if info.filename.lower().endswith(XML_SUFFIXES) and not info.is_dir():
            with zf.open(info) as stream:
                refuse_dtd(stream, info.filename, filename)


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author saw it.

    Without flag bit 11 the name bytes are in the archiver's local code page,
    which Python decodes as cp437.  Chinese Windows writes GBK; macOS writes
    UTF-8 without setting the flag.  UTF-8 is tried first: GBK bytes are
    rarely valid UTF-8, while UTF-8 bytes usually are valid GB18030.
    """
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")  # undo Python's guess: the bytes as stored
        except UnicodeEncodeError:
            raw = b""
        for encoding in ("utf-8", "gb18030"):
            try:
                name = raw.decode(encoding) if raw else name
            except UnicodeDecodeError:
                continue
            break
    return name.replace("\\", "/")


def zip_names(data: bytes) -> list[str]:
    """Member names of a zip, or [] when it is not one or its directory is too big to look at."""
    if data[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
        return []
    count = declared_entries(data)
    if count is not None and count > PACKAGE_MAX_PARTS:
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.namelist()
    except Exception:  # any damage means "not a package I recognise"
        return []


def is_ooxml(names: list[str], folder: str) -> bool:
    """An Office Open XML package whose main part lives under folder ("xl/", "word/")."""
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
