"""Messages as provincial staff's clients and gateways really write them, written here byte by byte.

Each case is a class of input found wrong by probing `intake check` with hand-written messages.
"""

from __future__ import annotations

import base64
import binascii
import io
from datetime import datetime
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.mime.message import decode_message
from intake.mime.uuencode import take_uuencoded
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
    assert [(a.filename, a.data) for a in decoded.attachments] == [("附件1.xlsx", XLSX)]
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


ROSTER_TEXT = (
    "姚老师好，报名信息如下：\n省级教育行政部门名称：河南省教育厅\n会议名称和期数：中职学生管理系统培训第一期\n"
    "姓名\t性别\t单位\t职务\t手机\t电子邮箱\t抵达酒店时间\t领队\n"
    "王喆\t男\t河南省教育厅\t科长\t13900001111\twz@163.com\t6月19日上午\t是\n"
    "李堃\t女\t开封市教育局\t主任\t13900002222\tlk@qq.com\t6月19日下午\t\n"
)


def single(subject: str, content_type: bytes, body: bytes, cte: bytes = b"8bit") -> bytes:
    return (
        b"From: hn@haedu.gov.cn\r\nTo: yaoy@moe.edu.cn\r\nDate: Thu, 1 Jun 2023 09:58:00 +0800\r\n"
        b"Message-ID: <probe.2@haedu.gov.cn>\r\nMIME-Version: 1.0\r\nSubject: " + gbk_word(subject) + b"\r\n"
        b"Content-Type: " + content_type + b"\r\nContent-Transfer-Encoding: " + cte + b"\r\n\r\n" + body
    )


@pytest.mark.parametrize("label", [b"iso-8859-1", b"ISO-8859-1", b"windows-1252", b"us-ascii"])
def test_gbk_roster_typed_in_a_body_under_a_latin_label_is_read(label: bytes) -> None:
    raw = single("河南省报名回执", b"text/plain; charset=" + label, ROSTER_TEXT.encode("gbk"))
    assert decode_message(raw).text.startswith("姚老师好")
    v = run(raw)
    assert v.status == "accepted" and [p.name for p in v.participants] == ["王喆", "李堃"]


def test_utf8_html_under_a_latin_label_is_read_as_utf8() -> None:
    html = "<p>姚老师好</p><table><tr><td>姓名</td><td>性别</td></tr></table>"
    raw = single("回执", b"text/html; charset=iso-8859-1", html.encode())
    assert "姚老师好" in decode_message(raw).html


@pytest.mark.parametrize(
    "text", ["Müller Größe café", "Ça va très bien, merci à vous", "Preis: 5 €", "Señor José"]
)
def test_real_latin_text_under_its_label_stays_latin(text: str) -> None:
    codec = "cp1252" if "€" in text else "latin-1"
    raw = single("hello", b"text/plain; charset=" + codec.encode(), text.encode(codec))
    assert decode_message(raw).text == text


def outcome_of(raw: bytes) -> str:
    return str(
        process(raw, Context(notice(), limits=Limits()), mailbox="yaoy@moe.edu.cn", received=WHEN).disposition
    )


@pytest.mark.parametrize(
    ("subject", "words"),
    [
        ("咨询", "姚老师您好，请问第二期还有名额吗？\n河南省教育厅 王喆"),
        ("关于中职学生管理系统培训报名的问题", "姚老师您好，请问第二期还有名额吗？我省想多报一人。"),
        ("报名", "请问报名截止是哪天？"),
        ("培训住宿", "老师好，河南参训人员能否提前一天入住？"),
    ],
)
def test_a_provinces_question_with_no_file_goes_to_a_person_not_a_no_form_reply(
    subject: str, words: str
) -> None:
    raw = single(subject, b"text/plain; charset=GBK", words.encode("gbk"))
    assert outcome_of(raw) == "question"


@pytest.mark.parametrize(
    ("subject", "words"),
    [
        ("周末聚餐", "周六晚上一起吃饭吗？"),
        ("海南旅游", "海南好玩吗？"),  # a unit in the subject only is no sign
    ],
)
def test_a_question_with_no_word_of_ours_is_still_not_ours(subject: str, words: str) -> None:
    raw = single(subject, b"text/plain; charset=GBK", words.encode("gbk"))
    assert outcome_of(raw) == "unrelated"


def test_a_covering_note_that_forgot_its_file_is_still_asked_for_the_file() -> None:
    raw = single("河南省报名回执", b"text/plain; charset=GBK", "附件是我省报名回执，请查收。".encode("gbk"))
    v = run(raw)
    assert v.status == "rejected" and [p.code for p in v.problems] == ["no_form"]


def test_intake_check_says_a_question_goes_to_a_person() -> None:
    from intake.cli.report import render_text  # noqa: PLC0415 - only this test renders

    raw = single("咨询", b"text/plain; charset=GBK", "请问第二期还有名额吗？河南省教育厅 王喆".encode("gbk"))
    assert render_text(run(raw), notice()).startswith("结论：转人工")


def excel_row(cells: list[str]) -> str:
    """A row as Excel puts it on the clipboard: a mobile in a narrow column shows as 1.39E+10 or
    ####, its full value in x:num."""
    out = []
    for cell in cells:
        if cell.isdigit() and len(cell) == 11:
            shown = "1.39E+10" if cell.endswith("1") else "########"
            out.append(f'<td class=xl66 align=right x:num="{cell}">{shown}</td>')
        else:
            out.append(f"<td class=xl65>{cell}</td>")
    return "<tr height=19 style='height:14.25pt'>" + "".join(out) + "</tr>"


