"""The header fields of a message (sender, subject, date, addresses, ids), decoded whatever the charset."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import Message
from email.utils import parsedate_to_datetime

from intake.mime.defects import Defects
from intake.mime.headers import (
    decode_header,
    header_text,
    one_line,
    parse_addresses,
    parse_msgids,
    parse_params,
)

_CHINA = timezone(timedelta(hours=8))
_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")


@dataclass(frozen=True)
class Envelope:
    """The header-derived fields of DecodedMessage (see there)."""

    message_id: str
    sender: str
    sender_name: str
    subject: str
    date: datetime | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    delivered_to: tuple[str, ...]
    x_original_to: tuple[str, ...]
    reply_to: str
    in_reply_to: str
    references: tuple[str, ...]
    headers: tuple[tuple[str, str], ...]
    content_type: str


def raw_header(part: Message, name: str) -> str | None:
    """The first raw (undecoded) value of a header (name in lower case), or None."""
    for key, value in part.raw_items():
        if isinstance(key, str) and key.lower() == name:
            return value if isinstance(value, str) else str(value)
    return None


def content_type(part: Message) -> str:
    """The part's MIME type in lower case; text/plain for a malformed one, the default when absent."""
    raw = raw_header(part, "content-type")
    default = part.get_default_type()
    if raw is None:
        return default
    main = parse_params(raw)[0]
    return main if _TYPE.fullmatch(main) else "text/plain"


def read_envelope(msg: Message, defects: Defects) -> Envelope:
    """The message's header fields, every header decoded; odd headers noted in defects."""
    headers, raw_by_name = _headers(msg, defects)
    for defect in msg.defects:
        defects.add(f"message: {type(defect).__name__}")

    def first(name: str) -> str:
        return raw_by_name.get(name, [""])[0]

    def addresses(name: str) -> tuple[str, ...]:
        return tuple(address for _, address in parse_addresses(raw_by_name.get(name, [])))

    def ids(name: str) -> list[str]:
        return parse_msgids(decode_header(first(name)))

    sender_name, sender = _sender(raw_by_name.get("from", [])[:1], first)
    reply_to = addresses("reply-to")
    return Envelope(
        message_id=next(iter(ids("message-id")), ""),
        sender=sender,
        sender_name=sender_name,
        subject=decode_header(first("subject")),
        date=_date(first("date"), defects),
        to=addresses("to"),
        cc=addresses("cc"),
        delivered_to=addresses("delivered-to"),
        x_original_to=addresses("x-original-to"),
        reply_to=reply_to[0] if reply_to else "",
        in_reply_to=next(iter(ids("in-reply-to")), ""),
        references=tuple(ids("references")),
        headers=headers,
        content_type=content_type(msg),
    )


def _headers(msg: Message, defects: Defects) -> tuple[tuple[tuple[str, str], ...], dict[str, list[str]]]:
    """(lower-case name, decoded value) for every header, and the raw values by name."""
    headers: list[tuple[str, str]] = []
    raw_by_name: dict[str, list[str]] = {}
    for key, raw in msg.raw_items():
        name = one_line(header_text(key)).lower()
        value = raw if isinstance(raw, str) else str(raw)
        if not value.isascii():
            defects.add(f"undeclared 8-bit bytes in header {name[:40]}")
        headers.append((name, decode_header(value)))
        raw_by_name.setdefault(name, []).append(value)
    return tuple(headers), raw_by_name


def _sender(raw_from: list[str], first: Callable[[str], str]) -> tuple[str, str]:
    """(display name, address) of From; the decoded text as the name when it holds no address."""
    senders = parse_addresses(raw_from)
    if senders:
        return senders[0]
    return decode_header(first("from"))[:200], ""


def _date(raw: str, defects: Defects) -> datetime | None:
    text = decode_header(raw)
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except Exception:  # noqa: BLE001 - ValueError, TypeError, OverflowError
        defects.add("unparsable Date header")
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_CHINA)
