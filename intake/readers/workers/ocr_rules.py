"""Ruling lines of a table on a prepared page (OpenCV): where its rows and columns are, and which cells
are merged.

Horizontal rules are what survives an opening with a horizontal line a third of an inch long (no
character has a stroke that long), vertical rules the same with a vertical line a sixth of an inch
long, looked for only between the table's top and bottom rules.  A row rule runs across at least
half the widest rule; a column rule down at least a quarter of the table.  A rule missing between
two cells (a segment with less than half its length inked) makes them one merged cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from .ocr_prepare import line_mask

Mask = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Rules:
    """Ruling lines: y of each row rule, x of each column rule, and the masks they were found on."""

    rows: list[float]
    cols: list[float]
    horizontal: Mask
    vertical: Mask
    thickness: int

    @property
    def left(self) -> float:
        return self.cols[0]

    @property
    def right(self) -> float:
        return self.cols[-1]

    def has_rule_below(self, row: int, col: int, edges: list[float]) -> bool:
        """Is the rule under band row `row` drawn across column band `col` (edges: the column edges)?"""
        y = self.rows[row + 1]
        return _covered(self.horizontal, int(y), (edges[col], edges[col + 1]), self.thickness, across=True)

    def has_rule_right(self, row: int, x: float) -> bool:
        """Is there a vertical rule at x along band row `row`?"""
        return _covered(
            self.vertical, int(x), (self.rows[row], self.rows[row + 1]), self.thickness, across=False
        )


def find_rules(gray: npt.NDArray[np.uint8], dpi: float) -> Rules | None:
    """The table's ruling lines, or None when there are not at least three row rules."""
    ink = line_mask(gray)
    long_h = max(25, int(dpi / 3))
    horizontal = _open(ink, (long_h, 1))
    rows, thickness = _lines(horizontal.sum(axis=1, dtype=np.int64), 0.5)
    if len(rows) < 3:
        return None
    top, bottom = int(rows[0]), int(rows[-1])
    long_v = max(12, int(dpi / 6))
    vertical = np.zeros_like(ink)
    vertical[top : bottom + 1] = _open(ink[top : bottom + 1], (1, long_v))
    cols, v_thick = _lines(vertical.sum(axis=0, dtype=np.int64), 0.25, reference=(bottom - top) * 255)
    left, right = _extent(horizontal, rows)
    if not cols or cols[0] - left > dpi / 10:
        cols.insert(0, left)
    if cols[-1] < right - dpi / 10:
        cols.append(right)
    if len(cols) < 2:
        return None
    return Rules(rows, cols, horizontal, vertical, max(thickness, v_thick, 2))


def _open(ink: Mask, size: tuple[int, int]) -> Mask:
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, size)
    opened = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    return np.asarray(cv2.dilate(opened, np.ones((3, 3), np.uint8)), dtype=np.uint8)


def _lines(
    profile: npt.NDArray[np.int64], share: float, reference: float | None = None
) -> tuple[list[float], int]:
    """Centres of the runs of a projection above share of its peak (or of reference), and the widest run."""
    peak = float(profile.max()) if reference is None else reference
    if peak <= 0:
        return [], 0
    above = profile >= share * peak
    out: list[float] = []
    widest = 0
    start = None
    for i, on in enumerate([*above.tolist(), False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            out.append((start + i - 1) / 2)
            widest = max(widest, i - start)
            start = None
    return out, widest


def _extent(horizontal: Mask, rows: list[float]) -> tuple[float, float]:
    """The x range the row rules cover (the widest of them)."""
    best = (0.0, float(horizontal.shape[1] - 1))
    width = -1.0
    for y in rows:
        xs = np.flatnonzero(horizontal[int(y)])
        if xs.size and xs[-1] - xs[0] > width:
            width = float(xs[-1] - xs[0])
            best = (float(xs[0]), float(xs[-1]))
    return best


def _covered(mask: Mask, at: int, span: tuple[float, float], thickness: int, across: bool) -> bool:
    """Is at least half of the segment at `at` from span[0] to span[1] (inside the rules) inked?"""
    inset = thickness + 2
    a, b = int(span[0]) + inset, int(span[1]) - inset
    if b - a < 3:
        return True
    lo, hi = max(0, at - thickness - 2), at + thickness + 3
    strip = mask[lo:hi, a:b] if across else mask[a:b, lo:hi]
    if strip.size == 0:
        return True
    inked = strip.any(axis=0 if across else 1)
    return bool(inked.mean() >= 0.5)