def test_roster_pasted_from_excel_into_outlook_reads_the_full_mobile_not_its_display() -> None:
    from tests.mailbuilder import MessageBuilder  # noqa: PLC0415 - only these Outlook bodies use it

    rows = [
        ["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"],
        ["王喆", "男", "河南省教育厅", "科长", "13900001111", "wz@163.com", "6月19日上午", "是"],
        ["李堃", "女", "开封市教育局", "主任", "13900002222", "lk@qq.com", "6月19日下午", ""],
    ]
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
        "<body lang=ZH-CN><p class=MsoNormal>姚老师好：<o:p></o:p></p>"
        "<p class=MsoNormal>省级教育行政部门名称：河南省教育厅<o:p></o:p></p>"
        "<p class=MsoNormal>会议名称和期数：中职学生管理系统培训第一期<o:p></o:p></p>"
        "<!--[if gte mso 9]><xml><x:ExcelWorkbook></x:ExcelWorkbook></xml><![endif]-->"
        "<table border=0 cellpadding=0 cellspacing=0 width=576 style='border-collapse:collapse'>"
        "<col width=72 span=8>" + "".join(excel_row(r) for r in rows) + "</table></body></html>"
    )
    raw = (
        MessageBuilder(
            sender="hn@haedu.gov.cn", to="yaoy@moe.edu.cn", client="outlook", subject="河南省报名回执"
        )
        .html(html)
        .build()
    )
    v = run(raw)
    assert v.status == "accepted"
    assert [p.mobile for p in v.participants] == ["13900001111", "13900002222"]


def uuencoded(name: bytes, data: bytes) -> bytes:
    """A file as Outlook Express writes it into the body (binascii's uuencode, 45 bytes a line)."""
    lines = b"".join(binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45))
    return b"begin 644 " + name + b"\r\n" + lines.replace(b"\n", b"\r\n") + b"`\r\nend\r\n"


def test_receipt_uuencoded_in_a_plain_body_is_an_attachment_and_the_note_stays_the_body() -> None:
    note = "姚老师：附件是我省报名回执。\r\n\r\n".encode("gbk")
    body = note + uuencoded("河南报名回执.xlsx".encode("gbk"), XLSX) + "王喆\r\n".encode("gbk")
    raw = single("河南省报名回执", b"text/plain; charset=gb2312", body, b"7bit")
    decoded = decode_message(raw)
    assert [(a.filename, a.data) for a in decoded.attachments] == [("河南报名回执.xlsx", XLSX)]
    assert "begin" not in decoded.text and "附件是我省报名回执" in decoded.text and "王喆" in decoded.text
    v = run(raw)
    assert v.status == "accepted" and len(v.participants) == 2


def test_words_that_only_look_like_a_uuencode_start_stay_in_the_body() -> None:
    text = "begin 644 is how a file starts\r\n这不是附件\r\nend\r\n"
    decoded = decode_message(single("说明", b"text/plain; charset=GBK", text.encode("gbk")))
    assert decoded.attachments == () and "这不是附件" in decoded.text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.booleans())
def test_any_bytes_in_a_uuencoded_block_give_a_body_never_an_exception(junk: bytes, ended: bool) -> None:
    body = b"note\r\nbegin 644 a.xlsx\r\n" + junk + (b"\r\n`\r\nend\r\n" if ended else b"")
    rest, files = take_uuencoded(body)
    assert isinstance(rest, bytes) and len(files) <= 1


@pytest.mark.parametrize(("label", "encoding"), [(b"GBK", b"base64"), (b"gb2312", b"8bit")])
def test_utf8_roster_body_under_a_gb_label_is_read_as_utf8(label: bytes, encoding: bytes) -> None:
    data = ROSTER_TEXT.encode("utf-8")
    body = b64(data) if encoding == b"base64" else data
    raw = single("河南省报名回执", b"text/plain; charset=" + label, body, encoding)
    assert decode_message(raw).text.startswith("姚老师好")
    v = run(raw)
    assert v.status == "accepted" and [p.name for p in v.participants] == ["王喆", "李堃"]


@pytest.mark.parametrize(
    "words", ["王建国", "姚老师：附件是我省报名回执，请查收。河南省教育厅 王喆 13900001111"]
)
def test_gbk_body_under_its_label_stays_gbk(words: str) -> None:
    raw = single("回执", b"text/plain; charset=GBK", words.encode("gbk"))
    assert decode_message(raw).text == words


def test_a_question_with_the_notice_attached_goes_to_a_person_not_a_no_form_reply() -> None:
    from openpyxl import Workbook  # noqa: PLC0415 - only this test writes a sheet that is no receipt

    from tests.mailbuilder import MessageBuilder  # noqa: PLC0415 - as above

    book = Workbook()
    for line in ("关于举办中职学生管理系统培训的通知", "各省级教育行政部门：", "第二期 7月 开封"):
        book.active.append([line])
    sheet = io.BytesIO()
    book.save(sheet)
    raw = (
        MessageBuilder(
            sender="hn@haedu.gov.cn", to="yaoy@moe.edu.cn", client="163", subject="咨询中职学生管理系统培训"
        )
        .text("姚老师好，请问附件通知中的第二期还有名额吗？")
        .attach("通知.xlsx", sheet.getvalue())
        .build()
    )
    assert outcome_of(raw) == "question"
