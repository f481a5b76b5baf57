"""Make the receipts checked in next to this script: rosters split over tables and sheets, and header
fields in label | value tables, written by the programs provinces' files come from.

Run with the project venv (openpyxl) on a machine with pandoc, Gnumeric (ssconvert) and LibreOffice:

    .venv/bin/python tests/data/rosters/make_fixtures.py

- pandoc (HTML in, docx out) writes Word rosters: a roster split in two tables with the header row
  repeated; header fields in a two-column and in a four-column label | value table above the roster;
  a second table of another shape with people in it; a signature table under the roster; blank
  header fields over the printed note.
- LibreOffice Writer (HTML in) writes a roster split at a page break, the second table without the
  header row, as .docx, Word 97 .doc and .odt.
- openpyxl writes workbooks that Gnumeric's ssconvert then saves as xlsx: a roster continued on a
  second sheet (without, and with, the header row), header fields in a label | value block above the
  roster, labels over their values; LibreOffice Calc saves the two-sheet one as .ods.

Every file is for 江苏 (高职状态平台培训 第一期 unless said), people of PEOPLE (first the leader).
LibreOffice runs with a throw-away profile so it does not touch anyone's own.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
UNIT = "江苏省教育厅"
MEETING = "高职状态平台培训第一期"
NOTE = "注：《报名回执表》仅用于中职学生系统、高职状态平台培训。"
COLUMNS = ["序号", "姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]
PEOPLE = [
    ["王喆", "男", "江苏省教育厅", "主任科员", "13851001001", "wangzhe@jsedu.cn", "7月13日下午", "是"],
    ["李堃", "男", "南京工业职业技术大学", "处长", "13851001002", "likun@njpi.edu.cn", "7月13日下午", "否"],
    ["张婷婷", "女", "无锡职业技术学院", "科长", "13851001003", "ztt@wxit.edu.cn", "7月13日晚上", "否"],
    ["赵敏", "女", "常州信息职业技术学院", "科员", "13851001004", "zm@ccit.edu.cn", "7月14日上午", "否"],
    ["孙强", "男", "苏州工业职业技术学院", "科员", "13851001005", "sq@siit.edu.cn", "7月14日上午", "否"],
]
SPLIT = 3  # people in the first table or sheet


def numbered(people: list[list[str]], start: int = 1) -> list[list[str]]:
    return [[str(i), *p] for i, p in enumerate(people, start)]


def html_table(rows: list[list[str]], header: bool = False, style: str = "") -> str:
    def row(cells: list[str], tag: str) -> str:
        return "<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in cells) + "</tr>"

    body = [row(rows[0], "th" if header else "td"), *(row(r, "td") for r in rows[1:])]
    attributes = f' style="{style}"' if style else ""
    return f'<table border="1"{attributes}>{"".join(body)}</table>'


def page(*parts: str) -> str:
    return '<html><head><meta charset="utf-8"></head><body>' + "".join(parts) + "</body></html>"


def para(text: str, style: str = "") -> str:
    return f'<p style="{style}">{html.escape(text)}</p>' if style else f"<p>{html.escape(text)}</p>"


FIELD_LINES = para(f"省级教育行政部门名称：{UNIT}") + para(f"会议名称和期数：{MEETING}")
FIRST = html_table([COLUMNS, *numbered(PEOPLE[:SPLIT])], header=True)

PANDOC = {
    "pandoc_split_repeated_header.docx": page(
        para("报名回执表"),
        FIELD_LINES,
        FIRST,
        para("续表"),
        html_table([COLUMNS, *numbered(PEOPLE[SPLIT:], SPLIT + 1)], header=True),
        para(NOTE),
    ),
    "pandoc_label_value_fields.docx": page(
        para("报名回执表"),
        html_table([["省级教育行政部门名称", UNIT], ["会议名称和期数", MEETING]]),
        html_table([COLUMNS, *numbered(PEOPLE)], header=True),
        para(NOTE),
    ),
    "pandoc_label_value_4col.docx": page(
        para("报名回执表"),
        html_table([["省级教育行政部门名称（盖章）", UNIT, "会议名称和期数", MEETING]]),
        html_table([COLUMNS, *numbered(PEOPLE)], header=True),
        para(NOTE),
    ),
    "pandoc_other_shape.docx": page(
        para("报名回执表"),
        FIELD_LINES,
        FIRST,
        para("另有两位同志参加："),
        html_table([[p[0], p[1], p[2], p[4]] for p in PEOPLE[SPLIT:]]),
        para(NOTE),
    ),
    "pandoc_signature_table.docx": page(
        para("报名回执表"),
        FIELD_LINES,
        FIRST,
        html_table([["填表人：", "王喆", "联系电话：", "13851001001"]]),
    ),
    "pandoc_blank_fields.docx": page(
        para("报名回执表"),
        para("省级教育行政部门名称："),
        para("会议名称和期数："),
        html_table([COLUMNS, *numbered(PEOPLE)], header=True),
        para(NOTE),
    ),
}
# LibreOffice Writer: the second table starts on a new page, without the header row.
PAGE_BREAK = page(
    para("报名回执表"),
    FIELD_LINES,
    FIRST,
    html_table(numbered(PEOPLE[SPLIT:], SPLIT + 1), style="page-break-before: always"),
    para(NOTE),
)


def write_form(ws: Worksheet, people: list[list[str]], fields: str = "lines") -> None:
    """附件3 in a sheet: the title, the header fields (as lines, a label | value block, or labels over
    values), the table."""
    ws.append(["报名回执表"])
    if fields == "lines":
        ws.append([f"省级教育行政部门名称：{UNIT}"])
        ws.append([f"会议名称和期数：{MEETING}"])
    elif fields == "label_value":
        ws.append(["省级教育行政部门名称", None, UNIT])
        ws.append(["会议名称和期数", None, MEETING])
        for r in (2, 3):
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
            ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=len(COLUMNS))
    else:  # labels over values
        ws.append(["省级教育行政部门名称", None, None, None, "会议名称和期数"])
        ws.append([UNIT, None, None, None, MEETING])
        for r in (2, 3):
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
            ws.merge_cells(start_row=r, start_column=5, end_row=r, end_column=len(COLUMNS))
    ws.append(COLUMNS)
    for row in numbered(people):
        ws.append([int(row[0]), *row[1:5], int(row[5]), *row[6:]])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))


def continued(ws: Worksheet, header: bool) -> None:
    """The rest of the roster in a second sheet, at the same columns."""
    if header:
        ws.append(COLUMNS)
    for row in numbered(PEOPLE[SPLIT:], SPLIT + 1):
        ws.append([int(row[0]), *row[1:5], int(row[5]), *row[6:]])


def workbooks(out: Path) -> dict[str, Path]:
    made = {}
    for name, header in (("gnumeric_two_sheets.xlsx", False), ("gnumeric_two_sheets_header.xlsx", True)):
        wb = Workbook()
        first = wb.active
        assert first is not None
        first.title = "报名回执"
        write_form(first, PEOPLE[:SPLIT])
        continued(wb.create_sheet("续表"), header)
        made[name] = _save(wb, out / f"{name}.openpyxl.xlsx")
    for name, fields in (
        ("gnumeric_label_value.xlsx", "label_value"),
        ("gnumeric_labels_over_values.xlsx", "over"),
    ):
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        write_form(ws, PEOPLE, fields)
        made[name] = _save(wb, out / f"{name}.openpyxl.xlsx")
    return made


def _save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def run(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=180)


def soffice(profile: Path, args: list[str]) -> None:
    run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}", *args])


def main() -> int:
    for tool in ("pandoc", "ssconvert", "soffice"):
        if shutil.which(tool) is None:
            print(f"{tool} is needed", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, source in PANDOC.items():
            src = work / f"{name}.html"
            src.write_text(source, encoding="utf-8")
            run(["pandoc", "-f", "html", "-t", "docx", "-o", str(HERE / name), str(src)])
        src = work / "libreoffice_split_page_break.html"
        src.write_text(PAGE_BREAK, encoding="utf-8")
        profile = work / "profile"
        soffice(profile, ["--convert-to", "docx:MS Word 2007 XML", "--outdir", str(HERE), str(src)])
        docx = HERE / "libreoffice_split_page_break.docx"
        soffice(profile, ["--convert-to", "doc:MS Word 97", "--outdir", str(HERE), str(docx)])
        soffice(profile, ["--convert-to", "odt", "--outdir", str(HERE), str(docx)])
        for name, book in workbooks(work).items():
            run(["ssconvert", "--export-type=Gnumeric_Excel:xlsx2", str(book), str(HERE / name)])
        soffice(
            profile, ["--convert-to", "ods", "--outdir", str(HERE), str(HERE / "gnumeric_two_sheets.xlsx")]
        )
    for path in sorted(HERE.iterdir()):
        if path.suffix != ".py":
            print(f"{path.name}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
