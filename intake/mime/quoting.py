"""The sender's own words: a reply's body without the message it quotes.

A province that answers our 【需修改】 reply quotes it, and our text names
periods and mailboxes; those words must not be read as the province's own.
"""

from __future__ import annotations

import re

# Lines where quoted history begins, as QQ Mail, 163, Foxmail, Outlook, Apple Mail and Thunderbird write them.
_SEPARATORS = re.compile(
    r"^\s*(?:-{2,}\s*(?:原始邮件|Original Message|转发邮件|Forwarded message)\s*-{2,}"
    r"|_{5,}"
    r"|(?:发件人|From)\s*[:：]\s*\S.*"
    r"|在\s*.{4,80}写道\s*[:：]"
    r"|On\s.{4,200}wrote\s*:"
    r"|(?:20\d\d|\d{4})[-/年].{0,60}(?:写道|wrote)\s*[:：]?)\s*$",
    re.I,
)


def own_words(text: str) -> str:
    """text up to where quoted history starts, without '>' quoted lines."""
    out = []
    for line in (text or "").splitlines():
        if _SEPARATORS.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        out.append(line)
    return "\n".join(out)
