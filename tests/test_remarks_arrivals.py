"""备注 and arrival times from files as real writers make them (pandoc, Gnumeric; tests/data/remarks)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from intake.pipeline.process import Context, process_attachment
from mailer.compose.reply import render_reply
from tests.helpers import DATA, cst, notice

FILES = DATA / "remarks"  # made by tests/data/remarks/make_fixtures.py
GZ1 = "1433935834@qq.com"


def read(name: str) -> tuple[list[tuple[str, str, datetime | date | None, str]], str]:
    outcome = process_attachment(
        name, (FILES / name).read_bytes(), Context(notice()), mailbox=GZ1, received=cst("2023-06-15T10:00")
    )
    v = outcome.verdict
    assert (v.status, v.province, v.program, v.period) == ("accepted", "山东", "gz-status", 1), v.problems
    text, _html = render_reply(v, notice())
    return [(p.name, p.arrival, p.arrival_at, p.remark) for p in v.participants], text


def test_pandoc_docx_remarks_and_arrivals_written_as_text() -> None:
    people, reply = read("pandoc_remarks.docx")
    assert people == [
        ("刘洋", "7月13日晚上9点半", datetime(2023, 7, 13, 21, 30), "需单间"),
        ("马丽", "7月14日上午", date(2023, 7, 14), "清真"),
        ("孔亮", "报到当天", None, ""),  # a slash in 备注 is nothing; an arrival without a day stays text
    ]
    assert (
        "刘洋 | 男 | 山东省教育厅 | 处长 | 13853101001 | liuy@sdedu.cn | 7月13日 21:30 | 是 | 需单间" in reply
    )
    assert "| 7月14日 上午 |" in reply and "| 报到当天 |" in reply


@pytest.mark.parametrize("name", ["gnumeric_remarks.xlsx", "gnumeric_remarks.xls"])
def test_gnumeric_workbooks_keep_real_times_and_remarks(name: str) -> None:
    people, reply = read(name)
    assert [(n, at, r) for n, _text, at, r in people] == [
        ("刘洋", datetime(2023, 7, 13, 21, 30), "需单间"),
        ("马丽", date(2023, 7, 14), "清真"),
        ("孔亮", datetime(2023, 7, 14, 9, 15), ""),
    ]
    assert "| 7月13日 21:30 |" in reply and "| 7月14日 |" in reply and "| 7月14日 09:15 |" in reply
    assert "2023-07" not in reply
