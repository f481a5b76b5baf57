"""Bounces (RFC 3464 delivery reports and the formats real servers use) and what they return.

A bounce is recognised by its structure first: a multipart/report of any report-type (delivery
status, ARF feedback, disposition notification), a sender that is a mail system (MAILER-DAEMON
with or without an address, postmaster and its spellings, a null From), a null Return-Path with a
returned message or delivery-status fields.  Then by the notices providers write by hand: Amazon
SES notifications, a bounce subject (English, Chinese or Japanese) together with a returned
message or the wording of a delivery failure; also when a person forwards one.  A subject alone
never makes a bounce: 「回执发送失败，重新发送」 with the receipt attached is a receipt.  Pure.
"""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import Message
from email.policy import compat32

from intake.mime.message import DecodedMessage
from rules.marks import our_message_ids

_SYSTEM_LOCAL = re.compile(
    r"(?:mailer[-_.]?daemon|mail[-_.]?daemon|post[-_.]?master|postoffice|mail[-_.]?delivery[-_.]?(?:system|subsystem)"
    r"|bounces?|mdaemon)",
    re.I,
)
_SYSTEM_NAME = re.compile(
    r"mailer[-_ ]?daemon|post[-_ ]?master|mail delivery (?:system|subsystem)|system administrator|系统管理员|邮件系统",
    re.I,
)
_RETURNED_PARTS = frozenset(
    {
        "message/rfc822",
        "message/global",
        "text/rfc822-headers",
        "message/global-headers",
        "message/delivery-status",
        "message/global-delivery-status",
        "message/feedback-report",
        "message/disposition-notification",
    }
)
_REPORT_PARTS = frozenset(
    {
        "message/delivery-status",
        "message/global-delivery-status",
        "message/feedback-report",
        "message/disposition-notification",
        "message/global-disposition-notification",
    }
)
_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|回复|答复|转发)\s*[:：]\s*)+", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|returned mail|return(?:ed)? to sender|delivery status|delivery (?:failure|failed"
    r"|problem|notification)|mail delivery failed|failure notice|non-?delivery|nondeliverable|not delivered"
    r"|could not be delivered|delivery has failed|mail system error|could not send|complaint about message"
    r"|退信|投递失败|发送失败|未能送达|无法投递|无法送达|被退回|邮件退回|递送失败"
    r"|エラー|不達|配信できません|送信できませんでした|返送",
    re.I,
)
_FAILURE_TEXT = re.compile(
    r"final-recipient\s*:|diagnostic-code\s*:|reporting-mta\s*:|action\s*:\s*failed|status\s*:\s*5\.\d"
    r"|transcript of session|user unknown|mailbox (?:unavailable|full|not found)|no such user"
    r"|(?:^|\s)55\d[ -]\d?\.?\d|could not be delivered|delivery to the following|permanent(?:ly)? (?:error|fatal)"
    r"|recipient address rejected|message was not delivered|delivery has failed"
    r"|退信原因|投递失败|收件人不存在|无法送达|邮箱不存在|送信できませんでした",
    re.I | re.M,
)
# RFC 3464 per-recipient actions that say the message was not lost: a warning or a success report.
_NOT_FAILED = frozenset({"delayed", "delivered", "relayed", "expanded"})
_STATUS_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_ACTION = re.compile(r"^action\s*:\s*([a-z]+)", re.I | re.M)
# A delay warning written without a delivery report (Exchange's "Delivery delayed:", Coremail's
# 「邮件延迟投递通知」): the server is still trying, nothing came back.
_DELAY_SUBJECT = re.compile(
    r"delivery delayed|delayed mail|\(delay\)|still being retried|delivery status notification \(delay"
    r"|延迟投递|延迟发送|延迟送达|投递延迟|发送延迟|延时投递|暂未投递|正在重试",
    re.I,
)
_SES_NOTICE = re.compile(
    r'notificationType\\?"\s*:\s*\\?"(?:Bounce|Complaint|Delivery)'
)  # also as escaped JSON


