"""Messages as provincial staff's clients and gateways really write them, written here byte by byte.

Each case is a class of input found wrong by probing `intake check` with hand-written messages.
"""

from __future__ import annotations

import base64
from datetime import datetime
from urllib.parse import quote

import pytest

from intake.mime.message import decode_message
from intake.pipeline.process import Context, process
from intake.readers.limits import Limits
from rules.verdict import Verdict
from tests.helpers import CST, notice
from tests.receipts import receipt_xlsx

WHEN = datetime(2023, 6, 1, 10, 0, tzinfo=CST)
HN = [("王喆", "男", "河南省教育厅", "13900001111"), ("李堃", "女", "开封市教育局", "13900002222")]
XLSX = receipt_xlsx("河南省教育厅", "中职学生管理系统培训第一期", HN)


def b64(data: bytes) -> bytes:
    text = base64.b64encode(data)
    return b"\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))


def gbk_word(text: str) -> bytes:
    return b"=?GBK?B?" + base64.b64encode(text.encode("gbk")) + b"?="


def mixed(subject: bytes, *parts: bytes) -> bytes:
    head = (
        b"From: " + gbk_word("王喆") + b" <hn@haedu.gov.cn>\r\nTo: yaoy@moe.edu.cn\r\n"
        b"Date: Thu, 1 Jun 2023 09:58:00 +0800\r\nMessage-ID: <probe.1@haedu.gov.cn>\r\n"
        b"MIME-Version: 1.0\r\nSubject: "
        + subject
        + b'\r\nContent-Type: multipart/mixed; boundary="=_B"\r\n\r\n'
    )
    return head + b"".join(b"--=_B\r\n" + p + b"\r\n" for p in parts) + b"--=_B--\r\n"


NOTE = b"Content-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(
    "姚老师：附件是我省报名回执，请查收。".encode("gbk")
)


def run(raw: bytes) -> Verdict:
    return process(raw, Context(notice(), limits=Limits()), mailbox="yaoy@moe.edu.cn", received=WHEN).verdict


@pytest.mark.parametrize("label", ["text/plain", "text/plain; charset=GBK", "text/html"])
def test_unnamed_spreadsheet_labelled_text_is_an_attachment_not_a_second_body(label: str) -> None:
    part = label.encode() + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(XLSX)
    raw = mixed(gbk_word("河南省报名回执"), NOTE, b"Content-Type: " + part)
    decoded = decode_message(raw)
    assert [a.data for a in decoded.attachments] == [XLSX]
    assert "附件是我省报名回执" in decoded.text
    v = run(raw)
    assert v.status == "accepted" and [p.name for p in v.participants] == ["王喆", "李堃"]


def test_unnamed_spreadsheet_labelled_text_as_the_only_part_is_read() -> None:
    raw = mixed(
        gbk_word("河南省报名回执"),
        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(XLSX),
    )
    assert run(raw).status == "accepted"


def test_a_text_body_stays_a_body() -> None:
    decoded = decode_message(mixed(gbk_word("河南省报名回执"), NOTE))
    assert decoded.attachments == () and decoded.text == "姚老师：附件是我省报名回执，请查收。"


@pytest.mark.parametrize("width", [7, 10, 13, 40])
def test_rfc2231_gbk_file_name_cut_inside_a_percent_escape_comes_through_whole(width: int) -> None:
    name = "附件1：河南省报名回执表（中职学生管理系统培训）.xlsx"
    escaped = quote(name.encode("gbk"), safe="")
    cuts = [escaped[i : i + width] for i in range(0, len(escaped), width)]
    params = b";\r\n".join(
        b"\tfilename*%d*=%s%s" % (i, b"gbk''" if i == 0 else b"", cut.encode()) for i, cut in enumerate(cuts)
    )
    part = (
        b"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
        b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment;\r\n"
        + params
        + b"\r\n\r\n"
        + b64(XLSX)
    )
    decoded = decode_message(mixed(b"=?GBK?B?" + base64.b64encode("回执".encode("gbk")) + b"?=", NOTE, part))
    assert [a.filename for a in decoded.attachments] == [name]
