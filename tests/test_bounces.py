"""Bounces and auto-replies as real servers and responders write them (intake/mime/bounces.py, autoreply.py)."""

from __future__ import annotations

import pytest

from intake.mime.bounces import returned_ids
from intake.mime.classify import Classification, MessageKind, classify
from intake.mime.message import decode_message
from tests.mailbuilder import MessageBuilder

OUR_ID = "reply-" + "ab" * 16 + "@moe.edu.cn"
XLSX = b"PK\x03\x04" + b"\x00" * 64


def kind_of(raw: bytes) -> Classification:
    return classify(decode_message(raw))


def plain(headers: str, body: str = "Delivery failed.") -> bytes:
    return (headers.strip().replace("\n", "\r\n") + "\r\n\r\n" + body).encode()


@pytest.mark.parametrize(
    "sender",
    [
        "From: MAILER-DAEMON <>",
        "From: <>",
        "From: Mail Delivery Subsystem <MAILER-DAEMON>",
        "From: post_master@vtext.com",
        "From: Post-Master@example.jp",
        "From: mailer_daemon@example.com",
        "From: =?utf-8?B?6YKu5Lu257O757uf?= (Mail System)",
    ],
)
def test_mail_system_senders_in_every_spelling_are_bounces(sender: str) -> None:
    result = kind_of(plain(f"{sender}\nTo: yaoy@moe.edu.cn\nSubject: Re: x"))
    assert result.kind is MessageKind.BOUNCE


@pytest.mark.parametrize(
    "report_type", ["delivery-status", "feedback-report", "disposition-notification", "x-unknown"]
)
def test_a_multipart_report_of_any_report_type_is_a_bounce(report_type: str) -> None:
    raw = (
        MessageBuilder(
            sender="abuse@isp.example",
            subject="report",
            client="thunderbird",
            multipart=f"report; report-type={report_type}",
        )
        .text("report")
        .part("text/rfc822-headers", "Subject: what was sent\n")
        .build()
    )
    assert kind_of(raw) == Classification(MessageKind.BOUNCE, "Content-Type: multipart/report")


def test_a_delivery_report_part_inside_multipart_mixed_is_a_bounce() -> None:
    raw = (
        MessageBuilder(sender="notice@mx.example.cn", subject="Delivery Status", client="thunderbird")
        .text("Your message could not be delivered.")
        .part(
            "message/delivery-status",
            "Reporting-MTA: dns; mx.example.cn\n\nFinal-Recipient: rfc822; a@b.cn\nAction: failed\n",
        )
        .build()
    )
    assert kind_of(raw) == Classification(MessageKind.BOUNCE, "delivery report part")


def test_an_amazon_ses_notification_is_a_bounce() -> None:
    body = '{"Type":"Notification","Message":"{\\"notificationType\\":\\"Bounce\\",\\"bounce\\":{}}"}'
    raw = plain("From: SES-EM-B <no-reply@sns.amazonaws.com>\nSubject: AWS Notification Message", body)
    assert kind_of(raw) == Classification(MessageKind.BOUNCE, "Amazon SES notification")


def test_hotmails_complaint_with_the_message_attached_is_a_bounce() -> None:
    raw = (
        MessageBuilder(
            sender="staff@hotmail.com",
            subject="complaint about message from 192.0.2.222",
            client="thunderbird",
        )
        .text("This is an email abuse report.")
        .attach_message(MessageBuilder(subject="hi").text("hi").build())
        .build()
    )
    assert kind_of(raw) == Classification(MessageKind.BOUNCE, "bounce subject and a returned message")


def test_a_japanese_providers_error_notice_is_a_bounce() -> None:
    raw = (
        MessageBuilder(sender="no-reply@x0000.dion.ne.jp", subject="メールエラー通知", client="thunderbird")
        .text("送信したメールは届きませんでした。")
        .attach_message(MessageBuilder(subject="Nyaan").text("Nyaan").build())
        .build()
    )
    assert kind_of(raw).kind is MessageKind.BOUNCE


