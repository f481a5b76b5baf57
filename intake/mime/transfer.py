"""Body transfer encodings (base64, quoted-printable) decoded a chunk at a time, never past a byte limit.

Pure and total: a damaged body gives what could be decoded and a note, never an exception.
"""

from __future__ import annotations

import binascii
import re

from intake.mime.charsets import raw_to_bytes

_B64_NOISE = re.compile(rb"[^A-Za-z0-9+/=]+")
_B64_INVALID = re.compile(rb"[^A-Za-z0-9+/=\s]")
_CHUNK = 1 << 20  # characters of an encoded body decoded at a time


def _cut(data: bytearray | bytes, limit: int) -> tuple[bytes, bool]:
    return (bytes(data[: limit + 1]), True) if len(data) > limit else (bytes(data), False)


def decode_base64(payload: str, limit: int) -> tuple[bytes, bool, list[str]]:
    """(data, truncated, defect notes): decoded a chunk at a time, never more than limit+1 bytes.

    Characters outside the alphabet are skipped; decoding stops at the first padding, so a
    footer a mailing list appended after the data is ignored.
    """
    out = bytearray()
    pending = b""
    notes: list[str] = []
    for start in range(0, len(payload), _CHUNK):
        chunk = raw_to_bytes(payload[start : start + _CHUNK])
        if not notes and _B64_INVALID.search(chunk):
            notes.append("invalid characters in base64")
        cleaned = _B64_NOISE.sub(b"", chunk)
        pad = cleaned.find(b"=")
        data = pending + (cleaned if pad < 0 else cleaned[:pad])
        usable = len(data) - len(data) % 4
        out += binascii.a2b_base64(data[:usable])
        pending = data[usable:]
        if len(out) > limit or pad >= 0:
            break
    if len(out) <= limit and len(pending) == 1:
        notes.append("base64 length invalid; last character dropped")
    elif len(out) <= limit and pending:
        out += binascii.a2b_base64(pending + b"=" * (4 - len(pending)))
    return (*_cut(out, limit), notes)


def decode_quoted_printable(payload: str, limit: int) -> tuple[bytes, bool]:
    """(data, truncated): decoded a chunk of whole lines at a time, never more than limit+1 bytes."""
    out = bytearray()
    start = 0
    while start < len(payload) and len(out) <= limit:
        end = payload.find("\n", start + _CHUNK)
        end = len(payload) if end < 0 else end + 1
        out += binascii.a2b_qp(raw_to_bytes(payload[start:end]))
        start = end
    return _cut(out, limit)
