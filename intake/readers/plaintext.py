"""Tables typed or pasted as plain text: cells split by tabs or by runs of two or more spaces.

That is what the text/plain alternative of a QQ/163 mail holds when a table
was pasted from Excel, and what a .txt attachment holds.  Two or more table
rows in a row (blank lines between them do not count) make a table; every
other non-blank line is free text, given to the next table's `lines` (after
the last table: to the last table's).
"""

from __future__ import annotations

import re

from intake.readers.grid import Grid
from intake.readers.limits import Limits

from ._common import MAX_LINES, GridBuilder, decode_text, text_head

KIND = "text"
_SPACES = re.compile(r"[ \u3000\xa0]{2,}")


def can_read(name: str, head: bytes) -> bool:
    """Any text: this reader comes last among the text readers."""
    return text_head(head) is not None


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    text = decode_text(data)
    if text is None:
        text = data.decode("gb18030", errors="replace")
    return parse_text(text, name, limits)


def row_cells(line: str) -> list[str] | None:
    """The cells of a table row, or None when the line is not one."""
    line = line.rstrip("\r\n")
    if "\t" in line:
        cells = [cell.strip() for cell in line.split("\t")]
    else:
        cells = _SPACES.split(line.strip(" \u3000\xa0"))
    return cells if len(cells) >= 2 and any(cells) else None


def parse_text(text: str, source: str, limits: Limits) -> list[Grid]:
    lines = [line for line in text.splitlines() if line.strip()]
    cells = [row_cells(line) for line in lines]
    grids: list[Grid] = []
    pending: list[str] = []
    i = 0
    while i < len(lines):
        end = i
        while end < len(lines) and cells[end] is not None:
            end += 1
        if end - i >= 2 and len(grids) < limits.max_sheets:
            builder = GridBuilder(source, limits)
            for row in cells[i:end]:
                builder.add(row or [])
            grids.append(builder.build(source, f"表格{len(grids) + 1}", KIND, lines=pending[-MAX_LINES:]))
            pending = []
            i = end
        else:
            pending.append(lines[i].strip())
            i += 1
    if grids:
        grids[-1].lines.extend(pending[:MAX_LINES])
    return grids
