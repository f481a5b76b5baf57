"""The sender's own words: a reply's body without the message it quotes, in plain text and in HTML.

A province that answers our reply quotes it, and our text names periods and mailboxes and echoes
the roster; those words must not be read as the province's own.  Plain text is cut where quoted
history begins (QQ Mail, 163, Foxmail, Outlook, Apple Mail, Thunderbird separators) and ``>``
lines are dropped; HTML is cut at the first element or separator that starts quoted history
(``<blockquote>``, Outlook's reply header block, QQ's and 163's 「原始邮件」 separators, Gmail's
and Thunderbird's quote containers) or at our own reply's wrapper.  See docs/what-is-ours.md.
"""

from __future__ import annotations

import re
from html import unescape

from rules.marks import REPLY_ATTRIBUTE, ROSTER_MARK

# Lines where quoted history begins, as QQ Mail, 163, Foxmail, Outlook, Apple Mail and Thunderbird write them.
_SEPARATORS = re.compile(
    r"^\s*(?:-{2,}\s*(?:原始邮件|Original Message|Original|转发邮件|Forwarded message|回复的原邮件)\s*-{2,}"
    r"|_{5,}"
    r"|(?:发件人|From)\s*[:：]\s*\S.*"
    r"|在\s*.{4,80}写道\s*[:：]"
    r"|On\s.{4,200}wrote\s*:"
    r"|(?:20\d\d|\d{4})[-/年].{0,60}(?:写道|wrote)\s*[:：]?)\s*$",
    re.I,
)
_SPACE = r"(?:\s|&nbsp;|&#160;|\xa0)*"
# Where quoted history starts in an HTML body (the earliest match wins).
_HTML_QUOTE_STARTS = re.compile(
    "|".join(
        (
            r"<blockquote\b",
            r"<div\b[^>]{0,400}\b(?:class|id)\s*=\s*[\"']?(?:gmail_quote|moz-cite-prefix|divRplyFwdMsg"
            r"|appendonsend|isReplyContent|isForwardContent|origbody|original-content|reply-content"
            r"|yahoo_quoted|mail-quote|QQMailQuote|ntes-mailmaster-quote|ntes-iosmail-quote)\b",
            r"<div\b[^>]{0,400}border-top\s*:\s*solid\s+#(?:E1E1E1|B5C4DF)",  # Outlook's 发件人/From block
            r"<hr\b[^>]{0,200}\bid\s*=\s*[\"']?(?:stopSpelling|zwchr)",
            rf"-{{2,}}{_SPACE}(?:原始邮件|Original Message|Original|回复的原邮件|原邮件){_SPACE}-{{2,}}",
            r"在[^<>]{4,200}写道\s*[:：]",
            re.escape(REPLY_ATTRIBUTE),
        )
    ),
    re.I,
)
_OURS = re.compile(re.escape(REPLY_ATTRIBUTE), re.I)
_TAGS = re.compile(r"<[^>]{0,2000}>")
_BREAKS = re.compile(r"<(?:br|/p|/div|/tr|/li|/h\d)\b[^>]{0,2000}>", re.I)
_INVISIBLE = re.compile(r"<(style|script|head|title)\b.*?</\1\s*>", re.I | re.S)


def own_words(text: str) -> str:
    """text up to where quoted history starts, without '>' quoted lines and our roster's lines."""
    out = []
    for line in without_our_roster(text or "").splitlines():
        if _SEPARATORS.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        out.append(line)
    return "\n".join(out)


def own_html(html: str) -> str:
    """The HTML up to where quoted history (or a quote of our own reply) starts."""
    found = _HTML_QUOTE_STARTS.search(html or "")
    return html[: found.start()] if found else html or ""


def without_our_reply(html: str) -> str:
    """The HTML up to where a quote of our own reply starts (all of it when there is none)."""
    found = _OURS.search(html or "")
    return html[: found.start()] if found else html or ""


def without_our_roster(text: str) -> str:
    """Plain text without the roster block of our replies (its caption line to the next blank line)."""
    if ROSTER_MARK not in text:
        return text
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        bare = line.lstrip(" >\t")
        if ROSTER_MARK in bare:
            skipping = True
            continue
        if skipping and not bare.strip():
            skipping = False
        if not skipping:
            out.append(line)
    return "\n".join(out)


def html_text(html: str) -> str:
    """The HTML as plain text: block ends and <br> as line breaks, tags dropped, entities decoded."""
    visible = _INVISIBLE.sub(" ", html or "")
    return unescape(_TAGS.sub(" ", _BREAKS.sub("\n", visible)))
