"""A decoded email: what the sender wrote, in str, whatever encodings they used.

Pure: bytes in, dataclasses out, no I/O.  decode_message never raises on bad
input; what it could not decode is reported in `defects`.
"""

from __future__ import annotations

import email
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parsedate_to_datetime
from typing import Any

from intake.mime.headers import (
    decode_base64,
    decode_bytes,
    decode_header,
    decode_quoted_printable,
    get_param,
    header_text,
    one_line,
    parse_addresses,
    parse_msgids,
    parse_params,
    raw_to_bytes,
)


@dataclass(frozen=True)
class Attachment:
    filename: str  # decoded file name ("" when the part had none)
    content_type: str  # lower-case MIME type as declared
    data: bytes  # decoded payload (may be truncated to the limit, see `truncated`)
    truncated: bool = False
    # Content-Disposition inline, or a Content-ID and no disposition: shown in the body, such as
    # a signature image.  A hint only: Apple Mail marks real attachments inline too.
    inline: bool = False


@dataclass(frozen=True)
class DecodedMessage:
    message_id: str  # Message-ID without <>, or "" when absent
    sender: str  # From address, lower-case, "" when unparseable
    sender_name: str  # From display name, decoded
    subject: str  # decoded, control characters removed, one line
    date: datetime | None  # Date header, timezone-aware when it parsed
    to: tuple[str, ...] = ()  # addresses, lower-case
    cc: tuple[str, ...] = ()
    delivered_to: tuple[str, ...] = ()  # Delivered-To headers, in order
    x_original_to: tuple[str, ...] = ()
    reply_to: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    text: str = ""  # text/plain body (first one), decoded
    html: str = ""  # text/html body (first one), decoded
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # (lower-case name, decoded value) for every header
    content_type: str = ""  # top-level MIME type, lower-case
    defects: tuple[str, ...] = field(default_factory=tuple)

    def header(self, name: str) -> str | None:
        """The first value of a header, decoded, or None."""
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key == name]


_log = logging.getLogger(__name__)

_MAX_DEPTH = 40  # nesting of multiparts and forwarded messages
_MAX_PARTS = 1000  # MIME parts looked at per message
_MAX_DEFECTS = 100
_CHINA = timezone(timedelta(hours=8))
_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)
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
# text/* types that carry a table, hence an attachment even without a file name.
_TABLE_TEXT_TYPES = frozenset(
    {"text/csv", "text/x-csv", "text/comma-separated-values", "text/tab-separated-values"}
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
    "message/rfc822": ".eml",
}


class _Defects(list[str]):
    def add(self, text: str) -> None:
        if len(self) < _MAX_DEFECTS:
            self.append(text)
        elif len(self) == _MAX_DEFECTS:
            self.append("more defects not recorded")


@dataclass
class _Body:
    text: str | None = None
    html: str | None = None
    nested_text: str | None = None  # from inside a forwarded message/rfc822
    nested_html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


def decode_message(raw: bytes, max_attachment_bytes: int = 20 * 1024 * 1024) -> DecodedMessage:
    """Decode raw RFC 5322 bytes.  Never raises; what went wrong is listed in `defects`."""
    defects = _Defects()
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    elif not isinstance(raw, bytes):
        try:
            raw = bytes(raw)
        except Exception:  # noqa: BLE001
            defects.add("input is not bytes")
            raw = b""
    try:
        limit = max(0, int(max_attachment_bytes))
    except (TypeError, ValueError):
        limit = 20 * 1024 * 1024
    fields: dict[str, Any] | None = None
    body = _Body()
    try:
        msg = email.message_from_bytes(raw, policy=compat32)
        fields = _envelope(msg, defects)
        body = _walk(msg, limit, defects)
    except Exception as exc:  # noqa: BLE001 - never raise on input
        _log.warning("message could not be parsed whole (%s)", type(exc).__name__)
        defects.add(f"parse failed: {type(exc).__name__}")
        if fields is None:
            return _headers_only(raw, defects)
    if defects:
        _log.debug("message %s decoded with %d defects", fields.get("message_id", ""), len(defects))
    return DecodedMessage(
        **fields,
        text=_first(body.text, body.nested_text),
        html=_first(body.html, body.nested_html),
        attachments=tuple(body.attachments),
        defects=tuple(defects),
    )


