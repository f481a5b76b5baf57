"""Comma-, tab- or semicolon-separated text.  Every value stays a str ("" for a blank field).

Bytes are read as UTF-8 (with or without BOM; UTF-16 with a BOM), else GB18030.
Chosen for .csv/.tsv names, and for other text whose lines split consistently
on one delimiter (an "xls" that an old system wrote as CSV).
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from intake.errors import UnreadableAttachment
from intake.readers.grid import Grid
from intake.readers.limits import Limits

from ._common import GridBuilder, decode_text, extension, text_head

KIND = "csv"
DELIMITERS = (",", "\t", ";")


def can_read(name: str, head: bytes) -> bool:
    sample = text_head(head)
    if sample is None:
        return False
    ext = extension(name)
    if ext in ("csv", "tsv"):
        return True
    return ext != "txt" and sniff_delimiter(sample) is not None


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    text = decode_text(data)
    if text is None:
        raise UnreadableAttachment(name, "corrupt", "not text in UTF-8 or GB18030")
    delimiter = sniff_delimiter(text[:65536]) or ("\t" if extension(name) == "tsv" else ",")
    builder = GridBuilder(name, limits)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            builder.add(row)
    except csv.Error as exc:
        raise UnreadableAttachment(name, "corrupt", f"CSV: {exc}") from exc
    grid = builder.build(name, "", KIND)
    return [grid] if grid.rows else []


def sniff_delimiter(sample: str) -> str | None:
    """The delimiter that splits most of the first lines into the same number of fields."""
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")) and len(sample) >= 65536:
        lines = lines[:-1]  # the sample cut the last line short
    if len(lines) < 2:
        return None
    best, best_share = None, 0.0
    for delimiter in DELIMITERS:
        counts = Counter(line.count(delimiter) for line in lines)
        count, times = counts.most_common(1)[0]
        share = times / len(lines)
        if count >= 1 and share >= 0.6 and share > best_share:
            best, best_share = delimiter, share
    return best