def test_a_forwarded_bounce_is_a_bounce() -> None:
    body = "FYI\n\n----- Transcript of session follows -----\n550 5.1.1 <x@y.cn>... User unknown\n"
    raw = (
        MessageBuilder(
            sender="person@hlj.edu.cn", subject="Fwd: Returned mail: see transcript for details", client="qq"
        )
        .text(body)
        .build()
    )
    assert kind_of(raw) == Classification(MessageKind.BOUNCE, "bounce subject and delivery-failure text")


def test_a_person_resending_after_a_failed_send_with_the_receipt_is_not_a_bounce() -> None:
    raw = (
        MessageBuilder(sender="a@hlj.edu.cn", subject="回执发送失败，重新发送", client="qq")
        .text("上次发送失败，现重新发送报名回执。")
        .attach("黑龙江省报名回执.xlsx", XLSX)
        .build()
    )
    assert kind_of(raw).kind is MessageKind.CANDIDATE


def test_a_person_who_says_the_last_send_failed_and_attaches_the_receipt_is_not_a_bounce() -> None:
    raw = (
        MessageBuilder(sender="a@hlj.edu.cn", subject="邮件投递失败，重新发送", client="163")
        .text("上次邮件投递失败（收件人不存在），现重新发送报名回执。")
        .attach("黑龙江省报名回执.xlsx", XLSX)
        .build()
    )
    assert kind_of(raw).kind is MessageKind.CANDIDATE


def test_a_list_robot_is_an_auto_reply() -> None:
    raw = plain("From: neko-admin@example.co.jp\nSubject: Loop Alert: Duplicated Message-ID (neko ML)")
    assert kind_of(raw) == Classification(MessageKind.AUTO_REPLY, "sender is a mailing-list robot")


def test_an_outlook_out_of_office_without_auto_submitted_is_an_auto_reply_even_quoting_a_table() -> None:
    raw = (
        MessageBuilder(
            sender="a@hlj.edu.cn", subject="自动答复: 【已确认】黑龙江省报名回执", client="outlook"
        )
        .header("X-Auto-Response-Suppress", "All")
        .html(
            "<p>我在休假</p><blockquote><table><tr><td>姓名</td><td>性别</td><td>单位</td></tr></table></blockquote>"
        )
        .build()
    )
    assert kind_of(raw) == Classification(
        MessageKind.AUTO_REPLY, "X-Auto-Response-Suppress and an auto-reply subject"
    )


def test_qq_mails_holiday_reply_is_an_auto_reply_by_its_words() -> None:
    raw = (
        MessageBuilder(sender="123@qq.com", subject="Re: 报名", client="qq")
        .text("这是来自QQ邮箱的假期自动回复邮件。\n您好，我最近正在休假中，无法亲自回复您的邮件。")
        .build()
    )
    assert kind_of(raw) == Classification(
        MessageKind.AUTO_REPLY, "auto-reply wording, no receipt-like attachment or table"
    )


def test_rfc3834_auto_replies_with_a_null_return_path_are_auto_replies_not_bounces() -> None:
    raw = plain(
        "Return-Path: <>\nFrom: a@example.org\nSubject: Automatic reply: Nyaan\nX-Auto-Response-Suppress: All",
        "Away",
    )
    assert kind_of(raw).kind is MessageKind.AUTO_REPLY


def test_returned_ids_are_our_message_ids_found_in_the_bounce() -> None:
    returned = f"Message-ID: <{OUR_ID}>\r\nFrom: yaoy@moe.edu.cn\r\nTo: gone@hlj.edu.cn\r\nSubject: x\r\n\r\nbody\r\n".encode()
    raw = (
        MessageBuilder(
            sender="MAILER-DAEMON@mx.hlj.edu.cn",
            subject="Undelivered Mail Returned to Sender",
            client="thunderbird",
        )
        .text("550 user unknown")
        .attach_message(returned)
        .build()
    )
    assert returned_ids(raw, decode_message(raw)) == (OUR_ID,)


def test_a_bounce_naming_no_message_of_ours_returns_nothing() -> None:
    raw = plain("From: MAILER-DAEMON <>\nMessage-ID: <bounce-1@mx>\nIn-Reply-To: <somebody@else.cn>")
    assert returned_ids(raw, decode_message(raw)) == ()
