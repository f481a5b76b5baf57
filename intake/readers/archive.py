"""Zip archives of receipts, one level deep.

Junk is skipped (folders, macOS __MACOSX/ and ._ files, .DS_Store, Thumbs.db,
Office ~$ lock files); a zip inside the zip is skipped and logged.  Members
are read by content like any attachment, their grids' source becoming
"outer.zip/inner.xlsx".  If no member gives a grid, the most telling member
error is raised.

Members are read by the function the registry passes in (ArchiveReader.read_member),
so this module does not import the registry that lists it.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass

from intake.errors import UnreadableAttachment
from intake.readers.grid import Grid
from intake.readers.limits import Limits
from intake.readers.reader import Read

from ._common import is_zip
from ._package import check_sizes, member_name, open_zip, zip_names

log = logging.getLogger(__name__)
JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
# Which member error to report when nothing was readable: the most useful to the sender first.
PRIORITY = (
    "encrypted",
    "legacy_format",
    "too_many_rows",
    "too_large",
    "zip_bomb",
    "corrupt",
    "unsupported",
    "empty",
)


def can_read(name: str, head: bytes) -> bool:
    """A zip that is not an Office/OpenDocument package (those have their own readers or none)."""
    if not is_zip(head):
        return False
    names = zip_names(head)
    return "[Content_Types].xml" not in names and "mimetype" not in names


def is_junk(path: str) -> bool:
    base = path.rstrip("/").rsplit("/", 1)[-1]
    return (
        path.endswith("/")
        or path.startswith("__MACOSX/")
        or "/__MACOSX/" in path
        or base.startswith(("._", "~$"))
        or base.lower() in JUNK_NAMES
    )


@dataclass(frozen=True)
class ArchiveReader:
    """The zip reader; read_member reads one member (the registry's read_bytes: any format but a zip)."""

    read_member: Read
    label: str = "archive"

    def can_read(self, name: str, head: bytes) -> bool:
        return can_read(name, head)

    def read(self, data: bytes, name: str, limits: Limits) -> list[Grid]:
        return read(data, name, limits, self.read_member)


def read(data: bytes, name: str, limits: Limits, read_member: Read) -> list[Grid]:
    """The grids of every readable member, each read by read_member(member bytes, "outer.zip/inner", limits)."""
    grids: list[Grid] = []
    errors: list[UnreadableAttachment] = []
    with open_zip(data, name, limits.max_zip_members) as zf:
        check_sizes(zf, name, limits, package=False)
        for info in zf.infolist():
            inner = member_name(info)
            label = f"{name}/{inner}"
            if info.is_dir() or is_junk(inner):
                continue
            try:
                member = _member(zf, info, label, limits)
                if can_read(label, member):  # one level only: no recursion, no nested bombs
                    raise UnreadableAttachment(label, "unsupported", "an archive inside the archive")
                grids.extend(read_member(member, label, limits))
            except UnreadableAttachment as exc:
                log.info("skipping %s: %s", label, exc.reason)
                errors.append(exc)
    if grids:
        return grids
    if errors:
        raise min(errors, key=lambda e: PRIORITY.index(e.reason) if e.reason in PRIORITY else len(PRIORITY))
    raise UnreadableAttachment(name, "empty", "no files in the archive")


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limits: Limits) -> bytes:
    if info.flag_bits & 0x1:
        raise UnreadableAttachment(label, "encrypted", "password-protected zip member")
    if info.file_size > limits.max_attachment_bytes:
        raise UnreadableAttachment(label, "too_large", f"{info.file_size} bytes")
    try:
        return zf.read(info)
    except Exception as exc:  # bad CRC, unsupported compression, truncated data
        raise UnreadableAttachment(label, "corrupt", f"cannot extract: {exc}") from exc
