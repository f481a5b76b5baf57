"""Writing cells that people typed into a workbook, safely: no formulas, no illegal XML, text stays text.

openpyxl turns any str that starts with "=" into a formula.  Names and units come from
strangers' email, so every str is written as a string cell (``data_type = "s"``), and one that
starts with = + - @ (what Excel and WPS would read as a formula when the cell is edited or the
sheet is saved as CSV) also gets Excel's quote prefix, shown as a leading apostrophe.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@")
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # as openpyxl refuses them
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
THIN = Side(style="thin", color="A0A0A0")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MAX_WIDTH = 50


def put(cell: Cell, value: object, *, text: bool = False) -> Cell:
    """Write value; a str is always a string cell, never a formula.  text: also format the cell as Text (@)."""
    if isinstance(value, str):
        clean = ILLEGAL_CHARACTERS.sub("", value)
        cell.value = clean
        cell.data_type = "s"
        if clean.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    else:
        cell.value = value
    if text:
        cell.number_format = "@"
    return cell


def display_width(value: object) -> int:
    """Columns a value takes: CJK and full-width characters count two."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def table(
    ws: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    text_columns: Sequence[str] = (),
    start_row: int = 1,
) -> int:
    """Header and rows from start_row; frozen header, auto filter, widths.  Returns the last row written."""
    text_cols = {i for i, h in enumerate(header) if h in text_columns}
    for c, label in enumerate(header, 1):
        cell = put(ws.cell(row=start_row, column=c), label)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
    r = start_row
    for r, row in enumerate(rows, start_row + 1):
        for c, value in enumerate(row, 1):
            cell = put(ws.cell(row=r, column=c), value, text=(c - 1) in text_cols)
            cell.border = BORDER
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1).coordinate
    last_col = get_column_letter(max(len(header), 1))
    ws.auto_filter.ref = f"A{start_row}:{last_col}{max(r, start_row)}"
    fit_widths(ws)
    return r


def fit_widths(ws: Worksheet, minimum: int = 6) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None and type(cell).__name__ == "Cell":
                widths[cell.column] = max(widths.get(cell.column, 0), display_width(cell.value))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, max(minimum, width + 2))


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet title: at most 31 characters, none of []:*?/\\ ."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Sheet"
    base = base[:31]
    title, n = base, 2
    while title.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title
