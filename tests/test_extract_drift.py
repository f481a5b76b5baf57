"""The receipt form as provinces drift it: the meeting's name and its period written apart, example rows
marked in the name, two rosters stacked in one sheet.  Workbooks are written by openpyxl and judged by
the whole pipeline; the extraction rules are pinned on grids."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from intake.extract import normalize as norm
from intake.extract.form_fields import split_fields
from intake.extract.header import joined_meeting, same_field
from intake.pipeline.process import Context, process
from intake.readers.grid import CellValue, Grid
from intake.readers.limits import Limits
from rules.verdict import Verdict
from tests.helpers import CST, notice, receipt_of
from tests.mailbuilder import MessageBuilder

WHEN = datetime(2023, 6, 1, 10, 0, tzinfo=CST)
COLUMNS: list[CellValue] = ["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]
JIANGSU: list[list[CellValue]] = [
    ["王建国", "男", "江苏省教育厅", "处长", "13912345671", "wjg@js.edu.cn", "7月14日上午", "是"],
    ["李晓燕", "女", "南京工业职业技术大学", "科长", "13812345672", "lxy@njit.edu.cn", "7月14日下午", "否"],
]


def workbook(rows: Sequence[Sequence[CellValue]]) -> bytes:
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


def grid(rows: Sequence[Sequence[CellValue]]) -> Grid:
    return Grid(source="回执.xlsx", part="Sheet1", rows=[list(r) for r in rows], kind="xlsx")


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
    assert split_fields("高职状态平台培训报名回执表（期数：2）") == [("meeting", "第2期")]
    assert split_fields("会议名称和期数：高职状态平台培训(第一期)") == [
        ("meeting", "高职状态平台培训(第一期)")
    ]


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


# --- rosters stacked in one sheet -----------------------------------------------------------------

ZHONGZHI: list[CellValue] = ["赵强", "男", "南京市教育局", "科长", "13600001111", "zq@nj.cn", "6月19日", "是"]


def test_a_second_roster_stacked_under_the_first_for_another_training_is_named_not_merged() -> None:
    rows: list[list[CellValue]] = [
        ["省级教育行政部门名称：江苏省教育厅"],
        ["会议名称和期数：高职状态平台培训第一期"],
        COLUMNS,
        *JIANGSU,
        [],
        ["会议名称和期数：中职学生管理系统培训第一期"],
        COLUMNS,
        ZHONGZHI,
    ]
    v = judged(workbook(rows))
    assert (v.status, v.program, v.period, v.province) == ("accepted", "gz-status", 1, "江苏")
    assert [p.name for p in v.participants] == ["王建国", "李晓燕"]
    [other] = v.problems
    assert other.code == "other_receipt"
    assert "工作表“Sheet”第 8 行起：中职学生管理系统培训第一期，1 人" in other.message


def test_a_second_block_of_the_same_training_goes_on_with_the_roster_in_its_own_rows() -> None:
    rows: list[list[CellValue]] = [
        ["省级教育行政部门名称：江苏省教育厅"],
        ["会议名称和期数：高职状态平台培训第一期"],
        COLUMNS,
        JIANGSU[0],
        ["省级教育行政部门名称：江苏省教育厅", None, None, "会议名称和期数：高职状态平台培训第1期"],
        COLUMNS,
        JIANGSU[1],
    ]
    v = judged(workbook(rows))
    assert (v.status, v.period) == ("accepted", 1) and [p.code for p in v.problems] == []
    assert [(p.name, p.row, p.part) for p in v.participants] == [("王建国", 4, ""), ("李晓燕", 7, "")]


def test_a_second_roster_far_down_the_sheet_is_found() -> None:
    many: list[list[CellValue]] = [
        [f"学员{i:02d}", "男", "江苏省教育厅", "科员", f"139000{i:05d}", "", "7月14日", ""] for i in range(70)
    ]
    rows: list[list[CellValue]] = [
        ["会议名称和期数：高职状态平台培训第一期"],
        COLUMNS,
        *many,
        ["会议名称和期数：中职学生管理系统培训第一期"],
        COLUMNS,
        ZHONGZHI,
    ]
    r = receipt_of(grid(rows))
    assert len(r.rows) == 70 and r.meeting == "高职状态平台培训第一期"
    [other] = r.others
    assert (other.meeting, other.people) == ("中职学生管理系统培训第一期", 1)
    assert other.where == "“回执.xlsx”的工作表“Sheet1”第 74 行起"


def test_a_header_repeated_without_fields_above_it_is_the_same_roster() -> None:
    rows: list[list[CellValue]] = [
        ["会议名称和期数：高职状态平台培训第一期"],
        COLUMNS,
        JIANGSU[0],
        COLUMNS,
        JIANGSU[1],
    ]
    r = receipt_of(grid(rows))
    assert [(row.participant.name, row.participant.row) for row in r.rows] == [("王建国", 3), ("李晓燕", 5)]
    assert r.others == []


def test_a_second_sheet_naming_the_same_training_otherwise_goes_on_with_the_roster() -> None:
    wb = Workbook()
    first = wb.active
    first.title = "第一批"
    for row in [
        ["省级教育行政部门名称：江苏省教育厅"],
        ["会议名称和期数：高职状态平台培训第一期"],
        COLUMNS,
        *JIANGSU,
    ]:
        first.append(row)
    second = wb.create_sheet("第二批")
    for row in [
        ["省级教育行政部门名称：江苏省教育厅职成处"],
        ["会议名称和期数：高职状态平台培训（1期）"],
        COLUMNS,
        ["陈明", "男", "无锡职业技术学院", "主任", "13712345673", "cm@wxit.edu.cn", "7月14日", "否"],
    ]:
        second.append(row)
    out = io.BytesIO()
    wb.save(out)
    v = judged(out.getvalue())
    assert (v.status, v.period) == ("accepted", 1) and [p.code for p in v.problems] == []
    assert [(p.name, p.part) for p in v.participants] == [
        ("王建国", ""),
        ("李晓燕", ""),
        ("陈明", "工作表“第二批”"),
    ]


@pytest.mark.parametrize(
    ("ours", "theirs", "same"),
    [
        ("江苏省教育厅", "江苏省教育厅职成处", True),
        ("江苏省教育厅", "", True),
        ("高职状态平台培训第一期", "高职状态平台培训（1期）", True),
        ("高职状态平台培训第一期", "高职状态平台培训第二期", False),
        ("高职状态平台培训第一期", "中职学生管理系统培训第一期", False),
        ("江苏省教育厅", "南京市教育局", False),
    ],
)
def test_same_field_reads_one_unit_or_meeting_written_two_ways(ours: str, theirs: str, same: bool) -> None:
    assert same_field(ours, theirs) is same


def two_sheets(second_fields: list[list[CellValue]], second_people: list[list[CellValue]]) -> bytes:
    wb = Workbook()
    first = wb.active
    for row in [
        ["省级教育行政部门名称：江苏省教育厅"],
        ["会议名称和期数：高职状态平台培训第一期"],
        COLUMNS,
        *JIANGSU,
    ]:
        first.append(row)
    second = wb.create_sheet("补充")
    for row in [*second_fields, COLUMNS, *second_people]:
        second.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_sheet_for_the_same_training_that_cannot_be_joined_is_an_error_naming_it() -> None:
    chen: list[CellValue] = [
        "陈明",
        "男",
        "无锡职业技术学院",
        "主任",
        "13712345673",
        "cm@wxit.edu.cn",
        "7月14日",
        "否",
    ]
    v = judged(two_sheets([["会议名称和期数：高职培训1期"]], [chen]))
    assert v.status == "rejected" and [p.name for p in v.participants] == ["王建国", "李晓燕"]
    [unjoined] = v.problems
    assert (unjoined.code, unjoined.severity) == ("other_receipt_unjoined", "error")
    assert "工作表“补充”：高职培训1期，1 人" in unjoined.message and "没有登记" in unjoined.message


def test_a_sheet_that_repeats_the_rosters_people_is_a_copy_and_not_named() -> None:
    v = judged(two_sheets([["会议名称和期数：高职培训1期（打印版）"]], JIANGSU))
    assert (v.status, [p.code for p in v.problems]) == ("accepted", [])
    assert [p.name for p in v.participants] == ["王建国", "李晓燕"]


# --- form fields typed under the roster -----------------------------------------------------------


def test_fields_typed_under_the_roster_are_read_and_are_not_participants() -> None:
    rows: list[list[CellValue]] = [
        ["高职状态平台培训报名回执表"],
        COLUMNS,
        *JIANGSU,
        [],
        ["填报单位：江苏省教育厅（盖章）", None, None, None, "填报日期：2023年6月10日"],
        ["期数：第一期"],
    ]
    v = judged(workbook(rows))
    assert (v.status, v.program, v.period, v.province) == ("accepted", "gz-status", 1, "江苏")
    assert [p.name for p in v.participants] == ["王建国", "李晓燕"]
    assert [p.code for p in v.problems] == []  # not period_inferred, nor a participant named 期数：第一期


def test_fields_above_the_roster_win_over_fields_under_it() -> None:
    rows: list[list[CellValue]] = [
        ["省级教育行政部门名称：江苏省教育厅"],
        ["会议名称：高职状态平台培训"],
        COLUMNS,
        *JIANGSU,
        ["填报单位：南京工业职业技术大学"],
        ["期数：一"],
    ]
    r = receipt_of(grid(rows))
    assert (r.unit_name, r.meeting) == ("江苏省教育厅", "高职状态平台培训 第一期")
    assert len(r.rows) == 2


# --- rows that do not fit the columns: read when they can be, named when they cannot -------------


def test_text_in_a_column_without_a_header_is_the_persons_remark_not_a_reason_to_drop_them() -> None:
    rows: list[list[CellValue]] = [COLUMNS, [*JIANGSU[0], "需单间"], JIANGSU[1]]
    r = receipt_of(grid(rows))
    assert [(row.participant.name, row.participant.remark) for row in r.rows] == [
        ("王建国", "需单间"),
        ("李晓燕", ""),
    ]
    assert r.unplaced == []


def test_a_row_shifted_one_column_is_named_not_misread() -> None:
    rows: list[list[CellValue]] = [COLUMNS, JIANGSU[0], ["", *JIANGSU[1]]]
    r = receipt_of(grid(rows))
    assert [row.participant.name for row in r.rows] == ["王建国"]
    [unplaced] = r.unplaced
    assert (unplaced.rows, unplaced.names) == ((3,), ("李晓燕",))


def test_two_people_typed_on_one_row_are_named_not_taken_as_a_remark() -> None:
    rows: list[list[CellValue]] = [COLUMNS, [*JIANGSU[0], *JIANGSU[1]]]
    r = receipt_of(grid(rows))
    assert r.rows == [] and [u.rows for u in r.unplaced] == [(2,)]


def test_a_person_typed_into_one_cell_is_named_in_the_reply() -> None:
    one_cell: list[CellValue] = ["李晓燕，女，南京工业职业技术大学，科长，13812345672"]
    rows: list[list[CellValue]] = [
        ["省级教育行政部门名称：江苏省教育厅"],
        ["会议名称和期数：高职状态平台培训第一期"],
    ]
    v = judged(workbook([*rows, COLUMNS, JIANGSU[0], one_cell]))
    assert [p.name for p in v.participants] == ["王建国"]
    [unplaced] = v.problems
    assert unplaced.code == "rows_unplaced" and "第 5 行（李晓燕）" in unplaced.message


@pytest.mark.parametrize(
    "footer", ["如有疑问请联系王老师13912345671", "联系人：王建国，13912345671，江苏省教育厅"]
)
def test_a_contact_line_under_the_roster_is_not_a_person(footer: str) -> None:
    r = receipt_of(grid([COLUMNS, *JIANGSU, [footer]]))
    assert len(r.rows) == 2 and r.unplaced == []


@pytest.mark.parametrize("written", ["李晓燕 女", "李晓燕（女）", "李晓燕(女)"])
def test_gender_written_after_the_name_fills_an_empty_gender(written: str) -> None:
    r = receipt_of(grid([COLUMNS, [written, "", *JIANGSU[1][2:]]]))
    assert (r.rows[0].participant.name, r.rows[0].participant.gender) == ("李晓燕", "女")


def test_a_two_character_name_spaced_out_keeps_its_second_character() -> None:
    r = receipt_of(grid([COLUMNS, ["王　男", "", *JIANGSU[0][2:]]]))
    assert (r.rows[0].participant.name, r.rows[0].participant.gender) == ("王男", "")


def test_an_arrival_and_a_title_typed_on_two_lines_in_one_cell_read_on_one() -> None:
    row: list[CellValue] = [
        "王建国",
        "男",
        "江苏省教育厅",
        "处长\n（正处级）",
        "13912345671",
        "",
        "7月14日\n上午",
        "是",
    ]
    r = receipt_of(grid([COLUMNS, row]))
    p = r.rows[0].participant
    assert (p.title, p.arrival, p.arrival_at) == ("处长 (正处级)", "7月14日 上午", date(2023, 7, 14))


@pytest.mark.parametrize(
    ("office", "mobile"),
    [("联系电话", "手机"), ("电话", "手机号码"), ("办公电话", "移动电话"), ("联系方式", "联系手机")],
)
def test_the_mobile_column_beside_an_office_phone_column_is_the_mobile(office: str, mobile: str) -> None:
    header: list[CellValue] = ["姓名", "性别", "单位", "职务", office, mobile, "电子邮箱"]
    row: list[CellValue] = ["王建国", "男", "江苏省教育厅", "处长", "025-83335555", "13912345671", ""]
    r = receipt_of(grid([header, row]))
    assert r.rows[0].participant.mobile == "13912345671"
    assert r.columns["mobile"] == mobile


@pytest.mark.parametrize(
    "slot",
    [
        ["", "", "", "", "", "", "", "否"],
        ["", "", "江苏省教育厅", "", "", "", "", ""],
        ["", "", "", "", "", "", "7月14日", "否"],
        ["", "", "", "", 0, "", "", ""],
    ],
)
def test_blank_slots_of_the_form_with_defaults_filled_in_hold_nobody(slot: list[CellValue]) -> None:
    above: list[list[CellValue]] = [
        ["省级教育行政部门名称：江苏省教育厅"],
        ["会议名称和期数：高职状态平台培训第一期"],
    ]
    v = judged(workbook([*above, COLUMNS, *JIANGSU, slot, slot, slot]))
    assert (v.status, [p.name for p in v.participants], v.problems) == ("accepted", ["王建国", "李晓燕"], [])


def test_a_row_with_a_person_but_no_name_is_still_read_and_named() -> None:
    r = receipt_of(grid([COLUMNS, ["", "女", "江苏省教育厅", "科员", "", "", "", ""]]))
    assert [(row.participant.name, row.participant.row) for row in r.rows] == [("", 2)]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("13912345671\n025-83335555", "13912345671"),  # Alt+Enter: the mobile, then the office phone
        ("025-83335555\n13912345671", "13912345671"),
        ("025-83335555/13912345671", "13912345671"),
        ("1.3912345671E10", "13912345671"),  # a CSV showing the number in full precision
        ("1.39123E+10", "1.39123E+10"),  # digits lost: left for the sender to correct
        ("13912345671025", "13912345671025"),  # not a mobile with something after it
    ],
)
def test_mobile_among_two_numbers_or_in_scientific_notation(written: str, read: str) -> None:
    assert norm.mobile(written) == read


@pytest.mark.parametrize(("written", "read"), [("男士", "男"), ("女士", "女"), ("♂", "男"), ("♀", "女")])
def test_gender_written_as_a_title_or_a_sign(written: str, read: str) -> None:
    assert norm.gender(written) == read


def test_more_header_words_provinces_use() -> None:
    header: list[CellValue] = [
        "序号",
        "参训学员",
        "性别",
        "工作单位",
        "职务职称",
        "移动电话",
        "邮箱",
        "到会日期",
        "是否带队",
    ]
    row: list[CellValue] = [
        1,
        "王建国",
        "男",
        "江苏省教育厅",
        "处长",
        "13912345671",
        "w@js.cn",
        "7月14日",
        "是",
    ]
    r = receipt_of(grid([header, row]))
    assert r.missing_columns == []
    p = r.rows[0].participant
    assert (p.name, p.mobile, p.arrival_at, p.leader) == ("王建国", "13912345671", date(2023, 7, 14), True)


@pytest.mark.parametrize(
    "tail",
    [
        ["总计", "3人"],
        ["", "共3人"],
        ["总人数", "3"],
        ["", "3人"],
        ["", "（以下空白）"],
        ["", "此表可复制"],
        ["小计", None, None, None, None, None, None, None, None],
    ],
)
def test_a_total_or_a_printed_remark_under_the_roster_is_not_a_participant(tail: list[CellValue]) -> None:
    header: list[CellValue] = ["序号", *COLUMNS]
    r = receipt_of(
        grid([header, [1, *JIANGSU[0]], [2, "张伟", "男"], tail, [3, "赵刚", None, None, "副处级以上"]])
    )
    assert [row.participant.name for row in r.rows] == ["王建国", "张伟", "赵刚"]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("是（领队）", True),
        ("√是", True),
        ("领队（是）", True),
        ("否（非领队）", False),
        ("非领队", False),
        ("副领队", None),
    ],
)
def test_leader_written_with_a_note(written: str, read: bool | None) -> None:
    assert norm.leader(written) is read


def test_a_printed_note_under_the_roster_naming_a_field_is_not_the_field() -> None:
    rows: list[list[CellValue]] = [
        COLUMNS,
        *JIANGSU,
        ["说明：1.省级教育行政部门名称：填写全称；2.期数：第几期"],
    ]
    r = receipt_of(grid(rows))
    assert (r.unit_name, r.meeting, len(r.rows)) == ("", "", 2)


def test_hidden_rows_and_columns_are_read_and_a_hidden_sheet_is_not() -> None:
    wb = Workbook()
    ws = wb.active
    for row in [
        ["省级教育行政部门名称：江苏省教育厅"],
        ["会议名称和期数：高职状态平台培训第一期"],
        [*COLUMNS, "身份证号"],
    ]:
        ws.append(row)
    for person in JIANGSU:
        ws.append([*person, "320102198001011234"])
    ws.row_dimensions[5].hidden = True
    ws.column_dimensions["I"].hidden = True
    old = wb.create_sheet("旧名单")
    old.sheet_state = "hidden"
    for row in [
        ["会议名称和期数：中职学生管理系统培训第一期"],
        COLUMNS,
        ["赵强", "男", "南京市教育局", "科长", "13600001111"],
    ]:
        old.append(row)
    out = io.BytesIO()
    wb.save(out)
    v = judged(out.getvalue())
    assert (v.status, [p.name for p in v.participants], v.problems) == ("accepted", ["王建国", "李晓燕"], [])
