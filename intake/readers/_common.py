"""Helpers shared by the readers: bounded grid building, text decoding, magic bytes."""

from __future__ import annotations

import codecs
import contextlib
import logging
import re
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence

from intake.errors import UnreadableAttachment
from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.limits import Limits

log = logging.getLogger(__name__)

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Longest run of empty rows kept between two filled rows; longer runs are cut
# to this length so a cell in row 1,048,576 cannot make a million-row grid.
MAX_GAP = 100
# Free-text lines kept with one grid: the ones nearest the table.
MAX_LINES = 1000


def is_zip(head: bytes) -> bool:
    return head[:4] in ZIP_MAGICS


def is_ole(head: bytes) -> bool:
    return head[:8] == OLE_MAGIC


def is_empty(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@contextlib.contextmanager
def quiet_warnings() -> Iterator[None]:
    """Log, instead of raising or printing, the warnings a library emits on odd files.

    openpyxl warns about things like a missing default style (common in WPS
    files); those must not change how a file is read, also when the warnings
    filter says "error".  Not thread-safe (warnings.catch_warnings never is).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught[:20]:
        log.debug("library warning: %s", w.message)


class GridBuilder:
    """Collects rows by position and makes a bounded Grid.

    Rows arrive in increasing 0-based order, possibly with gaps.  Counts filled
    rows against limits.max_rows (raising too_many_rows), cuts every row at
    limits.max_cols, drops trailing empty rows and shortens runs of more than
    MAX_GAP empty rows.  Merges given in file coordinates are moved to grid rows.
    trim: drop trailing None cells (spreadsheets, where None is an empty cell;
    tables keep the None of spanned cells so that columns line up).
    """

    def __init__(self, filename: str, limits: Limits, *, trim: bool = True) -> None:
        self.filename = filename
        self.limits = limits
        self.trim = trim
        self.rows: list[list[CellValue]] = []
        self.origin: list[int] = []  # file row index of each kept row
        self.filled = 0
        self._next = 0  # file row index expected next
        self._pending_empty = 0  # empty rows not yet kept

    def add(self, values: Sequence[CellValue], index: int | None = None) -> None:
        if index is None or index < self._next:
            index = self._next
        self._pending_empty += index - self._next
        self._next = index + 1
        row = list(values[: self.limits.max_cols])
        while self.trim and row and row[-1] is None:
            row.pop()
        if all(is_empty(v) for v in row):
            self._pending_empty += 1
            return
        self.filled += 1
        if self.filled > self.limits.max_rows:
            raise UnreadableAttachment(
                self.filename, "too_many_rows", f"more than {self.limits.max_rows} filled rows"
            )
        self._flush_empty(index)
        self.rows.append(row)
        self.origin.append(index)

    def _flush_empty(self, index: int) -> None:
        keep = min(self._pending_empty, MAX_GAP)
        first = index - self._pending_empty
        for i in range(keep):
            self.rows.append([])
            self.origin.append(first + i)
        self._pending_empty = 0

    def map_merge(self, merge: Merge) -> Merge | None:
        """The merge in grid rows, clipped to the kept rows and columns, or None."""
        top = bisect_left(self.origin, merge.top)
        bottom = bisect_right(self.origin, merge.bottom) - 1
        right = min(merge.right, self.limits.max_cols - 1)
        if top >= len(self.origin) or bottom < top or merge.left > right:
            return None
        if (top, merge.left) == (bottom, right):
            return None
        return Merge(top, merge.left, bottom, right)

    def build(
        self, source: str, part: str, kind: str, merges: Sequence[Merge] = (), lines: Sequence[str] = ()
    ) -> Grid:
        mapped = [m for m in (self.map_merge(m) for m in merges) if m is not None]
        return Grid(
            source=source,
            part=part,
            rows=self.rows,
            merges=list(dict.fromkeys(mapped)),
            lines=list(lines),
            kind=kind,
        )


# --- text ---------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "x-cp20936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "hz",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0] and data[2]:
        return "utf-16-le"  # ASCII start of UTF-16 text without a BOM ("<\0h\0")
    return None


def normalize_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset (GB2312 and GBK read as GB18030), or None."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset named in the first 4 KiB (an HTML meta tag or an XML declaration)."""
    match = _CHARSET.search(data[:4096]) or re.search(rb'encoding\s*=\s*["\']([\w.:-]+)', data[:200])
    name = normalize_charset(match.group(1).decode("ascii")) if match else None
    # A declaration readable as ASCII is not in UTF-16/32, whatever it says.
    return None if name and name.startswith(("utf-16", "utf-32")) else name


def decode_text(data: bytes, declared: str | None = None) -> str | None:
    """Text from bytes: BOM, then the declared charset, then UTF-8, then GB18030; None for binary."""
    candidates = [bom_encoding(data), declared, "utf-8", "gb18030"]
    for encoding in candidates:
        if not encoding:
            continue
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return text if looks_like_text(text) else None
    return None


def peek_text(data: bytes, size: int = 4096) -> str:
    """The start of data as text, for sniffing; never fails."""
    encoding = bom_encoding(data) or declared_charset(data) or "utf-8"
    return data[:size].decode(encoding, errors="replace")


def text_head(data: bytes, size: int = 65536) -> str | None:
    """The first size bytes decoded strictly (BOM, UTF-8, GB18030) if they look like text, else None.

    An incremental decoder accepts a character cut in half at the end of the sample.
    """
    for encoding in (bom_encoding(data), "utf-8", "gb18030"):
        if not encoding:
            continue
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(data[:size], final=False)
        except UnicodeDecodeError:
            continue
        return text if looks_like_text(text) else None
    return None


def looks_like_text(text: str) -> bool:
    sample = text[:65536]
    if "\x00" in sample:
        return False
    return len(_CONTROL.findall(sample)) <= len(sample) // 100


def split_lines(text: str) -> list[str]:
    """Non-blank lines, each stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""
