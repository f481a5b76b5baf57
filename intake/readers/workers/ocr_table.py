"""OCR table structure: the ruled table from its ruling lines (a missing rule merges two cells),
or, without rules, rows and columns from the white space between text lines and columns."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from PIL import Image

from .layout import longest_run

Span = tuple[int, int]  # first and last index of a run, inclusive
MIN_PIECES = 3  # a text line split by white gaps into this many pieces is a table row


def _runs(values: list[float], threshold: float) -> list[Span]:
    out: list[Span] = []
    start: int | None = None
    for i, v in enumerate(values):
        if v >= threshold and start is None:
            start = i
        elif v < threshold and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(values) - 1))
    return out


def _dark_share(mask: Image.Image, horizontal: bool, segment: int) -> list[float]:
    """Per row (horizontal) or column: the share of segment-long pieces that are mostly ink."""
    w, h = mask.size
    if horizontal:
        n = max(1, w // segment)
        data = mask.resize((n, h), Image.Resampling.BOX).tobytes()
        return [sum(1 for v in data[y * n : (y + 1) * n] if v > 150) / n for y in range(h)]
    n = max(1, h // segment)
    data = mask.resize((w, n), Image.Resampling.BOX).tobytes()
    counts = [0] * w
    for k in range(n):
        row = data[k * w : (k + 1) * w]
        for x in range(w):
            if row[x] > 150:
                counts[x] += 1
    return [c / n for c in counts]


@dataclass
class Layout:
    rows: list[float]  # y of each horizontal rule, top to bottom
    cols: list[float]  # x of each vertical rule, left to right
    thickness: int
    cells: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # (top, left, bottom, right) band indexes


def find_table(mask: Image.Image, dpi: float) -> Layout | None:
    """The ruled table on the page, or None when there are not at least 2x2 rules."""
    segment = max(8, int(dpi / 12))
    shares = _dark_share(mask, True, segment)
    if not shares or max(shares) < 0.2:
        return None
    h_runs = _runs(shares, 0.6 * max(shares))
    if len(h_runs) < 2:
        return None
    top, bottom = h_runs[0][0], h_runs[-1][1]
    band = mask.crop((0, max(0, top - 2), mask.width, min(mask.height, bottom + 3)))
    v_shares = _dark_share(band, False, segment)
    if not v_shares or max(v_shares) < 0.5:
        return None
    v_runs = _runs(v_shares, 0.6 * max(v_shares))
    if len(v_runs) < 2:
        return None
    thickness = max(b - a + 1 for a, b in h_runs + v_runs)
    thickness = min(thickness, int(dpi / 20) + 1)
    layout = Layout(
        rows=[(a + b) / 2 for a, b in h_runs], cols=[(a + b) / 2 for a, b in v_runs], thickness=thickness
    )
    layout.cells = _merged_cells(mask, layout)
    return layout


def _rule_between(mask: Image.Image, layout: Layout, horizontal: bool, i: int, j: int) -> bool:
    """Is there a rule below band row i in column j (horizontal), or right of column j in row i?"""
    t = layout.thickness + 2
    if horizontal:
        y = layout.rows[i + 1]
        box = (int(layout.cols[j]) + t, int(y) - t, int(layout.cols[j + 1]) - t, int(y) + t + 1)
    else:
        x = layout.cols[j + 1]
        box = (int(x) - t, int(layout.rows[i]) + t, int(x) + t + 1, int(layout.rows[i + 1]) - t)
    if box[2] - box[0] < 3 or box[3] - box[1] < 3:
        return True
    strip = mask.crop(box)
    w, h = strip.size
    data = strip.tobytes()
    if horizontal:
        best = max(sum(1 for v in data[y * w : (y + 1) * w] if v) / w for y in range(h))
    else:
        best = max(sum(1 for y in range(h) if data[y * w + x]) / h for x in range(w))
    return best >= 0.6


def _merged_cells(mask: Image.Image, layout: Layout) -> list[tuple[int, int, int, int]]:
    nrows, ncols = len(layout.rows) - 1, len(layout.cols) - 1
    parent = {(r, c): (r, c) for r in range(nrows) for c in range(ncols)}

    def find(x: tuple[int, int]) -> tuple[int, int]:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in range(nrows):
        for c in range(ncols):
            if r + 1 < nrows and not _rule_between(mask, layout, True, r, c):
                parent[find((r + 1, c))] = find((r, c))
            if c + 1 < ncols and not _rule_between(mask, layout, False, r, c):
                parent[find((r, c + 1))] = find((r, c))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for key in parent:
        groups[find(key)].append(key)
    cells = []
    for members in groups.values():
        rs, cs = [m[0] for m in members], [m[1] for m in members]
        cells.append((min(rs), min(cs), max(rs), max(cs)))
    return sorted(cells)


def find_unruled(mask: Image.Image, dpi: float) -> Layout | None:
    """A table without rules, from the white space on the page: None when there is none.

    Text lines are the runs of rows with ink (a wrapped cell and its vertically
    centred neighbours overlap, so they are one run); the table is the longest
    run of lines that white gaps split into at least three pieces; its columns
    are separated by the strips that have no ink in (nearly) any of its lines.
    """
    w, h = mask.size
    bands = _runs([float(v) for v in mask.resize((1, h), Image.Resampling.BOX).tobytes()], 1)
    if not bands:
        return None
    heights = sorted(b - a + 1 for a, b in bands)
    char = max(4, heights[len(heights) // 4])  # a single line (taller bands are wrapped cells)
    bands, pieces = _join_wrapped_lines(mask, bands, char)
    best = longest_run(pieces, MIN_PIECES)
    if best is None or best[1] - best[0] < 2:
        return None
    table = bands[best[0] : best[1]]
    segments = _segments(_gutters(mask, table), 0.5 * char)
    if len(segments) < 3:
        return None
    edges = [float(max(0, segments[0][0] - 4))]
    edges += [(segments[k][1] + segments[k + 1][0]) / 2 for k in range(len(segments) - 1)]
    edges.append(float(min(w - 1, segments[-1][1] + 4)))
    ys = [float(max(0, table[0][0] - 4))]
    ys += [(table[k][1] + table[k + 1][0]) / 2 for k in range(len(table) - 1)]
    ys.append(float(min(h - 1, table[-1][1] + 4)))
    return Layout(
        rows=ys,
        cols=edges,
        thickness=0,
        cells=[(r, c, r, c) for r in range(len(ys) - 1) for c in range(len(edges) - 1)],
    )


def _line_profile(mask: Image.Image, band: Span) -> bytes:
    """Per x: the mean ink of the band's rows (0 where the band has no ink at all)."""
    a, b = band
    return mask.crop((0, a, mask.width, b + 1)).resize((mask.width, 1), Image.Resampling.BOX).tobytes()


