"""The roster workbook of a period (openpyxl): attached to the digest, and `intake export`.

Sheets: 全部人员 (everyone), one per hotel, 各省汇总 (per province, with a native bar chart), 待处理问题.
Every sheet has a frozen, filtered header; mobiles are text; nothing a sender typed can become
a formula (mailer.compose.xlsx_cells.put).  Pure: DigestData in, .xlsx bytes out.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from mailer.compose import digest_format as F
from mailer.compose.digest_data import KINDS, DigestData, Person
from mailer.compose.xlsx_cells import put, sheet_title, table

PEOPLE_HEADER = [
    "省份",
    "姓名",
    "性别",
    "单位",
    "单位类别",
    "职务",
    "手机",
    "电子邮箱",
    "酒店",
    "抵达酒店时间",
    "领队",
]
SUMMARY_HEADER = [
    "省份",
    "状态",
    "版本数",
    "最近收到",
    *(F.KIND_SHORT[k] for k in KINDS),
    "合计",
    "领队",
    "逾期",
    "待修改问题",
    "提示",
    "催报日期",
]
PROBLEMS_HEADER = ["省份", "类别", "行", "字段", "说明"]
TEXT_COLUMNS = ("手机", "姓名", "单位", "职务", "电子邮箱", "抵达酒店时间")


def _person_row(p: Person, *, hotel: bool = True) -> list[object]:
    row: list[object] = [
        p.province,
        p.name,
        p.gender,
        p.unit,
        F.KIND_LABELS.get(p.unit_kind, p.unit_kind),
        p.title,
        p.mobile,
        p.email,
    ]
    if hotel:
        row.append(p.hotel)
    return row + [p.arrival, "是" if p.leader else ""]


def roster_workbook(data: DigestData) -> bytes:
    wb = Workbook()
    taken: set[str] = set()
    ws = wb.active
    ws.title = sheet_title("全部人员", taken)
    table(ws, PEOPLE_HEADER, [_person_row(p) for p in data.people], text_columns=TEXT_COLUMNS)
    hotel_header = [h for h in PEOPLE_HEADER if h != "酒店"]
    for hotel in data.hotels:
        hs = wb.create_sheet(sheet_title(hotel.name, taken))
        table(
            hs,
            hotel_header,
            [_person_row(p, hotel=False) for p in data.people if p.hotel == hotel.name],
            text_columns=TEXT_COLUMNS,
        )
    _summary(wb.create_sheet(sheet_title("各省汇总", taken)), data)
    ps = wb.create_sheet(sheet_title("待处理问题", taken))
    table(
        ps,
        PROBLEMS_HEADER,
        [
            [
                x.province,
                F.SEVERITY_LABELS.get(x.severity, x.severity),
                x.row,
                F.field_label(x.field),
                x.message,
            ]
            for x in data.problems
        ],
    )
    ps.column_dimensions["E"].width = 90
    wb.properties.title = f"{F.period_title(data)}报名名单"
    wb.properties.creator = "报名系统"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _summary(ws: Worksheet, data: DigestData) -> None:
    rows = []
    for p in data.provinces:
        late = "是" if F.is_late(data, p) else ""
        rows.append(
            [
                p.province,
                F.STATUS_LABELS[p.status],
                p.versions,
                F.when(p.last_received) if p.last_received else "",
                *(p.by_kind[k] for k in KINDS),
                p.headcount,
                "、".join(x.name for x in p.leaders),
                late,
                len(p.errors),
                len(p.warnings),
                "、".join(p.reminded),
            ]
        )
    last = table(ws, SUMMARY_HEADER, rows, text_columns=("省份", "领队"))
    t = data.totals
    total_row = last + 1
    put(ws.cell(row=total_row, column=1), "合计")
    put(ws.cell(row=total_row, column=2), f"已确认 {t['accepted']}/{t['admitted']}")
    for i, k in enumerate(KINDS):
        put(ws.cell(row=total_row, column=5 + i), t[f"kind_{k}"])
    put(ws.cell(row=total_row, column=5 + len(KINDS)), t["people"])
    if not rows:
        return
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "各省已确认人数"
    chart.y_axis.title = "人数"
    chart.x_axis.title = "省份"
    data_ref = Reference(ws, min_col=5, max_col=4 + len(KINDS), min_row=1, max_row=last)
    chart.add_data(data_ref, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    chart.height, chart.width = 9, max(16, len(rows) * 1.6)
    ws.add_chart(chart, f"A{total_row + 3}")