def report_bounce(msg: DecodedMessage) -> str | None:
    """A bounce by structure (checked before auto-replies): a report, a mail system's sender."""
    if msg.content_type == "multipart/report":
        return "Content-Type: multipart/report"
    reason = _system_sender(msg)
    if reason:
        return reason
    if msg.header("x-failed-recipients") is not None:
        return "X-Failed-Recipients present"
    if any(t in _REPORT_PARTS for t in msg.part_types):
        return "delivery report part"
    return None


def envelope_bounce(msg: DecodedMessage) -> str | None:
    """A null Return-Path (checked after auto-replies, which carry one too): no person sends so."""
    return_path = msg.header("return-path")
    if return_path is not None and re.fullmatch(r"<\s*>", return_path.strip()):
        return "null Return-Path"
    return None


def notice_bounce(msg: DecodedMessage) -> str | None:
    """A bounce by its wording: a provider's notice, or a bounce subject with a returned message or
    the wording of a delivery failure."""
    return _provider_notice(msg)


def _system_sender(msg: DecodedMessage) -> str | None:
    """A sender that is a mail system: MAILER-DAEMON, postmaster (any spelling), or no sender at all."""
    local = msg.sender.rpartition("@")[0] if "@" in msg.sender else msg.sender
    if local and _SYSTEM_LOCAL.fullmatch(local):
        return f"sender is {local[:40]}"
    if not msg.sender:
        name = msg.sender_name.strip()
        if _SYSTEM_NAME.search(name):
            return "sender is a mail system without an address"
        if name in ("<>", "") and msg.header("from") is not None:
            return "null From"
    return None


def _provider_notice(msg: DecodedMessage) -> str | None:
    """Notices written by providers: Amazon SES, or a bounce subject with a returned message or failure text."""
    text = f"{msg.text}\n{msg.html}"
    if _SES_NOTICE.search(text):
        return "Amazon SES notification"
    subject = _PREFIX.sub("", msg.subject)
    if not _BOUNCE_SUBJECT.search(subject):
        return None
    if any(t in _RETURNED_PARTS for t in msg.part_types):
        return "bounce subject and a returned message"
    if _FAILURE_TEXT.search(text[:200_000]):
        return "bounce subject and delivery-failure text"
    return None


def report_actions(raw: bytes) -> tuple[str, ...]:
    """The Action of every recipient in the message's delivery-status parts (RFC 3464), lower case."""
    try:
        parsed = message_from_bytes(raw[:4_000_000], policy=compat32)
        reports = [p for p in parsed.walk() if p.get_content_type() in _STATUS_TYPES]
        return tuple(a.lower() for report in reports for a in _ACTION.findall(_report_text(report)))
    except Exception:  # a broken report says nothing: treated as a failure, as before
        return ()


def _report_text(report: Message) -> str:
    payload = report.get_payload()
    if isinstance(payload, list):  # the parser splits a delivery-status body into header blocks
        return "\n\n".join(block.as_string() for block in payload if isinstance(block, Message))
    return str(payload)


def returned_ids(raw: bytes, msg: DecodedMessage) -> tuple[str, ...]:
    """Our own Message-IDs that a bounce returns or names (in its returned headers or its text).

    None when its delivery report says no recipient failed (every Action delayed, delivered,
    relayed or expanded), or, without a report, its subject says the delivery is delayed: a "still
    being retried" warning or a success notice returns nothing.
    """
    actions = report_actions(raw)
    if actions and all(action in _NOT_FAILED for action in actions):
        return ()
    if not actions and _DELAY_SUBJECT.search(_PREFIX.sub("", msg.subject)):
        return ()
    found: list[str] = []
    head = raw[:4_000_000].decode("ascii", "replace")
    for text in (head, msg.text, msg.html, msg.in_reply_to, " ".join(msg.references)):
        for message_id in our_message_ids(text):
            if message_id != msg.message_id and message_id not in found:
                found.append(message_id)
    return tuple(found)
