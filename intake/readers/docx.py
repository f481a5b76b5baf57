"""Word .docx (and WPS documents saved as docx): each table becomes a Grid.

document.xml is streamed (after refusing any DTD): each top-level table
row is turned into cells when its end tag arrives and then dropped, so memory
stays at one row.  Paragraphs outside tables (those in a text box too) become
the `lines` of the next table (lines after the last table go to the last one).
A table inside a cell is flattened into the cell's text, unless it is a table
of its own (NESTED_ROWS rows of NESTED_COLUMNS columns: the roster typed into a
frame table), which becomes a Grid after the table that holds it.  A document
without tables gives its paragraphs typed as a table (cells split by tabs or
runs of spaces) as grids, else one Grid with no rows and its paragraphs as lines.
The copy Word keeps of a drawing for old readers (mc:Fallback) is skipped.
"""

from __future__ import annotations

import functools
import logging
import zipfile
from collections import deque
from collections.abc import Iterator
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from intake.errors import UnreadableAttachment
from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.limits import Limits

from ._common import MAX_LINES, GridBuilder, is_zip, split_lines
from ._package import PACKAGE_MAX_PARTS, check_sizes, is_ooxml, open_zip, zip_names
from ._xml import drop_read, iterparse_safe
from .plaintext import parse_text

log = logging.getLogger(__name__)
KIND = "docx"
W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAIN_TYPES = (
    "wordprocessingml.document.main+xml",
    "document.macroEnabled.main+xml",
    "wordprocessingml.template.main+xml",
    "template.macroEnabledTemplate.main+xml",
)
WRAPPERS = {"sdt", "sdtContent", "customXml", "smartTag"}
# A table in a cell with at least this many rows and columns is read as a table of its own.
NESTED_ROWS = 2
NESTED_COLUMNS = 4
SKIPPED = {"pPr", "rPr", "tcPr", "trPr", "tblPr", "tblGrid", "delText", "instrText", "moveFrom"}


def can_read(name: str, head: bytes) -> bool:
    return is_zip(head) and is_ooxml(zip_names(head), "word/")


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    with open_zip(data, name, PACKAGE_MAX_PARTS) as zf:
        check_sizes(zf, name, limits, package=True)
        part = _main_part(zf, name)
        if part not in zf.namelist():
            raise UnreadableAttachment(name, "corrupt", f"no {part} in the package")
        events = iterparse_safe(lambda: zf.open(part), part, name)
        return _Document(name, limits).parse(events)


def _main_part(zf: zipfile.ZipFile, name: str) -> str:
    try:
        types = fromstring(zf.read("[Content_Types].xml"), forbid_dtd=True)
    except Exception as exc:
        raise UnreadableAttachment(name, "corrupt", f"[Content_Types].xml: {exc}") from exc
    for override in types:
        if override.get("ContentType", "").endswith(MAIN_TYPES) and override.get("PartName"):
            return str(override.get("PartName", "")).lstrip("/")
    return "word/document.xml"


def _local(element: Element) -> str:
    """The local name of a WordprocessingML element, "" for other namespaces."""
    return _local_name(element.tag)


@functools.lru_cache(maxsize=1024)
def _local_name(tag: str) -> str:
    namespace, _, local = tag.rpartition("}")
    return local if namespace[1:] in W_NAMESPACES else ""


def _attr(element: Element | None, local: str) -> str | None:
    if element is None:
        return None
    for namespace in W_NAMESPACES:
        value = element.get(f"{{{namespace}}}{local}")
        if value is not None:
            return value
    return None


def _children(parent: Element, local: str) -> Iterator[Element]:
    """Children named local, looking through content-control and custom-XML wrappers."""
    for child in parent:
        name = _local(child)
        if name == local:
            yield child
        elif name in WRAPPERS:
            yield from _children(child, local)


def _property(element: Element, props: str, local: str) -> tuple[bool, str | None]:
    """(present, w:val) of a property element such as tcPr/gridSpan."""
    for pr in _children(element, props):
        for child in pr:
            if _local(child) == local:
                return True, _attr(child, "val")
    return False, None


def _int(value: str | None, default: int, cap: int) -> int:
    try:
        return max(0, min(int(value or default), cap))
    except ValueError:
        return default


def paragraph_text(p: Element) -> str:
    parts: list[str] = []

    def walk(element: Element) -> None:
        for child in element:
            name = _local(child)
            if name == "t":
                parts.append(child.text or "")
            elif name == "tab":
                parts.append("\t")
            elif name in ("br", "cr"):
                parts.append("\n")
            elif name == "noBreakHyphen":
                parts.append("-")
            elif name == "p":  # a text box inside the paragraph
                parts.append("\n")
                walk(child)
            elif name not in SKIPPED and child.tag != MC_FALLBACK:
                walk(child)

    walk(p)
    return "".join(parts)


def block_texts(element: Element) -> list[str]:
    """Texts of the paragraphs under element in order; nested tables are flattened."""
    out: list[str] = []
    for child in element:
        name = _local(child)
        if name == "p":
            out.append(paragraph_text(child))
        elif name not in SKIPPED:
            out.extend(block_texts(child))
    return out


