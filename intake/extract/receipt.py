"""Receipt extraction: find the header fields and the table in grids, map columns, read rows.

Pure: grids and message text in, a Receipt out.  Never raises on odd grids.
The header row and the form fields above it are found in header.py, the participant rows read in
rows.py, a roster's tables and sheets joined in roster.py; here the best receipt is chosen, and the
others that hold people not in it are named on it (rules.roster_parts says whether they are another
unit's or training's; one whose people all stand in the chosen one, by name, is a copy (a scan of it, the body's table
repeating the attachment) and not named).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from intake.extract.roster import by_source, rosters, where
from intake.readers.grid import Grid
from rules.receipt import OtherReceipt, Receipt

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
    elsewhere: Callable[[Receipt], bool] = lambda receipt: False,
) -> Receipt | None:
    """The best receipt among the grids, or None when none holds a participant table.

    elsewhere(receipt): is it addressed to another mailbox (another training)?  Such a receipt is
    chosen only when no other one has people; it is then named on the chosen one like any other."""
    found = [pair for group in by_source(grids) for pair in rosters(group, year)]
    if not found:
        return None
    receipt = max((r for r, _g in found), key=lambda r: (len(r.rows) > 0, not elsewhere(r), *_score(r)))
    first = next(g for r, g in found if r is receipt)
    names = {row.participant.name for row in receipt.rows}
    receipt.others = [
        _other(r, g, first)
        for r, g in found
        if r is not receipt and r.rows and not all(row.participant.name in names for row in r.rows)
    ]
    receipt.subject, receipt.filenames, receipt.body = subject, list(filenames), body
    receipt.sender, receipt.sender_name = sender, sender_name
    return receipt


def extract_grid(grid: Grid, year: int) -> Receipt | None:
    """The receipt in one grid alone, or None when it has no participant table."""
    found = rosters([grid], year)
    return found[0][0] if found else None


def _score(receipt: Receipt) -> tuple[bool, int, bool, int]:
    """Rows at all, then columns mapped (an OCR grid a little less), then not OCR, then rows."""
    return (
        len(receipt.rows) > 0,
        len(receipt.columns) - OCR_PENALTY * receipt.ocr,
        not receipt.ocr,
        len(receipt.rows),
    )


def _other(receipt: Receipt, grid: Grid, chosen: Grid) -> OtherReceipt:
    """Another receipt, named by its file (and its table or sheet when it shares the chosen one's file,
    and its first row when it shares its sheet: two rosters stacked in one)."""
    place = where(grid, grid.source == chosen.source)
    if grid.label == chosen.label:
        place = f"{place}第 {receipt.header_row} 行起"
    return OtherReceipt(place, receipt.unit_name, receipt.meeting, len(receipt.rows))
