"""A decoded email: what the sender wrote, in str, whatever encodings they used.

Pure: bytes in, dataclasses out, no I/O.  decode_message never raises on bad
input; what it could not decode is reported in `defects`.  The header fields
come from envelope.py, the bodies and attachments from parts.py.
"""

from __future__ import annotations

import email
import logging
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from intake.mime.defects import Defects
from intake.mime.envelope import Envelope, read_envelope
from intake.mime.parts import EXTENSION_BY_TYPE, Attachment, Body, walk

__all__ = ["EXTENSION_BY_TYPE", "Attachment", "DecodedMessage", "decode_message"]


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
    part_types: tuple[str, ...] = ()  # the MIME type of every part, in order (delivery reports included)
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
_DEFAULT_LIMIT = 20 * 1024 * 1024


def decode_message(raw: bytes, max_attachment_bytes: int = _DEFAULT_LIMIT) -> DecodedMessage:
    """Decode raw RFC 5322 bytes.  Never raises; what went wrong is listed in `defects`."""
    defects = Defects()
    raw = _as_bytes(raw, defects)
    limit = _limit(max_attachment_bytes)
    envelope: Envelope | None = None
    body = Body()
    try:
        msg = email.message_from_bytes(raw, policy=compat32)
        envelope = read_envelope(msg, defects)
        body = walk(msg, limit, defects)
    except Exception as exc:  # noqa: BLE001 - never raise on input
        _log.warning("message could not be parsed whole (%s)", type(exc).__name__)
        defects.add(f"parse failed: {type(exc).__name__}")
        if envelope is None:
            return _headers_only(raw, defects)
    if defects:
        _log.debug("message %s decoded with %d defects", envelope.message_id, len(defects))
    return _decoded(envelope, defects, body)


def _as_bytes(raw: Any, defects: Defects) -> bytes:  # Any: callers outside the type checker pass anything
    """The input as bytes, whatever a caller passed (str is taken as UTF-8 with surrogate escapes)."""
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    try:
        return bytes(raw)
    except Exception:  # noqa: BLE001 - bytes() of an odd object raises anything
        defects.add("input is not bytes")
        return b""


def _limit(max_attachment_bytes: Any) -> int:  # Any: as for _as_bytes; a bad value falls back
    try:
        return max(0, int(max_attachment_bytes))
    except (TypeError, ValueError):
        return _DEFAULT_LIMIT


def _decoded(envelope: Envelope, defects: Defects, body: Body | None = None) -> DecodedMessage:
    body = body or Body()
    return DecodedMessage(
        message_id=envelope.message_id,
        sender=envelope.sender,
        sender_name=envelope.sender_name,
        subject=envelope.subject,
        date=envelope.date,
        to=envelope.to,
        cc=envelope.cc,
        delivered_to=envelope.delivered_to,
        x_original_to=envelope.x_original_to,
        reply_to=envelope.reply_to,
        in_reply_to=envelope.in_reply_to,
        references=envelope.references,
        headers=envelope.headers,
        content_type=envelope.content_type,
        text=_first(body.text, body.nested_text),
        html=_first(body.html, body.nested_html),
        attachments=tuple(body.attachments),
        part_types=tuple(body.types),
        defects=tuple(defects),
    )


def _first(*values: str | None) -> str:
    return next((value for value in values if value is not None), "")


def _headers_only(raw: bytes, defects: Defects) -> DecodedMessage:
    try:
        msg = BytesHeaderParser(policy=compat32).parsebytes(raw)
        return _decoded(read_envelope(msg, defects), defects)
    except Exception as exc:  # noqa: BLE001 - never raise on input
        defects.add(f"header parse failed: {type(exc).__name__}")
        return DecodedMessage("", "", "", "", None, defects=tuple(defects))