class _Table:
    """One top-level table, built row by row."""

    def __init__(self, name: str, limits: Limits, lines: list[str]) -> None:
        self.limits = limits
        self.builder = GridBuilder(name, limits, trim=False)
        self.lines = lines
        self.merges: list[Merge] = []
        self.vertical: dict[int, list[int]] = {}  # left column -> [top, left, bottom, right]
        self.row = 0

    def add_row(self, tr: Element) -> None:
        cap = self.limits.max_cols
        _, before = _property(tr, "trPr", "gridBefore")
        cells: list[CellValue] = [None] * _int(before, 0, cap)
        continued: set[int] = set()
        for tc in _children(tr, "tc"):
            col = len(cells)
            span = max(1, _int(_property(tc, "tcPr", "gridSpan")[1], 1, cap))
            has_vmerge, vmerge = _property(tc, "tcPr", "vMerge")
            open_merge = self.vertical.get(col)
            if has_vmerge and vmerge != "restart" and open_merge is not None:
                open_merge[2] = self.row
                continued.add(col)
                cells.append(None)
            else:
                self._close(col)
                cells.append("\n".join(block_texts(tc)))
                if has_vmerge:
                    self.vertical[col] = [self.row, col, self.row, col + span - 1]
                    continued.add(col)
                elif span > 1:
                    self.merges.append(Merge(self.row, col, self.row, col + span - 1))
            cells.extend([None] * min(span - 1, max(0, cap - len(cells))))
            if len(cells) >= cap:
                break
        for col in [c for c in self.vertical if c not in continued]:
            self._close(col)
        self.builder.add(cells, self.row)
        self.row += 1

    def _close(self, col: int) -> None:
        found = self.vertical.pop(col, None)
        if found is not None:
            self.merges.append(Merge(*found))

    def finish(self, part: str) -> Grid:
        for col in list(self.vertical):
            self._close(col)
        return self.builder.build(self.builder.filename, part, KIND, self.merges, self.lines)


class _Document:
    def __init__(self, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.grids: list[Grid] = []
        self.pending: deque[str] = deque(maxlen=MAX_LINES)
        self.table: _Table | None = None
        self.nested: list[_Table] = []  # tables of their own found in the current table's cells

    def parse(self, events: Iterator[tuple[str, Element]]) -> list[Grid]:
        stack: list[Element] = []
        tables = paragraphs = 0  # nesting depth of w:tbl and w:p
        for event, element in _outside_fallback(events):
            name = _local(element)
            if event == "start":
                stack.append(element)
                tables += name == "tbl"
                paragraphs += name == "p"
                if name == "tbl" and tables == 1:
                    self._start_table()
                continue
            stack.pop()
            tables -= name == "tbl"
            paragraphs -= name == "p"
            if name == "tbl" and tables:
                self._nested_table(element, stack[-1])
            elif self._ended(name, element, tables, paragraphs == 0 or _in_text_box(stack)) and stack:
                drop_read(stack[-1], element)
        return self._finish()

    def _ended(self, name: str, element: Element, tables: int, outermost: bool) -> bool:
        """Take what an end tag closes; True when it is read and may be dropped.  outermost: a paragraph
        not inside another one, or a paragraph of a text box."""
        if name == "tbl":
            return self._end_table()
        if name == "tr" and tables == 1:
            if self.table is not None:
                self.table.add_row(element)
            return True
        if name == "p" and tables == 0 and outermost:
            self.pending.extend(split_lines(paragraph_text(element)))
            return True
        return False

    def _start_table(self) -> None:
        if len(self.grids) >= self.limits.max_sheets:
            log.info("%s: only the first %d tables are read", self.name, self.limits.max_sheets)
            self.table = None
            return
        self.table = _Table(self.name, self.limits, list(self.pending))
        self.pending.clear()

    def _nested_table(self, tbl: Element, parent: Element) -> None:
        """A table in a cell that is a table of its own is taken out of the cell (the paragraphs beside it
        stay the cell's text); a smaller one is left there, flattened into the cell's text."""
        rows = list(_children(tbl, "tr"))
        if self.table is None or len(rows) < NESTED_ROWS or _width(rows) < NESTED_COLUMNS:
            return
        table = _Table(self.name, self.limits, [])
        for tr in rows:
            table.add_row(tr)
        self.nested.append(table)
        parent.remove(tbl)

    def _end_table(self) -> bool:
        if self.table is None:
            return True
        for table in [self.table, *self.nested]:
            grid = table.finish(f"表格{len(self.grids) + 1}")
            if grid.rows:
                self.grids.append(grid)
            else:
                self.pending.extendleft(reversed(grid.lines))
        self.table = None
        self.nested = []
        return True

    def _finish(self) -> list[Grid]:
        if self.grids:
            self.grids[-1].lines.extend(self.pending)
            return self.grids
        typed = parse_text("\n".join(self.pending), self.name, self.limits) if self.pending else []
        for grid in typed:
            grid.kind = KIND
        if typed:
            return typed
        if self.pending:
            return [Grid(source=self.name, part="", rows=[], lines=list(self.pending), kind=KIND)]
        return []


def _outside_fallback(events: Iterator[tuple[str, Element]]) -> Iterator[tuple[str, Element]]:
    """The events outside mc:Fallback: the copy of a drawing (a text box) Word keeps for old readers,
    which would read its tables and paragraphs a second time."""
    depth = 0
    for event, element in events:
        if element.tag == MC_FALLBACK:
            depth += 1 if event == "start" else -1
            if event == "end" and not depth:
                element.clear()
        elif not depth:
            yield event, element


def _in_text_box(stack: list[Element]) -> bool:
    """Is the element just closed a paragraph of a text box (w:txbxContent)?"""
    return bool(stack) and _local(stack[-1]) == "txbxContent"


def _width(rows: list[Element]) -> int:
    """The most columns a row of a table spans."""
    return max(
        (
            sum(_int(_property(tc, "tcPr", "gridSpan")[1], 1, 1000) for tc in _children(tr, "tc"))
            for tr in rows
        ),
        default=0,
    )
