"""Make the legacy-format and PDF fixtures checked in next to this script.

Run with the project venv (openpyxl, Pillow, pypdfium2) on a machine with
LibreOffice and a CJK font (Debian fonts-noto-cjk):

    .venv/bin/python tests/data/legacy/make_fixtures.py

One filled 报名回执表 (eight people of 河南省, the header lines as paragraphs above
the table, one vertically merged 单位 cell) in the style of tests/data/readers:

1. LibreOffice Writer turns the HTML page into receipt.odt (writer8), then the
   .odt into receipt.doc (MS Word 97: an OLE file with a WordDocument stream;
   a WPS .wps is the same file), into receipt.rtf (Rich Text Format, as WordPad
   and "save as RTF" write it) and into receipt.pdf (writer_pdf_Export: a PDF
   with a text layer, as Word or WPS export it); receipt_encrypted.pdf is the
   same PDF with the open password 123456; receipt_long.pdf is a 60-person
   roster whose table runs over three pages; receipt_unruled.pdf has the
   table without any borders.
2. openpyxl writes a source workbook that LibreOffice Calc re-saves as receipt.ods.
3. receipt_scan.pdf is the scanned copy: receipt.pdf's page rendered by
   pdfium at 200 dpi in colour, given a red seal over the e-mail column,
   turned 1.2 degrees, put on off-white paper with grain, salt-and-pepper
   noise and a slight blur, then stored as a JPEG inside a PDF by Pillow (an
   image-only PDF, as a scanner makes it).

LibreOffice runs with a throw-away profile so it does not touch anyone's own.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER_LINES = ["省级教育行政部门名称：河南省教育厅", "会议名称和期数：中职学生管理系统培训第一期"]
TITLE = "中职学生管理系统培训报名回执表"
COLUMNS = ["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]
# The 单位 of rows 2 and 3 is one vertically merged cell in the documents.
PEOPLE = [
    ["王喆", "男", "河南省教育厅", "处长", "13838012345", "wangzhe@haedu.gov.cn", "2023-06-19 15:30", "是"],
    [
        "李堃",
        "男",
        "洛阳职业技术学院",
        "学生处处长",
        "15036987412",
        "likun@lyvtc.edu.cn",
        "2023-06-19 18:00",
        "否",
    ],
    [
        "张婷婷",
        "女",
        "洛阳职业技术学院",
        "学生处副处长",
        "18603711234",
        "zhangtt@lyvtc.edu.cn",
        "2023-06-20 09:15",
        "否",
    ],
    [
        "赵雯",
        "女",
        "开封市中等职业学校",
        "教务主任",
        "13703782211",
        "zhaowen@kfzz.edu.cn",
        "2023-06-19 20:45",
        "否",
    ],
    ["刘洋", "男", "郑州市教育局", "科长", "13592606789", "liuyang@zzedu.gov.cn", "2023-06-19 16:10", "否"],
    [
        "陈静",
        "女",
        "南阳市第一职业中专",
        "学生科科长",
        "15890856432",
        "chenjing@nyzz.edu.cn",
        "2023-06-20 10:00",
        "否",
    ],
    [
        "孙明",
        "男",
        "新乡职业技术学院",
        "信息中心主任",
        "18937306655",
        "sunming@xxvtc.edu.cn",
        "2023-06-19 21:30",
        "否",
    ],
    [
        "周敏",
        "女",
        "安阳市教育局",
        "职成科副科长",
        "13623720918",
        "zhoumin@ayedu.gov.cn",
        "2023-06-19 14:20",
        "否",
    ],
]
FOOTER = "联系人：王喆　联系电话：0371-65901234"
SCAN_DPI = 200


def long_people(count: int = 60) -> list[list[str]]:
    """A roster long enough to run over a page: the eight people, then numbered ones."""
    out = [list(p) for p in PEOPLE]
    for i in range(len(out), count):
        out.append(
            [
                f"学员{i + 1:02d}",
                "男" if i % 2 else "女",
                f"河南第{i + 1}中等职业学校",
                "教师",
                f"1390371{i:04d}",
                f"p{i + 1}@hnzz.edu.cn",
                "2023-06-19 15:00",
                "否",
            ]
        )
    return out


def receipt_html(people: list[list[str]] | None = None, border: int = 1) -> str:
    rows = ["<tr>" + "".join(f"<td><b>{c}</b></td>" for c in COLUMNS) + "</tr>"]
    for i, person in enumerate(people or PEOPLE):
        cells = []
        for j, value in enumerate(person):
            if j == 2 and i == 1:
                cells.append(f'<td rowspan="2">{value}</td>')
            elif j == 2 and i == 2:
                continue
            else:
                cells.append(f"<td>{value}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    lines = "".join(f"<p>{line}</p>" for line in HEADER_LINES)
    return (
        '<html><head><meta charset="utf-8"><style>td{font-size:10.5pt}</style></head><body>'
        f'<p>附件2</p><p align="center"><b>{TITLE}</b></p>{lines}'
        f'<table border="{border}" cellpadding="4" width="100%">{"".join(rows)}</table><p>{FOOTER}</p></body></html>'
    )


def source_workbook(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "回执表"
    ws.append([TITLE])
    ws.merge_cells("A1:H1")
    for line in HEADER_LINES:
        ws.append([line])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=8)
    ws.append(COLUMNS)
    for person in PEOPLE:
        row: list[str | int | datetime] = list(person)
        row[4] = int(person[4])
        row[6] = datetime.strptime(person[6], "%Y-%m-%d %H:%M")
        ws.append(row)
        ws.cell(ws.max_row, 7).number_format = "yyyy-mm-dd hh:mm"
        ws.cell(ws.max_row, 5).number_format = "0"
    ws.append([FOOTER])
    wb.save(path)


def soffice(profile: Path, args: list[str]) -> None:
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}", *args],
        check=True,
        capture_output=True,
        timeout=180,
    )


def scan(pdf: bytes, seed: int = 2023) -> bytes:
    """A scanned-looking, image-only PDF of the first page of pdf (a colour scan with a red stamp)."""
    import pypdfium2
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    rng = random.Random(seed)
    doc = pypdfium2.PdfDocument(pdf)
    try:
        page = doc[0]
        image = page.render(scale=SCAN_DPI / 72).to_pil().convert("RGB")
        page.close()
    finally:
        doc.close()
    w, h = image.size
    stamp = Image.new("RGB", image.size, "white")
    draw = ImageDraw.Draw(stamp)
    cx, cy, r = int(w * 0.72), int(h * 0.30), int(w * 0.09)
    for width in range(7):  # a red seal over the e-mail column, multiplied like ink
        draw.ellipse((cx - r + width, cy - r + width, cx + r - width, cy + r - width), outline=(215, 40, 45))
    draw.regular_polygon((cx, cy, r // 3), 5, fill=(215, 40, 45))
    image = ImageChops.multiply(image, stamp)
    image = image.rotate(1.2, resample=Image.Resampling.BICUBIC, expand=False, fillcolor="white")
    paper = Image.new("RGB", image.size, (238, 234, 222))  # off-white paper
    image = ImageChops.multiply(image, paper)
    grain = Image.merge("RGB", [Image.effect_noise(image.size, 20)] * 3)
    image = Image.blend(image, grain, 0.10)
    pixels = image.load()
    assert pixels is not None
    for _ in range(w * h // 400):  # salt and pepper
        x, y = rng.randrange(w), rng.randrange(h)
        pixels[x, y] = (20, 20, 20) if rng.random() < 0.5 else (250, 250, 250)
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    image.save(out, "PDF", resolution=SCAN_DPI, quality=50)
    return out.getvalue()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        profile, out = work / "profile", work / "out"
        page = work / "receipt.html"
        page.write_text(receipt_html(), encoding="utf-8")
        soffice(
            profile,
            ["--infilter=HTML (StarWriter)", "--convert-to", "odt:writer8", "--outdir", str(out), str(page)],
        )
        soffice(profile, ["--convert-to", "doc:MS Word 97", "--outdir", str(out), str(out / "receipt.odt")])
        soffice(
            profile, ["--convert-to", "rtf:Rich Text Format", "--outdir", str(out), str(out / "receipt.odt")]
        )
        soffice(
            profile, ["--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), str(out / "receipt.odt")]
        )
        encrypted = work / "encrypted"
        soffice(
            profile,
            [
                "--convert-to",
                'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
                '"DocumentOpenPassword":{"type":"string","value":"123456"}}',
                "--outdir",
                str(encrypted),
                str(out / "receipt.odt"),
            ],
        )
        shutil.copyfile(encrypted / "receipt.pdf", HERE / "receipt_encrypted.pdf")
        long_page = work / "receipt_long.html"
        long_page.write_text(receipt_html(long_people()), encoding="utf-8")
        soffice(
            profile,
            [
                "--infilter=HTML (StarWriter)",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                str(out),
                str(long_page),
            ],
        )
        shutil.copyfile(out / "receipt_long.pdf", HERE / "receipt_long.pdf")
        plain_page = work / "receipt_unruled.html"
        plain_page.write_text(receipt_html(border=0), encoding="utf-8")
        soffice(
            profile,
            [
                "--infilter=HTML (StarWriter)",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                str(out),
                str(plain_page),
            ],
        )
        shutil.copyfile(out / "receipt_unruled.pdf", HERE / "receipt_unruled.pdf")
        source = work / "receipt_src.xlsx"
        source_workbook(source)
        soffice(profile, ["--convert-to", "ods:calc8", "--outdir", str(out), str(source)])
        shutil.copyfile(out / "receipt_src.ods", HERE / "receipt.ods")
        for name in ("receipt.odt", "receipt.doc", "receipt.rtf", "receipt.pdf"):
            shutil.copyfile(out / name, HERE / name)
        (HERE / "receipt_scan.pdf").write_bytes(scan((out / "receipt.pdf").read_bytes()))
    for path in sorted(HERE.iterdir()):
        if path.suffix != ".py":
            sys.stderr.write(f"{path.name}: {path.stat().st_size} bytes\n")


if __name__ == "__main__":
    main()
