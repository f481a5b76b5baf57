"""Receipt extraction: find the header fields and the table in grids, map columns, read rows.

Pure: grids and message text in, a Receipt out.  Never raises on odd grids.
The header row and the form fields above it are found in header.py, the
participant rows read in rows.py; here the best grid's receipt is chosen.
"""

from __future__ import annotations

from collections.abc import Sequence

from intake.extract import normalize as norm
from intake.extract.columns import PARTICIPANT_FIELDS
from intake.extract.header import find_header, header_fields, labels, rows_as_lines
from intake.extract.rows import read_row
from intake.readers.grid import CellValue, Grid
from rules.receipt import Receipt

# An OCR'd cell below this confidence is reported (ocr_uncertain) instead of taken silently.
# Mobiles, e-mails and times need more: a wrong digit or letter reads nearly as confidently as a right one.
OCR_UNCERTAIN = 0.70
OCR_UNCERTAIN_LATIN = 0.85
_LATIN_FIELDS = ("mobile", "email", "arrival")
# An OCR grid beats an editable one only when it maps this many more columns (a stamped
# scan sent with the xlsx it was printed from: the xlsx wins, the scan is the signed record).
OCR_PENALTY = 1


def extract(
    grids: Sequence[Grid],
    *,
    year: int,
    subject: str = "",
    filenames: Sequence[str] = (),
    body: str = "",
    sender: str = "",
    sender_name: str = "",
) -> Receipt | None:
    """The best receipt among the grids, or None when none holds a participant table."""
    best: tuple[tuple[bool, int, bool, int], Receipt] | None = None
    for grid in grids:
        receipt = extract_grid(grid, year)
        if receipt is None:
            continue
        score = (
            len(receipt.rows) > 0,
            len(receipt.columns) - OCR_PENALTY * receipt.ocr,
            not receipt.ocr,
            len(receipt.rows),
        )
        if best is None or score > best[0]:
            best = (score, receipt)
    if best is None:
        return None
    receipt = best[1]
    receipt.subject, receipt.filenames, receipt.body = subject, list(filenames), body
    receipt.sender, receipt.sender_name = sender, sender_name
    return receipt


def extract_grid(grid: Grid, year: int) -> Receipt | None:
    """The receipt in one grid, or None when it has no participant table."""
    rows = _filled(grid)
    texts = [[norm.cell_text(v) for v in row] for row in rows]
    header = find_header(texts)
    if header is None:
        return None
    receipt = Receipt(source=grid.label, header_row=header.row + 1, ocr=grid.ocr)
    receipt.columns = {f: " ".join(str(rows[r][c]).split()) for f, (r, c) in labels(texts, header).items()}
    receipt.missing_columns = [f for f in PARTICIPANT_FIELDS if f not in header.mapping]
    above = texts[: header.row]
    header_fields(receipt, [*grid.lines, *rows_as_lines(above)], above)
    for r in range(header.data_start, len(rows)):
        row = read_row(rows[r], texts[r], header.mapping, r + 1, year)
        if row is not None:
            if grid.ocr:
                row.uncertain = _uncertain(grid, r, header.mapping)
            receipt.rows.append(row)
    return receipt


def _filled(grid: Grid) -> list[list[CellValue]]:
    """The grid's rows with merged ranges filled in (as found, when the merge list is malformed)."""
    try:
        return grid.filled()
    except Exception:  # a malformed merge list must not lose the grid
        return [list(r) for r in grid.rows]


def _uncertain(grid: Grid, r: int, mapping: dict[str, int]) -> list[str]:
    """The fields of an OCR'd row whose cell the recogniser was unsure of."""
    out = []
    for field in PARTICIPANT_FIELDS:
        col = mapping.get(field)
        conf = grid.cell_confidence(r, col) if col is not None else None
        if conf is not None and conf < (OCR_UNCERTAIN_LATIN if field in _LATIN_FIELDS else OCR_UNCERTAIN):
            out.append(field)
    return out
