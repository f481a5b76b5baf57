"""The filled receipts the scan set is printed from: who is on them, and the workbook LibreOffice prints.

Three rosters, each a real province on a real period of notice-2023.toml, so every scan reaches a
program, a period and a province; the names carry the rare characters that OCR gets wrong (喆, 珺,
堃, 玥) and the pair 蒲 / 浦, which differ by one stroke.  Each roster passes the rules when it is read
right, so a rejection can only come from a misreading.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

COLUMNS = ("姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队")
FIELDS = ("name", "gender", "unit", "title", "mobile", "email", "arrival", "leader")
PRINT_FONT = (
    "AR PL UMing CN"  # a Song (宋体) style face, as the forms are printed (Debian fonts-arphic-uming)
)
WIDTHS = (10, 6, 24, 13, 14, 24, 18, 6)
PAGE_ROWS = 18  # people on a printed page before the break
Person = tuple[str, str, str, str, str, str, str, str]


@dataclass(frozen=True)
class Roster:
    """One province's filled receipt, and where it must land."""

    key: str
    department: str  # 省级教育行政部门名称 as written
    meeting: str  # 会议名称和期数 as written
    program: str
    period: int
    province: str
    mailbox: str
    people: tuple[Person, ...]
    merged_unit: tuple[int, int] | None = None  # 0-based people whose 单位 is one merged cell
    footer: str = ""
    landscape: bool = False
    blank_fields: tuple[str, ...] = field(default=())  # printed empty: written by hand afterwards


SICHUAN = Roster(
    key="sichuan",
    department="四川省教育厅",
    meeting="高职状态平台培训第三期",
    program="gz-status",
    period=3,
    province="四川",
    mailbox="287455270@qq.com",
    people=(
        ("钱喆", "男", "四川省教育厅", "处长", "13808012345", "qianzhe@scedu.cn", "2023-08-11 15:30", "是"),
        (
            "黄珺",
            "女",
            "四川省教育厅",
            "主任科员",
            "13982134567",
            "huangjun@scedu.cn",
            "2023-08-11 18:00",
            "否",
        ),
        (
            "梁堃",
            "男",
            "成都航空职业技术学院",
            "信息中心主任",
            "15928845671",
            "liangkun@cap.edu.cn",
            "2023-08-12 09:30",
            "否",
        ),
        (
            "蒲玥",
            "女",
            "四川职业技术学院",
            "教务处副处长",
            "18982076543",
            "puyue@scvtc.edu.cn",
            "2023-08-11 20:15",
            "否",
        ),
        (
            "浦静",
            "女",
            "四川建筑职业技术学院",
            "科长",
            "13540123987",
            "pujing@scatc.edu.cn",
            "2023-08-11 16:40",
            "否",
        ),
        (
            "邹堃",
            "男",
            "四川交通职业技术学院",
            "质量办主任",
            "17780654321",
            "zoukun@svtcc.edu.cn",
            "2023-08-12 10:05",
            "否",
        ),
        (
            "于珺",
            "女",
            "成都职业技术学院",
            "数据中心工程师",
            "19908176520",
            "yujun@cdp.edu.cn",
            "2023-08-11 21:50",
            "否",
        ),
        (
            "何喆",
            "男",
            "四川工程职业技术学院（德阳校区）",
            "办公室主任",
            "15108236679",
            "hezhe@scetc.edu.cn",
            "2023-08-11 14:20",
            "否",
        ),
    ),
    merged_unit=(0, 1),
    footer="联系人：钱喆　　联系电话：028-86112233　　（盖章）",
)

