"""A delivery report that says nothing failed (a "still being retried" warning, a success notice) marks
no reply of ours undeliverable; one failed recipient does (intake/mime/bounces.py)."""

from __future__ import annotations

import base64

import pytest

from intake.mime.bounces import report_actions, returned_ids
from intake.mime.classify import MessageKind, classify
from intake.mime.message import decode_message

OUR_ID = "reply-" + "cd" * 16 + "@moe.edu.cn"
RETURNED = (
    f"Message-ID: <{OUR_ID}>\r\nFrom: yaoy@moe.edu.cn\r\nTo: liang@hlj.edu.cn\r\n"
    "Subject: =?utf-8?b?44CQ5bey56Gu6K6k44CR?=\r\n"
)


def postfix_report(
    *actions: tuple[str, str], subject: str, headers_type: str = "text/rfc822-headers"
) -> bytes:
    """Postfix's multipart/report: the notice, one status block per recipient, our reply's headers."""
    blocks = "".join(
        f"Final-Recipient: rfc822; {to}\r\nOriginal-Recipient: rfc822;{to}\r\nAction: {action}\r\n"
        f"Status: {'5.1.1' if action == 'failed' else '4.4.1' if action == 'delayed' else '2.0.0'}\r\n\r\n"
        for to, action in actions
    )
    return (
        "Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.moe.edu.cn (Mail Delivery System)\r\n"
        f"Subject: {subject}\r\nTo: yaoy@moe.edu.cn\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n'
        "Message-Id: <20230612014100.AB@mx.moe.edu.cn>\r\n\r\n"
        "--B1\r\nContent-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.moe.edu.cn.\r\n\r\n"
        "--B1\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.moe.edu.cn\r\nX-Postfix-Queue-ID: AB\r\n\r\n"
        f"{blocks}"
        f"--B1\r\nContent-Description: Undelivered Message Headers\r\nContent-Type: {headers_type}\r\n\r\n"
        f"{RETURNED}\r\n--B1--\r\n"
    ).encode()


def returned(raw: bytes) -> tuple[str, ...]:
    msg = decode_message(raw)
    assert classify(msg).kind is MessageKind.BOUNCE  # never answered, whatever it reports
    return returned_ids(raw, msg)


@pytest.mark.parametrize(
    ("actions", "subject"),
    [
        ((("liang@hlj.edu.cn", "delayed"),), "Delayed Mail (still being retried)"),
        ((("liang@hlj.edu.cn", "relayed"),), "Successful Mail Delivery Report"),
        (
            (("liang@hlj.edu.cn", "delivered"), ("zhang@hlj.edu.cn", "Delayed")),
            "Delivery Status Notification",
        ),
    ],
)
def test_a_report_where_nothing_failed_returns_no_reply_of_ours(
    actions: tuple[tuple[str, str], ...], subject: str
) -> None:
    raw = postfix_report(*actions, subject=subject)
    assert report_actions(raw) and returned(raw) == ()


@pytest.mark.parametrize(
    "actions",
    [
        (("liang@hlj.edu.cn", "failed"),),
        (("liang@hlj.edu.cn", "delayed"), ("zhang@hlj.edu.cn", "failed")),
    ],
)
def test_a_report_with_a_failed_recipient_returns_our_reply(actions: tuple[tuple[str, str], ...]) -> None:
    raw = postfix_report(*actions, subject="Undelivered Mail Returned to Sender")
    assert returned(raw) == (OUR_ID,)
    assert returned(postfix_report(*actions, subject="Undelivered Mail", headers_type="message/rfc822")) == (
        OUR_ID,
    )


def test_a_bounce_without_a_delivery_report_still_returns_our_reply() -> None:
    raw = (
        "Return-Path: <>\r\nFrom: PostMaster@hlj.edu.cn\r\nTo: yaoy@moe.edu.cn\r\nSubject: 系统退信\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"您发送的邮件无法送达：liang@hlj.edu.cn\r\n退信原因：收件人邮箱已满\r\n\r\n{RETURNED}"
    ).encode()
    assert report_actions(raw) == () and returned(raw) == (OUR_ID,)


def test_a_broken_report_is_read_as_a_failure() -> None:
    raw = postfix_report(("liang@hlj.edu.cn", "delayed"), subject="Mail Delivery Report").replace(
        b"Action: delayed", b"Act\xff\xfeion delayed"
    )
    assert returned(raw) == (OUR_ID,)


def notice_without_report(subject: str, words: str) -> bytes:
    """A provider's notice in plain text with our reply's headers below it, as Coremail and Exchange write."""
    return (
        "Return-Path: <>\r\nFrom: Postmaster <postmaster@hlj.edu.cn>\r\nTo: yaoy@moe.edu.cn\r\n"
        f"Subject: =?utf-8?b?{base64.b64encode(subject.encode()).decode()}?=\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{words}\r\n\r\n----- 原邮件信息 -----\r\n{RETURNED}"
    ).encode()


@pytest.mark.parametrize(
    ("subject", "words"),
    [
        (
            "邮件延迟投递通知",
            "您发送给 liang@hlj.edu.cn 的邮件暂时未能投递，系统将在 24 小时内继续尝试，无需重新发送。",
        ),
        (
            "Delivery delayed:【已确认】黑龙江省教育厅报名回执",
            "Delivery is delayed to these recipients: liang@hlj.edu.cn",
        ),
    ],
)
def test_a_delay_warning_without_a_report_returns_no_reply_of_ours(subject: str, words: str) -> None:
    assert returned(notice_without_report(subject, words)) == ()


@pytest.mark.parametrize(
    ("subject", "words"),
    [
        ("系统退信", "您发送的邮件无法送达：liang@hlj.edu.cn\r\n退信原因：收件人不存在"),
        (
            "Undeliverable: 【已确认】黑龙江省教育厅报名回执",
            "Delivery has failed to these recipients: liang@hlj.edu.cn",
        ),
    ],
)
def test_a_failure_notice_without_a_report_returns_our_reply(subject: str, words: str) -> None:
    assert returned(notice_without_report(subject, words)) == (OUR_ID,)
