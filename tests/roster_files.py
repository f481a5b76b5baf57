"""Receipt workbooks as openpyxl writes them, for the unit, quota and roster-joining tests.

A person is (name, gender, unit, mobile); the other columns are filled the way provinces fill them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

COLUMNS = ["序号", "姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]
Person = tuple[str, str, str, str]


def person_row(i: int, person: Person, arrival: str, leader: bool) -> list[object]:
    name, gender, unit, mobile = person
    return [i, name, gender, unit, "科长", mobile, f"u{mobile}@example.cn", arrival, "是" if leader else "否"]


def write_form(ws: Worksheet, unit: str, meeting: str, people: Sequence[Person], arrival: str) -> None:
    """附件3 as provinces fill it: the title, the two header lines merged across, the table."""
    ws.append(["报名回执表"])
    ws.append([f"省级教育行政部门名称：{unit}"])
    ws.append([f"会议名称和期数：{meeting}"])
    ws.append(COLUMNS)
    for i, p in enumerate(people, 1):
        ws.append(person_row(i, p, arrival, i == 1))
    for r in (1, 2, 3):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(COLUMNS))


def receipt_workbook(
    unit: str, meeting: str, people: Sequence[Person], arrival: str = "7月13日下午"
) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    write_form(ws, unit, meeting, people, arrival)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