HENAN = Roster(
    key="henan",
    department="河南省教育厅",
    meeting="中职学生管理系统培训第一期",
    program="zz-student",
    period=1,
    province="河南",
    mailbox="yaoy@moe.edu.cn",
    people=(
        (
            "王喆",
            "男",
            "河南省教育厅",
            "处长",
            "13838012345",
            "wangzhe@haedu.gov.cn",
            "2023-06-19 15:30",
            "是",
        ),
        (
            "李堃",
            "男",
            "洛阳职业技术学院",
            "学生处处长",
            "15036987412",
            "likun@lyvtc.edu.cn",
            "2023-06-19 18:00",
            "否",
        ),
        (
            "张玥",
            "女",
            "开封市中等职业学校",
            "教务主任",
            "18603711234",
            "zhangyue@kfzz.edu.cn",
            "2023-06-20 09:15",
            "否",
        ),
        (
            "赵珺",
            "女",
            "郑州市教育局",
            "科长",
            "13703782211",
            "zhaojun@zzedu.gov.cn",
            "2023-06-19 20:45",
            "否",
        ),
        (
            "蒲建国",
            "男",
            "南阳市第一职业中专",
            "学生科科长",
            "13592606789",
            "pujg@nyzz.edu.cn",
            "2023-06-19 16:10",
            "否",
        ),
        (
            "浦晓燕",
            "女",
            "新乡职业技术学院",
            "信息中心主任",
            "15890856432",
            "puxy@xxvtc.edu.cn",
            "2023-06-20 10:00",
            "否",
        ),
        (
            "陈静",
            "女",
            "安阳市教育局",
            "职成科副科长",
            "18937306655",
            "chenjing@ayedu.gov.cn",
            "2023-06-19 21:30",
            "否",
        ),
    ),
    footer="联系人：王喆　　联系电话：0371-65901234",
)

# The landscape form (the template's layout) for a province of gz-status period 1.
JIANGSU = Roster(
    key="jiangsu",
    department="江苏省教育厅",
    meeting="高职状态平台培训第一期",
    program="gz-status",
    period=1,
    province="江苏",
    mailbox="1433935834@qq.com",
    people=(
        (
            "周玥",
            "女",
            "江苏省教育厅",
            "副处长",
            "13913800521",
            "zhouyue@jsedu.gov.cn",
            "2023-07-13 16:00",
            "是",
        ),
        (
            "吴堃",
            "男",
            "南京工业职业技术大学",
            "信息中心主任",
            "18951762233",
            "wukun@niit.edu.cn",
            "2023-07-14 09:00",
            "否",
        ),
        (
            "孙珺",
            "女",
            "苏州工业园区职业技术学院",
            "质量办科员",
            "15062218890",
            "sunjun@sipivt.edu.cn",
            "2023-07-13 19:30",
            "否",
        ),
        (
            "朱喆",
            "男",
            "常州信息职业技术学院",
            "教务处处长",
            "13775123406",
            "zhuzhe@ccit.js.cn",
            "2023-07-13 14:45",
            "否",
        ),
        (
            "蒲立新",
            "男",
            "无锡职业技术学院",
            "数据中心主任",
            "13861788502",
            "pulx@wxit.edu.cn",
            "2023-07-14 08:30",
            "否",
        ),
        (
            "浦敏",
            "女",
            "扬州工业职业技术学院",
            "办公室副主任",
            "18252779311",
            "pumin@ypi.edu.cn",
            "2023-07-13 17:20",
            "否",
        ),
    ),
    footer="联系人：周玥　　联系电话：025-83335566",
    landscape=True,
)

