"""A table without ruling lines, rebuilt from word positions (a borderless PDF table, an unruled scan).

Rows: the words' vertical extents, each widened by a quarter of the median word
height, are merged where they overlap; each merged band is one row (a cell
wrapped over two lines and its vertically centred neighbours make one band).
Cells: inside a band, words further apart than `gap` median heights are in
different cells.  The table is the longest run of bands with at least three
cells; bands above and below it are free text lines.  Columns: the horizontal
extents of the table's cells, merged where they overlap, left to right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class Layout:
    rows: list[list[list[int]]]  # per row, per column: indexes of the words in that cell (reading order)
    above: list[list[int]]  # free text lines above the table: word indexes per line
    below: list[list[int]]


MIN_CELLS = 3
GAP = 0.4  # a horizontal gap wider than this many word heights separates two cells


def layout(words: Sequence[Box], gap: float = GAP) -> Layout | None:
    """The table in the words, or None when no run of bands has MIN_CELLS cells."""
    if not words:
        return None
    heights = sorted(w.bottom - w.top for w in words)
    h = max(heights[len(heights) // 2], 1.0)
    bands = _bands(words, 0.25 * h)
    chunks = [_chunks(words, band, h, gap) for band in bands]
    best = longest_run([len(found) for found in chunks], MIN_CELLS)
    if best is None:
        return None
    first, end = best
    columns = _columns([c for found in chunks[first:end] for c in found], words, 0.3 * h)
    return Layout(
        rows=[_row(found, columns, words, h) for found in chunks[first:end]],
        above=[_reading_order(b, words, h) for b in bands[:first]],
        below=[_reading_order(b, words, h) for b in bands[end:]],
    )


def longest_run(counts: list[int], minimum: int) -> tuple[int, int] | None:
    """(start, end) of the longest run of counts >= minimum (end exclusive; the first when tied), or None."""
    best: tuple[int, int] | None = None
    start = None
    for i, n in enumerate([*counts, 0]):
        if n >= minimum and start is None:
            start = i
        elif n < minimum and start is not None:
            if best is None or i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return best


def _row(
    chunks: list[list[int]], columns: list[tuple[float, float]], words: Sequence[Box], h: float
) -> list[list[int]]:
    """One table row: each chunk of words in the column nearest its centre, each cell in reading order."""
    row: list[list[int]] = [[] for _ in columns]
    for chunk in chunks:
        centre = (min(words[i].x0 for i in chunk) + max(words[i].x1 for i in chunk)) / 2
        col = min(range(len(columns)), key=lambda k: _distance(columns[k], centre))
        row[col].extend(chunk)
    return [_reading_order(cell, words, h) for cell in row]


def _bands(words: Sequence[Box], tolerance: float) -> list[list[int]]:
    order = sorted(range(len(words)), key=lambda i: words[i].top)
    bands: list[list[int]] = []
    bottom = float("-inf")
    for i in order:
        if bands and words[i].top - tolerance <= bottom:
            bands[-1].append(i)
            bottom = max(bottom, words[i].bottom + tolerance)
        else:
            bands.append([i])
            bottom = words[i].bottom + tolerance
    return bands


def _chunks(words: Sequence[Box], band: list[int], h: float, gap: float) -> list[list[int]]:
    """The band's words grouped into cells: a horizontal gap wider than gap * h starts a new cell."""
    chunks: list[list[int]] = []
    extents: list[tuple[float, float]] = []
    for i in sorted(band, key=lambda i: words[i].x0):
        w = words[i]
        for k, (x0, x1) in enumerate(extents):
            if w.x0 - x1 <= gap * h and w.x1 - x0 >= -gap * h:
                chunks[k].append(i)
                extents[k] = (min(x0, w.x0), max(x1, w.x1))
                break
        else:
            chunks.append([i])
            extents.append((w.x0, w.x1))
    return chunks


def _columns(chunks: list[list[int]], words: Sequence[Box], tolerance: float) -> list[tuple[float, float]]:
    spans = sorted((min(words[i].x0 for i in c), max(words[i].x1 for i in c)) for c in chunks)
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1] + tolerance:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def _distance(span: tuple[float, float], x: float) -> float:
    return 0.0 if span[0] <= x <= span[1] else min(abs(span[0] - x), abs(span[1] - x))


def _reading_order(indexes: list[int], words: Sequence[Box], h: float) -> list[int]:
    """Top to bottom by line (words within half a height are one line), left to right."""
    lines: list[list[int]] = []
    for i in sorted(indexes, key=lambda i: words[i].top):
        if lines and abs(words[i].top - words[lines[-1][0]].top) <= 0.5 * h:
            lines[-1].append(i)
        else:
            lines.append([i])
    return [i for line in lines for i in sorted(line, key=lambda i: words[i].x0)]


def text_of(indexes: list[int], words: Sequence[Box], join: Callable[[str, str], str]) -> str:
    out = ""
    for i in indexes:
        out = join(out, words[i].text)
    return out
