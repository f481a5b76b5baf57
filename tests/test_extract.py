"""Receipt extraction finds the header fields and the table however the form has drifted."""

from datetime import date, datetime

from intake.extract.normalize import arrival, gender, leader, mobile
from intake.extract.receipt import extract
from intake.readers.grid import CellValue, Grid, Merge
from tests.helpers import person, receipt_grid, receipt_of


def test_header_fields_found_in_merged_title_rows() -> None:
    r = receipt_of(
        receipt_grid("河南省教育厅", "中职学生管理系统培训第一期", [person(1, "王喆", "河南省教育厅", "是")])
    )
    assert (r.unit_name, r.meeting) == ("河南省教育厅", "中职学生管理系统培训第一期")
    assert [row.participant.name for row in r.rows] == ["王喆"]
    assert r.rows[0].participant.row == 5


def test_both_header_fields_on_one_row_in_two_cells_and_one_cell() -> None:
    rows: list[list[CellValue]] = [
        [
            "省级教育行政部门名称：上海市教育委员会",
            None,
            None,
            "会议名称和期数：中职学生管理信息系统培训 第二期",
        ],
        ["姓名", "性别", "工作单位", "联系电话"],
        ["肖娜萍", "女", "上海市教育委员会", "15622086832"],
    ]
    r = extract([Grid("a.xlsx", "", rows)], year=2023)
    assert r is not None
    assert (r.unit_name, r.meeting) == ("上海市教育委员会", "中职学生管理信息系统培训 第二期")
    one: list[list[CellValue]] = [
        ["省级教育行政部门名称：天津市教育委员会   会议名称和期数：高职状态平台培训 第一期"],
        *rows[1:],
    ]
    r = extract([Grid("a.xlsx", "", one)], year=2023)
    assert r is not None
    assert (r.unit_name, r.meeting) == ("天津市教育委员会", "高职状态平台培训 第一期")


def test_label_in_one_cell_value_in_the_next() -> None:
    rows: list[list[CellValue]] = [
        ["省级教育行政部门名称", "贵州省教育厅", "会议名称和期数：", "高职状态平台培训第2期"],
        ["姓名", "性别", "单位", "手机"],
        ["徐欣", "女", "贵州省教育厅", "13194163051"],
    ]
    r = extract([Grid("a.xlsx", "", rows)], year=2023)
    assert r is not None
    assert (r.unit_name, r.meeting) == ("贵州省教育厅", "高职状态平台培训第2期")


def test_header_lines_as_docx_paragraphs() -> None:
    g = Grid(
        "a.docx",
        "表格1",
        [["姓名", "性别", "单位", "手机"], ["李堃", "男", "河南省教育厅", "13900001111"]],
        lines=[
            "报名回执表",
            "省级教育行政部门名称：河南省教育厅",
            "会议名称和期数：中职学生管理系统培训（第一期）",
        ],
    )
    r = extract([g], year=2023)
    assert r is not None
    assert r.unit_name == "河南省教育厅" and r.meeting.endswith("(第一期)")
    assert r.rows[0].participant.name == "李堃"


def test_synonym_columns_in_any_order_with_notes() -> None:
    header: list[CellValue] = [
        "是否为领队",
        "E-mail",
        "手机号码（必填）",
        "姓 名",
        "职务/职称",
        "性别",
        "工作单位",
        "到达时间",
    ]
    rows: list[list[CellValue]] = [
        header,
        ["是", "a@b.cn", "139 0000 1111", "张 伟", "科长", "男", "河南省教育厅", "6月18日下午"],
    ]
    r = extract([Grid("a.xlsx", "", rows)], year=2023)
    assert r is not None
    p = r.rows[0].participant
    assert (p.name, p.mobile, p.email, p.leader, p.unit, p.title) == (
        "张伟",
        "13900001111",
        "a@b.cn",
        True,
        "河南省教育厅",
        "科长",
    )
    assert p.arrival == "6月18日下午" and p.arrival_at == date(2023, 6, 18)  # the day read, the text kept
    assert r.columns["mobile"] == "手机号码（必填）"