def _first(*values: str | None) -> str:
    return next((value for value in values if value is not None), "")


def _headers_only(raw: bytes, defects: _Defects) -> DecodedMessage:
    try:
        msg = BytesHeaderParser(policy=compat32).parsebytes(raw)
        return DecodedMessage(**_envelope(msg, defects), defects=tuple(defects))
    except Exception as exc:  # noqa: BLE001
        defects.add(f"header parse failed: {type(exc).__name__}")
        return DecodedMessage("", "", "", "", None, defects=tuple(defects))


def _raw_header(part: Message, name: str) -> str | None:
    for key, value in part.raw_items():
        if isinstance(key, str) and key.lower() == name:
            return value if isinstance(value, str) else str(value)
    return None


def _envelope(msg: Message, defects: _Defects) -> dict[str, Any]:
    """The header-derived fields of DecodedMessage."""
    headers: list[tuple[str, str]] = []
    raw_by_name: dict[str, list[str]] = {}
    for key, value in msg.raw_items():
        name = one_line(header_text(key)).lower()
        value = value if isinstance(value, str) else str(value)
        if not value.isascii():
            defects.add(f"undeclared 8-bit bytes in header {name[:40]}")
        headers.append((name, decode_header(value)))
        raw_by_name.setdefault(name, []).append(value)
    for defect in msg.defects:
        defects.add(f"message: {type(defect).__name__}")

    def addresses(name: str) -> tuple[str, ...]:
        return tuple(address for _, address in parse_addresses(raw_by_name.get(name, [])))

    def ids(name: str) -> list[str]:
        return parse_msgids(decode_header(raw_by_name.get(name, [""])[0]))

    senders = parse_addresses(raw_by_name.get("from", [])[:1])
    if senders:
        sender_name, sender = senders[0]
    else:
        sender_name, sender = decode_header(raw_by_name.get("from", [""])[0])[:200], ""
    reply_to = addresses("reply-to")
    return {
        "message_id": next(iter(ids("message-id")), ""),
        "sender": sender,
        "sender_name": sender_name,
        "subject": decode_header(raw_by_name.get("subject", [""])[0]),
        "date": _date(raw_by_name.get("date", [""])[0], defects),
        "to": addresses("to"),
        "cc": addresses("cc"),
        "delivered_to": addresses("delivered-to"),
        "x_original_to": addresses("x-original-to"),
        "reply_to": reply_to[0] if reply_to else "",
        "in_reply_to": next(iter(ids("in-reply-to")), ""),
        "references": tuple(ids("references")),
        "headers": tuple(headers),
        "content_type": _content_type(msg),
    }


def _date(raw: str, defects: _Defects) -> datetime | None:
    text = decode_header(raw)
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except Exception:  # noqa: BLE001 - ValueError, TypeError, OverflowError
        defects.add("unparsable Date header")
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_CHINA)


def _content_type(part: Message) -> str:
    raw = _raw_header(part, "content-type")
    default = part.get_default_type()
    if raw is None:
        return default
    main = parse_params(raw)[0]
    return main if _TYPE.fullmatch(main) else "text/plain"


def _walk(root: Message, limit: int, defects: _Defects) -> _Body:
    body = _Body()
    stack: list[tuple[Message, int, bool]] = [(root, 0, False)]
    seen = 0
    while stack:
        part, depth, nested = stack.pop()
        seen += 1
        if seen > _MAX_PARTS:
            defects.add(f"more than {_MAX_PARTS} MIME parts; the rest ignored")
            break
        try:
            stack.extend(_visit(part, depth, nested, body, limit, defects, seen))
        except Exception as exc:  # noqa: BLE001 - one bad part must not lose the rest
            defects.add(f"part {seen}: {type(exc).__name__}")
    return body


