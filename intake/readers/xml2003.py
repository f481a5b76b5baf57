"""Excel 2003 XML Spreadsheet ("SpreadsheetML"), which many older systems export as ".xls".

Rows are streamed (after refusing any DTD).  ss:Index places rows and
cells, ss:MergeAcross / ss:MergeDown become Merges, DateTime data becomes
datetime, Number data int or float; hidden worksheets are skipped.
"""

from __future__ import annotations

import io
from datetime import datetime
from xml.etree.ElementTree import Element

from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.limits import Limits

from ._common import GridBuilder, peek_text
from ._xml import drop_read, iterparse_safe

KIND = "xml"
SS = "urn:schemas-microsoft-com:office:spreadsheet"
X = "urn:schemas-microsoft-com:office:excel"


def can_read(name: str, head: bytes) -> bool:
    text = peek_text(head)
    return text.lstrip("\ufeff \r\n\t").startswith("<?xml") and SS in text and "<Workbook" in text


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    grids: list[Grid] = []
    sheet: _Sheet | None = None
    table: Element | None = None
    for event, element in iterparse_safe(lambda: io.BytesIO(data), "XML spreadsheet", name):
        tag = element.tag
        if event == "start":
            if tag == f"{{{SS}}}Worksheet" and len(grids) < limits.max_sheets:
                sheet = _Sheet(name, element.get(f"{{{SS}}}Name", ""), limits)
            elif tag == f"{{{SS}}}Table":
                table = element
            continue
        if sheet is None:
            continue
        if tag == f"{{{SS}}}Row":
            sheet.add_row(element)
            if table is not None:
                drop_read(table, element)
        elif tag == f"{{{X}}}Visible" and (element.text or "").strip() in ("SheetHidden", "SheetVeryHidden"):
            sheet.hidden = True
        elif tag == f"{{{SS}}}Worksheet":
            grid = sheet.finish()
            if grid.rows and not sheet.hidden:
                grids.append(grid)
            sheet = None
            element.clear()
    return grids


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class _Sheet:
    def __init__(self, name: str, title: str, limits: Limits) -> None:
        self.title = title
        self.limits = limits
        self.builder = GridBuilder(name, limits)
        self.merges: list[Merge] = []
        self.row = -1
        self.hidden = False

    def add_row(self, element: Element) -> None:
        self.row = max(self.row + 1, _int(element.get(f"{{{SS}}}Index"), 0) - 1)
        values: list[CellValue] = []
        for cell in element.iter(f"{{{SS}}}Cell"):
            col = max(len(values), _int(cell.get(f"{{{SS}}}Index"), 0) - 1)
            if col >= self.limits.max_cols:
                break
            values.extend([None] * (col - len(values)))
            values.append(_data(cell))
            across = min(_int(cell.get(f"{{{SS}}}MergeAcross"), 0), self.limits.max_cols)
            down = min(_int(cell.get(f"{{{SS}}}MergeDown"), 0), 65536)
            if across > 0 or down > 0:
                self.merges.append(Merge(self.row, col, self.row + down, col + across))
            values.extend([None] * across)
        self.builder.add(values, self.row)

    def finish(self) -> Grid:
        return self.builder.build(self.builder.filename, self.title, KIND, self.merges)


def _data(cell: Element) -> CellValue:
    data = cell.find(f"{{{SS}}}Data")
    if data is None:
        return None
    text = "".join(data.itertext())
    kind = data.get(f"{{{SS}}}Type", "String")
    try:
        if kind == "Number":
            number = float(text)
            return (
                int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
            )
        if kind == "DateTime":
            return datetime.fromisoformat(text.strip()[:19])
        if kind == "Boolean":
            return text.strip() in ("1", "true", "TRUE")
    except ValueError:
        return text
    return text
