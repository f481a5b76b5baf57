"""Which attachments may hold a receipt, so that reading them (OCR, LibreOffice) is allowed when the
message is ours: every format a reader reads counts, by its name, its declared type or its content."""

from __future__ import annotations

import pytest

from intake.mime.message import decode_message
from intake.pipeline.evidence import gather
from intake.pipeline.process import Context
from rules.ours import screen
from tests.helpers import notice
from tests.mailbuilder import MessageBuilder

TIFF = b"II*\x00\x08\x00\x00\x00" + bytes(64)
BMP = b"BM" + bytes(64)
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(64)
RTF = b"{\\rtf1\\ansi\\ansicpg936 \\'d0\\'d5\\'c3\\'fb}"


@pytest.mark.parametrize(
    ("name", "data", "ctype", "record"),
    [
        ("传真.tif", TIFF, "image/tiff", True),
        ("fax", TIFF, "application/octet-stream", True),  # a fax gateway's unnamed part
        ("扫描.bmp", BMP, "image/bmp", True),
        ("截图.webp", WEBP, "image/webp", True),
        ("IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic" + bytes(64), "image/heic", True),
        ("回执.rtf", RTF, "application/msword", False),
        ("回执", RTF, "application/octet-stream", False),
        ("回执.xml", b'<?xml version="1.0"?><Workbook/>', "text/xml", False),
        ("回执.mht", b"MIME-Version: 1.0\r\n\r\n", "application/octet-stream", False),
    ],
)
def test_every_format_a_reader_reads_counts_as_a_file_and_may_be_read_at_cost(
    name: str, data: bytes, ctype: str, record: bool
) -> None:
    raw = (
        MessageBuilder(sender="x@qq.com", to="yaoy@moe.edu.cn", subject="河南省报名回执", client="163")
        .text("附件是我省报名回执，请查收。")
        .attach(name, data, ctype)
        .build()
    )
    ctx = Context(notice())
    evidence = gather(decode_message(raw), ctx.notice, ctx.limits)
    assert (evidence.record_files, evidence.form_files) == ((1, 0) if record else (0, 1))
    assert screen(evidence).costly
