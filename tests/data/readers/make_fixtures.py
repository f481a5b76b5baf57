"""Make the office files checked in next to this script, from one filled 报名回执表.

Run with the project venv (openpyxl) on a machine with LibreOffice:

    .venv/bin/python tests/data/readers/make_fixtures.py

1. openpyxl writes a source workbook (title and header lines as merged rows,
   dates with a date format, phone numbers as numbers, a hidden sheet, an
   empty sheet); LibreOffice re-saves it as receipt.xlsx and receipt.xls;
   receipt.et is a copy of receipt.xls (a WPS .et is the same BIFF8 file).
2. Two HTML pages go through LibreOffice Writer to .docx: one with the header
   lines as paragraphs above the table, one with them as merged table rows
   (both with a vertically merged 单位 cell).  Writer also saves a Word 97 .doc.
3. LibreOffice, driven over UNO by the system python3 (python3-uno), saves
   password-protected copies: receipt_encrypted.xlsx (an OLE file holding an
   EncryptedPackage stream) and receipt_encrypted.xls (BIFF8 with FILEPASS).
   The password is 123456.

LibreOffice runs with a throw-away profile so it does not touch anyone's own.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
HEADER_LINES = ["省级教育行政部门名称：河南省教育厅", "会议名称和期数：中职学生管理系统培训第一期"]
TITLE = "中职学生管理系统培训报名回执表"
COLUMNS = ["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]
PEOPLE = [
    [
        "王喆",
        "男",
        "郑州市教育局",
        "科长",
        13838012345,
        "wangzhe@zzedu.gov.cn",
        datetime(2023, 6, 19, 15, 30),
        "是",
    ],
    [
        "李堃",
        "男",
        "洛阳职业技术学院",
        "学生处处长",
        15036987412,
        "likun@lyvtc.edu.cn",
        datetime(2023, 6, 19, 18, 0),
        "否",
    ],
    [
        "张婷婷",
        "女",
        "洛阳职业技术学院",
        "学生处副处长",
        18603711234,
        "zhangtt@lyvtc.edu.cn",
        datetime(2023, 6, 20, 9, 15),
        "否",
    ],
    [
        "赵雯",
        "女",
        "开封市中等职业学校",
        "教务主任",
        13703782211,
        "zhaowen@kfzz.edu.cn",
        datetime(2023, 6, 19, 20, 45),
        "否",
    ],
]
FOOTER = "联系人：王喆　联系电话：0371-65901234"
NOTE = "注：请于6月12日前将回执发送至 hnzz_peixun@163.com"

UNO_SAVE = r"""
import subprocess, sys, time, uno
from com.sun.star.beans import NamedValue, PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

def named(name, value):
    n = NamedValue(); n.Name = name; n.Value = value; return n

def protection(filt, password):
    if "2007" not in filt:  # BIFF8: a FILEPASS record
        return (prop("Password", password),)
    # OOXML: LibreOffice 7 wants the crypto engine named; "Standard" = ECMA-376 standard encryption
    data = (named("OOXPassword", password), named("CryptoType", "Standard"))
    return (prop("EncryptionData", uno.Any("[]com.sun.star.beans.NamedValue", data)),)

profile, pipe, jobs = sys.argv[1], sys.argv[2], sys.argv[3:]
office = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "--nologo",
                           "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
                           "--accept=pipe,name=%s;urp;" % pipe])
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
for _ in range(100):
    try:
        ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
        break
    except Exception:
        time.sleep(0.2)
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
try:
    for job in jobs:
        src, dst, filt, password = job.split("|")
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
        try:
            args = (prop("FilterName", filt),) + protection(filt, password)
            uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(dst), args))
        finally:
            doc.close(True)
finally:
    try:
        desktop.terminate()
    except Exception:
        pass
    office.wait(30)