def _visit(
    part: Message, depth: int, nested: bool, body: _Body, limit: int, defects: _Defects, number: int
) -> list[tuple[Message, int, bool]]:
    """Handle one part; returns its children to visit, in stack order."""
    if depth:
        for defect in part.defects:
            defects.add(f"part {number}: {type(defect).__name__}")
    ctype = _content_type(part)
    if ctype in _REPORT_TYPES:
        return []
    if depth >= _MAX_DEPTH:
        defects.add(f"part {number}: nested deeper than {_MAX_DEPTH}")
        return []
    if part.is_multipart():
        inner = nested or ctype.startswith("message/")
        children = [child for child in part.get_payload() if isinstance(child, Message)]
        return [(child, depth + 1, inner) for child in reversed(children)]
    if ctype.startswith("multipart/"):
        defects.add(f"part {number}: {ctype} without a usable boundary")
        return []
    if ctype in ("message/rfc822", "message/global"):
        data, _truncated = _payload(part, limit, defects, number)
        return [(email.message_from_bytes(data, policy=compat32), depth + 1, True)]
    filename = _filename(part)
    disposition = parse_params(_raw_header(part, "content-disposition") or "")[0]
    if (
        not filename
        and disposition != "attachment"
        and ctype.startswith("text/")
        and ctype not in _TABLE_TEXT_TYPES
    ):
        _take_text(part, ctype, nested, body, limit, defects, number)
        return []
    data, truncated = _payload(part, limit, defects, number)
    if not filename:
        filename = f"附件{len(body.attachments) + 1}{EXTENSION_BY_TYPE.get(ctype, '.bin')}"
    inline = disposition == "inline" or (not disposition and _raw_header(part, "content-id") is not None)
    body.attachments.append(Attachment(filename, ctype, data, truncated, inline))
    return []


def _take_text(
    part: Message, ctype: str, nested: bool, body: _Body, limit: int, defects: _Defects, number: int
) -> None:
    slot = {"text/plain": "text", "text/html": "html"}.get(ctype)
    if slot is None:
        return
    if nested:
        slot = "nested_" + slot
    if getattr(body, slot) is not None:
        return
    data, truncated = _payload(part, limit, defects, number)
    if truncated:
        defects.add(f"part {number}: {ctype} body truncated")
    charset = get_param(_raw_header(part, "content-type") or "", "charset")
    if not charset and ctype == "text/html":
        found = _META_CHARSET.search(data[:4096])
        charset = found.group(1).decode("ascii") if found else None
    text, clean = decode_bytes(data, charset)
    if not clean:
        defects.add(f"part {number}: {ctype} not valid in charset {(charset or 'none')[:40]}")
    setattr(body, slot, text.replace("\r\n", "\n").replace("\x00", ""))


def _filename(part: Message) -> str:
    for header, key in (("content-disposition", "filename"), ("content-type", "name")):
        raw = _raw_header(part, header)
        value = get_param(raw, key) if raw is not None else None
        if value:
            name = re.split(r"[\\/]", value)[-1].strip()[:255]
            return "" if name in (".", "..") else name
    return ""


def _payload(part: Message, limit: int, defects: _Defects, number: int) -> tuple[bytes, bool]:
    """The decoded payload, cut to limit+1 bytes (truncated=True) when longer."""
    # The raw payload: get_payload() would decode 8-bit bytes with the declared charset and
    # replace what does not fit, before we can try utf-8 and gb18030 ourselves.
    payload = getattr(part, "_payload", None)
    if not isinstance(payload, str):
        return b"", False
    cte = parse_params(_raw_header(part, "content-transfer-encoding") or "")[0]
    if cte == "base64":
        data, truncated, notes = decode_base64(payload, limit)
        for note in notes:
            defects.add(f"part {number}: {note}")
        return data, truncated
    if cte == "quoted-printable":
        return decode_quoted_printable(payload, limit)
    if cte in ("x-uuencode", "uuencode", "uue", "x-uue"):
        decoded = part.get_payload(decode=True)
        data = decoded if isinstance(decoded, bytes) else b""
    else:
        data = raw_to_bytes(payload[: limit + 1])
    return (data[: limit + 1], True) if len(data) > limit else (data, False)