def test_blank_example_and_signature_rows_are_skipped() -> None:
    people: list[list[CellValue]] = [
        [
            "例",
            "张三",
            "男",
            "XX市教育局",
            "科长",
            "13800000000",
            "zhangsan@example.com",
            "7月15日14:00",
            "否",
        ],
        [None] * 9,
        person(1, "肖娜萍", "上海市教育委员会", "是"),
        [2, None, None, None, None, None, None, None, None],
        ["联系人：林毅昊   电话：022-23301265"] + [None] * 8,
        ["注：每单位限报2人"] + [None] * 8,
    ]
    r = receipt_of(receipt_grid("上海市教育委员会", "中职学生管理系统培训第二期", people))
    assert [row.participant.name for row in r.rows] == ["肖娜萍"]


def test_two_row_header_with_grouped_contact_columns() -> None:
    rows: list[list[CellValue]] = [
        ["姓名", "性别", "单位", "联系方式", None, "领队"],
        [None, None, None, "手机", "邮箱", None],
        ["王喆", "男", "河南省教育厅", "13900001111", "w@x.cn", "是"],
    ]
    r = extract([Grid("a.xlsx", "", rows, merges=[Merge(0, 3, 0, 4)])], year=2023)
    assert r is not None
    p = r.rows[0].participant
    assert (p.mobile, p.email) == ("13900001111", "w@x.cn")


def test_vertically_merged_unit_applies_to_each_row() -> None:
    rows: list[list[CellValue]] = [
        ["姓名", "性别", "单位", "手机"],
        ["甲", "男", "开封市卫生学校", "13900001111"],
        ["乙", "女", None, "13900002222"],
    ]
    r = extract([Grid("a.xlsx", "", rows, merges=[Merge(1, 2, 2, 2)])], year=2023)
    assert r is not None
    assert [row.participant.unit for row in r.rows] == ["开封市卫生学校", "开封市卫生学校"]


def test_best_grid_wins_among_sheets() -> None:
    junk = Grid("a.xlsx", "说明", [["填表说明"], ["请如实填写"]])
    good = receipt_grid(
        "河南省教育厅", "中职学生管理系统培训第一期", [person(1, "王喆", "河南省教育厅", "是")]
    )
    best = extract([junk, good], year=2023)
    assert best is not None
    assert best.source == good.label
    assert extract([junk], year=2023) is None


def test_mobile_normalisation() -> None:
    assert mobile("183-5290-3516") == "18352903516"
    assert mobile("+86 13924638194") == "13924638194"
    assert mobile("１８０\u3000９７２２\u3000８０１１") == "18097228011"
    assert mobile("+86-152-5137-0164") == "15251370164"
    assert mobile(13800001111.0) == "13800001111"
    assert mobile("0086 13800001111") == "13800001111"
    assert mobile("010-66096218") == "010-66096218"


def test_gender_leader_and_arrival_normalisation() -> None:
    assert [gender(v) for v in ("男", "女 ", "Ｍ", "female", "男性")] == ["男", "女", "男", "女", "男"]
    assert [leader(v) for v in ("是", "√", "Y", "y", "否", None, "N", "？")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        None,
    ]
    assert arrival(datetime(2023, 7, 14, 11, 30), 2023)[0] == datetime(2023, 7, 14, 11, 30)
    assert arrival("6月18日下午3点", 2023)[0] == datetime(2023, 6, 18, 15, 0)
    assert arrival("2023年7月15日17:30", 2023)[0] == datetime(2023, 7, 15, 17, 30)
    assert arrival(45122.5, 2023)[0] == datetime(2023, 7, 15, 12, 0)
    assert str(arrival("7月15日下午", 2023)[0]) == "2023-07-15"
    assert arrival("待定", 2023)[0] is None


def test_hint_rows_and_multi_cell_signature_rows_are_skipped() -> None:
    people: list[list[CellValue]] = [
        ["（必填）", "（必填）", "（必填）", "（必填）", "", "（必填）", "", "如6月18日下午", "是/否"],
        person(1, "王喆", "河南省教育厅", "是"),
        ["填表人：", "张三", None, "联系电话：", None, "0371-1234567", None, None, None],
        ["合计", "1人", None, None, None, None, None, None, None],
    ]
    r = receipt_of(receipt_grid("河南省教育厅", "中职学生管理系统培训第一期", people))
    assert [row.participant.name for row in r.rows] == ["王喆"]


def test_mobile_found_among_other_words() -> None:
    assert mobile("13800001111（微信同号）") == "13800001111"
    assert mobile("手机:138 0000 1111") == "13800001111"
    assert mobile("(+86)13800001111") == "13800001111"
