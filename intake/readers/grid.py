"""The neutral grid every reader produces, whatever the file format.

A grid is a rectangle of cell values taken from one sheet, one table or one
pasted body.  Values stay as the reader found them (str, int, float, bool,
datetime, date, time or None); interpretation belongs to receipt extraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

CellValue = str | int | float | bool | datetime | date | time | None


@dataclass(frozen=True)
class Merge:
    """A merged range, 0-based and inclusive; the value sits in (top, left)."""

    top: int
    left: int
    bottom: int
    right: int


@dataclass
class Grid:
    """One table of cells.

    source: the attachment's file name, or "正文" for a table pasted in the body.
    part:   the sheet or table inside that source ("Sheet1", "表格1"), or "".
    rows:   cell values, row by row; rows may differ in length.
    merges: merged ranges as found in the file.
    lines:  free text that surrounds the table (docx paragraphs above it, text
            lines around an HTML table), where header fields may be written.
    kind:   the reader that made it: xlsx, xls, docx, csv, html, text, pdf, ocr
            (doc, rtf, odt, ods: read by the docx/xlsx reader after conversion).
    ocr:    every value was read by OCR from a scan or a photo, so any of them may be wrong.
    confidence: for an OCR grid, the recogniser's confidence (0.0-1.0) per
            (row, col) of each non-empty cell; a merged range has it at its top-left.
    """

    source: str
    part: str
    rows: list[list[CellValue]]
    merges: list[Merge] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    kind: str = ""
    ocr: bool = False
    confidence: dict[tuple[int, int], float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.source}#{self.part}" if self.part else self.source

    def cell(self, row: int, col: int) -> CellValue:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    def cell_confidence(self, row: int, col: int) -> float | None:
        """The OCR confidence of a cell, looked up at the top-left of a merge covering it; None if unknown."""
        if (row, col) in self.confidence:
            return self.confidence[(row, col)]
        for m in self.merges:
            if m.top <= row <= m.bottom and m.left <= col <= m.right:
                return self.confidence.get((m.top, m.left))
        return None

    def filled(self) -> list[list[CellValue]]:
        """Rows with each vertical merge's value copied down its range.

        Horizontal merges keep their value in the left cell only, so a title
        merged across a row is not repeated in every column.
        """
        out = [list(r) for r in self.rows]
        for m in self.merges:
            if m.bottom <= m.top:
                continue
            value = self.cell(m.top, m.left)
            for r in range(m.top + 1, min(m.bottom, len(out) - 1) + 1):
                row = out[r]
                if m.left >= len(row):
                    row.extend([None] * (m.left + 1 - len(row)))
                if row[m.left] in (None, ""):
                    row[m.left] = value
        return out
