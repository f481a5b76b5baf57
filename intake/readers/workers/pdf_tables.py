"""PDF tables: a pdfplumber table as a Grid with its merged cells, and a table continued over pages joined."""

from __future__ import annotations

from pdfplumber.table import Table

from intake.errors import UnreadableAttachment
from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.limits import Limits

from .ocr_text import join_pieces

KIND = "pdf"
TOLERANCE = 1.5  # points: cell edges closer than this are the same edge
Box = tuple[float, float, float, float]  # x0, top, x1, bottom in points


def table_grid(table: Table, name: str, limits: Limits) -> Grid:
    """A pdfplumber table as a Grid: the text at each cell's top-left, merges for cells spanning edges."""
    cells = [c for c in table.cells if c]
    xs = _edges([c[0] for c in cells])
    ys = _edges([c[1] for c in cells])
    width = min(len(xs), limits.max_cols)
    rows: list[list[CellValue]] = [[None] * width for _ in ys]
    merges: list[Merge] = []
    for row, values in zip(table.rows, table.extract(), strict=False):
        for cell, value in zip(row.cells, values, strict=False):
            span = _span(cell, xs, ys, width)
            if span is None:
                continue
            rows[span.top][span.left] = join_wrapped(value) if value else None
            if span.bottom > span.top or span.right > span.left:
                merges.append(span)
    if _filled_rows(rows) > limits.max_rows:
        raise UnreadableAttachment(name, "too_many_rows", f"more than {limits.max_rows} filled rows")
    return Grid(source=name, part="", rows=rows, merges=merges, kind=KIND)


def _filled_rows(rows: list[list[CellValue]]) -> int:
    return sum(1 for row in rows if any(v not in (None, "") for v in row))


def _span(cell: Box | None, xs: list[float], ys: list[float], width: int) -> Merge | None:
    """The rows and columns a cell covers, or None for no cell or a cell right of the columns kept."""
    if cell is None:
        return None
    top, left = _index(ys, cell[1]), _index(xs, cell[0])
    if left >= width:
        return None
    bottom = _index(ys, cell[3] - 2 * TOLERANCE)
    right = min(_index(xs, cell[2] - 2 * TOLERANCE), width - 1)
    return Merge(top, left, bottom, right)


def _edges(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > TOLERANCE:
            out.append(v)
    return out


def _index(edges: list[float], value: float) -> int:
    """The last edge index at or before value (within the tolerance)."""
    found = 0
    for i, edge in enumerate(edges):
        if edge <= value + TOLERANCE:
            found = i
    return found


def join_wrapped(text: str) -> str:
    """A cell's text with its visual line breaks undone (no space between Chinese characters)."""
    out = ""
    for line in text.split("\n"):
        out = join_pieces(out, line.strip())
    return out


def join_continued(pages: list[list[Grid]]) -> list[Grid]:
    """All grids in order; a table continued at the top of the next page is appended to its first part."""
    out: list[Grid] = []
    previous_last: Grid | None = None
    for grids in pages:
        for k, grid in enumerate(grids):
            if k == 0 and previous_last is not None and _continues(previous_last, grid):
                _append(previous_last, grid)
                continue
            out.append(grid)
        previous_last = out[-1] if grids and out else None
    return out


def _continues(first: Grid, more: Grid) -> bool:
    """Is more (at the top of a page) the rest of first (at the bottom of the page before)?"""
    return bool(more.rows and first.rows and _width(more) == _width(first) and not more.ocr and not first.ocr)


def _width(grid: Grid) -> int:
    return max((len(r) for r in grid.rows), default=0)


def _append(first: Grid, more: Grid) -> None:
    skip = 1 if more.rows[0] in first.rows[:5] else 0  # the header row repeated on the new page
    offset = len(first.rows) - skip
    first.rows.extend(more.rows[skip:])
    first.merges.extend(
        Merge(m.top + offset, m.left, m.bottom + offset, m.right) for m in more.merges if m.top >= skip
    )
    first.confidence.update({(r + offset, c): v for (r, c), v in more.confidence.items() if r >= skip})
    first.lines.extend(more.lines)
