"""The MIME tree of a message walked once: the first text and HTML bodies, and every attachment.

A forwarded message (message/rfc822) is walked too: its bodies are used only
when the outer message has none.  So is one labelled application/octet-stream (or
any type) that is an RFC 5322 message by content: QQ Mail's "forward as attachment"
sends the .eml so.  Delivery-report parts and signatures (S/MIME smime.p7s, OpenPGP)
are skipped: neither a body nor an attachment.  At most
_MAX_PARTS parts, nested at most _MAX_DEPTH deep; one bad part is noted in the
defects and the walk goes on.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.message import Message
from email.policy import compat32
from typing import NamedTuple

from intake.mime.charsets import body_charset, decode_bytes, raw_to_bytes
from intake.mime.defects import Defects
from intake.mime.envelope import content_type, raw_header
from intake.mime.headers import get_param, parse_params
from intake.mime.tnef import is_tnef, open_tnef
from intake.mime.transfer import decode_base64, decode_quoted_printable
from intake.mime.uuencode import take_uuencoded

_MAX_DEPTH = 40  # nesting of multiparts and forwarded messages
_MAX_PARTS = 1000  # MIME parts looked at per message
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)
_FORWARDED = ("message/rfc822", "message/global")
_UUENCODE = ("x-uuencode", "uuencode", "uue", "x-uue")
# Parts of a delivery report: neither a body nor an attachment.
_REPORT_TYPES = frozenset(
    {
        "message/delivery-status",
        "message/global-delivery-status",
        "message/disposition-notification",
        "message/global-disposition-notification",
        "message/feedback-report",
        "text/rfc822-headers",
        "message/global-headers",
    }
)
# Detached signatures of a signed message (multipart/signed): never read, never complained about.
SIGNATURE_TYPES = frozenset(
    {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
)
_SIGNATURE_NAMES = (".p7s",)
# Types under which a forwarded message may travel when its sender's client did not say message/rfc822.
_MAYBE_MESSAGE_TYPES = frozenset({"application/octet-stream", "application/x-message", "application/eml"})
_HEADER_LINE = re.compile(rb"([A-Za-z][A-Za-z0-9-]{0,76})[ \t]*:")
# Header names of a real message, at least three of them with one that only messages carry.
_MESSAGE_HEADERS = frozenset(
    {
        b"from",
        b"to",
        b"cc",
        b"subject",
        b"date",
        b"message-id",
        b"mime-version",
        b"received",
        b"return-path",
        b"reply-to",
        b"content-type",
        b"x-mailer",
        b"delivered-to",
        b"x-qq-mid",
        b"x-qq-mailer",
    }
)
_MESSAGE_ONLY = frozenset({b"from", b"received", b"return-path", b"message-id"})
# text/* types that carry a table, hence an attachment even without a file name.
_TABLE_TEXT_TYPES = frozenset(
    {"text/csv", "text/x-csv", "text/comma-separated-values", "text/tab-separated-values"}
)
# Starts of files that are never a text body: zip (xlsx, docx), OLE (xls, doc), PDF, RAR, 7z, TNEF.
_FILE_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF-", b"Rar!", b"7z\xbc\xaf", b"\x78\x9f\x3e\x22")
# Labels that say nothing of a file's format.
_VAGUE_TYPES = frozenset(
    {"application/octet-stream", "text/plain", "text/html", "application/zip", "application/vnd.ms-excel", ""}
)
EXTENSION_BY_TYPE: dict[str, str] = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/kswps": ".wps",
    "application/wps-office.wps": ".wps",
    "application/vnd.ms-works": ".wps",
    "application/kset": ".et",
    "application/wps-office.et": ".et",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "application/x-zip": ".zip",
    "application/x-rar-compressed": ".rar",
    "application/vnd.rar": ".rar",
    "application/x-rar": ".rar",
    "application/x-7z-compressed": ".7z",
    "text/csv": ".csv",
    "text/x-csv": ".csv",
    "text/comma-separated-values": ".csv",
    "text/tab-separated-values": ".tsv",
    "text/html": ".html",
    "text/plain": ".txt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/bmp": ".bmp",
    "image/x-ms-bmp": ".bmp",
    "image/tiff": ".tif",
    "image/x-tiff": ".tif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "message/rfc822": ".eml",
}


@dataclass(frozen=True)
class Attachment:
    filename: str  # decoded file name ("" when the part had none)
    content_type: str  # lower-case MIME type as declared
    data: bytes  # decoded payload (may be truncated to the limit, see `truncated`)
    truncated: bool = False
    # Content-Disposition inline, or a Content-ID and no disposition: shown in the body, such as
    # a signature image.  A hint only: Apple Mail marks real attachments inline too.
    inline: bool = False
    nested: bool = False  # inside a forwarded (or returned) message, not the sender's own attachment


@dataclass
class Body:
    """What the walk found: the first bodies of each kind, and the attachments in order."""

    text: str | None = None
    html: str | None = None
    nested_text: str | None = None  # from inside a forwarded message/rfc822
    nested_html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    types: list[str] = field(default_factory=list)  # every part's MIME type, in order (reports included)


class _Part(NamedTuple):
    """A part to visit: how deep it sits, whether it is inside a forwarded message, its number."""

    message: Message
    depth: int
    nested: bool
    number: int = 0


def walk(root: Message, limit: int, defects: Defects) -> Body:
    """The bodies and attachments of the message; payloads cut to limit+1 bytes."""
    walker = _Walker(limit, defects)
    stack = [_Part(root, 0, False)]
    seen = 0
    while stack:
        seen += 1
        if seen > _MAX_PARTS:
            defects.add(f"more than {_MAX_PARTS} MIME parts; the rest ignored")
            break
        part = stack.pop()._replace(number=seen)
        try:
            stack.extend(walker.visit(part))
        except Exception as exc:  # noqa: BLE001 - one bad part must not lose the rest
            defects.add(f"part {seen}: {type(exc).__name__}")
    return walker.body


@dataclass
class _Walker:
    limit: int
    defects: Defects
    body: Body = field(default_factory=Body)

    def visit(self, part: _Part) -> list[_Part]:
        """Handle one part; returns its children to visit, in stack order."""
        if part.depth:
            for defect in part.message.defects:
                self.defects.add(f"part {part.number}: {type(defect).__name__}")
        ctype = content_type(part.message)
        self.body.types.append(ctype)
        if ctype in _REPORT_TYPES:
            return []
        if part.depth >= _MAX_DEPTH:
            self.defects.add(f"part {part.number}: nested deeper than {_MAX_DEPTH}")
            return []
        if part.message.is_multipart() or ctype.startswith("multipart/") or ctype in _FORWARDED:
            return self._children(part, ctype)
        return self._leaf(part, ctype)

    def _children(self, part: _Part, ctype: str) -> list[_Part]:
        """The parts inside a multipart or a forwarded message, last first (the stack pops the first)."""
        if part.message.is_multipart():
            inner = part.nested or ctype.startswith("message/")
            payload = part.message.get_payload()
            children = [child for child in payload if isinstance(child, Message)]
            return [_Part(child, part.depth + 1, inner) for child in reversed(children)]
        if ctype.startswith("multipart/"):
            self.defects.add(f"part {part.number}: {ctype} without a usable boundary")
            return []
        data, _truncated = self._payload(part)
        return [_Part(email.message_from_bytes(data, policy=compat32), part.depth + 1, True)]

    def _leaf(self, part: _Part, ctype: str) -> list[_Part]:
        """A body (text/plain or text/html without a file name), a signature (skipped), a forwarded
        message under another type (its parts, to visit), or an attachment."""
        filename = _filename(part.message)
        disposition = parse_params(raw_header(part.message, "content-disposition") or "")[0]
        if is_signature(ctype, filename):
            return []
        data, truncated = self._payload(part)
        if _is_body(filename, disposition, ctype) and not _binary(data):
            if ctype == "text/plain":
                data = self._uuencoded_files(part, data)
            self._take_text(part, ctype, data, truncated)
            return []
        if not truncated and _maybe_message(ctype, filename) and looks_like_message(data):
            self.body.types.append("message/rfc822")
            return [_Part(email.message_from_bytes(data, policy=compat32), part.depth + 1, True)]
        if not truncated and is_tnef(data) and self._tnef_files(part, data):
            return []
        if not filename:
            filename = f"附件{len(self.body.attachments) + 1}{_unnamed_extension(ctype, data)}"
        inline = disposition == "inline" or (
            not disposition and raw_header(part.message, "content-id") is not None
        )
        self.body.attachments.append(Attachment(filename, ctype, data, truncated, inline, part.nested))
        return []

    def _uuencoded_files(self, part: _Part, data: bytes) -> bytes:
        """Files uuencoded in a text body (Outlook Express, old Foxmail) as attachments; the body
        without them."""
        rest, files = take_uuencoded(data)
        for inner in files:
            name = inner.filename or f"附件{len(self.body.attachments) + 1}.bin"
            self.body.attachments.append(
                Attachment(name, "application/octet-stream", inner.data, nested=part.nested)
            )
        return rest

    def _tnef_files(self, part: _Part, data: bytes) -> bool:
        """The files inside an Outlook winmail.dat as attachments; False when one could not be taken
        out (the winmail.dat itself is then kept, for the reader to explain)."""
        contents = open_tnef(data)
        for inner in contents.files:
            name = inner.filename or f"附件{len(self.body.attachments) + 1}.bin"
            self.body.attachments.append(Attachment(name, inner.content_type, inner.data, nested=part.nested))
        if contents.damaged or contents.skipped:
            self.defects.add(
                f"part {part.number}: winmail.dat {'damaged' if contents.damaged else 'holds an embedded item'}"
            )
            return False
        return True

    def _take_text(self, part: _Part, ctype: str, data: bytes, truncated: bool) -> None:
        """The part's text as the body of its kind, unless one was found before."""
        slot = {"text/plain": "text", "text/html": "html"}.get(ctype)
        if slot is None:
            return
        if part.nested:
            slot = "nested_" + slot
        if getattr(self.body, slot) is not None:
            return
        if truncated:
            self.defects.add(f"part {part.number}: {ctype} body truncated")
        charset = body_charset(data, _charset(part.message, ctype, data))
        text, clean = decode_bytes(data, charset)
        if not clean:
            self.defects.add(f"part {part.number}: {ctype} not valid in charset {(charset or 'none')[:40]}")
        setattr(self.body, slot, text.replace("\r\n", "\n").replace("\x00", ""))

    def _payload(self, part: _Part) -> tuple[bytes, bool]:
        """The decoded payload, cut to limit+1 bytes (truncated=True) when longer."""
        # The raw payload: get_payload() would decode 8-bit bytes with the declared charset and
        # replace what does not fit, before we can try utf-8 and gb18030 ourselves.
        payload = getattr(part.message, "_payload", None)
        if not isinstance(payload, str):
            return b"", False
        cte = parse_params(raw_header(part.message, "content-transfer-encoding") or "")[0]
        if cte == "base64":
            data, truncated, notes = decode_base64(payload, self.limit)
            for note in notes:
                self.defects.add(f"part {part.number}: {note}")
            return data, truncated
        if cte == "quoted-printable":
            return decode_quoted_printable(payload, self.limit)
        if cte in _UUENCODE:
            decoded = part.message.get_payload(decode=True)
            data = decoded if isinstance(decoded, bytes) else b""
        else:
            data = raw_to_bytes(payload[: self.limit + 1])
        return (data[: self.limit + 1], True) if len(data) > self.limit else (data, False)


