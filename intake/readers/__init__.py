"""Readers: every file format becomes the same neutral Grid.

read_attachment picks a reader by content (magic bytes, zip members, OLE
streams), never by the file name alone; read_html_body and read_text_body
read tables pasted in a mail body.  The reader interface is in reader.py,
the order the readers are tried in registry.py.
"""

from __future__ import annotations

import logging

from intake.readers.grid import Grid
from intake.readers.limits import Limits

from .htmltables import parse_html
from .plaintext import parse_text
from .registry import read_bytes

__all__ = ["BODY", "read_attachment", "read_html_body", "read_text_body"]

log = logging.getLogger(__name__)
BODY = "正文"


def read_attachment(filename: str, data: bytes, limits: Limits) -> list[Grid]:
    """Grids of every table in the file (non-empty visible sheets, docx/HTML tables, CSV).

    Raises UnreadableAttachment(filename, reason, detail) for files that are
    too large, damaged, encrypted, in an old or unknown format, zip bombs, or
    with more than limits.max_rows filled rows in a sheet; never another error.
    """
    return read_bytes(filename, data, limits)


def read_html_body(html: str, limits: Limits) -> list[Grid]:
    """Tables in an HTML mail body (source "正文"); [] when there are none.

    Raises UnreadableAttachment(reason="too_many_rows") for a table over limits.max_rows.
    """
    return parse_html(html, BODY, limits)


def read_text_body(text: str, limits: Limits) -> list[Grid]:
    """Tables typed into a plain-text mail body (tab- or multi-space-separated); [] when there are none.

    Raises UnreadableAttachment(reason="too_many_rows") for a table over limits.max_rows.
    """
    return parse_text(text, BODY, limits)
