"""The roster workbook of a period (openpyxl): attached to the digest, and `intake export`.

Sheets: 全部人员 (everyone), one per hotel, 住宿统计 (each hotel night by night, men and women),
各省汇总 (per province, with a native bar chart), 待处理问题, 签到表 (mailer.compose.signin).
Every table sheet has a frozen, filtered header; mobiles are text; arrivals are real times (a date
when only the day was given) so they sort as times, with what was written beside them when it
says more; nothing a sender typed can become a formula (mailer.compose.xlsx_cells.put).
Pure: DigestData in, .xlsx bytes out.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mailer.compose import digest_format as F
from mailer.compose.digest_data import KINDS, DigestData, Person
from mailer.compose.signin import write_signin
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
    "备注",
    "抵达时间（原文）",
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
    "领队手机",
    "报送邮箱",
    "待修改回执人数",
    "现行版本",
]
PROBLEMS_HEADER = ["省份", "类别", "行", "字段", "说明"]
NIGHTS_HEADER = [
    "酒店",
    "日期",
    "抵达（男）",
    "抵达（女）",
    "抵达合计",
    "在住（男）",
    "在住（女）",
    "当晚在住合计",
]
TEXT_COLUMNS = (
    "手机",
    "姓名",
    "单位",
    "职务",
    "电子邮箱",
    "备注",
    "抵达时间（原文）",
    "领队手机",
    "报送邮箱",
)
ARRIVAL = "抵达酒店时间"
TIME_FORMAT = 'm"月"d"日" hh:mm'
DAY_FORMAT = 'm"月"d"日"'


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
    at = p.arrival_at
    written = p.arrival if not isinstance(at, datetime) else ""
    return row + [at if at is not None else p.arrival, "是" if p.leader else "", p.remark, written]


def _arrival_formats(ws: Worksheet, header: list[str]) -> None:
    """Arrival cells that hold a time show it as 7月14日 15:30 (a day alone as 7月14日): they sort as times."""
    column = header.index(ARRIVAL) + 1
    for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
        if isinstance(cell.value, datetime):
            cell.number_format = TIME_FORMAT
        elif isinstance(cell.value, date):
            cell.number_format = DAY_FORMAT
    letter = get_column_letter(column)
    ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 14)


def roster_workbook(data: DigestData) -> bytes:
    wb = Workbook()
    taken: set[str] = set()
    ws = wb.active
    ws.title = sheet_title("全部人员", taken)
    table(ws, PEOPLE_HEADER, [_person_row(p) for p in data.people], text_columns=TEXT_COLUMNS)
    _arrival_formats(ws, PEOPLE_HEADER)
    hotel_header = [h for h in PEOPLE_HEADER if h != "酒店"]
    for hotel in data.hotels:
        hs = wb.create_sheet(sheet_title(hotel.name, taken))
        table(
            hs,
            hotel_header,
            [_person_row(p, hotel=False) for p in data.people if p.hotel == hotel.name],
            text_columns=TEXT_COLUMNS,
        )
        _arrival_formats(hs, hotel_header)
    _nights(wb.create_sheet(sheet_title("住宿统计", taken)), data)
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
    write_signin(wb.create_sheet(sheet_title("签到表", taken)), data)
    wb.properties.title = f"{F.period_title(data)}报名名单"
    wb.properties.creator = "报名系统"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _nights(ws: Worksheet, data: DigestData) -> None:
    """Each hotel night by night: who arrives that day, who stays that night, men and women apart."""
    rows: list[list[object]] = []
    for h in data.hotels:
        rows += [
            [
                h.name,
                n.day,
                n.arriving.men,
                n.arriving.women,
                n.arriving.people,
                n.staying.men,
                n.staying.women,
                n.staying.people,
            ]
            for n in h.nights
        ]
        if h.unknown_arrival:
            rows.append([h.name, "抵达时间未填（按开班当天入住计）", None, None, h.unknown_arrival])
    table(ws, NIGHTS_HEADER, rows)
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        if isinstance(cell.value, date):
            cell.number_format = DAY_FORMAT
    ws.column_dimensions["B"].width = max(ws.column_dimensions["B"].width or 0, 12)


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
                "、".join(p.leader_mobiles),
                p.sender,
                p.pending or None,
                p.current_version,
            ]
        )
    last = table(ws, SUMMARY_HEADER, rows, text_columns=("省份", "领队", "领队手机", "报送邮箱"))
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
