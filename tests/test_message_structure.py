"""decode_message: MIME structure, attachments, forwarded messages, limits, malformed MIME."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from intake.mime.message import decode_message
from tests.mailbuilder import MessageBuilder

DATA = Path(__file__).parent / "data" / "messages"
XLSX = b"PK\x03\x04" + bytes(range(256)) * 8


def receipt_mail(client: str = "qq") -> bytes:
    return (
        MessageBuilder(sender="sx@163.com", sender_name="尹璐雪", subject="陕西省报名回执", client=client)
        .text("报名回执见附件")
        .attach("陕西报名回执.xlsx", XLSX)
        .build()
    )


def test_forwarded_message_rfc822_yields_its_attachments_not_itself() -> None:
    raw = (
        MessageBuilder(sender="office@moe.edu.cn", subject="Fwd: 陕西省报名回执", client="outlook")
        .text("转发：陕西的回执")
        .attach_message(receipt_mail(), filename="陕西省报名回执.eml")
        .build()
    )
    msg = decode_message(raw)
    assert msg.subject == "Fwd: 陕西省报名回执"
    assert msg.text == "转发：陕西的回执"
    assert [(a.filename, a.data) for a in msg.attachments] == [("陕西报名回执.xlsx", XLSX)]


def test_forwarded_message_body_is_used_when_the_outer_message_has_none() -> None:
    raw = MessageBuilder(subject="Fwd", client="apple").attach_message(receipt_mail("163")).build()
    msg = decode_message(raw)
    assert msg.text == "报名回执见附件"
    assert msg.attachments[0].filename == "陕西报名回执.xlsx"


def test_forward_inside_forward_is_walked() -> None:
    inner = MessageBuilder(subject="Fwd 1", client="thunderbird").attach_message(receipt_mail()).build()
    raw = MessageBuilder(subject="Fwd 2", client="foxmail").attach_message(inner).build()
    assert [a.filename for a in decode_message(raw).attachments] == ["陕西报名回执.xlsx"]


def test_nameless_attachments_are_named_from_their_content_type() -> None:
    raw = (
        MessageBuilder(client="163")
        .text("x")
        .attach("", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .attach("", b"\x00\x01", "application/octet-stream")
        .build()
    )
    assert [a.filename for a in decode_message(raw).attachments] == ["附件1.xlsx", "附件2.bin"]


def test_inline_image_without_filename_and_inline_csv_are_attachments() -> None:
    raw = (
        b"From: a@b.cn\r\nContent-Type: multipart/related; boundary=R\r\n\r\n"
        b"--R\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<img src=cid:x>\r\n"
        b"--R\r\nContent-Type: image/png\r\nContent-ID: <x>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(b"\x89PNG\r\n\x1a\nIMG")
        + b"\r\n"
        b"--R\r\nContent-Type: text/csv; charset=gbk\r\n\r\n" + "姓名,性别".encode("gbk") + b"\r\n--R--\r\n"
    )
    msg = decode_message(raw)
    assert msg.html == "<img src=cid:x>"
    assert [(a.filename, a.content_type) for a in msg.attachments] == [
        ("附件1.png", "image/png"),
        ("附件2.csv", "text/csv"),
    ]
    assert msg.attachments[1].data == "姓名,性别".encode("gbk")
    assert [a.inline for a in msg.attachments] == [True, False]


def test_text_part_with_a_filename_is_an_attachment_not_the_body() -> None:
    raw = (
        MessageBuilder(client="thunderbird")
        .text("body")
        .attach("名单.txt", "王喆".encode(), "text/plain")
        .build()
    )
    msg = decode_message(raw)
    assert msg.text == "body"
    assert [(a.filename, a.data) for a in msg.attachments] == [("名单.txt", "王喆".encode())]


def test_first_text_and_html_parts_win() -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--B\r\nContent-Type: text/plain\r\n\r\nsecond\r\n"
        b"--B\r\nContent-Type: text/html\r\n\r\n<p>1</p>\r\n--B\r\nContent-Type: text/html\r\n\r\n<p>2</p>\r\n"
        b"--B--\r\n"
    )
    msg = decode_message(raw)
    assert (msg.text, msg.html, msg.attachments) == ("first", "<p>1</p>", ())


def test_filename_with_path_keeps_only_the_last_component() -> None:
    raw = MessageBuilder(client="thunderbird").attach("../../etc/回执.xlsx", XLSX).build()
    assert decode_message(raw).attachments[0].filename == "回执.xlsx"


@pytest.mark.parametrize("encoding", ["base64", "8bit"])
def test_attachment_over_the_limit_is_truncated_to_limit_plus_one(encoding: str) -> None:
    data = bytes(range(256)) * 4096 if encoding == "base64" else b"A" * 1_048_576
    raw = MessageBuilder(client="163").attach("big.xlsx", data, encoding=encoding).build()
    msg = decode_message(raw, max_attachment_bytes=100_000)
    [attachment] = msg.attachments
    assert attachment.truncated
    assert attachment.data == data[:100_001]


def test_quoted_printable_attachment_over_the_limit_is_truncated() -> None:
    raw = (
        b"Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        + b"=41=42=43=\r\n" * 200_000
    )
    [attachment] = decode_message(raw, max_attachment_bytes=1000).attachments
    assert attachment.truncated and attachment.data == b"ABC" * 333 + b"AB"


def test_attachment_exactly_at_the_limit_is_whole() -> None:
    raw = MessageBuilder(client="qq").attach("a.xlsx", XLSX).build()
    [attachment] = decode_message(raw, max_attachment_bytes=len(XLSX)).attachments
    assert attachment.data == XLSX and not attachment.truncated


def test_delivery_status_parts_are_neither_body_nor_attachment() -> None:
    raw = (
        MessageBuilder(sender="MAILER-DAEMON@mx.example.cn", multipart="report; report-type=delivery-status")
        .text("Delivery failed")
        .part(
            "message/delivery-status",
            "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; x@y.cn\nAction: failed\n",
        )
        .part("text/rfc822-headers", "Subject: hi\n")
        .build()
    )
    msg = decode_message(raw)
    assert msg.content_type == "multipart/report"
    assert msg.text == "Delivery failed" and msg.attachments == ()


def test_missing_closing_boundary_still_yields_the_parts() -> None:
    raw = receipt_mail("163")
    raw = raw[: raw.rindex(b"\r\n--")] + b"\r\n"
    msg = decode_message(raw)
    assert msg.attachments[0].data == XLSX
    assert any("CloseBoundaryNotFound" in defect for defect in msg.defects)


def test_bad_base64_characters_are_skipped_and_reported() -> None:
    encoded = base64.b64encode(XLSX)
    broken = encoded[:40] + b"!!*#" + encoded[40:]
    raw = b"Content-Type: application/zip; name=a.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n" + broken
    msg = decode_message(raw)
    assert msg.attachments[0].data == XLSX
    assert any("invalid characters in base64" in defect for defect in msg.defects)


def test_base64_of_impossible_length_drops_the_last_character() -> None:
    raw = b"Content-Type: application/zip; name=a.zip\r\nContent-Transfer-Encoding: base64\r\n\r\nQUJD\r\nQ"
    msg = decode_message(raw)
    assert msg.attachments[0].data == b"ABC"
    assert any("base64 length" in defect for defect in msg.defects)


def test_text_after_base64_padding_is_ignored() -> None:
    raw = (
        b"Content-Type: application/zip; name=a.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"QUJD\r\nRA==\r\n-- \r\nlist footer\r\n"
    )
    assert decode_message(raw).attachments[0].data == b"ABCD"


def test_garbage_header_lines_do_not_stop_decoding() -> None:
    raw = (
        b"From: a@b.cn\r\nSubject: ok\r\nthis is not a header\r\n\x00\xff: odd\r\n"
        b"Content-Type: text/plain\r\n\r\nbody"
    )
    msg = decode_message(raw)
    assert (msg.sender, msg.subject) == ("a@b.cn", "ok")
    assert msg.defects


def test_multipart_without_boundary_is_reported() -> None:
    raw = b"Content-Type: multipart/mixed\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--\r\n"
    msg = decode_message(raw)
    assert msg.content_type == "multipart/mixed" and msg.text == ""
    assert any("boundary" in defect.lower() for defect in msg.defects)


def test_boundary_that_never_appears_gives_no_parts() -> None:
    raw = b"Content-Type: multipart/mixed; boundary=nothere\r\n\r\njust text\r\n"
    msg = decode_message(raw)
    assert msg.attachments == () and msg.defects


@pytest.mark.parametrize("raw", [b"", b"\r\n", b"Subject: only headers", b"\x00" * 100, b"--\r\n--"])
def test_degenerate_input_gives_an_empty_message(raw: bytes) -> None:
    msg = decode_message(raw)
    assert msg.attachments == () and msg.date is None


def test_invalid_content_type_is_read_as_text_plain() -> None:
    msg = decode_message(b"Content-Type: garbage\r\n\r\nhello")
    assert (msg.content_type, msg.text) == ("text/plain", "hello")


def test_real_apple_mail_sample_with_rfc2231_continuation() -> None:
    msg = decode_message((DATA / "apple_rfc2231_continuation.eml").read_bytes())
    assert msg.subject == "天津市教育委员会高职状态平台培训第一期报名回执"
    assert msg.attachments[0].filename == "附件3 天津市教育委员会高职状态平台培训第一期报名回执表.xlsx"
    assert msg.attachments[0].data.startswith(b"PK\x03\x04")
    assert msg.defects == ()


def test_real_qq_sample_with_quoted_gb18030_filename() -> None:
    msg = decode_message((DATA / "qq_gb18030_octet_stream.eml").read_bytes())
    assert (msg.sender, msg.sender_name) == ("2086631457@qq.com", "肖娜萍")
    assert msg.delivered_to == msg.to == ("yaoy@moe.edu.cn",)
    assert [(a.filename, a.content_type) for a in msg.attachments] == [
        ("上海报名回执.xlsx", "application/octet-stream")
    ]
    assert msg.text.startswith("姚老师：\n")


def test_real_163_sample_with_table_in_the_body() -> None:
    msg = decode_message((DATA / "163_html_table_body.eml").read_bytes())
    assert msg.content_type == "multipart/alternative" and msg.attachments == ()
    assert "<table" in msg.html and "姓名\t性别" in msg.text
