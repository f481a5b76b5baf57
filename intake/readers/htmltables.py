"""HTML tables: pasted in a mail body, or a .htm/.html file (also old systems' "xls" exports).

Every <table> becomes a Grid, nested ones included (a mail client's layout
table holding the real one).  rowspan/colspan become Merges and the covered
cells are None, so columns line up.  Text outside tables is split on block
elements and <br> and goes into `lines` of the next table; for a nested table
that is the text of the enclosing cell before it.  Text after the last table
goes to the last table's lines.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from intake.errors import UnreadableAttachment
from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.limits import Limits

from ._common import MAX_LINES, GridBuilder, bom_encoding, declared_charset, decode_text, is_empty, peek_text

log = logging.getLogger(__name__)
KIND = "html"
BREAK = "\x1e"  # marks a block boundary in collected text
BLOCKS = {
    "p",
    "div",
    "br",
    "tr",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "hr",
    "center",
    "form",
    "fieldset",
    "address",
    "caption",
    "main",
    "nav",
    "aside",
    "figure",
    "tbody",
    "thead",
}
HIDDEN = {"script", "style", "title", "template", "xml", "noscript"}
_SPACE = re.compile(r"[ \t\r\n\f\v\xa0\u200b]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HTML_START = re.compile(
    r"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*"
    r"<(!doctype\s+html|html|head|body|meta|table|div|p|style|title|font|span|link)\b",
    re.I | re.S,
)
MAX_SPAN = 65534


def can_read(name: str, head: bytes) -> bool:
    return bool(_HTML_START.match(peek_text(head)))


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    declared = declared_charset(data)
    text = decode_text(data, declared)
    if text is None:  # a few broken bytes in an otherwise readable page
        text = data.decode(bom_encoding(data) or declared or "utf-8", errors="replace")
    return parse_html(text, name, limits)


def parse_html(html: str, source: str, limits: Limits) -> list[Grid]:
    """The tables of an HTML document; a parser failure keeps the tables read up to it."""
    parser = _TableParser(source, limits)
    try:
        parser.feed(html)
        parser.close()
    except UnreadableAttachment:
        raise
    except Exception as exc:  # html.parser gives up on some malformed markup (AssertionError)
        log.info("%s: HTML parsing stopped early: %r", source, exc)
        parser.close_tables()
    return parser.result()


def to_lines(parts: list[str]) -> list[str]:
    """Collected text split at block boundaries, whitespace collapsed, blank lines dropped."""
    out = []
    for chunk in "".join(parts).split(BREAK):
        line = _SPACE.sub(" ", chunk).strip()
        if line:
            out.append(line)
    return out


def nearest_lines(parts: list[str]) -> list[str]:
    """The last MAX_LINES lines of text before a table."""
    return to_lines(parts)[-MAX_LINES:]


def _span(value: str | None, cap: int) -> int:
    try:
        number = int(str(value).strip().rstrip(";"))
    except ValueError:
        return 1
    return min(max(number, 1), cap)


@dataclass
class _Cell:
    parts: list[str] = field(default_factory=list)
    rowspan: int = 1
    colspan: int = 1
    # Excel's full value (x:num) of a cell pasted from Excel, where the text shows what Excel
    # displayed: 1.38123E+10 or ##### for a mobile in a narrow column.
    number: str | None = None


@dataclass
class _Table:
    slot: int
    lines: list[str]
    rows: list[list[_Cell]] = field(default_factory=list)
    row: list[_Cell] | None = None
    cell: _Cell | None = None
    filled: int = 0
    caption: list[str] | None = None


class _TableParser(HTMLParser):
    def __init__(self, source: str, limits: Limits) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.limits = limits
        self.stack: list[_Table] = []
        self.slots: list[Grid | None] = []
        self.pending: list[str] = []
        self.hidden = 0
        self.made = 0

    # --- sinks -----------------------------------------------------------
    def _sink(self) -> list[str]:
        if self.stack:
            table = self.stack[-1]
            if table.cell is not None:
                return table.cell.parts
            if table.caption is not None:
                return table.caption
        return self.pending

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self._sink().append(_CONTROL.sub("", data))

    # --- tags -------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
            return
        if tag == "table":
            self._open_table()
        elif tag in ("td", "th") and self.stack:
            table = self.stack[-1]
            self._close_cell(table)
            if table.row is None:
                table.row = []
            values = dict(attrs)
            table.cell = _Cell(
                rowspan=_span(values.get("rowspan"), MAX_SPAN),
                colspan=_span(values.get("colspan"), self.limits.max_cols),
                number=values.get("x:num"),
            )
        elif tag == "tr" and self.stack:
            self._close_row(self.stack[-1])
            self.stack[-1].row = []
        elif tag == "caption" and self.stack:
            self.stack[-1].caption = []
        elif tag in BLOCKS:
            self._sink().append(BREAK)

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "table" and self.stack:
            self._close_table()
        elif tag in ("td", "th") and self.stack:
            self._close_cell(self.stack[-1])
        elif tag == "tr" and self.stack:
            self._close_row(self.stack[-1])
        elif tag == "caption" and self.stack and self.stack[-1].caption is not None:
            table = self.stack[-1]
            table.lines.extend(to_lines(table.caption or []))
            table.caption = None
        elif tag in BLOCKS:
            self._sink().append(BREAK)

    def close(self) -> None:
        super().close()
        self.close_tables()

    def close_tables(self) -> None:
        while self.stack:
            self._close_table()

    # --- structure ----------------------------------------------------------
    def _open_table(self) -> None:
        outer = self.stack[-1] if self.stack else None
        if outer is not None and outer.cell is not None:
            lines = nearest_lines(outer.cell.parts)
        else:
            lines, self.pending = nearest_lines(self.pending), []
        self.slots.append(None)
        self.stack.append(_Table(slot=len(self.slots) - 1, lines=lines))

    def _close_cell(self, table: _Table) -> None:
        if table.cell is not None:
            if table.row is None:
                table.row = []
            table.row.append(table.cell)
            table.cell = None

    def _close_row(self, table: _Table) -> None:
        self._close_cell(table)
        if table.row is None:
            return
        table.rows.append(table.row)
        if any(not is_empty(to_text(cell)) for cell in table.row):
            table.filled += 1
        if table.filled > self.limits.max_rows or len(table.rows) > 10 * self.limits.max_rows:
            raise UnreadableAttachment(
                self.source, "too_many_rows", f"a table with more than {self.limits.max_rows} rows"
            )
        table.row = None

    def _close_table(self) -> None:
        table = self.stack.pop()
        self._close_row(table)
        if self.made >= self.limits.max_sheets:
            return
        grid = _layout(table, self.source, self.limits)
        if grid.rows:
            self.slots[table.slot] = grid
            self.made += 1
        elif not self.stack:
            self.pending[:0] = [line + BREAK for line in table.lines]

    def result(self) -> list[Grid]:
        grids = [g for g in self.slots if g is not None]
        for number, grid in enumerate(grids, 1):
            grid.part = f"表格{number}"
        trailing = to_lines(self.pending)[:MAX_LINES]
        if grids and trailing:
            grids[-1].lines.extend(trailing)
        return grids


def to_text(cell: _Cell) -> str:
    text = "\n".join(to_lines(cell.parts))
    if cell.number and _FULL_NUMBER.fullmatch(cell.number) and _DISPLAY_ONLY.fullmatch(text.strip()):
        return cell.number
    return text


_FULL_NUMBER = re.compile(r"-?\d{1,30}(?:\.\d{1,30})?")
_DISPLAY_ONLY = re.compile(r"-?\d+(?:\.\d+)?[Ee][+-]?\d+|#+")


def _layout(table: _Table, source: str, limits: Limits) -> Grid:
    """Place the cells on a grid: rowspans push later cells right, covered cells are None."""
    builder = GridBuilder(source, limits, trim=False)
    merges: list[Merge] = []
    covered: dict[int, int] = {}  # column -> rows below still covered by a rowspan
    for r, cells in enumerate(table.rows):
        busy = {c for c, left in covered.items() if left > 0}
        out: list[CellValue] = []
        for cell in cells:
            while len(out) in busy:
                out.append(None)
            col = len(out)
            if col >= limits.max_cols:
                break
            out.append(to_text(cell))
            out.extend([None] * (cell.colspan - 1))
            if cell.rowspan > 1:
                for c in range(col, col + cell.colspan):
                    covered[c] = cell.rowspan - 1
            if cell.rowspan > 1 or cell.colspan > 1:
                merges.append(Merge(r, col, r + cell.rowspan - 1, col + cell.colspan - 1))
        while busy and len(out) <= max(busy):
            out.append(None)
        for c in busy:
            covered[c] -= 1
        builder.add(out, r)
    return builder.build(source, "", KIND, merges, table.lines)
