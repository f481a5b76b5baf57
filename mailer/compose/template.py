"""A blank 报名回执表 for one province and period, laid out like the notice's 附件3.

Title, the two header lines already filled in (the department's full name from the notice,
program name and period), the column header, empty rows with drop-down lists for 性别 and 领队,
input hints on every column, and a note row under the table.  Written so that our own reader
(intake.readers + intake.extract.receipt) reads a filled copy back exactly; tests/test_template.py checks it.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from mailer.compose.xlsx_cells import BORDER, HEADER_FILL, HEADER_FONT, put
from rules.notice import Notice, Period, Unit
from rules.wording import date_span, moment

COLUMNS = ("姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队")
WIDTHS = (12, 7, 30, 14, 15, 26, 20, 7)
HEADER_ROW = 4
FIRST_ROW = 5
ROWS = 20
HINTS = {
    "姓名": "每行填写一位参训人员。",
    "性别": "请从下拉列表中选择“男”或“女”。",
    "单位": "填写单位全称，如“XX省教育厅”“XX市教育局”“XX职业技术学院”。",
    "职务": "如“科长”“信息中心主任”。",
    "手机": "11 位手机号码，请勿填写座机或分机号。",
    "电子邮箱": "本人常用邮箱，如 name@example.com。",
    "抵达酒店时间": "如“7月14日上午”或“2023-07-14 14:00”。",
    "领队": "每省指定一位领队，选“是”；其他人员选“否”或留空。",
}


def meeting_name(notice: Notice, period: Period) -> str:
    program = notice.program(period.program)
    return f"{program.name if program else period.program} 第{period.number}期"


def department_name(unit: Unit) -> str:
    return unit.department[0] if unit.department else unit.name


def template_filename(notice: Notice, period: Period, unit: Unit) -> str:
    return f"{unit.name}-{meeting_name(notice, period).replace(' ', '')}-报名回执表.xlsx"


def receipt_template(notice: Notice, period: Period, unit: Unit) -> bytes:
    if unit.name not in period.provinces:
        raise ValueError(f"{unit.name} is not admitted to {period.key}")
    wb = Workbook()
    ws = wb.active
    ws.title = "报名回执表"
    columns = tuple(notice.form_columns) or COLUMNS
    width = len(columns)
    last = get_column_letter(width)
    lines = [
        ("报名回执表", Font(bold=True, size=16), "center"),
        (f"省级教育行政部门名称：{department_name(unit)}", Font(size=12), "left"),
        (f"会议名称和期数：{meeting_name(notice, period)}", Font(size=12), "left"),
    ]
    for r, (text, font, align) in enumerate(lines, 1):
        cell = put(ws.cell(row=r, column=1), text)
        cell.font, cell.alignment = font, Alignment(horizontal=align, vertical="center")
        ws.merge_cells(f"A{r}:{last}{r}")
        ws.row_dimensions[r].height = 28 if r == 1 else 20
    for c, label in enumerate(columns, 1):
        cell = put(ws.cell(row=HEADER_ROW, column=c), label)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS[c - 1] if c <= len(WIDTHS) else 14
    end = FIRST_ROW + ROWS - 1
    mobile_col = columns.index("手机") + 1 if "手机" in columns else 0
    for r in range(FIRST_ROW, end + 1):
        for c in range(1, width + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = BORDER
            if c == mobile_col:
                cell.number_format = "@"  # 11 digits stay text, not 1.39E+10
    _validations(ws, columns, end)
    note_row = end + 2
    program = notice.program(period.program)
    note = (
        f"填写说明：1. 本表为{unit.name}{program.name if program else ''}第{period.number}期报名回执"
        f"（{date_span(period)}，{period.city}），省份和期数已填好，请勿修改表头；"
        "2. 每行一人，性别、领队请从下拉列表选择，每省指定一位领队；3. 手机填写 11 位号码；"
        f"4. 请于 {moment(period.deadline)} 前将本表（保持 Excel 格式）发送至 {period.mailbox}。"
    )
    cell = put(ws.cell(row=note_row, column=1), note)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    cell.font = Font(size=10, color="555555")
    ws.merge_cells(f"A{note_row}:{last}{note_row}")
    ws.row_dimensions[note_row].height = 48
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.properties.title = f"{unit.name}报名回执表"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _validations(ws: Worksheet, columns: tuple[str, ...], end: int) -> None:
    def rng(label: str) -> str:
        col = get_column_letter(columns.index(label) + 1)
        return f"{col}{FIRST_ROW}:{col}{end}"

    lists = {"性别": '"男,女"', "领队": '"是,否"'}
    for label in columns:
        if label in lists:
            dv = DataValidation(
                type="list",
                formula1=lists[label],
                allow_blank=True,
                showDropDown=False,
                showErrorMessage=True,
                errorTitle=f"{label}填写有误",
                error=HINTS.get(label, ""),
                errorStyle="stop",
            )
        elif label == "手机":
            dv = DataValidation(
                type="textLength",
                operator="equal",
                formula1="11",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="手机号码位数不对",
                error=HINTS[label],
                errorStyle="warning",
            )
        else:
            dv = DataValidation(allow_blank=True)
        dv.promptTitle, dv.prompt, dv.showInputMessage = label, HINTS.get(label, ""), True
        dv.add(rng(label))
        ws.add_data_validation(dv)
