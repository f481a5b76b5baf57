"""Outlook in rich-text mode: the receipt inside winmail.dat (application/ms-tnef) is read, or explained.

The winmail.dat files are written per MS-OXTNEF by tests/tnef_builder.py (checked by hand against
the tnefparse package, which reads the same names and bytes and accepts their checksums).
"""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from intake.mime.message import decode_message
from intake.mime.tnef import SIGNATURE, open_tnef
from intake.pipeline.process import Context, process
from intake.readers.limits import Limits
from rules.verdict import Verdict
from tests.helpers import CST, notice
from tests.mailbuilder import MessageBuilder
from tests.receipts import receipt_xlsx
from tests.tnef_builder import TnefAttachment, winmail_dat

WHEN = datetime(2023, 6, 1, 10, 0, tzinfo=CST)
HN = [("王喆", "男", "河南省教育厅", "13900001111"), ("李堃", "女", "开封市教育局", "13900002222")]
XLSX = receipt_xlsx("河南省教育厅", "中职学生管理系统培训第一期", HN)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def outlook_rich_text(tnef: bytes, subject: str = "河南省中职学生管理系统培训报名回执") -> bytes:
    """Outlook's rich-text message: a plain body beside application/ms-tnef named winmail.dat."""
    return (
        MessageBuilder(sender="hn@haedu.gov.cn", sender_name="王喆", to="yaoy@moe.edu.cn", client="outlook")
        .header("Subject", MessageBuilder(client="outlook").encode_header_text(subject))
        .header("X-MS-Has-Attach", "yes")
        .header("X-MS-TNEF-Correlator", "<00000000C2B8F3A1@haedu.gov.cn>")
        .text("姚老师：\r\n附件是我省报名回执，请查收。")
        .attach("winmail.dat", tnef, "application/ms-tnef")
        .build()
    )


def run(raw: bytes) -> Verdict:
    return process(raw, Context(notice(), limits=Limits()), mailbox="yaoy@moe.edu.cn", received=WHEN).verdict


def test_long_file_name_from_mapi_wins_over_the_8_3_title() -> None:
    tnef = winmail_dat([TnefAttachment("HNBMHZ~1.XLS", XLSX, "附件1：河南省报名回执.xlsx")])
    contents = open_tnef(tnef)
    assert [(f.filename, f.data) for f in contents.files] == [("附件1：河南省报名回执.xlsx", XLSX)]
    assert (contents.skipped, contents.damaged) == (0, False)


def test_long_file_name_in_the_code_page_936_as_older_outlook_writes_it() -> None:
    tnef = winmail_dat([TnefAttachment("HNBMHZ~1.XLS", XLSX, "附件1：河南报名回执（喆）.xlsx", string8=True)])
    assert [f.filename for f in open_tnef(tnef).files] == ["附件1：河南报名回执（喆）.xlsx"]


def test_receipt_in_winmail_dat_inside_a_forwarded_message_is_read() -> None:
    inner = outlook_rich_text(winmail_dat([TnefAttachment("HN~1.XLS", XLSX, "河南报名回执.xlsx")]))
    raw = (
        MessageBuilder(
            sender="hn@haedu.gov.cn", to="yaoy@moe.edu.cn", client="qq", subject="转发：河南省报名回执"
        )
        .text("转发")
        .attach_message(inner)
        .build()
    )
    assert [a.filename for a in decode_message(raw).attachments] == ["河南报名回执.xlsx"]
    assert run(raw).status == "accepted"


def test_gbk_title_alone_names_the_file_in_code_page_936() -> None:
    contents = open_tnef(winmail_dat([TnefAttachment("河南报名回执.xlsx", XLSX)]))
    assert [f.filename for f in contents.files] == ["河南报名回执.xlsx"]


def test_every_attachment_in_order_and_an_embedded_item_is_counted_not_taken() -> None:
    tnef = winmail_dat(
        [
            TnefAttachment("image001.png", PNG),
            TnefAttachment("RECEIPT.XLS", XLSX, "报名回执.xlsx", mime_tag="application/vnd.ms-excel"),
            TnefAttachment("转发的邮件", None),
        ]
    )
    contents = open_tnef(tnef)
    assert [(f.filename, f.content_type) for f in contents.files] == [
        ("image001.png", ""),
        ("报名回执.xlsx", "application/vnd.ms-excel"),
    ]
    assert contents.skipped == 1 and not contents.damaged


def test_a_stream_cut_short_keeps_the_files_before_the_cut() -> None:
    whole = winmail_dat([TnefAttachment("a.xlsx", XLSX), TnefAttachment("b.xlsx", XLSX)])
    contents = open_tnef(whole[: len(whole) - len(XLSX) // 2])
    assert [f.filename for f in contents.files] == ["a.xlsx"] and contents.damaged


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_after_the_signature_give_contents_never_an_exception(tail: bytes) -> None:
    contents = open_tnef(SIGNATURE + tail)
    assert all(isinstance(f.data, bytes) for f in contents.files)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=6, max_value=2000), st.binary(min_size=1, max_size=8))
def test_a_real_stream_damaged_anywhere_never_raises(at: int, junk: bytes) -> None:
    whole = winmail_dat([TnefAttachment("回执.xlsx", XLSX[:1500], "河南报名回执.xlsx")])
    contents = open_tnef(whole[:at] + junk + whole[at + len(junk) :])
    assert len(contents.files) <= 1


def test_decoded_message_lists_the_files_inside_not_winmail_dat() -> None:
    tnef = winmail_dat(
        [TnefAttachment("image001.png", PNG), TnefAttachment("HN~1.XLS", XLSX, "河南报名回执.xlsx")]
    )
    decoded = decode_message(outlook_rich_text(tnef))
    assert [a.filename for a in decoded.attachments] == ["image001.png", "河南报名回执.xlsx"]
    assert decoded.attachments[1].data == XLSX and not decoded.attachments[1].nested
    assert "附件是我省报名回执" in decoded.text


def test_receipt_inside_winmail_dat_is_read_and_confirmed() -> None:
    v = run(
        outlook_rich_text(winmail_dat([TnefAttachment("HNBMHZ~1.XLS", XLSX, "附件1：河南报名回执.xlsx")]))
    )
    assert (v.status, v.program, v.period, v.province) == ("accepted", "zz-student", 1, "河南")
    assert [p.name for p in v.participants] == ["王喆", "李堃"]


def test_receipt_found_by_its_long_name_when_the_subject_says_nothing() -> None:
    tnef = winmail_dat([TnefAttachment("HNBMHZ~1.XLS", XLSX, "河南省报名回执表.xlsx")])
    v = run(outlook_rich_text(tnef, subject="材料"))
    assert v.status == "accepted" and len(v.participants) == 2


def test_winmail_dat_that_cannot_be_opened_is_explained_asking_for_a_normal_attachment() -> None:
    whole = winmail_dat([TnefAttachment("河南报名回执.xlsx", XLSX)])
    v = run(outlook_rich_text(whole[:200]))
    assert v.status == "rejected"
    [problem] = v.problems
    assert problem.code == "unreadable_attachment" and "winmail.dat" in problem.message
    assert "Outlook" in problem.message and "普通附件" in problem.message


def test_winmail_dat_holding_only_an_embedded_item_is_explained_not_silent() -> None:
    v = run(outlook_rich_text(winmail_dat([TnefAttachment("转发：河南报名回执", None)])))
    assert v.status == "rejected"
    assert [p.code for p in v.problems] == ["unreadable_attachment"]
    assert "winmail.dat" in v.problems[0].message
