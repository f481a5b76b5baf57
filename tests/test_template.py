"""The blank 报名回执表: its layout, and a filled copy read back exactly by our own reader."""

from __future__ import annotations

import io
from datetime import datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from intake.cli.main import main
from intake.extract.receipt import extract
from intake.readers import read_attachment
from intake.readers.limits import Limits
from mailer.compose.template import FIRST_ROW, ROWS, receipt_template
from rules.judge import Circumstances, judge
from rules.notice import Period, Unit
from rules.policy import Policy
from rules.receipt import Receipt
from rules.verdict import Verdict
from tests.helpers import ROOT, cst, known_period, known_unit, notice

ROWS_IN = [  # name, gender, unit, title, mobile, email, arrival, leader
    ("王喆", "男", "{dept}", "处长", "13900001111", "wangzhe@edu.example.cn", "{start_day}上午", "是"),
    ("李娜", "女", "{dept}", "科长", "13900002222", "lina@edu.example.cn", "{start_iso} 14:30", "否"),
    (
        "赵强",
        "男",
        "{school}",
        "信息中心主任",
        "13900003333",
        "zhaoq@school.example.cn",
        "{start_day}下午",
        "",
    ),
]


def filled(data: bytes, rows: list[tuple[str, ...]]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    for i, row in enumerate(rows):
        for c, value in enumerate(row, 1):
            ws.cell(row=FIRST_ROW + i, column=c).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_back(name: str, data: bytes, mailbox: str, received: datetime) -> tuple[Receipt, Verdict]:
    """What the daemon does to an attachment (intake.pipeline.process.process_attachment), step by step."""
    grids = read_attachment(name, data, Limits())
    receipt = extract(grids, year=notice().year, filenames=[name])
    assert receipt is not None
    return receipt, judge(receipt, notice(), Policy(), Circumstances(mailbox, received, ""))


def test_layout_is_the_notices_attachment_3_with_province_and_period_filled_in() -> None:
    period = known_period("gz-status/1")
    ws = load_workbook(io.BytesIO(receipt_template(notice(), period, known_unit("河南")))).active
    assert ws.title == "报名回执表"
    assert ws["A1"].value == "报名回执表" and ws["A1"].font.bold
    assert ws["A2"].value == "省级教育行政部门名称：河南省教育厅"
    assert ws["A3"].value == "会议名称和期数：高职状态平台培训 第1期"
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A1:H1", "A2:H2", "A3:H3"}
    assert [c.value for c in ws[4]] == [
        "姓名",
        "性别",
        "单位",
        "职务",
        "手机",
        "电子邮箱",
        "抵达酒店时间",
        "领队",
    ]
    assert all(
        ws.cell(row=r, column=c).value is None
        for r in range(FIRST_ROW, FIRST_ROW + ROWS)
        for c in range(1, 9)
    )
    assert all(ws.cell(row=r, column=5).number_format == "@" for r in range(FIRST_ROW, FIRST_ROW + ROWS))
    assert ws.cell(row=FIRST_ROW, column=1).border.left.style == "thin"
    note = ws.cell(row=FIRST_ROW + ROWS + 1, column=1).value
    assert note.startswith("填写说明：") and "2023年6月19日 17:00" in note and "1433935834@qq.com" in note
    assert ws.freeze_panes == "A5" and ws.column_dimensions["C"].width >= 30


def test_gender_and_leader_have_drop_down_lists_and_every_column_an_input_hint() -> None:
    period = known_period("zz-student/3")
    ws = load_workbook(io.BytesIO(receipt_template(notice(), period, known_unit("新疆生产建设兵团")))).active
    assert ws["A2"].value == "省级教育行政部门名称：新疆生产建设兵团教育局"
    assert ws["A3"].value == "会议名称和期数：中职学生管理系统培训 第3期"
    by_range = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert set(by_range) == {f"{col}5:{col}24" for col in "ABCDEFGH"}
    gender, leader, mobile = by_range["B5:B24"], by_range["H5:H24"], by_range["E5:E24"]
    assert (gender.type, gender.formula1, gender.showErrorMessage) == ("list", '"男,女"', True)
    assert (leader.type, leader.formula1) == ("list", '"是,否"')
    assert not gender.showDropDown and not leader.showDropDown  # (True would hide the arrow)
    assert (mobile.type, mobile.operator, mobile.formula1, mobile.errorStyle) == (
        "textLength",
        "equal",
        "11",
        "warning",
    )
    for dv in by_range.values():
        assert dv.showInputMessage and dv.promptTitle and dv.prompt
    assert "领队" in leader.prompt and "男" in gender.prompt


def _rows(period: Period, unit: Unit) -> list[tuple[str, ...]]:
    dept = unit.department[0] if unit.department else unit.name
    values = {
        "dept": dept,
        "school": f"{unit.name}第一职业技术学院",
        "start_iso": period.start.isoformat(),
        "start_day": f"{period.start.month}月{period.start.day}日",
    }
    rows = [tuple(v.format(**values) for v in row) for row in ROWS_IN]
    return (
        rows
        if period.program != "zz-student"
        else rows[:2] + [rows[2][:2] + (f"{unit.name}某市教育局",) + rows[2][3:]]
    )


@pytest.mark.parametrize("key, province", [(p.key, prov) for p in notice().periods for prov in p.provinces])
def test_a_filled_template_is_read_back_exactly(key: str, province: str) -> None:
    period, unit = known_period(key), known_unit(province)
    rows = _rows(period, unit)
    data = filled(receipt_template(notice(), period, unit), rows)
    receipt, verdict = read_back(
        f"{province}回执.xlsx", data, period.mailbox, cst(f"{period.deadline:%Y-%m-%d}T09:00")
    )
    assert (verdict.program, verdict.period, verdict.province) == (period.program, period.number, province)
    assert receipt.unit_name == (unit.department[0] if unit.department else unit.name)
    assert verdict.status == "accepted", [p.message for p in verdict.problems]
    assert verdict.problems == []
    got = [(p.name, p.gender, p.unit, p.title, p.mobile, p.email, p.leader) for p in verdict.participants]
    assert got == [(r[0], r[1], r[2], r[3], r[4], r[5], r[7] == "是") for r in rows]
    assert [p.row for p in verdict.participants] == [FIRST_ROW, FIRST_ROW + 1, FIRST_ROW + 2]
    assert [p.arrival for p in verdict.participants] == [r[6] for r in rows]  # as written
    start = period.start
    assert [p.arrival_at for p in verdict.participants] == [
        start,
        datetime.combine(start, time(14, 30)),
        start,
    ]


def test_template_command_writes_the_file_and_refuses_a_province_not_in_the_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "回执.xlsx"
    config = str(ROOT / "config.example.toml")
    assert (
        main(
            [
                "template",
                "--config",
                config,
                "--period",
                "gz-status/2",
                "--province",
                "广西壮族自治区",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert load_workbook(out).active["A2"].value == "省级教育行政部门名称：广西壮族自治区教育厅"
    assert (
        main(
            [
                "template",
                "--config",
                config,
                "--period",
                "gz-status/2",
                "--province",
                "河南",
                "--out",
                str(tmp_path / "x.xlsx"),
            ]
        )
        == 2
    )
    assert "河南 is not admitted to gz-status/2" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()
    with pytest.raises(ValueError):
        receipt_template(notice(), known_period("gz-status/2"), known_unit("河南"))
