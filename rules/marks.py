"""How our own messages are marked, so that our words are never read back as a province's.

Every message we send carries a Message-ID of the form ``<kind-<32 hex>@domain>`` (``reply-``
for a verdict, ``ack-`` for an acknowledgement, ``reminder-`` and ``digest-``): a message whose
In-Reply-To or References holds one is in one of our threads.  The HTML of a reply is wrapped
in an element carrying ``data-intake="reply"``, and the roster it echoes opens with a caption
row (``ROSTER_CAPTION``, or ``ROSTER_CAPTION_READ`` when nothing was registered; both end in
``ROSTER_MARK``) in HTML and in plain text.  A client that quotes our reply keeps the
caption, whatever it does to the HTML around it (Outlook rewrites it, QQ Mail keeps it), so a
table that opens with it is ours and is never judged again.  Pure data and tiny functions.
"""

from __future__ import annotations

import re

# Our Message-IDs: what each kind of message we send is called in its Message-ID.
MESSAGE_ID_KINDS = ("reply", "ack", "reminder", "digest")
_OUR_ID = re.compile(r"<?(?:reply|ack|reminder|digest)-[0-9a-f]{32}@[^>\s]+>?", re.I)
# Subject tags of our replies: a reply to one of them is in our thread even without References.
REPLY_TAGS = ("【已确认】", "【需修改】", "【已收到】", "【未替换】")
# Re:/回复:/Fw: in front of a subject, as clients write them (Outlook's 答复, full-width colons).
_REPLY_PREFIXES = re.compile(r"^(?:(?:re|fw|fwd|回复|答复|转发)\s*[:：]\s*)+", re.I)
# The wrapper of a reply's HTML, and the caption row of the roster it echoes (HTML and text).
REPLY_ATTRIBUTE = 'data-intake="reply"'
ROSTER_ATTRIBUTE = 'data-intake="roster"'
# The mark is what recognises the roster when it comes back; the caption before it says whether the
# roster was registered (a confirmation) or only read (a receipt to fix: nothing was registered).
ROSTER_MARK = "（供核对，不是新的报名回执表）"
ROSTER_CAPTION = f"报名系统已登记的名单{ROSTER_MARK}"
ROSTER_CAPTION_READ = f"本次回执读取到的名单，尚未登记{ROSTER_MARK}"


def is_our_message_id(message_id: str) -> bool:
    """Is this one of the Message-IDs we give our own messages?"""
    return bool(_OUR_ID.fullmatch(message_id.strip()))


def our_message_ids(text: str) -> list[str]:
    """Every Message-ID of ours found anywhere in the text, in order, without <>."""
    return [found.group(0).strip("<>") for found in _OUR_ID.finditer(text)]


def has_our_tag(subject: str) -> bool:
    """Does the subject carry one of our replies' tags (a reply to our reply, Re: or not)?"""
    return any(tag in subject for tag in REPLY_TAGS)


def original_subject(subject: str) -> str:
    """The subject without our tags and the Re:/回复: prefixes in front of or between them.

    A province answering our 【已收到】 with its receipt writes 「回复：【已收到】咨询」; its confirmation
    must read 【已确认】咨询, never 【已确认】【已收到】咨询.  Every tag of ours is dropped, wherever it is.
    """
    text = subject
    for tag in REPLY_TAGS:
        text = text.replace(tag, "")
    text = text.strip()
    while (shorter := _REPLY_PREFIXES.sub("", text).strip()) != text:
        text = shorter
    return text
