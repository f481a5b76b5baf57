"""Messages that answer or quote one of our replies, in the formats real clients and responders write.

``our_reply`` composes a real reply (mailer.compose.reply) to a real receipt; ``answer`` quotes it
the way a client does: QQ Mail (its 「原始邮件」 separator and header block), 163 webmail
(「在 ... 写道：」 and a blockquote), Outlook desktop (Word HTML: our markup rewritten, the 发件人
block with its border-top), Apple Mail (blockquote type=cite), or plain text with ``> ``.  The
auto-responders (Outlook/Exchange out-of-office, Sieve vacation, Debian vacation, QQ Mail's holiday
reply) are written with the headers each really sends.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy

from mailer.compose.reply import Original, compose_reply
from rules.verdict import Participant, Status, Verdict
from tests.helpers import CST, notice
from tests.mailbuilder import MessageBuilder

OURS = "yaoy@moe.edu.cn"
PROVINCE = "liang@hlj.edu.cn"
WHEN = datetime(2023, 6, 12, 9, 40, tzinfo=CST)
HLJ = [
    Participant(
        "王喆", "男", "黑龙江省教育厅", "处长", "13900001111", "wz@hlj.edu.cn", "2023-06-18T14:00", True
    ),
    Participant("李堃", "女", "哈尔滨市教育局", "科长", "13900002222", "lk@hlj.edu.cn", "2023-06-18", False),
]


@dataclass(frozen=True)
class Ours:
    """One reply of ours, as sent."""

    raw: bytes
    message_id: str  # with <>
    subject: str
    text: str
    html: str  # the inside of <body>


def our_reply(raw: bytes | None = None) -> Ours:
    """A confirmation of 黑龙江's receipt, composed by the daemon's own composer."""
    verdict = Verdict(Status.ACCEPTED, "zz-student", 1, "黑龙江", list(HLJ))
    original = Original(PROVINCE, "黑龙江省报名回执", "r1@hlj.edu.cn", (), "ab" * 32)
    raw = raw or compose_reply(verdict, notice(), original, from_addr=OURS, now=WHEN)
    parsed = email.message_from_bytes(raw, policy=policy.default)
    text_part = parsed.get_body(("plain",))
    html_part = parsed.get_body(("html",))
    assert text_part is not None and html_part is not None
    html = str(html_part.get_content())
    inner = re.sub(r"(?s)^.*?<body[^>]*>|</body>.*$", "", html)
    return Ours(raw, str(parsed["Message-ID"]), str(parsed["Subject"]), str(text_part.get_content()), inner)


def _quoted_text(ours: Ours, sender_line: str) -> str:
    return f"{sender_line}\n" + "\n".join(f"> {line}" for line in ours.text.splitlines())


def _qq_header(ours: Ours) -> str:
    return (
        '<div style="font-size: 12px;font-family: Arial Narrow;padding:2px 0 2px 0;">'
        "------------------&nbsp;原始邮件&nbsp;------------------</div>"
        '<div style="font-size: 12px;background:#efefef;padding:8px;">'
        f"<div><b>发件人:</b>&nbsp;&quot;报名系统&quot;&lt;{OURS}&gt;;</div>"
        "<div><b>发送时间:</b>&nbsp;2023年6月12日(星期一) 上午9:40</div>"
        f"<div><b>收件人:</b>&nbsp;&lt;{PROVINCE}&gt;;<wbr></div>"
        f"<div></div><div><b>主题:</b>&nbsp;{ours.subject}</div></div><div><br></div>"
    )


def _outlook_html(ours: Ours, own: str) -> str:
    """Word HTML: our classes and data attributes gone, the table rewritten, the 发件人 block."""
    rewritten = re.sub(r'\s(?:class|data-intake)="[^"]*"', "", ours.html)
    rewritten = rewritten.replace(
        "<table", "<table class=MsoNormalTable border=0 cellspacing=0 cellpadding=0"
    )
    return (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv=Content-Type '
        'content="text/html; charset=gb2312"></head><body lang=ZH-CN><div class=WordSection1>'
        f"<p class=MsoNormal>{own}<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
        "<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>"
        f"<p class=MsoNormal><b>发件人<span lang=EN-US>:</span></b><span lang=EN-US> 报名系统 &lt;{OURS}&gt;"
        "<br></span><b>发送时间<span lang=EN-US>:</span></b><span lang=EN-US> 2023</span>年6月12日 9:40<br>"
        f"<b>主题<span lang=EN-US>:</span></b> {ours.subject}</p></div><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
        f"{rewritten}</div></body></html>"
    )


def answer(
    ours: Ours,
    own: str,
    *,
    style: str,
    subject: str | None = None,
    sender: str = PROVINCE,
    message_id: str = "<answer-1@hlj.edu.cn>",
    references: bool = True,
) -> MessageBuilder:
    """A reply to ours in the style of one client; the caller may add headers and attachments."""
    client = {"qq": "qq", "163": "163", "outlook": "outlook", "apple": "apple", "plain": "thunderbird"}[style]
    builder = MessageBuilder(
        sender=sender,
        sender_name="梁老师",
        to=OURS,
        subject=subject if subject is not None else f"回复：{ours.subject}",
        client=client,
        message_id=message_id,
    )
    if references:
        builder.header("In-Reply-To", ours.message_id).header(
            "References", f"<r1@hlj.edu.cn> {ours.message_id}"
        )
    own_html = "".join(f"<div>{line}</div>" for line in own.splitlines())
    if style == "qq":
        builder.text(
            f'{own}\n\n\n------------------ 原始邮件 ------------------\n发件人: "报名系统"<{OURS}>;\n{ours.text}'
        )
        builder.html(f"{own_html}<div><br></div>{_qq_header(ours)}{ours.html}")
    elif style == "163":
        quote = f'<blockquote id="isReplyContent" style="PADDING-LEFT: 1ex; MARGIN: 0px 0px 0px 0.8ex">{ours.html}</blockquote>'
        builder.html(
            f'<div style="line-height:1.7;color:#000000;font-size:14px;font-family:Arial">{own_html}<br><br>'
            f'<pre><br>在 2023-06-12 09:40:00，"报名系统" &lt;{OURS}&gt; 写道：<br></pre>{quote}</div>'
        )
    elif style == "outlook":
        builder.text(
            f"{own}\n\n发件人: 报名系统 <{OURS}>\n发送时间: 2023年6月12日 9:40\n主题: {ours.subject}\n\n{ours.text}"
        )
        builder.html(_outlook_html(ours, own))
    elif style == "apple":
        builder.html(
            f'<html><body>{own_html}<div><br><blockquote type="cite"><div>2023年6月12日 09:40，报名系统 &lt;{OURS}&gt; 写道：</div>'
            f"{ours.html}</blockquote></div></body></html>"
        )
    else:
        builder.text(f"{own}\n\n{_quoted_text(ours, '在 2023/6/12 9:40, 报名系统 写道:')}")
    return builder


# -- auto-responders, each with the headers it really sends -----------------------------------------


def outlook_out_of_office(ours: Ours) -> bytes:
    """Exchange/Outlook: no Auto-Submitted, X-Auto-Response-Suppress: All, 「自动答复:」, our reply quoted."""
    own = "您好：我于6月29日至7月3日休假，期间不便查看邮件，急事请致电办公室。"
    return (
        answer(
            ours,
            own,
            style="outlook",
            subject=f"自动答复: {ours.subject}",
            message_id="<ooo-outlook@hlj.edu.cn>",
        )
        .header("X-Auto-Response-Suppress", "All")
        .header("X-MS-Exchange-Inbox-Rules-Loop", PROVINCE)
        .build()
    )


def sieve_vacation(ours: Ours) -> bytes:
    """Sieve vacation (RFC 5230, Dovecot Pigeonhole): Auto-Submitted: auto-replied, 「Auto:」."""
    own = "I am away until 3 July. 我7月3日前不在办公室。"
    return (
        answer(ours, own, style="plain", subject=f"Auto: {ours.subject}", message_id="<ooo-sieve@hlj.edu.cn>")
        .header("Auto-Submitted", "auto-replied (vacation)")
        .header("Precedence", None)
        .build()
    )


def debian_vacation(ours: Ours) -> bytes:
    """vacation(1) as Debian ships it: Precedence: junk, the subject of ~/.vacation.msg."""
    own = "我正在外地出差，7月3日返回，回来后再处理您的邮件。"
    return (
        answer(ours, own, style="plain", subject="外出（vacation）", message_id="<ooo-vacation@hlj.edu.cn>")
        .header("Precedence", "junk")
        .header("X-Mailer", "vacation 1.2.7.1")
        .build()
    )


def qq_holiday_reply(ours: Ours) -> bytes:
    """QQ Mail's holiday auto-reply: only its subject and its fixed words say what it is."""
    own = (
        "这是来自QQ邮箱的假期自动回复邮件。\n \n"
        "您好，我最近正在休假中，无法亲自回复您的邮件。我将在假期结束后，尽快给您回复。"
    )
    return answer(
        ours, own, style="qq", subject=f"自动回复: {ours.subject}", message_id="<ooo-qq@qq.com>"
    ).build()
