"""Body transfer encodings (base64, quoted-printable) decoded a chunk at a time, never past a byte limit.

Pure and total: a damaged body gives what could be decoded and a note, never an exception.
A body declared base64 that is not (raw GB2312 text under a base64 label, as some webmail
gateways send it) is taken as it is, as the standard library's decoder falls back to the raw
bytes when base64 cannot be decoded: decoding it would keep only its ASCII letters.
"""

from __future__ import annotations

import binascii
import re

from intake.mime.charsets import raw_to_bytes

_B64_NOISE = re.compile(rb"[^A-Za-z0-9+/=]+")
_B64_INVALID = re.compile(rb"[^A-Za-z0-9+/=\s]")
_CHUNK = 1 << 20  # characters of an encoded body decoded at a time
_WHITESPACE = re.compile(rb"[\s]+")
# A base64 body holds only its alphabet (and perhaps a short list footer): when more than this
# share of its first chunk's visible bytes is outside the alphabet, it is raw text, not base64.
_NOT_BASE64_SHARE = 0.25


def _cut(data: bytearray | bytes, limit: int) -> tuple[bytes, bool]:
    return (bytes(data[: limit + 1]), True) if len(data) > limit else (bytes(data), False)


def decode_base64(payload: str, limit: int) -> tuple[bytes, bool, list[str]]:
    """(data, truncated, defect notes): decoded a chunk at a time, never more than limit+1 bytes.

    Characters outside the alphabet are skipped; decoding stops at the first padding, so a
    footer a mailing list appended after the data is ignored.
    """
    if _not_base64(raw_to_bytes(payload[:_CHUNK])):
        note = "declared base64 but is not: read as 8-bit"
        return (*_cut(raw_to_bytes(payload[: limit + 1]), limit), [note])
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


def _not_base64(chunk: bytes) -> bool:
    """Is most of what the chunk shows outside the base64 alphabet (8-bit text, say)?"""
    visible = _WHITESPACE.sub(b"", chunk)
    if not visible:
        return False
    outside = sum(len(run) for run in _B64_NOISE.findall(visible))
    return outside > len(visible) * _NOT_BASE64_SHARE


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
