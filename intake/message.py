"""A decoded email: what the sender wrote, in str, whatever encodings they used.

Pure: bytes in, dataclasses out, no I/O.  decode_message never raises on bad
input; what it could not decode is reported in `defects`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Attachment:
    filename: str          # decoded file name ("" when the part had none)
    content_type: str      # lower-case MIME type as declared
    data: bytes            # decoded payload (may be truncated to the limit, see `truncated`)
    truncated: bool = False


@dataclass(frozen=True)
class DecodedMessage:
    message_id: str                      # Message-ID without <>, or "" when absent
    sender: str                          # From address, lower-case, "" when unparseable
    sender_name: str                     # From display name, decoded
    subject: str                         # decoded, control characters removed, one line
    date: datetime | None                # Date header, timezone-aware when it parsed
    to: tuple[str, ...] = ()             # addresses, lower-case
    cc: tuple[str, ...] = ()
    delivered_to: tuple[str, ...] = ()   # Delivered-To headers, in order
    x_original_to: tuple[str, ...] = ()
    reply_to: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    text: str = ""                       # text/plain body (first one), decoded
    html: str = ""                       # text/html body (first one), decoded
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # (lower-case name, decoded value) for every header
    content_type: str = ""               # top-level MIME type, lower-case
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


def decode_message(raw: bytes, max_attachment_bytes: int = 20 * 1024 * 1024) -> DecodedMessage:
    raise NotImplementedError  # implemented by the message-decoding work
