"""The short acknowledgement a question gets: a person will answer.  At most one per thread.

Pure: the original message's headers in, RFC 5322 bytes out.  It answers nothing itself and
judges nothing: a province that asked 「能否多报一人？」 learns that its mail arrived and that the
organizers, not the robot, will reply.  Marked as ours like every reply (rules.marks): the
Message-ID ``<ack-...>``, the subject tag 【已收到】, ``Auto-Submitted: auto-replied``.
"""

from __future__ import annotations

import html
from datetime import datetime

from mailer.compose.reply import Original, answering, clean_header, original_seed
from rules.marks import REPLY_ATTRIBUTE, original_subject

ACK_TAG = "【已收到】"
ACK_TEXT = (
    "您好！",
    "",
    "您的来信已收到。这封邮件没有附报名回执表，系统不会自动处理，已转交会务组，工作人员会尽快人工回复您。",
    "",
    "如需报送或更正报名回执，请直接回复本邮件并附上填写好的报名回执表（.xlsx 或 .docx）。",
    "",
    "本邮件由报名系统自动发送，同一主题只发送一次。",
)


def acknowledgement_subject(subject: str) -> str:
    """【已收到】 and the original subject without Re:/回复: prefixes or our own tags."""
    original = original_subject(clean_header(subject))
    return f"{ACK_TAG}{original or '您的来信'}"


def compose_acknowledgement(original: Original, *, from_addr: str, now: datetime) -> bytes:
    msg = answering(
        original,
        from_addr=from_addr,
        subject=acknowledgement_subject(original.subject),
        now=now,
        message_id=f"ack-{original_seed(original)[:32]}",
    )
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    text = "\n".join(ACK_TEXT) + "\n"
    body = "".join(f"<p>{html.escape(line)}</p>" for line in ACK_TEXT if line)
    msg.set_content(text, charset="utf-8")
    msg.add_alternative(
        f'<html><body><div class="intake-reply" {REPLY_ATTRIBUTE}>{body}</div></body></html>',
        subtype="html",
        charset="utf-8",
    )
    return msg.as_bytes()
