"""winmail.dat (application/ms-tnef) bytes as Outlook writes them in rich-text mode, per MS-OXTNEF.

Independent of intake: the oracle intake/mime/tnef.py is tested against.  The stream is the
signature 0x223E9F78, a legacy key, then attributes, each ``level (1) | id (4) | length (4) |
data | checksum (2)`` (the checksum is the sum of the data bytes mod 65536).  Message-level
attributes come first (attTnefVersion, attOemCodepage, attMessageClass); each attachment is
attAttachRendData, attAttachTitle (in the OEM code page: GBK for 936), attAttachModifyDate,
attAttachData, then attAttachment holding MAPI properties (PR_ATTACH_LONG_FILENAME in UTF-16,
PR_ATTACH_METHOD, PR_ATTACH_EXTENSION, and a named property to skip).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

_MESSAGE, _ATTACHMENT = 0x01, 0x02
ATT_TNEF_VERSION = 0x00089006
ATT_OEM_CODEPAGE = 0x00069007
ATT_MESSAGE_CLASS = 0x00078008
ATT_ATTACH_REND_DATA = 0x00069002
ATT_ATTACH_TITLE = 0x00018010
ATT_ATTACH_MODIFY_DATE = 0x00038013
ATT_ATTACH_DATA = 0x0006800F
ATT_ATTACHMENT = 0x00069005
PT_LONG, PT_STRING8, PT_UNICODE, PT_BINARY, PT_OBJECT = 0x0003, 0x001E, 0x001F, 0x0102, 0x000D
PR_ATTACH_METHOD = 0x3705
PR_ATTACH_EXTENSION = 0x3703
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_DATA = 0x3701
PR_ATTACH_MIME_TAG = 0x370E


@dataclass(frozen=True)
class TnefAttachment:
    title: str  # attAttachTitle: Outlook writes the name here in the OEM code page
    data: bytes | None  # None: an embedded item (PR_ATTACH_DATA as an object), no attAttachData
    long_filename: str | None = None  # PR_ATTACH_LONG_FILENAME (UTF-16); None: not written
    mime_tag: str = ""
    string8: bool = False  # the long name as PT_STRING8 in the code page, as older Outlook writes it


def attribute(level: int, ident: int, data: bytes) -> bytes:
    return struct.pack("<BII", level, ident, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def _padded(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def _variable(kind: int, prop: int, value: bytes) -> bytes:
    return struct.pack("<HHII", kind, prop, 1, len(value)) + _padded(value)


def mapi_properties(item: TnefAttachment, codepage: str) -> bytes:
    props = [struct.pack("<HHI", PT_LONG, PR_ATTACH_METHOD, 5 if item.data is None else 1)]
    ext = item.title.rpartition(".")[2] if "." in item.title else ""
    props.append(_variable(PT_STRING8, PR_ATTACH_EXTENSION, f".{ext}".encode(codepage) + b"\x00"))
    # A named property (GUID, kind 1 = string name), as Outlook adds for its own use.
    name = "AttachmentFlags".encode("utf-16-le") + b"\x00\x00"
    props.append(
        struct.pack("<HH", PT_LONG, 0x8005) + b"\x11" * 16 + struct.pack("<II", 1, len(name)) + _padded(name)
    )
    props.append(struct.pack("<I", 0))  # its PT_LONG value
    if item.long_filename is not None and item.string8:
        value = item.long_filename.encode(codepage) + b"\x00"
        props.append(_variable(PT_STRING8, PR_ATTACH_LONG_FILENAME, value))
    elif item.long_filename is not None:
        value = item.long_filename.encode("utf-16-le") + b"\x00\x00"
        props.append(_variable(PT_UNICODE, PR_ATTACH_LONG_FILENAME, value))
    if item.mime_tag:
        props.append(_variable(PT_STRING8, PR_ATTACH_MIME_TAG, item.mime_tag.encode() + b"\x00"))
    if item.data is None:
        props.append(_variable(PT_OBJECT, PR_ATTACH_DATA, b"\x07\x03\x02\x00" + b"\x00" * 12 + b"embedded"))
    return struct.pack("<I", len(props) - 1) + b"".join(props)  # the named value is part of its property


def winmail_dat(attachments: list[TnefAttachment], *, codepage: int = 936, key: int = 0x5A3C) -> bytes:
    codec = "gbk" if codepage == 936 else f"cp{codepage}"
    out = [b"\x78\x9f\x3e\x22", struct.pack("<H", key)]
    out.append(attribute(_MESSAGE, ATT_TNEF_VERSION, struct.pack("<I", 0x00010000)))
    out.append(attribute(_MESSAGE, ATT_OEM_CODEPAGE, struct.pack("<II", codepage, 0)))
    out.append(attribute(_MESSAGE, ATT_MESSAGE_CLASS, b"IPM.Microsoft Mail.Note\x00"))
    for position, item in enumerate(attachments):
        rend = struct.pack("<HIHHI", 1, position * 0x80, 0xFFFF, 0xFFFF, 0)
        out.append(attribute(_ATTACHMENT, ATT_ATTACH_REND_DATA, rend))
        out.append(attribute(_ATTACHMENT, ATT_ATTACH_TITLE, item.title.encode(codec) + b"\x00"))
        out.append(
            attribute(_ATTACHMENT, ATT_ATTACH_MODIFY_DATE, struct.pack("<7H", 2023, 6, 5, 9, 30, 0, 1))
        )
        if item.data is not None:
            out.append(attribute(_ATTACHMENT, ATT_ATTACH_DATA, item.data))
        out.append(attribute(_ATTACHMENT, ATT_ATTACHMENT, mapi_properties(item, codec)))
    return b"".join(out)
