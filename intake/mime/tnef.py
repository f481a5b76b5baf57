"""The files inside an Outlook winmail.dat (application/ms-tnef), read per MS-OXTNEF.

Outlook in rich-text mode sends every attachment inside one TNEF stream: a signature, a legacy
key, then attributes (level, id, length, data, checksum).  An attachment starts with
attAttachRendData; attAttachTitle names it in the sender's OEM code page (936 in China: GBK
bytes), attAttachData holds its bytes, and attAttachment carries MAPI properties with the long
file name (PR_ATTACH_LONG_FILENAME) that Outlook shows.  Only the attachments are taken: the rich
text body travels beside the TNEF part as text/plain.

Pure and total: a damaged stream gives the files read before the damage and `damaged=True`, never
an exception.  Written here rather than taken from tnefparse (see README, "Dependencies"): that
package decodes attAttachTitle as UTF-8 (a GBK title raises), copies the rest of the stream for
every attribute (quadratic on a crafted one) and raises on a level-2 attribute before the first
attAttachRendData.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from intake.mime.charsets import decode_bytes, normalize_charset

SIGNATURE = b"\x78\x9f\x3e\x22"  # 0x223E9F78 little-endian
_LEVEL_ATTACHMENT = 0x02
# Attribute ids (the low 16 bits; the high 16 bits are the attribute's type).
_ATT_OEM_CODEPAGE = 0x9007
_ATT_ATTACH_REND_DATA = 0x9002
_ATT_ATTACH_TITLE = 0x8010
_ATT_ATTACH_DATA = 0x800F
_ATT_ATTACHMENT = 0x9005
# MAPI properties of an attachment.
_PR_DISPLAY_NAME = 0x3001
_PR_ATTACH_DATA = 0x3701
_PR_ATTACH_FILENAME = 0x3704
_PR_ATTACH_LONG_FILENAME = 0x3707
_PR_ATTACH_MIME_TAG = 0x370E
_NAME_IDS = (_PR_ATTACH_LONG_FILENAME, _PR_ATTACH_FILENAME, _PR_DISPLAY_NAME)
# MAPI property types: fixed sizes as stored (short and boolean padded to 4), and variable ones.
_FIXED_SIZE = {0x0001: 4, 0x0002: 4, 0x0003: 4, 0x0004: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8, 0x000A: 4}
_FIXED_SIZE |= {0x000B: 4, 0x0014: 8, 0x0040: 8, 0x0048: 16}
_STRING8, _UNICODE, _BINARY, _OBJECT = 0x001E, 0x001F, 0x0102, 0x000D
_MULTI = 0x1000
_MAX_ATTRIBUTES = 10_000
_MAX_FILES = 100
_MAX_PROPS = 2_000


@dataclass(frozen=True)
class TnefFile:
    filename: str  # the long file name Outlook shows, else the title ("" when neither)
    content_type: str  # PR_ATTACH_MIME_TAG, lower-case, or ""
    data: bytes


@dataclass(frozen=True)
class TnefContents:
    files: tuple[TnefFile, ...] = ()
    skipped: int = 0  # attachments without data (an embedded message or OLE object)
    damaged: bool = False  # the stream ended or broke before its end


@dataclass
class _Attachment:
    title: str = ""
    names: dict[int, str] = field(default_factory=dict)
    mime_tag: str = ""
    data: bytes | None = None


def is_tnef(data: bytes) -> bool:
    return data.startswith(SIGNATURE)


def open_tnef(data: bytes) -> TnefContents:
    """The files of a TNEF stream (data starts with SIGNATURE)."""
    reader = _Reader(data)
    damaged = reader.read_all()
    files = [f for f in (_file(a) for a in reader.attachments) if f is not None]
    return TnefContents(tuple(files), len(reader.attachments) - len(files), damaged)


def _file(attachment: _Attachment) -> TnefFile | None:
    if attachment.data is None:
        return None
    name = next((attachment.names[i] for i in _NAME_IDS if attachment.names.get(i)), attachment.title)
    return TnefFile(name, attachment.mime_tag.lower(), attachment.data)


@dataclass
class _Reader:
    data: bytes
    codepage: str = "gb18030"  # until attOemCodepage says otherwise: the senders here write GBK
    attachments: list[_Attachment] = field(default_factory=list)

    def read_all(self) -> bool:
        """Read every attribute; True when the stream is damaged (cut short or too many parts)."""
        offset = 6
        for _ in range(_MAX_ATTRIBUTES):
            if offset == len(self.data):
                return False
            if offset + 9 > len(self.data):
                return True
            level = self.data[offset]
            attribute, length = struct.unpack_from("<II", self.data, offset + 1)
            end = offset + 9 + length
            if end + 2 > len(self.data):
                return True
            self._take(level, attribute & 0xFFFF, self.data[offset + 9 : end])
            if len(self.attachments) > _MAX_FILES:
                return True
            offset = end + 2  # the checksum is not checked: a wrong one still names the same bytes
        return True

    def _take(self, level: int, attribute: int, value: bytes) -> None:
        if attribute == _ATT_OEM_CODEPAGE and len(value) >= 4:
            self.codepage = _codec(struct.unpack_from("<I", value)[0])
            return
        if level != _LEVEL_ATTACHMENT:
            return
        if attribute == _ATT_ATTACH_REND_DATA or not self.attachments:
            self.attachments.append(_Attachment())
        current = self.attachments[-1]
        if attribute == _ATT_ATTACH_TITLE:
            current.title = _text(value, self.codepage)
        elif attribute == _ATT_ATTACH_DATA:
            current.data = value
        elif attribute == _ATT_ATTACHMENT:
            self._properties(current, value)

    def _properties(self, current: _Attachment, value: bytes) -> None:
        for prop, content in _mapi_properties(value):
            if prop in _NAME_IDS and isinstance(content, bytes | str):
                current.names[prop] = content if isinstance(content, str) else _text(content, self.codepage)
            elif prop == _PR_ATTACH_MIME_TAG and isinstance(content, str | bytes):
                current.mime_tag = content if isinstance(content, str) else _text(content, "ascii")
            elif prop == _PR_ATTACH_DATA and isinstance(content, bytes) and current.data is None:
                current.data = content


def _codec(codepage: int) -> str:
    if codepage == 65001:
        return "utf-8"
    return normalize_charset(f"cp{codepage}") or "gb18030"


def _text(value: bytes, codepage: str) -> str:
    return decode_bytes(value.split(b"\x00", 1)[0], codepage)[0].strip()


def _mapi_properties(data: bytes) -> list[tuple[int, bytes | str]]:
    """(property id, value) of a MAPI property stream, strings and binaries only; stops at damage."""
    found: list[tuple[int, bytes | str]] = []
    try:
        (count,) = struct.unpack_from("<I", data)
        offset = 4
        for _ in range(min(count, _MAX_PROPS)):
            kind, prop = struct.unpack_from("<HH", data, offset)
            offset = _skip_name(data, offset + 4) if prop >= 0x8000 else offset + 4
            values, offset = _values(data, offset, kind)
            if kind & ~_MULTI != _OBJECT:  # an embedded message or OLE object is not a file
                found.extend((prop, value) for value in values[:1])
    except (struct.error, ValueError):
        pass
    return found


def _skip_name(data: bytes, offset: int) -> int:
    """Past the GUID and name of a named property."""
    (name_kind,) = struct.unpack_from("<I", data, offset + 16)
    if name_kind == 0:
        return offset + 24
    (length,) = struct.unpack_from("<I", data, offset + 20)
    return offset + 24 + _padded(length)


def _values(data: bytes, offset: int, kind: int) -> tuple[list[bytes | str], int]:
    base = kind & ~_MULTI
    if base in _FIXED_SIZE:
        count = 1
        if kind & _MULTI:
            (count,) = struct.unpack_from("<I", data, offset)
            offset += 4
        return [], offset + count * _FIXED_SIZE[base]
    if base not in (_STRING8, _UNICODE, _BINARY, _OBJECT):
        raise ValueError(f"unknown MAPI type {kind:#06x}")
    (count,) = struct.unpack_from("<I", data, offset)
    offset += 4
    values: list[bytes | str] = []
    for _ in range(min(count, _MAX_PROPS)):
        (size,) = struct.unpack_from("<I", data, offset)
        raw = data[offset + 4 : offset + 4 + size]
        if len(raw) < size:
            raise ValueError("MAPI value cut short")
        values.append(raw.decode("utf-16-le", "replace").split("\x00", 1)[0] if base == _UNICODE else raw)
        offset += 4 + _padded(size)
    return values, offset


def _padded(size: int) -> int:
    return size + (-size % 4)
