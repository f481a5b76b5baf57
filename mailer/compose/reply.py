"""Replies to senders: a confirmation that echoes what we read, or a list of what to fix.

Pure: a verdict, the notice and the original message's headers in; RFC 5322 bytes out.
A reply carries only the roster of the message it answers, never another province's.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from mailer.compose import reply_filing as RF
from mailer.compose.reply_filing import Filing
from rules.marks import (
    REPLY_ATTRIBUTE,
    ROSTER_ATTRIBUTE,
    ROSTER_CAPTION,
    ROSTER_CAPTION_READ,
    original_subject,
)
from rules.notice import Notice, Period, Program
from rules.verdict import Participant, Problem, Severity, Status, Verdict
from rules.wording import arrival_label, date_span, moment

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SEVERITY_TEXT = {Severity.ERROR: "需修改", Severity.WARNING: "提示"}
TAIL = "本邮件由报名系统自动发送。如有疑问，请直接回复本邮件，会务组会人工处理。"
OCR_NOTE = (
    "请注意：本回执是从扫描件或照片中用文字识别（OCR）自动读取的，姓名、手机号、邮箱等可能识别有误。"
    "请逐项核对下面的报名名单；如有错误，请直接回复本邮件更正，最好附上可编辑的 .xlsx 或 .docx 回执表。"
)
OCR_UNSURE = "其中 {count} 项识别把握不大，已在下面“请留意”中逐项列出识别结果。"
COLUMNS = (
    ("name", "姓名"),
    ("gender", "性别"),
    ("unit", "单位"),
    ("title", "职务"),
    ("mobile", "手机"),
    ("email", "电子邮箱"),
    ("arrival", "抵达酒店时间"),
    ("leader", "领队"),
)
REMARK = ("remark", "备注")
ADDED = ("registered", "本次补报")
# A roster's changes since its last version, as storage keeps them: added / removed rows (participant
# dicts) and changed fields ({"name", "field", "old", "new"}).
RosterChanges = Mapping[str, Sequence[Mapping[str, Any]]]


@dataclass(frozen=True)
class Original:
    """What a reply needs of the message it answers."""

    sender: str  # its From address: the reply goes there
    subject: str
    message_id: str = ""
    references: tuple[str, ...] = ()
    sha256: str = ""  # of its raw bytes: makes our Message-ID stable across retries


def clean_header(text: str, limit: int = 200) -> str:
    """One safe line: control characters (CR, LF, NUL, bidi overrides) removed, length bounded."""
    return " ".join(_CONTROL.sub(" ", text or "").split())[:limit]


def original_seed(original: Original) -> str:
    """A hex string naming the answer to original: its sha256, else one made of its Message-ID and sender."""
    return original.sha256 or hashlib.sha256(f"{original.message_id}{original.sender}".encode()).hexdigest()


def answering(
    original: Original, *, from_addr: str, subject: str, now: datetime, message_id: str
) -> EmailMessage:
    """A message that answers original, threaded under it (In-Reply-To, References): headers only.

    message_id: the local part of our Message-ID (stable for one answer, so a retry is the same message).
    """
    msg = EmailMessage(policy=SMTP)
    msg["From"] = clean_header(from_addr)
    msg["To"] = clean_header(original.sender)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    domain = from_addr.rpartition("@")[2] or "intake.local"
    msg["Message-ID"] = f"<{message_id}@{clean_header(domain, 100)}>"
    if original.message_id:
        mid = f"<{clean_header(original.message_id, 500).strip('<>')}>"
        msg["In-Reply-To"] = mid
        refs = [f"<{clean_header(r, 500).strip('<>')}>" for r in original.references[-10:] if r]
        msg["References"] = " ".join([*refs, mid])
    return msg


def reply_subject(verdict: Verdict, subject: str, superseded: bool = False) -> str:
    """【已确认】 or 【需修改】 and the original subject; 【未替换】 for a receipt older than the roster that stands."""
    tag = "【已确认】" if verdict.status == Status.ACCEPTED else "【需修改】"
    tag = RF.SUPERSEDED_TAG if superseded else tag
    original = original_subject(clean_header(subject))  # our tags and Re:/回复: in front of them
    return f"{tag}{original or '报名回执'}"


def compose_reply(
    verdict: Verdict,
    notice: Notice,
    original: Original,
    *,
    from_addr: str,
    now: datetime,
    diff: RosterChanges | None = None,
    version: int = 0,
    filing: Filing | None = None,
) -> bytes:
    """The reply; filing (where the receipt was filed among its province's versions) gives the diff and
    the version when it is known, and says so when the receipt was a 补报 or older than the roster that stands."""
    msg = answering(
        original,
        from_addr=from_addr,
        subject=reply_subject(verdict, original.subject, superseded=bool(filing and filing.superseded)),
        now=now,
        message_id=f"reply-{original_seed(original)[:32]}",
    )
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    text, body_html = render_reply(verdict, notice, diff=diff, version=version, filing=filing)
    msg.set_content(text, charset="utf-8")
    msg.add_alternative(body_html, subtype="html", charset="utf-8")
    return msg.as_bytes()


def _period(verdict: Verdict, notice: Notice) -> Period | None:
    program = notice.program(verdict.program) if verdict.program else None
    return program.period(verdict.period) if program and verdict.period else None


def _cell(p: Participant, key: str) -> str:
    if key == "leader":
        return "是" if p.leader else ""
    if key == "registered":
        return "" if p.registered else "是"
    if key == "arrival":
        return arrival_label(p.arrival_at, p.arrival)
    return str(getattr(p, key) or "")


@dataclass(frozen=True)
class Block:
    """One part of the reply, as plain-text lines and as HTML."""

    lines: tuple[str, ...]
    html: str


def render_reply(
    verdict: Verdict,
    notice: Notice,
    *,
    diff: RosterChanges | None = None,
    version: int = 0,
    filing: Filing | None = None,
) -> tuple[str, str]:
    """(plain text, HTML) of the reply body, in Chinese."""
    if filing is not None:
        diff, version = filing.diff(), filing.version.version
    if filing is not None and filing.superseded:
        return _render(_superseded(verdict, notice, filing))
    period = _period(verdict, notice)
    supplement = RF.is_supplement(verdict, filing)
    blocks = [
        Block(("您好！", ""), "<p>您好！</p>"),
        _headline(verdict, notice, period, version, supplement),
        _ocr_note(verdict),
        _problems("需要修改的问题", verdict.errors),
        _arrangements(verdict, notice, period),
        _requirements(verdict, notice),
        _roster(verdict.participants, supplement=supplement, registered=verdict.status is Status.ACCEPTED),
        _paragraph(RF.REPLACE_HINT) if supplement and verdict.status is Status.ACCEPTED else None,
        _diff(diff),
        _problems("请留意", verdict.warnings),
        _paragraph(TAIL, style="color:#666"),
    ]
    return _render(blocks)


def _superseded(verdict: Verdict, notice: Notice, filing: Filing) -> list[Block | None]:
    """A receipt sent before the roster that stands: that roster, and how to make this one count."""
    period = _period(verdict, notice)
    head = RF.superseded_headline(_what(verdict, notice, period), filing, notice.timezone, len(verdict.added))
    return [
        Block(("您好！", ""), "<p>您好！</p>"),
        Block((head,), f"<p>{html.escape(head)}</p>"),
        _paragraph(RF.SUPERSEDED_HINT),
        _arrangements(verdict, notice, period),
        _roster(filing.standing_people()),
        _paragraph(TAIL, style="color:#666"),
    ]


def _render(blocks: Sequence[Block | None]) -> tuple[str, str]:
    present = [b for b in blocks if b is not None]
    text = "\n".join(line for b in present for line in b.lines) + "\n"
    # Marked as ours (rules.marks): a quote of this reply is never read back as a receipt.
    body_html = "".join(b.html for b in present)
    return text, f'<html><body><div class="intake-reply" {REPLY_ATTRIBUTE}>{body_html}</div></body></html>'


def _paragraph(text: str, style: str = "") -> Block:
    attribute = f' style="{style}"' if style else ""
    return Block(("", text), f"<p{attribute}>{html.escape(text)}</p>")


def _what(verdict: Verdict, notice: Notice, period: Period | None) -> str:
    """河南高职状态平台培训第1期: what the receipt is for, as far as it is known."""
    program = notice.program(verdict.program) if verdict.program else None
    what = f"{verdict.province or ''}{program.name if program else '培训'}"
    return what + (f"第{period.number}期" if period else "")


def _headline(
    verdict: Verdict, notice: Notice, period: Period | None, version: int, supplement: bool = False
) -> Block:
    """What was received, and whether it is registered or must be fixed."""
    what = _what(verdict, notice, period)
    if supplement:
        head = RF.supplement_headline(verdict, what, version)
    elif verdict.status != Status.ACCEPTED:
        head = f"已收到{what}报名回执，但有以下问题需要修改。请修改后直接回复本邮件并附上更正后的回执表。"
    else:
        head = f"已收到{what}报名回执，共 {len(verdict.participants)} 人，登记如下。"
        head += f"（这是第 {version} 版，以本版为准。）" if version > 1 else ""
    return Block((head,), f"<p>{html.escape(head)}</p>")


def _ocr_note(verdict: Verdict) -> Block | None:
    """The roster came from a scan or photo: say so, and how many readings it is unsure of."""
    if not verdict.ocr:
        return None
    unsure = sum(1 for p in verdict.problems if p.code == "ocr_uncertain")
    note = OCR_NOTE + (OCR_UNSURE.format(count=unsure) if unsure else "")
    return Block(("", note), f"<p><b>{html.escape(note)}</b></p>")


def _problems(title: str, problems: list[Problem]) -> Block | None:
    if not problems:
        return None
    return Block(
        ("", f"{title}：", *(f"  {i}. {p.message}" for i, p in enumerate(problems, 1))),
        f"<p><b>{html.escape(title)}</b></p><ol>"
        + "".join(f"<li>{html.escape(p.message)}</li>" for p in problems)
        + "</ol>",
    )


def _arrangements(verdict: Verdict, notice: Notice, period: Period | None) -> Block | None:
    """培训安排: dates, venue, the province's hotel, and for a receipt to fix the deadline and mailbox; of the
    period the province attends when the receipt named one it does not (province_not_in_session)."""
    if period is None:
        return None
    period = _attended(verdict, notice, period)
    venue = f"（{period.venue_address}）" if period.venue_address else ""
    facts = [
        f"时间：{date_span(period)}（{period.start.year}年）",
        f"地点：{_place(period)}{venue}",
    ]
    hotel = period.hotel_for(verdict.province) if verdict.province else None
    if hotel and (len(period.hotels) > 1 or hotel.provinces):
        facts.append(f"住宿：{hotel.name}（地址：{hotel.address}）")
    if verdict.status != Status.ACCEPTED:
        facts.append(f"报名截止：{moment(period.deadline)}，报名邮箱：{period.mailbox}")
    program = notice.program(period.program)
    if contacts := _contacts(program, period):
        facts.append(f"会务联系人：{contacts}")
    return _listing("培训安排", facts)


def _place(period: Period) -> str:
    """开封 开封中州国际饭店; the venue alone when it begins with its city (成都（按省份分住三家酒店）)."""
    return period.venue if period.venue.startswith(period.city) else f"{period.city} {period.venue}"


def _attended(verdict: Verdict, notice: Notice, period: Period) -> Period:
    """The period the receipt's province attends in the same program (the one named when it is admitted)."""
    program = notice.program(period.program)
    if not verdict.province or verdict.province in period.provinces or program is None:
        return period
    return program.period_of(verdict.province) or period


def _contacts(program: Program | None, period: Period) -> str:
    """The notice's contacts for the program and the period's host: 姚艳 010-83988970-823."""
    people = (*(program.contacts if program else ()), *period.host_contacts)
    return "；".join(f"{c.name} {c.phone}".strip() + (f"（{c.unit}）" if c.unit else "") for c in people)


def _requirements(verdict: Verdict, notice: Notice) -> Block | None:
    """培训要求: what the notice asks of every participant, in a confirmation."""
    program = notice.program(verdict.program) if verdict.program else None
    if program is None or not program.requirements or verdict.status != Status.ACCEPTED:
        return None
    return _listing("培训要求（摘自通知）", list(program.requirements))


def _listing(title: str, items: list[str]) -> Block:
    return Block(
        ("", f"{title}：", *(f"  {i}" for i in items)),
        f"<p><b>{title}</b></p><ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>",
    )


def _roster(people: list[Participant], *, supplement: bool = False, registered: bool = True) -> Block | None:
    """The roster: every column of the form, 备注 when someone wrote one, and who this 补报 adds.

    registered: the roster stands now (a confirmation, the roster a superseded receipt did not
    replace); else it was only read, and its caption says it is not registered."""
    if not people:
        return None
    caption_text = ROSTER_CAPTION if registered else ROSTER_CAPTION_READ
    columns = [
        *COLUMNS,
        *([REMARK] if any(p.remark for p in people) else []),
        *([ADDED] if supplement else []),
    ]
    lines: tuple[str, ...] = ("", f"{caption_text}：", "  " + " | ".join(label for _k, label in columns))
    lines += tuple("  " + " | ".join(_cell(p, k) for k, _l in columns) for p in people)
    head = "".join(f'<th style="border:1px solid #999;padding:2px 6px">{label}</th>' for _k, label in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="border:1px solid #999;padding:2px 6px">{html.escape(_cell(p, k))}</td>'
            for k, _l in columns
        )
        + "</tr>"
        for p in people
    )
    caption = f'<tr><td colspan="{len(columns)}" style="padding:2px 6px;color:#666">{html.escape(caption_text)}</td></tr>'
    return Block(
        lines,
        f'<p><b>报名名单</b></p><table class="intake-roster" {ROSTER_ATTRIBUTE} style="border-collapse:collapse">'
        f"{caption}<tr>{head}</tr>{body}</table>",
    )


def _diff(diff: RosterChanges | None) -> Block | None:
    """与上一版相比: who was added or removed, and which field changed, for a second version or later."""
    if not diff:
        return None
    items = [f"新增：{r.get('name', '')}（{r.get('unit', '')}）" for r in diff.get("added", [])]
    items += [f"删除：{r.get('name', '')}（{r.get('unit', '')}）" for r in diff.get("removed", [])]
    labels = dict(COLUMNS)
    items += [
        f"修改：{c['name']} 的{labels.get(c['field'], c['field'])}由“{c['old'] or ''}”改为“{c['new'] or ''}”"
        for c in diff.get("changed", [])
        if c["field"] in labels
    ]
    return _listing("与上一版相比", items or ["与上一版相比没有变化。"])
