"""The table from the layout: recognised text boxes put into rows and columns by their positions.

With ruling lines (ocr_rules), a box belongs to the cell its centre is in; a rule missing between
two cells makes them one merged cell, whose value is everything in it in reading order (a wrapped
unit name is one value).  A column rule lost on the way (a fax, a fold) is found again from the
text: inside a ruled column, a gap that separates two header labels and that no more than an eighth
of the rows' text crosses is a column edge, and a box running over it (the detector joined two
cells once the rule between them was gone) is cut there between its characters.  Without ruling
lines the rows and columns come from the white space (layout.py, as for a borderless PDF).

Text above the table's top rule and below its bottom rule becomes the grid's lines.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from intake.readers.grid import CellValue, Merge

from .layout import Box, layout
from .ocr_engine import TextBox
from .ocr_rules import Rules
from .ocr_text import CJK, closed, in_lines, reading_order

Cell = tuple[int, int]
CROSSING = 8  # a gap crossed by the text of more than one row in this many is no column edge
# Confidence: a cell's least sure character, put on the scale extraction reads (it asks the sender to
# check a Chinese cell under 0.70, a mobile, e-mail or time under 0.85).  PP-OCR is sure of nearly
# every character it reads right, so a Latin character under 0.98 or a Chinese one under 0.85 is the
# doubt to show: a wrong digit in a mobile reads at 0.87 to 0.97.
SURE_LATIN, SHOWN_LATIN = 0.98, 0.85
SURE_CJK, SHOWN_CJK = 0.85, 0.70
GAP = 1.6  # characters of one box further apart than this many box heights are in two cells
NOISE = 0.45  # a box this unsure, sharing its cell with a confident one, is a speck or a seal's remains


@dataclass
class Table:
    rows: list[list[CellValue]]
    confidence: dict[Cell, float]
    merges: list[Merge]
    above: list[str]
    below: list[str]


def ruled_table(boxes: Sequence[TextBox], rules: Rules) -> Table:
    """The ruled table the boxes sit in."""
    top, bottom = rules.rows[0], rules.rows[-1]
    inside = [piece for b in boxes if _in_table(b, rules) for piece in cut_at_gaps(b)]
    edges, virtual = column_edges(inside, rules)
    groups = merged_cells(rules, edges, virtual)
    cells: dict[Cell, list[TextBox]] = defaultdict(list)
    for piece in (p for b in inside for p in cut_at_edges(b, edges)):
        cells[groups[(_band(rules.rows, piece.cy), _band(edges, piece.cx))]].append(piece)
    rows: list[list[CellValue]] = [[None] * (len(edges) - 1) for _ in range(len(rules.rows) - 1)]
    confidence: dict[Cell, float] = {}
    for (r, c), found in cells.items():
        rows[r][c], confidence[(r, c)] = cell_value(found)
    return Table(
        rows=rows,
        confidence=confidence,
        merges=_merges(groups),
        above=_lines([b for b in boxes if b.cy < top]),
        below=_lines([b for b in boxes if b.cy > bottom]),
    )


def _in_table(box: TextBox, rules: Rules) -> bool:
    return rules.rows[0] <= box.cy <= rules.rows[-1] and rules.left - 5 <= box.cx <= rules.right + 5


def cell_value(found: Sequence[TextBox]) -> tuple[str | None, float]:
    """A cell's text in reading order (specks left out) and its confidence."""
    kept = _without_noise(list(found))
    text = closed(reading_order(kept))
    return text or None, calibrated(min(p.conf for p in kept), text)


def unruled_table(boxes: Sequence[TextBox]) -> Table | None:
    """A table without ruling lines, from the white space between the boxes (layout.py), or None."""
    words = [Box(b.text, b.x0, b.y0, b.x1, b.y1) for b in boxes]
    found = layout(words, gap=0.9)
    if found is None:
        return None
    rows: list[list[CellValue]] = []
    confidence: dict[Cell, float] = {}
    for r, row in enumerate(found.rows):
        values: list[CellValue] = []
        for c, indexes in enumerate(row):
            if not indexes:
                values.append(None)
                continue
            value, confidence[(r, c)] = cell_value([boxes[i] for i in indexes])
            values.append(value)
        rows.append(values)
    return Table(
        rows=rows,
        confidence=confidence,
        merges=[],
        above=[reading_order([boxes[i] for i in line]) for line in found.above],
        below=[reading_order([boxes[i] for i in line]) for line in found.below],
    )


def page_lines(boxes: Sequence[TextBox]) -> list[str]:
    """A page without a table: its text, line by line."""
    return _lines(list(boxes))


def _lines(boxes: list[TextBox]) -> list[str]:
    return [t for t in (reading_order(line) for line in in_lines(boxes)) if t]


def calibrated(probability: float, text: str) -> float:
    """A cell's least sure character's probability on extraction's scale (SURE_* maps to SHOWN_*)."""
    sure, shown = (SURE_CJK, SHOWN_CJK) if CJK.search(text) else (SURE_LATIN, SHOWN_LATIN)
    return round(max(0.0, 1.0 - (1.0 - probability) * (1.0 - shown) / (1.0 - sure)), 3)


def _band(edges: Sequence[float], value: float) -> int:
    """The index of the band between two edges that value falls in (clamped to the first and last)."""
    return max(0, min(len(edges) - 2, bisect.bisect_right(edges, value) - 1))


def _without_noise(found: list[TextBox]) -> list[TextBox]:
    sure = [b for b in found if b.conf >= NOISE]
    return sure if sure else found


# --- columns ---------------------------------------------------------------------------------------


