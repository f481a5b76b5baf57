"""xlsx, xlsm and xltx workbooks (also WPS .et files saved in the xlsx format).

The package is checked first (sizes, ratios, no DTD in any XML part).  Then
openpyxl reads the workbook part, shared strings and styles, and each sheet is
streamed through openpyxl's own sheet parser: one pass, rows as they are in
the file, merged ranges collected on the way.  ``load_workbook(read_only=True)``
is not used because it parses a whole sheet up front when the sheet has no
<dimension> element, pads every missing row, and drops merged ranges.
WorkSheetParser and the ``_date_formats`` attributes are openpyxl internals;
pyproject pins openpyxl below 3.2 and the reader tests cover both.
"""

from __future__ import annotations

import io
import logging
from datetime import date, datetime, time, timedelta

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser

from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.limits import Limits

from ._common import GridBuilder, is_zip, quiet_warnings
from ._package import PACKAGE_MAX_PARTS, check_sizes, is_ooxml, open_zip, refuse_dtds, zip_names

log = logging.getLogger(__name__)
KIND = "xlsx"


def can_read(name: str, head: bytes) -> bool:
    if not is_zip(head):
        return False
    names = zip_names(head)
    return is_ooxml(names, "xl/") and "xl/workbook.bin" not in names


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    with open_zip(data, name, PACKAGE_MAX_PARTS) as zf:
        check_sizes(zf, name, limits, package=True)
        refuse_dtds(zf, name)
    with quiet_warnings():
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        try:
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            return _read_sheets(reader, name, limits)
        finally:
            reader.archive.close()


def _read_sheets(reader: ExcelReader, name: str, limits: Limits) -> list[Grid]:
    grids: list[Grid] = []
    considered = 0
    for sheet, rel in reader.parser.find_sheets():
        if "chartsheet" in rel.Type or rel.target not in reader.valid_files:
            continue
        if sheet.state != "visible":
            log.debug("%s: skipping %s sheet %r", name, sheet.state, sheet.name)
            continue
        if considered >= limits.max_sheets:
            log.info("%s: only the first %d sheets are read", name, limits.max_sheets)
            break
        considered += 1
        grid = _read_sheet(reader, rel.target, sheet.name, name, limits)
        if grid.rows:
            grids.append(grid)
    return grids


def _read_sheet(reader: ExcelReader, path: str, title: str, name: str, limits: Limits) -> Grid:
    wb = reader.wb
    builder = GridBuilder(name, limits)
    with reader.archive.open(path) as src:
        parser = WorkSheetParser(
            src,
            reader.shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        for index, cells in parser.parse():
            values: dict[int, CellValue] = {}
            for cell in cells:
                column, value = cell["column"], cell["value"]
                if 1 <= column <= limits.max_cols and value is not None:
                    values[column - 1] = _value(value)
            row = [values.get(i) for i in range(max(values) + 1)] if values else []
            builder.add(row, index - 1)
        merges = _merges(parser.merged_cells)
    return builder.build(name, title, KIND, merges)


def _value(value: object) -> CellValue:
    if isinstance(value, timedelta):  # a duration format such as [h]:mm
        if timedelta(0) <= value < timedelta(days=1):
            return (datetime.min + value).time()
        return str(value)
    if isinstance(value, str | int | float | bool | datetime | date | time):
        return value
    return str(value)


def _merges(merged_cells: object) -> list[Merge]:
    merges: list[Merge] = []
    for merged in getattr(merged_cells, "mergeCell", None) or []:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(merged.ref)
        except (TypeError, ValueError):
            continue
        if None not in (min_col, min_row, max_col, max_row):
            merges.append(Merge(min_row - 1, min_col - 1, max_row - 1, max_col - 1))
    return merges