def _is_body(filename: str, disposition: str, ctype: str) -> bool:
    """A text part without a file name, not marked as an attachment and not a table (CSV): a body."""
    return (
        not filename
        and disposition != "attachment"
        and ctype.startswith("text/")
        and ctype not in _TABLE_TEXT_TYPES
    )


def _unnamed_extension(ctype: str, data: bytes) -> str:
    """The extension an unnamed file is shown with: by its content when its label says text or
    nothing (an xlsx labelled text/plain is 附件1.xlsx, not 附件1.txt), else by its label."""
    if data.startswith(b"PK\x03\x04") and ctype in _VAGUE_TYPES:
        head = data[:65536]
        return ".xlsx" if b"xl/" in head else ".docx" if b"word/" in head else ".zip"
    if data.startswith(b"%PDF-") and ctype in _VAGUE_TYPES:
        return ".pdf"
    return EXTENSION_BY_TYPE.get(ctype, ".bin")


def _binary(data: bytes) -> bool:
    """A file, not text, whatever its label: a NUL byte or an office/PDF/archive signature at its start.
    Some webmail gateways label an unnamed xlsx text/plain; it must not become the body."""
    head = data[:8192]
    return data.startswith(_FILE_MAGIC) or (b"\x00" in head and bool(head.strip(b"\x00\r\n\t ")))


