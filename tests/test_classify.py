"""classify: bounce, then auto-reply, then unrelated, else candidate."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from intake.mime.classify import Classification, MessageKind, classify
from intake.mime.message import decode_message
from tests.mailbuilder import MessageBuilder

DATA = Path(__file__).parent / "data" / "messages"
XLSX = b"PK\x03\x04" + b"\x00" * 64


def classify_raw(raw: bytes) -> Classification:
    return classify(decode_message(raw))


def receipt(client: str = "qq", subject: str = "广东省报名回执") -> MessageBuilder:
    return (
        MessageBuilder(sender="3124456091@qq.com", sender_name="冯颖", subject=subject, client=client)
        .text("姚老师：附件请查收")
        .attach("广东省报名回执.xlsx", XLSX)
    )


def outlook_out_of_office(subject: str = "自动答复: 高职状态平台培训第二期报名回执") -> MessageBuilder:
    return (
        MessageBuilder(
            sender="gxjyt_zcc@gxedu.gov.cn", sender_name="广西教育厅职成处", subject=subject, client="outlook"
        )
        .header("Auto-Submitted", "auto-generated")
        .header("X-Auto-Response-Suppress", "All")
        .text("您好：我于6月29日至7月3日休假，期间不便查看邮件。")
    )


# -- bounces --------------------------------------------------------------------------------------
def test_multipart_report_from_mailer_daemon_is_a_bounce() -> None:
    raw = (
        MessageBuilder(
            sender="MAILER-DAEMON@mx.moe.edu.cn",
            sender_name="Mail Delivery System",
            subject="Undelivered Mail Returned to Sender",
            client="thunderbird",
            multipart="report; report-type=delivery-status",
        )
        .header("Return-Path", "<>")
        .text("This is the mail system at host mx.moe.edu.cn. I'm sorry to have to inform you...")
        .part(
            "message/delivery-status",
            "Reporting-MTA: dns; mx.moe.edu.cn\n\n"
            "Final-Recipient: rfc822; nobody@gd.edu.cn\nAction: failed\nStatus: 5.1.1\n",
        )
        .attach_message(receipt().build())
        .build()
    )
    assert classify_raw(raw) == Classification(MessageKind.BOUNCE, "Content-Type: multipart/report")


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@163.com", "Postmaster@qq.com", "mailer-daemon"])
def test_mail_from_mailer_daemon_or_postmaster_is_a_bounce(sender: str) -> None:
    result = classify_raw(MessageBuilder(sender=sender, subject="退信").text("退信通知").build())
    assert result.kind == "bounce" and "sender is" in result.reason


def test_null_return_path_is_a_bounce() -> None:
    raw = receipt().header("Return-Path", "<>").build()
    assert classify_raw(raw) == Classification(MessageKind.BOUNCE, "null Return-Path")


def test_bounce_checks_come_before_auto_reply_checks() -> None:
    raw = outlook_out_of_office().header("From", "MAILER-DAEMON@x.cn").build()
    assert classify_raw(raw).kind == "bounce"


# -- auto-replies ---------------------------------------------------------------------------------
def test_outlook_out_of_office_quoting_the_receipt_subject_is_an_auto_reply() -> None:
    assert classify_raw(outlook_out_of_office().build()) == Classification(
        MessageKind.AUTO_REPLY, "Auto-Submitted: auto-generated"
    )


def test_real_outlook_auto_reply_sample() -> None:
    result = classify_raw((DATA / "outlook_autoreply.eml").read_bytes())
    assert result.kind == "auto_reply"


def test_auto_submitted_no_is_not_an_auto_reply() -> None:
    assert classify_raw(receipt().header("Auto-Submitted", "no").build()).kind == "candidate"


def test_auto_submitted_even_with_a_receipt_attachment_is_an_auto_reply() -> None:
    raw = receipt().header("Auto-Submitted", "auto-replied; owner-email=x@y.cn").build()
    assert classify_raw(raw) == Classification(MessageKind.AUTO_REPLY, "Auto-Submitted: auto-replied")


def test_exchange_suppress_header_without_a_receipt_is_an_auto_reply() -> None:
    raw = (
        MessageBuilder(subject="答复: 报名回执", client="outlook")
        .header("X-Auto-Response-Suppress", "All")
        .text("已收到")
        .build()
    )
    assert classify_raw(raw) == Classification(
        MessageKind.AUTO_REPLY, "X-Auto-Response-Suppress present, no receipt-like attachment or table"
    )


def test_exchange_suppress_header_on_a_real_receipt_does_not_hide_it() -> None:
    # Exchange adds the header to ordinary mail sent through distribution lists.
    raw = receipt("outlook").header("X-Auto-Response-Suppress", "DR, OOF, AutoReply").build()
    assert classify_raw(raw) == Classification(MessageKind.CANDIDATE, "receipt-like attachment")


@pytest.mark.parametrize("value", ["bulk", "junk", "list", "Bulk"])
def test_precedence_bulk_junk_list_newsletter_is_an_auto_reply(value: str) -> None:
    raw = (
        MessageBuilder(sender="news@edu-news.cn", subject="教育信息周刊 第25期", client="163")
        .header("Precedence", value)
        .html("<p>本周要闻</p>")
        .build()
    )
    reason = f"Precedence: {value.lower()}"
    if value.lower() in ("bulk", "list"):  # supporting: this newsletter holds no receipt
        reason += ", no receipt-like attachment or table"
    assert classify_raw(raw) == Classification(MessageKind.AUTO_REPLY, reason)


@pytest.mark.parametrize("name", ["List-Id", "List-Unsubscribe", "List-Post"])
def test_mailing_list_headers_without_a_receipt_mark_an_auto_reply(name: str) -> None:
    raw = (
        MessageBuilder(sender="news@edu-news.cn", subject="教育信息周刊 第25期", client="163")
        .header(name, "<zcc.lists.moe.edu.cn>")
        .html("<p>本周要闻</p>")
        .build()
    )
    assert classify_raw(raw) == Classification(
        MessageKind.AUTO_REPLY, f"{name} present, no receipt-like attachment or table"
    )


@pytest.mark.parametrize(("name", "value"), [("List-Id", "<zcc.lists.moe.edu.cn>"), ("Precedence", "bulk")])
def test_a_receipt_sent_through_a_group_alias_is_read(name: str, value: str) -> None:
    # A province's alias or OA gateway adds list headers; the receipt attached is still the province's.
    raw = receipt().header(name, value).build()
    assert classify_raw(raw) == Classification(MessageKind.CANDIDATE, "receipt-like attachment")


@pytest.mark.parametrize("name", ["X-Autoreply", "X-Autorespond"])
def test_x_autoreply_headers_mark_an_auto_reply(name: str) -> None:
    raw = MessageBuilder(subject="Re: 报名", client="163").header(name, "yes").text("已收到").build()
    assert classify_raw(raw) == Classification(MessageKind.AUTO_REPLY, f"{name} present")


@pytest.mark.parametrize(
    "subject",
    [
        "自动回复：报名回执",
        "自动答复: 报名回执",
        "Auto: 报名回执",
        "Automatic reply: 报名回执",
        "Out of Office: 报名回执",
    ],
)
def test_auto_reply_subject_without_a_receipt_attachment_is_an_auto_reply(subject: str) -> None:
    raw = MessageBuilder(subject=subject, client="outlook").text("我休假了").build()
    assert classify_raw(raw) == Classification(
        MessageKind.AUTO_REPLY, "auto-reply subject, no receipt-like attachment or table"
    )


def test_auto_reply_subject_with_a_receipt_attachment_is_a_candidate() -> None:
    raw = receipt(subject="自动回复：广东省报名回执").build()
    assert classify_raw(raw).kind == "candidate"


def test_auto_reply_subject_with_a_table_in_the_body_is_a_candidate() -> None:
    raw = (
        MessageBuilder(subject="Automatic reply", client="163")
        .html("<table><tr><td>姓名</td></tr></table>")
        .build()
    )
    assert classify_raw(raw) == Classification(MessageKind.CANDIDATE, "HTML table in body")


# -- unrelated and candidates ---------------------------------------------------------------------
def test_personal_mail_to_the_same_inbox_is_unrelated() -> None:
    raw = (
        MessageBuilder(sender="friend@163.com", sender_name="老同学", subject="周末聚餐", client="163")
        .text("周六晚上六点，老地方见。")
        .html("<p>周六晚上六点，老地方见。</p>")
        .build()
    )
    assert classify_raw(raw) == Classification(
        MessageKind.UNRELATED, "no receipt-like attachment, table or receipt keyword"
    )


def test_unrelated_mail_with_a_non_receipt_attachment_is_unrelated() -> None:
    raw = MessageBuilder(subject="照片", client="apple").text("看看").attach("song.mp3", b"ID3\x03").build()
    assert classify_raw(raw).kind == "unrelated"


@pytest.mark.parametrize("client", ["qq", "163", "foxmail", "outlook", "apple", "thunderbird"])
def test_receipt_attachment_from_every_client_is_a_candidate(client: str) -> None:
    assert classify_raw(receipt(client).build()) == Classification(
        MessageKind.CANDIDATE, "receipt-like attachment"
    )


@pytest.mark.parametrize(
    "filename",
    [
        "回执.et",
        "回执.ETT",
        "回执.wps",
        "回执.xlsm",
        "回执.ods",
        "回执.7z",
        "回执.pdf",
        "回执.htm",
        "回执.JPG",
        "回执.png",
        "回执.csv",
        "回执.rar",
    ],
)
def test_every_receipt_extension_counts(filename: str) -> None:
    raw = (
        MessageBuilder(subject="x", client="163")
        .attach(filename, b"data", "application/octet-stream")
        .build()
    )
    assert classify_raw(raw).kind == "candidate"


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04rest",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest",
        b"%PDF-1.7",
        b"Rar!\x1a\x07\x00",
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff\xe0",
        b"<html><table>",
    ],
)
def test_nameless_attachment_is_recognised_by_its_content(data: bytes) -> None:
    raw = MessageBuilder(subject="x", client="qq").attach("", data, "application/octet-stream").build()
    assert classify_raw(raw) == Classification(MessageKind.CANDIDATE, "receipt-like attachment")


def test_receipt_content_type_counts_without_a_useful_name() -> None:
    raw = MessageBuilder(subject="x", client="163").attach("file", b"??", "application/vnd.ms-excel").build()
    assert classify_raw(raw).kind == "candidate"


def test_html_table_in_the_body_is_a_candidate() -> None:
    raw = MessageBuilder(subject="陕西", client="163").html("<TABLE><tr><td>张三</td></tr></TABLE>").build()
    assert classify_raw(raw) == Classification(MessageKind.CANDIDATE, "HTML table in body")


def test_real_163_sample_with_table_in_the_body_is_a_candidate() -> None:
    assert classify_raw((DATA / "163_html_table_body.eml").read_bytes()).kind == "candidate"


@pytest.mark.parametrize(
    "line", ["序号\t姓名\t性别\t单位\t职务\t手机", "姓名  性别  工作单位", "姓名　手机号码　职务"]
)
def test_text_table_header_line_is_a_candidate(line: str) -> None:
    raw = MessageBuilder(subject="x", client="foxmail").text(f"老师好\n{line}\n1\t王喆\t男").build()
    assert classify_raw(raw) == Classification(MessageKind.CANDIDATE, "text table in body")


def test_html_body_without_table_tags_is_read_line_by_line_for_a_text_table() -> None:
    html = "<div>老师好</div><div>姓名&nbsp;性别&nbsp;单位</div><div>王喆&nbsp;男&nbsp;教育厅</div>"
    raw = MessageBuilder(subject="x", client="qq").html(html).build()
    assert classify_raw(raw) == Classification(MessageKind.CANDIDATE, "text table in body")


def test_html_body_mentioning_columns_on_separate_lines_is_not_a_table() -> None:
    html = "<div>请填写姓名</div><div>性别</div><div>单位</div>"
    assert classify_raw(MessageBuilder(subject="x", client="qq").html(html).build()).kind == "unrelated"


@pytest.mark.parametrize("body", ["请告诉我姓名和性别", "姓名\t性别", "姓名、性别、单位都要填"])
def test_text_that_only_mentions_columns_is_not_a_table(body: str) -> None:
    raw = MessageBuilder(subject="x", client="foxmail").text(body).build()
    assert classify_raw(raw).kind == "unrelated"


def test_receipt_keyword_in_the_subject_alone_is_a_candidate() -> None:
    raw = MessageBuilder(subject="关于报名的问题", client="163").text("请问截止日期？").build()
    assert classify_raw(raw) == Classification(MessageKind.CANDIDATE, "receipt keyword in subject")


def test_receipt_keyword_in_the_body_alone_is_a_candidate() -> None:
    raw = MessageBuilder(subject="你好", client="163").text("回执稍后发送").build()
    assert classify_raw(raw) == Classification(MessageKind.CANDIDATE, "receipt keyword in body")


def test_forwarded_receipt_is_a_candidate() -> None:
    raw = MessageBuilder(subject="Fwd: 你好", client="outlook").attach_message(receipt().build()).build()
    assert classify_raw(raw) == Classification(MessageKind.CANDIDATE, "receipt-like attachment")


@pytest.mark.parametrize("name", ["apple_rfc2231_continuation.eml", "qq_gb18030_octet_stream.eml"])
def test_real_receipt_samples_are_candidates(name: str) -> None:
    assert classify_raw((DATA / name).read_bytes()).kind == "candidate"


def test_classification_is_frozen() -> None:
    result = Classification(MessageKind.CANDIDATE, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.kind = MessageKind.BOUNCE  # type: ignore[misc]  # assigning to a frozen field is the refusal under test
