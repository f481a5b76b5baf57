"""The sign-in sheet (签到表) of a period: everyone on the accepted rosters, numbered, a signature
column per training day, laid out for printing.  Pure: DigestData in, a sheet or .xlsx bytes out.

The notice requires 签到 every day ("培训期间实施签到制度"): organizers print this sheet and have it
signed at the door.  People come in the notice's order of provinces, each province's roster in its
own order; the numbers run through the whole sheet.  It is a sheet of the roster workbook and
`intake export --signin` writes it alone.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mailer.compose import digest_format as F
from mailer.compose.digest_data import DigestData
from mailer.compose.xlsx_cells import BORDER, HEADER_FILL, HEADER_FONT, put
from rules.wording import date_span

FIXED = ("序号", "省份", "姓名", "性别", "单位", "职务")
WIDTHS = (6, 10, 10, 6, 34, 14)
DAY_WIDTH = 16
ROW_HEIGHT = 30  # points: room for a signature
TITLE_ROW, HEADER_ROW = 1, 2


@dataclass(frozen=True)
class SigninRow:
    number: int
    province: str
    name: str
    gender: str
    unit: str
    title: str


def signin_rows(data: DigestData) -> list[SigninRow]:
    return [SigninRow(i, p.province, p.name, p.gender, p.unit, p.title) for i, p in enumerate(data.people, 1)]


def day_headers(data: DigestData) -> list[str]:
    return [f"{F.day_label(day)}签字" for day in data.days]


def title(data: DigestData) -> str:
    p = data.period
    return f"{F.period_title(data)}签到表（{date_span(p)}，{p.city}）"


def write_signin(ws: Worksheet, data: DigestData) -> None:
    """The sheet: a title, the header, one numbered row per person, ready to print (A4 landscape)."""
    header = [*FIXED, *day_headers(data)]
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=len(header))
    cell = put(ws.cell(row=TITLE_ROW, column=1), title(data))
    cell.font, cell.alignment = Font(bold=True, size=14), Alignment(horizontal="center")
    for c, label in enumerate(header, 1):
        cell = put(ws.cell(row=HEADER_ROW, column=c), label)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(signin_rows(data), HEADER_ROW + 1):
        values: list[object] = [row.number, row.province, row.name, row.gender, row.unit, row.title]
        for c, value in enumerate([*values, *([""] * len(data.days))], 1):
            cell = put(ws.cell(row=r, column=c), value)
            cell.border = BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=c == 5)
        ws.row_dimensions[r].height = ROW_HEIGHT
    _layout(ws, len(header))


def _layout(ws: Worksheet, columns: int) -> None:
    for c in range(1, columns + 1):
        width = WIDTHS[c - 1] if c <= len(WIDTHS) else DAY_WIDTH
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1).coordinate
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


def signin_workbook(data: DigestData) -> bytes:
    """The sign-in sheet alone, as `intake export --signin` writes it."""
    wb = Workbook()
    ws = wb.active
    ws.title = "签到表"
    write_signin(ws, data)
    wb.properties.title = title(data)
    wb.properties.creator = "报名系统"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def signin_filename(data: DigestData) -> str:
    return f"{F.period_title(data)}签到表-{data.now:%Y%m%d}.xlsx"
