"""MHTML ("single file web page", .mht/.mhtml): how Excel and old systems save a sheet as "xls".

The HTML parts are taken out of the MIME container and read as HTML tables.
"""

from __future__ import annotations

import email
import email.policy
import re

from intake.errors import UnreadableAttachment
from intake.readers.grid import Grid
from intake.readers.limits import Limits

from . import htmltables
from ._common import decode_text, normalize_charset

_MIME_START = re.compile(
    rb"\s*(mime-version:|content-type:\s*multipart/related|from:[^\n]*\n[\s\S]{0,2000}"
    rb"content-type:\s*multipart/related)",
    re.I,
)


def can_read(name: str, head: bytes) -> bool:
    start = head[:4096]
    return bool(_MIME_START.match(start)) and b"multipart/related" in start.lower()


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    grids: list[Grid] = []
    for part in message.walk():
        if part.get_content_type() != "text/html" or len(grids) >= limits.max_sheets:
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = normalize_charset(part.get_content_charset())
        text = decode_text(payload, charset) or payload.decode(charset or "utf-8", errors="replace")
        grids.extend(htmltables.parse_html(text, name, limits))
    if not grids and not any(p.get_content_type() == "text/html" for p in message.walk()):
        raise UnreadableAttachment(name, "unsupported", "MIME container without an HTML page")
    for number, grid in enumerate(grids[: limits.max_sheets], 1):
        grid.part = f"表格{number}"
    return grids[: limits.max_sheets]
