"""The receipt form as provinces drift it: the meeting's name and its period written apart, example rows
marked in the name, two rosters stacked in one sheet.  Workbooks are written by openpyxl and judged by
the whole pipeline; the extraction rules are pinned on grids."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from intake.extract.form_fields import split_fields
from intake.extract.header import joined_meeting
from intake.pipeline.process import Context, process
from intake.readers.grid import CellValue, Grid
from intake.readers.limits import Limits
from rules.verdict import Verdict
from tests.helpers import CST, notice, receipt_of
from tests.mailbuilder import MessageBuilder

WHEN = datetime(2023, 6, 1, 10, 0, tzinfo=CST)
COLUMNS = ["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]
JIANGSU = [
    ["王建国", "男", "江苏省教育厅", "处长", "13912345671", "wjg@js.edu.cn", "7月14日上午", "是"],
    ["李晓燕", "女", "南京工业职业技术大学", "科长", "13812345672", "lxy@njit.edu.cn", "7月14日下午", "否"],
]


def workbook(rows: list[list[CellValue]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def judged(data: bytes, to: str = "1433935834@qq.com") -> Verdict:
    raw = (
        MessageBuilder(
            sender="js@163.com", sender_name="江苏省教育厅", to=to, subject="江苏报名回执", client="163"
        )
        .text("老师好，附件是我省报名回执。")
        .attach("江苏报名回执.xlsx", data)
        .build()
    )
    return process(raw, Context(notice(), limits=Limits()), mailbox=to, received=WHEN).verdict


def grid(rows: list[list[CellValue]]) -> Grid:
    return Grid(source="回执.xlsx", part="Sheet1", rows=rows, kind="xlsx")


# --- the meeting's name and its period written apart -------------------------------------------


@pytest.mark.parametrize(
    "above",
    [
        [["填报单位：江苏省教育厅"], ["会议名称：高职状态平台培训", None, None, "期数：第一期"]],
        [["省级教育行政部门名称：江苏省教育厅"], ["会议名称：高职状态平台培训"], ["期数：1"]],
        [["省级教育行政部门名称", "江苏省教育厅", "会议名称", "高职状态平台培训", "期数", "一"]],
        [["期数：第一期"], ["省级教育行政部门名称：江苏省教育厅"], ["会议名称：高职状态平台培训"]],
    ],
)
def test_meeting_and_period_written_apart_are_read_as_one(above: list[list[CellValue]]) -> None:
    v = judged(workbook([*above, COLUMNS, *JIANGSU]))
    assert (v.status, v.program, v.period, v.province) == ("accepted", "gz-status", 1, "江苏")
    assert [p.code for p in v.problems] == []  # not "回执未写明会议名称和期数": it was written


def test_a_period_written_apart_that_is_not_the_provinces_is_named() -> None:
    above = [["省级教育行政部门名称：江苏省教育厅"], ["会议名称：高职状态平台培训"], ["期数：二期"]]
    v = judged(workbook([*above, COLUMNS, *JIANGSU]))
    assert (v.program, v.period) == ("gz-status", 2)
    assert [p.code for p in v.problems] == ["province_not_in_session"]


def test_period_label_with_a_bare_number_reads_as_the_period() -> None:
    assert split_fields("期数：2") == [("meeting", "第2期")]
    assert split_fields("期数：二") == [("meeting", "第二期")]
    assert split_fields("会议名称和期数：高职第2期") == [("meeting", "高职第2期")]


def test_meeting_values_are_joined_only_when_one_names_the_period() -> None:
    assert joined_meeting("", "高职状态平台培训") == "高职状态平台培训"
    assert joined_meeting("高职状态平台培训", "第二期") == "高职状态平台培训 第二期"
    assert joined_meeting("第二期", "高职状态平台培训") == "第二期 高职状态平台培训"
    assert joined_meeting("高职状态平台培训第一期", "高职状态平台培训第1期") == "高职状态平台培训第一期"
    assert joined_meeting("高职状态平台培训", "中职学生管理系统培训") == "高职状态平台培训"


# --- example rows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "example",
    [
        ["张三（示例）", "男", "XX学校", "科长", "13800000000", "", "", ""],
        ["示例：李四", "女", "某某职业学院", "科员", "13912345678", "", "", ""],
        ["王五（填写样例）", "男", "江苏省教育厅", "处长", "13700001111", "", "", ""],
    ],
)
def test_example_row_marked_in_the_name_is_not_a_participant(example: list[CellValue]) -> None:
    r = receipt_of(grid([["省级教育行政部门名称：江苏省教育厅"], COLUMNS, example, *JIANGSU]))
    assert [row.participant.name for row in r.rows] == ["王建国", "李晓燕"]


def test_example_mark_in_brackets_in_the_first_cell_is_an_example() -> None:
    header = ["序号", *COLUMNS]
    r = receipt_of(
        grid(
            [header, ["（示例）", "赵六", "男", "某校", "科长", "13900001111", "", "", ""], [1, *JIANGSU[0]]]
        )
    )
    assert [row.participant.name for row in r.rows] == ["王建国"]
