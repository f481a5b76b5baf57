"""A roster scanned over several pages made one table again: pages in order, the header row that the
next page repeats dropped, its columns put under the first page's by their labels.

A page's table continues the table before it when it has no header lines of its own above it (no
title, no 省级教育行政部门名称 line: those start a new receipt) and either repeats the header row
(most of its labels read the same) or has as many columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from intake.readers.grid import CellValue, Grid, Merge

SAME_HEADER = 0.6  # this share of the labels read alike: the same header row
_FORM_LINE = re.compile(r"回执|省级|名称|会议|期数")
_SPACE = re.compile(r"\s+")


def join_pages(pages: Sequence[Grid | None]) -> list[Grid]:
    """The pages' grids, each continuation appended to the table it continues."""
    out: list[Grid] = []
    for grid in pages:
        if grid is None:
            continue
        previous = out[-1] if out else None
        if previous is not None and continues(previous, grid):
            append(previous, grid)
        else:
            out.append(grid)
    return out


def continues(first: Grid, more: Grid) -> bool:
    """Is `more` (a page's table) the rest of `first` (the table on the page before)?"""
    if not (first.ocr and more.ocr and first.rows and more.rows):
        return False
    if any(_FORM_LINE.search(line) for line in more.lines[:3]) and header_index(first, more.rows[0]) is None:
        return False
    return header_index(first, more.rows[0]) is not None or _width(more) == _width(first)


def header_index(first: Grid, row: Sequence[CellValue]) -> int | None:
    """The row of first's top rows that `row` repeats (a header row printed again), or None."""
    labels = [_key(v) for v in row if _key(v)]
    if len(labels) < 2:
        return None
    for index, candidate in enumerate(first.rows[:8]):
        known = {_key(v) for v in candidate if _key(v)}
        if sum(1 for label in labels if label in known) >= SAME_HEADER * len(labels):
            return index
    return None


def append(first: Grid, more: Grid) -> None:
    """more's rows after first's, its repeated header row left out, its columns under first's labels."""
    index = header_index(first, more.rows[0])
    columns = _column_map(first.rows[index], more.rows[0]) if index is not None else None
    skip = 1 if index is not None else 0
    offset = len(first.rows) - skip
    width = _width(first)
    for row in more.rows[skip:]:
        first.rows.append(_placed(row, columns, width))
    for m in more.merges:
        if m.top >= skip:
            left, right = _moved(m.left, columns), _moved(m.right, columns)
            first.merges.append(Merge(m.top + offset, left, m.bottom + offset, right))
    for (r, c), value in more.confidence.items():
        if r >= skip:
            first.confidence[(r + offset, _moved(c, columns))] = value
    first.lines.extend(more.lines)


def _column_map(header: Sequence[CellValue], repeated: Sequence[CellValue]) -> dict[int, int]:
    """Each column of the repeated header row -> the first page's column with the same label (or the same place)."""
    where = {_key(v): c for c, v in enumerate(header) if _key(v)}
    return {c: where.get(_key(v), c) for c, v in enumerate(repeated)}


def _moved(col: int, columns: dict[int, int] | None) -> int:
    return columns.get(col, col) if columns else col


def _placed(row: Sequence[CellValue], columns: dict[int, int] | None, width: int) -> list[CellValue]:
    out: list[CellValue] = [None] * max(width, len(row))
    for c, value in enumerate(row):
        target = _moved(c, columns)
        if target < len(out) and out[target] is None:
            out[target] = value
    return out


def _width(grid: Grid) -> int:
    return max((len(r) for r in grid.rows), default=0)


def _key(value: CellValue) -> str:
    return _SPACE.sub("", str(value)) if value is not None else ""