def is_signature(ctype: str, filename: str) -> bool:
    """A detached S/MIME or OpenPGP signature (smime.p7s, signature.asc)."""
    return ctype in SIGNATURE_TYPES or filename.lower().endswith(_SIGNATURE_NAMES)


def _maybe_message(ctype: str, filename: str) -> bool:
    return ctype in _MAYBE_MESSAGE_TYPES or filename.lower().endswith(".eml")


def looks_like_message(data: bytes) -> bool:
    """Does data start with an RFC 5322 header block (From:, Received:, Message-ID: ...)?"""
    names: set[bytes] = set()
    for line in data[:16384].lstrip(b"\r\n").splitlines()[:200]:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue  # a folded continuation
        found = _HEADER_LINE.match(line)
        if found is None:
            return False
        names.add(found.group(1).lower())
    known = names & _MESSAGE_HEADERS
    return len(known) >= 3 and bool(known & _MESSAGE_ONLY)


def _charset(part: Message, ctype: str, data: bytes) -> str | None:
    """The declared charset; for HTML without one, the charset its <meta> names."""
    charset = get_param(raw_header(part, "content-type") or "", "charset")
    if not charset and ctype == "text/html":
        found = _META_CHARSET.search(data[:4096])
        charset = found.group(1).decode("ascii") if found else None
    return charset


def _filename(part: Message) -> str:
    for header, key in (("content-disposition", "filename"), ("content-type", "name")):
        raw = raw_header(part, header)
        value = get_param(raw, key) if raw is not None else None
        if value:
            name = re.split(r"[\\/]", value)[-1].strip()[:255]
            return "" if name in (".", "..") else name
    return ""
