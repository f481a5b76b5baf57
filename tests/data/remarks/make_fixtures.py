"""Make the receipts checked in next to this script: rosters with a 备注 column and arrivals written as
people write them, by the programs provinces' files come from.

Run with the project venv (openpyxl) on a machine with pandoc and Gnumeric (ssconvert):

    .venv/bin/python tests/data/remarks/make_fixtures.py

- pandoc (HTML in, docx out): arrivals as text ("7月13日晚上9点半", "7月14日上午", "报到当天") and
  remarks ("需单间", "清真", "/" for nothing);
- openpyxl writes a workbook whose arrivals are real Excel date-times (one a date alone), which
  Gnumeric's ssconvert saves as .xlsx and as Excel 97 .xls.

Every file is for 山东 (高职状态平台培训 第一期), the people of PEOPLE (the first the leader).
"""

from __future__ import annotations

import html
import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
UNIT = "山东省教育厅"
MEETING = "高职状态平台培训第一期"
COLUMNS = ["序号", "姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队", "备注"]
PEOPLE = [
    [
        "刘洋",
        "男",
        "山东省教育厅",
        "处长",
        "13853101001",
        "liuy@sdedu.cn",
        "7月13日晚上9点半",
        "是",
        "需单间",
    ],
    [
        "马丽",
        "女",
        "山东商业职业技术学院",
        "科长",
        "13853101002",
        "mali@sdbi.edu.cn",
        "7月14日上午",
        "否",
        "清真",
    ],
    ["孔亮", "男", "济南职业学院", "科员", "13853101003", "kl@jnvc.edu.cn", "报到当天", "否", "/"],
]
WHEN = [datetime(2023, 7, 13, 21, 30), date(2023, 7, 14), datetime(2023, 7, 14, 9, 15)]


def pandoc_docx() -> bytes:
    rows = [COLUMNS, *([str(i), *p] for i, p in enumerate(PEOPLE, 1))]
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    page = (
        '<html><head><meta charset="utf-8"></head><body><p>报名回执表</p>'
        f"<p>省级教育行政部门名称：{UNIT}</p><p>会议名称和期数：{MEETING}</p>"
        f'<table border="1">{cells}</table></body></html>'
    )
    return subprocess.run(
        ["pandoc", "-f", "html", "-t", "docx", "-o", "-"],
        input=page.encode(),
        capture_output=True,
        check=True,
    ).stdout


def workbook(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["报名回执表"])
    ws.append([f"省级教育行政部门名称：{UNIT}"])
    ws.append([f"会议名称和期数：{MEETING}"])
    ws.append(COLUMNS)
    for i, (person, when) in enumerate(zip(PEOPLE, WHEN, strict=True), 1):
        row = [i, *person[:6], when, person[7], person[8]]
        ws.append(row)
        ws.cell(row=4 + i, column=8).number_format = (
            "yyyy-mm-dd hh:mm" if isinstance(when, datetime) else "yyyy-mm-dd"
        )
    wb.save(path)


def main() -> None:
    (HERE / "pandoc_remarks.docx").write_bytes(pandoc_docx())
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "openpyxl.xlsx"
        workbook(source)
        for suffix in ("xlsx", "xls"):
            subprocess.run(
                ["ssconvert", str(source), str(HERE / f"gnumeric_remarks.{suffix}")],
                check=True,
                capture_output=True,
            )


if __name__ == "__main__":
    main()
