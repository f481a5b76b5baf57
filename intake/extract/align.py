"""Rows whose cells do not sit under the header's: Word's merged tables.  Pure.

Word (and LibreOffice saving a Word 97 .doc or an .odt) makes one table of two tables that touch, each
keeping its own column widths: the reader then sees the later rows on another grid, their cells under
other columns (a cell spanning grid columns is followed by None, an empty cell is "").  Such a row is
put back under the header cell by cell, in order, when it has exactly as many cells as the header row;
otherwise it cannot be placed, and the caller says so when the row holds a person.
"""

from __future__ import annotations

from intake.readers.grid import CellValue, Grid

# Readers whose grids mark a cell covered by a span with None (and an empty cell with "").
SPAN_AWARE = frozenset({"docx", "doc", "rtf", "odt", "wps"})


def cells_of(row: list[CellValue]) -> list[int]:
    """The columns where the row has a cell of its own (not covered by a span)."""
    return [c for c, v in enumerate(row) if v is not None]


def labelled(header: list[list[CellValue]]) -> list[int]:
    """The columns a header row (or a two-row header) names."""
    return sorted({c for row in header for c, v in enumerate(row) if v not in (None, "")})


def outside(row: list[CellValue], header: list[list[CellValue]]) -> bool:
    """Does the row hold text where the header names no column?"""
    named = set(labelled(header))
    return any(v not in (None, "") and c not in named for c, v in enumerate(row))


def realigned(grid: Grid, row: list[CellValue], header: list[list[CellValue]]) -> list[CellValue] | None:
    """The row with its cells under the header's, or None when it cannot be put there.

    header: the header row (two rows for a two-row header).  A row whose text all sits under named
    columns is returned as it is."""
    if not outside(row, header):
        return row
    ours, theirs = cells_of(row), labelled(header)
    if grid.kind not in SPAN_AWARE or len(ours) != len(theirs):
        return None
    out: list[CellValue] = [None] * (max(theirs) + 1)
    for target, source in zip(theirs, ours, strict=True):
        out[target] = row[source]
    return out
