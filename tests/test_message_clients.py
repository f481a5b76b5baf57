"""decode_message on messages written the way each real client writes them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from intake.mime.message import decode_message
from tests.mailbuilder import MessageBuilder

XLSX = b"PK\x03\x04" + bytes(range(256)) * 4
RARE = "王喆 李堃"  # 喆 and 堃 are in GBK but not in GB2312
CST = timezone(timedelta(hours=8))


def test_qq_gb18030_quoted_encoded_word_filename_and_octet_stream() -> None:
    raw = (
        MessageBuilder(
            sender="2086631457@QQ.com", sender_name="肖娜萍", subject="上海市报名回执", client="qq"
        )
        .text("姚老师：\n附件是报名回执。")
        .html("<div>姚老师：</div>")
        .attach("上海报名回执.xlsx", XLSX)
        .build()
    )
    assert b'filename="=?gb18030?B?' in raw and b"application/octet-stream" in raw
    msg = decode_message(raw)
    assert msg.subject == "上海市报名回执"
    assert (msg.sender, msg.sender_name) == ("2086631457@qq.com", "肖娜萍")
    assert msg.text == "姚老师：\n附件是报名回执。"
    assert msg.html == "<div>姚老师：</div>"
    [attachment] = msg.attachments
    assert (attachment.filename, attachment.content_type, attachment.data) == (
        "上海报名回执.xlsx",
        "application/octet-stream",
        XLSX,
    )
    assert not attachment.truncated and msg.defects == ()


def test_qq_words_split_inside_characters_come_through_whole() -> None:
    name = "广东省中职学生管理系统培训第二期报名回执（补报）王喆.xlsx"
    raw = (
        MessageBuilder(
            sender="3124456091@qq.com",
            sender_name="冯颖",
            subject=name[:-5],
            client="qq",
            split_mid_char=True,
        )
        .text("x")
        .attach(name, XLSX)
        .build()
    )
    msg = decode_message(raw)
    assert msg.subject == name[:-5]
    assert msg.attachments[0].filename == name
    assert msg.defects == ()


def test_163_gbk_quoted_encoded_words() -> None:
    raw = (
        MessageBuilder(
            sender="xzjyt_gu@163.com", sender_name="顾莉燕", subject="西藏自治区报名回执", client="163"
        )
        .text("附件是西藏自治区教育厅报名回执")
        .attach("西藏报名回执.xlsx", XLSX)
        .build()
    )
    assert b"=?GBK?B?" in raw
    msg = decode_message(raw)
    assert (msg.subject, msg.sender_name) == ("西藏自治区报名回执", "顾莉燕")
    assert msg.attachments[0].filename == "西藏报名回执.xlsx"
    assert (
        msg.attachments[0].content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_foxmail_gb2312_label_keeps_zhe_and_kun_whole_everywhere() -> None:
    raw = (
        MessageBuilder(
            sender="gz@gzsjyt.gov.cn", sender_name=RARE, subject=f"{RARE}报名回执", client="foxmail"
        )
        .text(f"联系人：{RARE}")
        .html(f"<div>{RARE}</div>")
        .attach(f"{RARE}报名回执.xlsx", XLSX)
        .build()
    )
    assert b"=?gb2312?B?" in raw and b'charset="gb2312"' in raw
    msg = decode_message(raw)
    assert msg.subject == f"{RARE}报名回执"
    assert msg.sender_name == RARE
    assert msg.text == f"联系人：{RARE}"
    assert msg.html == f"<div>{RARE}</div>"
    assert msg.attachments[0].filename == f"{RARE}报名回执.xlsx"
    assert "\ufffd" not in msg.subject + msg.text + msg.html


def test_apple_mail_rfc2231_continuation_split_inside_characters() -> None:
    name = "附件3 天津市教育委员会高职状态平台培训第一期报名回执表.xlsx"
    raw = (
        MessageBuilder(
            sender="linyihao_tj@icloud.com", sender_name="林毅昊", subject="天津市报名回执", client="apple"
        )
        .text("王老师：\n附件是报名回执。")
        .attach(name, XLSX)
        .build()
    )
    assert b"filename*0*=utf-8''" in raw and b"filename*2*=" in raw
    msg = decode_message(raw)
    assert msg.attachments[0].filename == name
    assert msg.text == "王老师：\n附件是报名回执。"


def test_thunderbird_rfc2231_utf8_filename_and_8bit_body() -> None:
    raw = (
        MessageBuilder(
            sender="liang@hlj.edu.cn", sender_name="梁振勇", subject="黑龙江省报名回执", client="thunderbird"
        )
        .text("姚老师：\n您好！")
        .attach("黑龙江省报名回执表.docx", b"PK\x03\x04docx")
        .build()
    )
    assert b"filename*=UTF-8''%E9%BB%91" in raw and "您好".encode() in raw
    msg = decode_message(raw)
    assert msg.attachments[0].filename == "黑龙江省报名回执表.docx"
    assert msg.text == "姚老师：\n您好！"


@pytest.mark.parametrize("charset", ["gb2312", "utf-8"])
def test_outlook_encoded_words_in_either_charset(charset: str) -> None:
    raw = (
        MessageBuilder(
            sender="xj@xjedu.gov.cn",
            sender_name="刘凯俊",
            subject="新疆报名回执",
            client="outlook",
            charset=charset,
        )
        .text("附件")
        .html("<p>附件</p>")
        .attach("新疆报名回执.xlsx", XLSX)
        .build()
    )
    assert f"=?{charset}?B?".encode() in raw
    msg = decode_message(raw)
    assert (msg.subject, msg.sender_name) == ("新疆报名回执", "刘凯俊")
    assert msg.attachments[0].filename == "新疆报名回执.xlsx"
    assert msg.html == "<p>附件</p>"


def test_base64_gbk_body() -> None:
    raw = MessageBuilder(subject="x", client="163").text("贵州省教育厅 报名回执", encoding="base64").build()
    assert decode_message(raw).text == "贵州省教育厅 报名回执"


def test_quoted_printable_gbk_body() -> None:
    raw = (
        MessageBuilder(subject="x", client="foxmail")
        .html("<p>王喆的报名回执</p>", encoding="quoted-printable")
        .build()
    )
    assert decode_message(raw).html == "<p>王喆的报名回执</p>"


@pytest.mark.parametrize("codec", ["utf-8", "gbk"])
def test_8bit_body_without_charset_tries_utf8_then_gb18030(codec: str) -> None:
    raw = (
        b"From: a@b.cn\r\nSubject: s\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "报名回执 王喆".encode(codec)
    )
    msg = decode_message(raw)
    assert msg.text == "报名回执 王喆"
    assert msg.defects == ()


def test_html_without_charset_parameter_uses_meta_charset() -> None:
    html = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>喆</p>'
    raw = b"From: a@b.cn\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + html.encode(
        "gbk"
    )
    assert decode_message(raw).html == html


def test_body_mislabelled_utf8_but_really_gbk_still_decodes() -> None:
    raw = b"From: a@b.cn\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + "报名回执".encode("gbk")
    assert decode_message(raw).text == "报名回执"


def test_raw_8bit_gbk_subject_and_display_name() -> None:
    raw = (
        MessageBuilder(sender="a@b.cn", subject="x")
        .header("Subject", "王喆报名回执".encode("gbk"))
        .header("From", b'"' + "王喆".encode("gbk") + b'" <A@B.cn>')
        .text("x")
        .build()
    )
    msg = decode_message(raw)
    assert (msg.subject, msg.sender_name, msg.sender) == ("王喆报名回执", "王喆", "a@b.cn")


def test_address_headers_ids_and_date() -> None:
    raw = (
        MessageBuilder(
            sender="Li@Example.CN",
            to=["Yaoy@MOE.edu.cn", '"X" <x@y.cn>'],
            cc=["C@d.cn"],
            subject="s",
            message_id="<ABC.123@qq.com>",
        )
        .header("Delivered-To", "yaoy@moe.edu.cn")
        .header("X-Original-To", "Gz@163.com")
        .header("Reply-To", "Reply@X.cn")
        .header("In-Reply-To", "<prev@x.cn>")
        .header("References", "<a@x.cn>\r\n <prev@x.cn>")
        .text("x")
        .build()
    )
    msg = decode_message(raw)
    assert msg.to == ("yaoy@moe.edu.cn", "x@y.cn") and msg.cc == ("c@d.cn",)
    assert msg.delivered_to == ("yaoy@moe.edu.cn",) and msg.x_original_to == ("gz@163.com",)
    assert msg.reply_to == "reply@x.cn"
    assert msg.message_id == "ABC.123@qq.com"
    assert msg.in_reply_to == "prev@x.cn" and msg.references == ("a@x.cn", "prev@x.cn")
    assert msg.date == datetime(2023, 6, 12, 9, 38, 37, tzinfo=CST)
    assert msg.header("x-original-to") == "Gz@163.com"
    assert msg.header_all("delivered-to") == ["yaoy@moe.edu.cn"]


def test_date_without_zone_is_read_as_china_time() -> None:
    msg = decode_message(MessageBuilder(date="Mon, 12 Jun 2023 09:38:37 -0000").text("x").build())
    assert msg.date == datetime(2023, 6, 12, 9, 38, 37, tzinfo=CST)
    assert msg.date.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "value", ["yesterday", "Mon, 99 Foo 2023 99:99:99 +0800", "Mon, 1 Jan 99999 00:00 +0000"]
)
def test_unparsable_date_is_none(value: str) -> None:
    assert decode_message(MessageBuilder(date=value).text("x").build()).date is None


def test_missing_date_is_none() -> None:
    assert decode_message(MessageBuilder(date=None).text("x").build()).date is None


def test_unparseable_from_gives_empty_sender() -> None:
    msg = decode_message(MessageBuilder().header("From", "<<<>>>").text("x").build())
    assert msg.sender == ""


def test_every_header_is_listed_lower_case_and_decoded() -> None:
    raw = (
        MessageBuilder(subject="报名回执", client="qq")
        .header("X-Custom", "v1")
        .header("X-Custom", "v2", replace=False)
        .text("x")
        .build()
    )
    msg = decode_message(raw)
    assert ("subject", "报名回执") in msg.headers
    assert msg.header_all("x-custom") == ["v1", "v2"]
    assert msg.content_type == "text/plain"