def _join_wrapped_lines(mask: Image.Image, bands: list[Span], char: int) -> tuple[list[Span], list[int]]:
    """The text lines with each wrapped cell's tail joined to its row, and how many pieces each line has."""
    merged: list[Span] = []
    pieces: list[int] = []
    for a, b in bands:
        n = len(_segments(_line_profile(mask, (a, b)), 0.8 * char))
        if merged and n < MIN_PIECES and pieces[-1] >= MIN_PIECES and a - merged[-1][1] < 0.6 * char:
            merged[-1] = (merged[-1][0], b)  # the wrapped tail of a cell in the row above
            continue
        merged.append((a, b))
        pieces.append(n)
    return merged, pieces


def _gutters(mask: Image.Image, table: list[Span]) -> bytes:
    """Per x: 1 where more than a tenth of the table's lines have ink, else 0 (a gutter between columns)."""
    inked = [0] * mask.width  # per x: in how many of the table's lines there is ink
    for band in table:
        line = _line_profile(mask, band)
        for x in range(mask.width):
            if line[x]:
                inked[x] += 1
    allowed = len(table) // 10  # a title or a footer line across the columns does not close a gutter
    return bytes(1 if n > allowed else 0 for n in inked)


def _segments(profile: bytes, gap: float) -> list[Span]:
    """Runs of inked positions in a profile, joined across white gaps narrower than gap."""
    out: list[Span] = []
    for a, b in _runs([float(v) for v in profile], 1):
        if out and a - out[-1][1] - 1 < gap:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out
