"""OLE2 compound files: Excel 97-2003 .xls and WPS .et workbooks, read with xlrd.

The same container also holds things that are not workbooks, told apart by
their streams: an "EncryptedPackage" is a password-protected xlsx/docx, a
"WordDocument" is a .doc or WPS .wps file (convert.py reads it when LibreOffice is
installed; else it is refused here as legacy_format).  Raw BIFF2-4 files (pre-OLE Excel)
are handed to xlrd as well.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime

import olefile
import xlrd
from xlrd.biffh import XL_CELL_BOOLEAN, XL_CELL_DATE, XL_CELL_EMPTY, XL_CELL_ERROR, error_text_from_code

from intake.errors import UnreadableAttachment
from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.limits import Limits

from ._common import GridBuilder, is_ole

log = logging.getLogger(__name__)
KIND = "xls"
_RAW_BIFF = (b"\x09\x00", b"\x09\x02", b"\x09\x04", b"\x09\x08")  # BOF records of BIFF2-BIFF5 worksheets


def can_read(name: str, head: bytes) -> bool:
    return is_ole(head) or (
        head[:2] in _RAW_BIFF and head[2:4] in (b"\x04\x00", b"\x06\x00", b"\x08\x00", b"\x10\x00")
    )


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    if is_ole(data):
        _check_streams(data, name)
    return _read_workbook(data, name, limits)


def _check_streams(data: bytes, name: str) -> None:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {entry[0].lower() for entry in ole.listdir(streams=True, storages=False)}
    except Exception as exc:
        raise UnreadableAttachment(name, "corrupt", f"damaged OLE file: {exc}") from exc
    if not streams:
        raise UnreadableAttachment(name, "corrupt", "OLE file without any readable stream")
    if "encryptedpackage" in streams:
        raise UnreadableAttachment(name, "encrypted", "password-protected Office file")
    if "worddocument" in streams:
        raise UnreadableAttachment(name, "legacy_format", "Word 97-2003 / WPS document")
    if not streams & {"workbook", "book"}:
        kind = "PowerPoint presentation" if "powerpoint document" in streams else "OLE file"
        raise UnreadableAttachment(name, "unsupported", f"{kind} without a workbook")


def _open(data: bytes, name: str) -> xlrd.book.Book:
    log_buffer = io.StringIO()
    try:
        try:
            return xlrd.open_workbook(
                file_contents=data, formatting_info=True, on_demand=True, logfile=log_buffer
            )
        except (NotImplementedError, AssertionError, KeyError, IndexError) as exc:
            log.debug("%s: formatting records unreadable (%s); reading without merges", name, exc)
            return xlrd.open_workbook(file_contents=data, on_demand=True, logfile=log_buffer)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise UnreadableAttachment(name, "encrypted", "password-protected workbook") from exc
        raise UnreadableAttachment(name, "corrupt", str(exc)) from exc
    finally:
        if log_buffer.getvalue():
            log.debug("%s: xlrd said: %s", name, log_buffer.getvalue()[:2000])


def _read_workbook(data: bytes, name: str, limits: Limits) -> list[Grid]:
    book = _open(data, name)
    grids: list[Grid] = []
    considered = 0
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.visibility:
                log.debug("%s: skipping hidden sheet %r", name, sheet.name)
            elif considered >= limits.max_sheets:
                log.info("%s: only the first %d sheets are read", name, limits.max_sheets)
                break
            else:
                considered += 1
                grid = _read_sheet(book, sheet, name, limits)
                if grid.rows:
                    grids.append(grid)
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return grids


def _read_sheet(book: xlrd.book.Book, sheet: xlrd.sheet.Sheet, name: str, limits: Limits) -> Grid:
    builder = GridBuilder(name, limits)
    width = min(sheet.ncols, limits.max_cols)
    for r in range(sheet.nrows):
        cells = sheet.row_slice(r, 0, min(width, sheet.row_len(r)))
        builder.add([_value(cell, book.datemode) for cell in cells], r)
    merges = [Merge(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells]
    return builder.build(name, sheet.name, KIND, merges)


def _value(cell: xlrd.sheet.Cell, datemode: int) -> CellValue:
    ctype: int = cell.ctype
    value: str | float = cell.value  # text for text cells, a number for all others (xlrd has no type hints)
    if ctype == XL_CELL_EMPTY or value == "":
        return None
    if ctype == XL_CELL_DATE:
        return _date(cell.value, datemode)
    if ctype == XL_CELL_BOOLEAN:
        return bool(value)
    if ctype == XL_CELL_ERROR:
        return str(error_text_from_code.get(value, "#ERR"))
    return value


def _date(number: float, datemode: int) -> CellValue:
    """A date cell's value: a datetime, a time for a fraction of a day, the number when it is no date."""
    try:
        moment: datetime = xlrd.xldate_as_datetime(number, datemode)
    except (ValueError, OverflowError):  # XLDateError is a ValueError
        return number
    return moment.time() if 0 <= number < 1 else moment
