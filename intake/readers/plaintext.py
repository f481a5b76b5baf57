"""Tables typed or pasted as plain text: cells split by tabs or by runs of two or more spaces.

That is what the text/plain alternative of a QQ/163 mail holds when a table
was pasted from Excel, and what a .txt attachment holds.  Two or more table
rows in a row (blank lines between them do not count) make a table; every
other non-blank line is free text, given to the next table's `lines` (after
the last table: to the last table's).

A text with no such table is read again with single spaces as separators, where lines in a row
split into the same number of cells, at least MIN_TYPED_CELLS (a roster typed by hand in a mail,
「姓名 性别 单位 职务 手机」 over its people): the same count on every line is what tells a typed
table from prose.  A line that splits otherwise (a name typed 「张 三」) ends the table there, and
extraction names what it could not read.
"""

from __future__ import annotations

import re

from intake.readers.grid import Grid
from intake.readers.limits import Limits

from ._common import MAX_LINES, GridBuilder, decode_text, text_head

KIND = "text"
_SPACES = re.compile(r"[ \u3000\xa0]{2,}")
_SPACE = re.compile(r"[ \u3000\xa0]+")
MIN_TYPED_CELLS = 4
_CJK_NAME_PART = re.compile(r"[\u4e00-\u9fff·]{1,3}")
_GENDERS = frozenset({"男", "女"})


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


def typed_cells(line: str) -> list[str]:
    """The cells of a line split at every run of spaces."""
    return _SPACE.split(line.strip(" \u3000\xa0\r\n"))


def _typed_rows(lines: list[str]) -> list[list[str] | None]:
    """Lines split at single spaces where they run as a table (else None).

    A table starts at two lines in a row of one cell count (at least MIN_TYPED_CELLS: its header and
    first row) and goes on while lines split into at least MIN_TYPED_CELLS - 1 cells, whatever their
    count, so that a row typed otherwise is kept for extraction to name, never dropped; a name typed
    with a space (「陈 晓梅」) is joined back when that makes the row as wide as the header.
    """
    split = [typed_cells(line) for line in lines]
    out: list[list[str] | None] = [None] * len(lines)
    width = 0
    for i, cells in enumerate(split):
        if width and len(cells) >= MIN_TYPED_CELLS - 1:
            out[i] = _name_joined(cells, width)
            continue
        width = 0
        if len(cells) >= MIN_TYPED_CELLS and i + 1 < len(split) and len(split[i + 1]) == len(cells):
            width, out[i] = len(cells), cells
    return out


def _name_joined(cells: list[str], width: int) -> list[str]:
    """A row one cell wider than its table whose first two cells are short Chinese words: one name."""
    first, second = cells[0], cells[1] if len(cells) > 1 else ""
    if (
        len(cells) == width + 1
        and _CJK_NAME_PART.fullmatch(first)
        and _CJK_NAME_PART.fullmatch(second)
        and second not in _GENDERS  # 「王强 男 郑州市 教育局」: the unit was split, not the name
        and len(first + second) <= 4
    ):
        return [first + second, *cells[2:]]
    return cells


def parse_text(text: str, source: str, limits: Limits) -> list[Grid]:
    lines = [line for line in text.splitlines() if line.strip()]
    grids = _tables(lines, [row_cells(line) for line in lines], source, limits)
    return grids or _tables(lines, _typed_rows(lines), source, limits)


def _tables(lines: list[str], cells: list[list[str] | None], source: str, limits: Limits) -> list[Grid]:
    """Runs of two or more rows (cells not None) as grids; the other lines as their free text."""
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