"""


def source_workbook(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "回执表"
    ws.append([TITLE])
    ws.merge_cells("A1:H1")
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    for line in HEADER_LINES:
        ws.append([line])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=8)
    ws.append(COLUMNS)
    for person in PEOPLE:
        ws.append(person)
        ws.cell(ws.max_row, 7).number_format = "yyyy-mm-dd hh:mm"
        ws.cell(ws.max_row, 5).number_format = "0"
    ws.append([FOOTER])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=8)
    hidden = wb.create_sheet("填表说明")
    hidden.append(["此表仅供填写参考，请勿修改"])
    hidden.sheet_state = "hidden"
    wb.create_sheet("Sheet3")
    wb.save(path)


def receipt_html(header_as_rows: bool) -> str:
    def cell(value: object, extra: str = "") -> str:
        text = value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value)
        return f"<td{extra}>{text}</td>"

    paragraphs = "" if header_as_rows else "".join(f"<p>{line}</p>" for line in HEADER_LINES)
    rows = [f'<tr><td colspan="8" align="center"><b>{TITLE}</b></td></tr>'] if header_as_rows else []
    rows += [f'<tr><td colspan="8">{line}</td></tr>' for line in HEADER_LINES] if header_as_rows else []
    rows.append("<tr>" + "".join(f"<td><b>{c}</b></td>" for c in COLUMNS) + "</tr>")
    for i, person in enumerate(PEOPLE):
        cells = []
        for j, value in enumerate(person):
            if j == 2 and i == 1:
                cells.append(cell(value, ' rowspan="2"'))  # 李堃 and 张婷婷 share one 单位 cell
            elif j == 2 and i == 2:
                continue
            else:
                cells.append(cell(value))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    title = "" if header_as_rows else f'<p align="center"><b>{TITLE}</b></p>'
    return (
        f'<html><head><meta charset="utf-8"></head><body><p>附件2</p>{title}{paragraphs}'
        f'<table border="1">{"".join(rows)}</table><p>{FOOTER}</p><p>{NOTE}</p></body></html>'
    )


def soffice(profile: Path, args: list[str]) -> None:
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}", *args],
        check=True,
        capture_output=True,
        timeout=180,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        profile = work / "profile"
        out = work / "out"
        source = work / "receipt.xlsx"
        source_workbook(source)
        soffice(profile, ["--convert-to", "xls:MS Excel 97", "--outdir", str(out), str(source)])
        soffice(
            profile,
            ["--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(out / "receipt.xls")],
        )
        for name, as_rows in (("receipt_paragraphs", False), ("receipt_merged_rows", True)):
            page = work / f"{name}.html"
            page.write_text(receipt_html(as_rows), encoding="utf-8")
            soffice(
                profile,
                [
                    "--infilter=HTML (StarWriter)",
                    "--convert-to",
                    "docx:MS Word 2007 XML",
                    "--outdir",
                    str(out),
                    str(page),
                ],
            )
        soffice(
            profile,
            ["--convert-to", "doc:MS Word 97", "--outdir", str(out), str(out / "receipt_paragraphs.docx")],
        )
        jobs = [
            f"{out / 'receipt.xlsx'}|{out / 'receipt_encrypted.xlsx'}|Calc MS Excel 2007 XML|123456",
            f"{out / 'receipt.xls'}|{out / 'receipt_encrypted.xls'}|MS Excel 97|123456",
        ]
        subprocess.run(
            ["/usr/bin/python3", "-c", UNO_SAVE, str(work / "uno-profile"), "fixtures_uno", *jobs],
            check=True,
            timeout=300,
        )
        for name in (
            "receipt.xlsx",
            "receipt.xls",
            "receipt_paragraphs.docx",
            "receipt_merged_rows.docx",
            "receipt_encrypted.xlsx",
            "receipt_encrypted.xls",
        ):
            shutil.copyfile(out / name, HERE / name)
        shutil.copyfile(out / "receipt.xls", HERE / "receipt.et")
        shutil.copyfile(out / "receipt_paragraphs.doc", HERE / "receipt_word97.doc")
    for path in sorted(HERE.iterdir()):
        if path.suffix != ".py":
            sys.stderr.write(f"{path.name}: {path.stat().st_size} bytes\n")


if __name__ == "__main__":
    main()
