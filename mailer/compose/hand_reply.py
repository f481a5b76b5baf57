"""A reply an organizer wrote by hand in the console.  Pure: the original's headers and the words in.

Threaded (In-Reply-To, References) under the original's subject, from the period's mailbox, and
marked as ours like every message we send (rules.marks: a ``<reply-…>`` Message-ID, the HTML inside
our wrapper), so the province's answer to it comes back to the desk's thread and our words quoted in
it are never read as a receipt.  Written by a person: no Auto-Submitted header.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

from mailer.compose.reply import Original, answering, clean_header
from rules.marks import REPLY_ATTRIBUTE

SIGNATURE = "会务组"
_PREFIXES = re.compile(r"^(?:(?:re|fw|fwd|回复|答复|转发)\s*[:：]\s*)+", re.I)


def hand_reply_subject(subject: str) -> str:
    original = _PREFIXES.sub("", clean_header(subject)).strip()
    return f"回复：{original or '您的来信'}"


def compose_hand_reply(original: Original, words: str, *, from_addr: str, now: datetime, seed: str) -> bytes:
    """seed: a hex string naming the action (it makes the Message-ID, stable if composed again)."""
    msg = answering(
        original,
        from_addr=from_addr,
        subject=hand_reply_subject(original.subject),
        now=now,
        message_id=f"reply-{seed[:32]}",
    )
    lines = [line.rstrip() for line in words.strip().splitlines()]
    text = "\n".join([*lines, "", SIGNATURE]) + "\n"
    paragraphs = "".join(f"<p>{html.escape(line) or '&nbsp;'}</p>" for line in [*lines, "", SIGNATURE])
    msg.set_content(text, charset="utf-8")
    msg.add_alternative(
        f'<html><body><div class="intake-reply" {REPLY_ATTRIBUTE}>{paragraphs}</div></body></html>',
        subtype="html",
        charset="utf-8",
    )
    return msg.as_bytes()
