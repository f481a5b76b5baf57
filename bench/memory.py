"""Peak RSS of process() on the largest attachment the limits allow, each case in a fresh process.

padded: a real receipt xlsx (30 participants) padded with an incompressible picture
        (xl/media/image1.png) to limits.max_attachment_bytes, mailed as QQ sends it (base64).
sheet:  the heaviest sheet the limits let through: max_rows - 10 filled rows of max_cols columns
        (the receipt's 8 columns, then notes), a few MB zipped, tens of MB of sheet XML.
message: the largest message: as many padded max-size attachments as max_message_bytes holds (two).

run(case, directory) builds the message in one process (`python -m bench.memory build CASE PATH`) and
measures it in a fresh one (`... measure CASE PATH`): seconds, VmRSS before process(), VmHWM after.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import zipfile
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from intake.readers.limits import Limits
from tests.mailbuilder import MessageBuilder

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
        'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        '<sheet name="回执表" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WHEN = datetime(2023, 6, 8, 10, 0, tzinfo=timezone(timedelta(hours=8)))
HEADER = ["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]


def _row(r: int, values: Sequence[object]) -> str:
    cells = []
    for c, v in enumerate(values, start=1):
        ref = f"{get_column_letter(c)}{r}"
        if isinstance(v, str):
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
        else:
            cells.append(f'<c r="{ref}"><v>{v}</v></c>')
    return f'<row r="{r}">{"".join(cells)}</row>'


def sheet_xlsx(rows: int, cols: int, padding: int = 0) -> bytes:
    lines = [
        _row(1, ["省级教育行政部门名称：河南省教育厅"]),
        _row(2, ["会议名称和期数：中职学生管理系统培训第一期"]),
        _row(3, HEADER + [f"备注{i}" for i in range(1, cols - len(HEADER) + 1)]),
    ]
    for i in range(rows):
        person = [
            f"学员{i:04d}",
            "男女"[i % 2],
            f"郑州市第{i % 90 + 1}职业中等专业学校",
            "教师",
            13800000000 + i + 1,
            f"u{i}@example.cn",
            "2023-06-18 15:30",
            "是" if i == 0 else "否",
        ]
        lines.append(_row(i + 4, person + [f"说明{i}-{c}" for c in range(cols - len(HEADER))]))
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetData>'
        + "".join(lines)
        + "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in PARTS.items():
            zf.writestr(name, text)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        if padding:
            zf.writestr("xl/media/image1.png", b"\x89PNG\r\n\x1a\n" + os.urandom(padding), zipfile.ZIP_STORED)
    return out.getvalue()


def case_bytes(case: str, limits: Limits) -> bytes:
    if case == "sheet":
        return sheet_xlsx(limits.max_rows - 10, limits.max_cols)
    small = sheet_xlsx(30, len(HEADER))
    return sheet_xlsx(30, len(HEADER), padding=limits.max_attachment_bytes - len(small) - 400)


def vm(field: str) -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":")) / 1024


def build(case: str, path: str) -> None:
    from intake.config.settings import load_config

    limits = load_config().limits
    data = case_bytes("padded" if case == "message" else case, limits)
    # message: as many max-size attachments as fit in max_message_bytes (base64 adds 37 %)
    count = max(1, int(limits.max_message_bytes // (len(data) * 1.37 + 4096))) if case == "message" else 1
    builder = MessageBuilder(
        sender="hn@haedu.gov.cn",
        sender_name="河南报名",
        to="yaoy@moe.edu.cn",
        client="qq",
        subject="河南报名回执",
        date=WHEN,
    ).text("附件是报名回执。")
    for i in range(count):
        builder.attach(f"河南省报名回执{i + 1}.xlsx", data[:-16] + os.urandom(16) if i else data)
    raw = builder.build()
    assert len(raw) <= limits.max_message_bytes, len(raw)
    with open(path, "wb") as f:
        f.write(raw)
    print(json.dumps({"attachment_mb": len(data) / 2**20, "attachments": count}))


def measure(case: str, path: str) -> dict:
    """In this (fresh) process: read the message, then process() it."""
    from intake.config.settings import load_config
    from intake.pipeline.process import Context, process

    config = load_config()
    with open(path, "rb") as f:
        raw = f.read()
    before = vm("VmRSS")
    start = time.perf_counter()
    outcome = process(
        raw, Context(config.notice, config.policy, config.limits), mailbox="yaoy@moe.edu.cn", received=WHEN
    )
    return {
        "case": case,
        "message_mb": len(raw) / 2**20,
        "seconds": time.perf_counter() - start,
        "rows": len(outcome.verdict.participants),
        "status": outcome.verdict.status,
        "rss_before_mb": before,
        "rss_peak_mb": vm("VmHWM"),
    }


def run(case: str, directory: str) -> dict:
    """Build the message in one process, measure it in another; the figures of the second."""
    import subprocess

    path = os.path.join(directory, f"memory-{case}.eml")
    env = dict(os.environ, PYTHONPATH=ROOT)
    built = json.loads(
        subprocess.run(
            [sys.executable, "-m", "bench.memory", "build", case, path],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    out = subprocess.run(
        [sys.executable, "-m", "bench.memory", "measure", case, path],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    os.unlink(path)
    return {**json.loads(out), **built}


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
    else:
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