_CITIES = (
    "自贡",
    "攀枝花",
    "泸州",
    "德阳",
    "绵阳",
    "广元",
    "遂宁",
    "内江",
    "乐山",
    "南充",
    "眉山",
    "宜宾",
    "广安",
    "达州",
    "雅安",
    "巴中",
    "资阳",
    "阿坝",
    "甘孜",
    "凉山",
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ("建华", "志强", "秀英", "丽娟", "海燕", "国庆", "晓明", "文静", "德胜", "春梅")


def _long_people() -> tuple[Person, ...]:
    """SICHUAN's eight, then one person from each of twenty prefecture colleges: a roster over two pages."""
    out: list[Person] = list(SICHUAN.people)
    for i, city in enumerate(_CITIES):
        name = _SURNAMES[i] + _GIVEN[i % len(_GIVEN)]
        out.append(
            (
                name,
                "男" if i % 2 else "女",
                f"{city}职业技术学院",
                "教师",
                f"1390812{i:04d}",
                f"t{i + 11}@{city_code(i)}.edu.cn",
                "2023-08-11 15:00",
                "否",
            )
        )
    return tuple(out)


def city_code(i: int) -> str:
    return f"zy{i + 1:02d}"


SICHUAN_LONG = Roster(
    key="sichuan_long",
    department=SICHUAN.department,
    meeting=SICHUAN.meeting,
    program=SICHUAN.program,
    period=SICHUAN.period,
    province=SICHUAN.province,
    mailbox=SICHUAN.mailbox,
    people=_long_people(),
    merged_unit=SICHUAN.merged_unit,
    footer=SICHUAN.footer,
)
SICHUAN_HANDWRITTEN = Roster(
    key="sichuan_hand",
    department=SICHUAN.department,
    meeting=SICHUAN.meeting,
    program=SICHUAN.program,
    period=SICHUAN.period,
    province=SICHUAN.province,
    mailbox=SICHUAN.mailbox,
    people=SICHUAN.people,
    merged_unit=SICHUAN.merged_unit,
    footer=SICHUAN.footer,
    blank_fields=("name", "mobile"),
)


def title(roster: Roster) -> str:
    return roster.meeting.rstrip("第一二三四五六七八九十期") + "报名回执表"


def workbook(roster: Roster) -> bytes:
    """The filled receipt as a province makes it in Excel or WPS: ruled, one merged 单位, wrapped text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "报名回执表"
    last = get_column_letter(len(COLUMNS))
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    lines = [
        ("附件3", Font(name=PRINT_FONT, size=11), "left"),
        (title(roster), Font(name=PRINT_FONT, size=16, bold=True), "center"),
        (f"省级教育行政部门名称：{roster.department}", Font(name=PRINT_FONT, size=12), "left"),
        (f"会议名称和期数：{roster.meeting}", Font(name=PRINT_FONT, size=12), "left"),
    ]
    for r, (text, font, align) in enumerate(lines, 1):
        cell = ws.cell(row=r, column=1, value=text)
        cell.font, cell.alignment = font, Alignment(horizontal=align, vertical="center")
        ws.merge_cells(f"A{r}:{last}{r}")
        ws.row_dimensions[r].height = 30 if r == 2 else 22
    header = len(lines) + 1
    for c, label in enumerate(COLUMNS, 1):
        cell = ws.cell(row=header, column=c, value=label)
        cell.font = Font(name=PRINT_FONT, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = border
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS[c - 1] * (1.25 if roster.landscape else 1)
    ws.row_dimensions[header].height = 26
    blank = {FIELDS.index(f) for f in roster.blank_fields}
    for i, person in enumerate(roster.people):
        r = header + 1 + i
        ws.row_dimensions[r].height = 34
        for c, value in enumerate(person, 1):
            cell = ws.cell(row=r, column=c, value=None if c - 1 in blank else value)
            cell.font = Font(name=PRINT_FONT, size=11)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = border
            if c == 5:
                cell.number_format = "@"
    if roster.merged_unit:
        first, last_person = roster.merged_unit
        ws.merge_cells(
            start_row=header + 1 + first, start_column=3, end_row=header + 1 + last_person, end_column=3
        )
    foot = header + len(roster.people) + 2
    cell = ws.cell(row=foot, column=1, value=roster.footer)
    cell.font = Font(name=PRINT_FONT, size=11)
    ws.merge_cells(f"A{foot}:{last}{foot}")
    ws.print_title_rows = f"{header}:{header}"  # the header row again on every printed page
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if roster.landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if len(roster.people) <= PAGE_ROWS else 0
    if len(roster.people) > PAGE_ROWS:  # a long roster runs over to a second page
        ws.row_breaks.append(Break(id=header + PAGE_ROWS))
    ws.print_options.horizontalCentered = True
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