def column_edges(boxes: Sequence[TextBox], rules: Rules) -> tuple[list[float], set[int]]:
    """The column edges: the rules', and edges found in the text where a rule was lost (their indexes)."""
    edges = list(rules.cols)
    found: list[float] = []
    for a, b in zip(edges, edges[1:], strict=False):
        band = [x for x in boxes if a <= x.cx < b]
        found += lost_edges(band, rules.rows, (a, b))
    merged = sorted(edges + found)
    return merged, {merged.index(x) for x in found}


def lost_edges(boxes: Sequence[TextBox], rows: Sequence[float], span: tuple[float, float]) -> list[float]:
    """Column edges inside one ruled column: between two header labels, where the rows' text keeps apart."""
    header = sorted((b for b in boxes if _band(rows, b.cy) == _header_band(boxes, rows)), key=lambda b: b.x0)
    if len(header) < 2:
        return []
    by_row: dict[int, list[TextBox]] = defaultdict(list)
    for b in boxes:
        by_row[_band(rows, b.cy)].append(b)
    out = []
    for left, right in zip(header, header[1:], strict=False):
        edge = _clearest(list(by_row.values()), left.x1, right.x0)
        if edge is None or not span[0] < edge < span[1]:
            continue
        sides = [
            sum(1 for found in by_row.values() if any(b.cx < edge for b in found)),
            sum(1 for found in by_row.values() if any(b.cx > edge for b in found)),
        ]
        if min(sides) * 3 >= len(by_row):
            out.append(edge)
    return out


def _clearest(rows: list[list[TextBox]], start: float, end: float) -> float | None:
    """The middle of the widest stretch from start to end that the fewest rows' text runs across
    (None when more than one row in CROSSING does everywhere)."""
    if end - start < 2:
        return None
    xs = range(int(start) + 1, int(end))
    crossing = [sum(1 for found in rows if any(b.x0 < x < b.x1 for b in found)) for x in xs]
    least = min(crossing)
    if least * CROSSING > len(rows):
        return None
    best: tuple[int, int] = (0, -1)
    run_start = None
    for i, n in enumerate([*crossing, least + 1]):
        if n == least and run_start is None:
            run_start = i
        elif n != least and run_start is not None:
            if i - run_start > best[1] - best[0]:
                best = (run_start, i)
            run_start = None
    return float(xs[0] + (best[0] + best[1] - 1) / 2)


def _header_band(boxes: Sequence[TextBox], rows: Sequence[float]) -> int:
    """The topmost band with text in this column (its header label)."""
    return min((_band(rows, b.cy) for b in boxes), default=0)


def cut_at_edges(box: TextBox, edges: Sequence[float]) -> list[TextBox]:
    """The box cut between its characters where it runs over a column edge (by more than a character)."""
    inner = [x for x in edges[1:-1] if box.x0 + 0.5 * box.height < x < box.x1 - 0.5 * box.height]
    if not inner or not box.chars:
        return [box]
    out = []
    bounds = [box.x0, *inner, box.x1]
    for a, b in zip(bounds, bounds[1:], strict=False):
        chars = tuple(ch for ch in box.chars if a <= ch[1] < b)
        if chars:
            out.append(_piece(box, chars, a, b))
    return out or [box]


def cut_at_gaps(box: TextBox) -> list[TextBox]:
    """The box cut where two of its characters stand further apart than GAP heights (two cells' text
    the detector joined: the rule between them is lost, or they nearly touch)."""
    if len(box.chars) < 2:
        return [box]
    out = []
    start = 0
    for i in range(1, len(box.chars)):
        if box.chars[i][1] - box.chars[i - 1][1] > GAP * box.height:
            out.append(box.chars[start:i])
            start = i
    if not out:
        return [box]
    out.append(box.chars[start:])
    return [_piece(box, chars, chars[0][1] - box.height / 2, chars[-1][1] + box.height / 2) for chars in out]


def _piece(box: TextBox, chars: tuple[tuple[str, float, float], ...], a: float, b: float) -> TextBox:
    text = "".join(ch for ch, _x, _p in chars)
    return replace(
        box, text=text, conf=min(p for _c, _x, p in chars), x0=max(box.x0, a), x1=min(box.x1, b), chars=chars
    )


# --- merged cells ----------------------------------------------------------------------------------


def merged_cells(rules: Rules, edges: list[float], virtual: set[int]) -> dict[Cell, Cell]:
    """Each band cell's merged cell, named by its top-left band cell."""
    nrows, ncols = len(rules.rows) - 1, len(edges) - 1
    parent: dict[Cell, Cell] = {(r, c): (r, c) for r in range(nrows) for c in range(ncols)}

    def root(cell: Cell) -> Cell:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    def join(a: Cell, b: Cell) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(nrows):
        for c in range(ncols):
            if r + 1 < nrows and not rules.has_rule_below(r, c, edges):
                join((r, c), (r + 1, c))
            if c + 1 < ncols and c + 1 not in virtual and not rules.has_rule_right(r, edges[c + 1]):
                join((r, c), (r, c + 1))
    members: dict[Cell, list[Cell]] = defaultdict(list)
    for cell in parent:
        members[root(cell)].append(cell)
    out: dict[Cell, Cell] = {}
    for group in members.values():
        top_left = (min(r for r, _c in group), min(c for _r, c in group))
        out.update({cell: top_left for cell in group})
    return out


def _merges(groups: dict[Cell, Cell]) -> list[Merge]:
    spans: dict[Cell, list[Cell]] = defaultdict(list)
    for cell, top_left in groups.items():
        spans[top_left].append(cell)
    out = []
    for (top, left), members in sorted(spans.items()):
        bottom = max(r for r, _c in members)
        right = max(c for _r, c in members)
        if bottom > top or right > left:
            out.append(Merge(top, left, bottom, right))
    return out
