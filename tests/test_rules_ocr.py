"""Honest uncertainty: in a roster read by OCR, a missing or malformed value asks the province to check
(an ocr_uncertain warning naming what was read); it never rejects the receipt by itself."""

from __future__ import annotations

import pytest

from intake.extract.receipt import extract
from intake.readers.grid import CellValue, Grid
from mailer.compose.reply import OCR_NOTE, OCR_UNSURE, render_reply
from rules.judge import Circumstances, judge
from rules.policy import Policy
from rules.verdict import Severity, Status, Verdict
from tests.helpers import cst, notice

HEADER: list[CellValue] = ["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]
GOOD: list[CellValue] = [
    "钱喆",
    "男",
    "四川省教育厅",
    "处长",
    "13808012345",
    "qianzhe@scedu.cn",
    "2023-08-11 15:30",
    "是",
]
LINES = ["省级教育行政部门名称：四川省教育厅", "会议名称和期数：高职状态平台培训第三期"]


def verdict_of(row: list[CellValue], ocr: bool) -> Verdict:
    rows = [HEADER, GOOD, row]
    grid = Grid(
        source="扫描件.jpg",
        part="表格1",
        rows=[list(r) for r in rows],
        lines=LINES,
        kind="ocr" if ocr else "xlsx",
        ocr=ocr,
        confidence={(r, c): 0.99 for r in range(3) for c in range(8)} if ocr else {},
    )
    receipt = extract([grid], year=2023)
    assert receipt is not None
    return judge(receipt, notice(), Policy(), Circumstances("287455270@qq.com", cst("2023-07-01 10:00")))


def second(
    name: str = "黄珺", gender: str = "女", mobile: str = "13982134567", email: str = "hj@scedu.cn"
) -> list[CellValue]:
    return [name, gender, "四川省教育厅", "主任科员", mobile, email, "2023-08-11 18:00", "否"]


@pytest.mark.parametrize(
    ("row", "field", "read", "code"),
    [
        (second(name=""), "name", "（空白）", "missing_field"),
        (second(mobile=""), "mobile", "（空白）", "missing_field"),
        (second(mobile="1398213456"), "mobile", "1398213456", "bad_mobile"),
        (second(email="hjoscedu.cn"), "email", "hjoscedu.cn", "bad_email"),
        (second(gender="父"), "gender", "父", "bad_gender"),
    ],
)
def test_an_ocr_slip_is_a_warning_naming_what_was_read_and_an_error_in_an_editable_file(
    row: list[CellValue], field: str, read: str, code: str
) -> None:
    scanned = verdict_of(row, ocr=True)
    assert scanned.status == Status.ACCEPTED
    [warning] = [p for p in scanned.problems if p.row == 3 and p.field == field]
    assert (warning.code, warning.severity) == ("ocr_uncertain", Severity.WARNING)
    assert f"识别为“{read}”" in warning.message
    typed = verdict_of(row, ocr=False)
    assert typed.status == Status.REJECTED
    assert [p.code for p in typed.problems if p.row == 3 and p.field == field] == [code]


@pytest.mark.parametrize("name", ["王", "F珺", "1擎"])
def test_a_name_ocr_read_as_one_character_or_with_letters_is_to_be_checked(name: str) -> None:
    v = verdict_of(second(name=name), ocr=True)
    assert v.status == Status.ACCEPTED
    assert [p.code for p in v.problems if p.row == 3 and p.field == "name"] == ["ocr_uncertain"]


def test_an_uncertain_cell_is_warned_about_once() -> None:
    rows = [HEADER, GOOD, second(mobile="1398213456")]
    grid = Grid(
        source="扫描件.jpg",
        part="表格1",
        rows=[list(r) for r in rows],
        lines=LINES,
        kind="ocr",
        ocr=True,
        confidence={(2, 4): 0.3},
    )
    receipt = extract([grid], year=2023)
    assert receipt is not None
    v = judge(receipt, notice(), Policy(), Circumstances("287455270@qq.com", cst("2023-07-01 10:00")))
    assert [p.code for p in v.problems if p.row == 3] == ["ocr_uncertain"]


def test_the_confirmation_of_a_scan_says_so_and_counts_what_to_check() -> None:
    v = verdict_of(second(email="hjoscedu.cn"), ocr=True)
    text, _html = render_reply(v, notice())
    assert OCR_NOTE in text and OCR_UNSURE.format(count=1) in text
    assert "hjoscedu.cn" in text
