"""A polite reminder to a province that has no accepted receipt yet, with a filled-in template attached.

Pure: notice, period, province and addresses in; RFC 5322 bytes out.  Reply-To is the period's
mailbox, so the province's answer (with the receipt attached) lands where receipts are read.
"""

from __future__ import annotations

import hashlib
import html
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from mailer.compose.digest import XLSX
from mailer.compose.reply import clean_header
from mailer.compose.template import department_name, meeting_name
from rules.notice import Notice, Period, Unit
from rules.wording import date_span, moment


def reminder_subject(notice: Notice, period: Period, unit: Unit) -> str:
    return f"【报名提醒】{unit.name}{meeting_name(notice, period).replace(' ', '')}报名回执请于{moment(period.deadline)}前报送"


def render_reminder(
    notice: Notice,
    period: Period,
    unit: Unit,
    now: datetime,
    *,
    rejected: bool = False,
    attached: bool = True,
) -> str:
    program = notice.program(period.program)
    full = program.full_name or program.name if program else period.program
    days = (period.deadline.astimezone(notice.timezone).date() - now.astimezone(notice.timezone).date()).days
    left = "今天" if days <= 0 else f"还有 {days} 天"
    lines = [
        f"{department_name(unit)}：",
        "",
        "您好！",
        f"根据《{notice.title}》，{full}第{period.number}期定于{date_span(period)}在{period.city}举办，"
        f"{unit.name}在本期参训范围内。报名截止时间为 {moment(period.deadline)}（{left}截止）。",
    ]
    if rejected:
        lines.append(
            "我们已收到贵单位报送的回执，但其中仍有需要修改的问题（详见此前的自动回复邮件），"
            "目前尚未完成报名。请按回复中的说明修改后重新发送。"
        )
    else:
        lines.append("截至目前，我们尚未收到贵单位的报名回执。")
    if attached:
        lines.append(
            f"附件是已填好省份和期数的《报名回执表》，请填写参训人员信息后，于截止时间前发送至 {period.mailbox}"
            "（直接回复本邮件即可）。"
        )
    else:
        lines.append(
            f"请按通知附件3填写《报名回执表》，于截止时间前发送至 {period.mailbox}（直接回复本邮件即可）。"
        )
    lines += [
        "如已报送，请忽略本邮件。感谢您的支持与配合！",
        "",
        f"{program.name if program else ''}会务组",
        "（本邮件由报名系统自动发送）",
    ]
    return "\n".join(lines) + "\n"


def compose_reminder(
    notice: Notice,
    period: Period,
    unit: Unit,
    *,
    to: list[str] | tuple[str, ...],
    from_addr: str,
    now: datetime,
    key: str,
    template: bytes | None = None,
    template_name: str = "",
    rejected: bool = False,
) -> bytes:
    text = render_reminder(notice, period, unit, now, rejected=rejected, attached=template is not None)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = clean_header(from_addr)
    msg["To"] = ", ".join(clean_header(a) for a in to)
    msg["Reply-To"] = clean_header(period.mailbox)
    msg["Subject"] = clean_header(reminder_subject(notice, period, unit), 300)
    msg["Date"] = format_datetime(now)
    domain = from_addr.rpartition("@")[2] or "intake.local"
    msg["Message-ID"] = (
        f"<reminder-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{clean_header(domain, 100)}>"
    )
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, charset="utf-8")
    body = "".join(f"<p>{html.escape(line)}</p>" if line else "" for line in text.splitlines())
    msg.add_alternative(
        f'<html><body style="font-size:14px">{body}</body></html>', subtype="html", charset="utf-8"
    )
    if template is not None:
        msg.add_attachment(
            template, maintype=XLSX[0], subtype=XLSX[1], filename=template_name or "报名回执表.xlsx"
        )
    return msg.as_bytes()
