"""The organizers' digest as a message: plain text and HTML alternatives, the roster workbook attached.

Pure: DigestData in (mailer.compose.digest_data), RFC 5322 bytes out.  ``Auto-Submitted:
auto-generated`` keeps it out of auto-reply loops (our own classifier ignores it too).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from mailer.compose import digest_format as F
from mailer.compose.digest_data import (
    ACCEPTED,
    KINDS,
    MISSING,
    REJECTED,
    UNIDENTIFIED,
    DigestData,
    ProvinceFigures,
    parse_time,
)
from mailer.compose.digest_html import render_html
from mailer.compose.reply import clean_header

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _text_bar(value: int, scale: int, width: int = 20) -> str:
    return "█" * (round(width * value / scale) if scale else 0)


def _section(title: str, lines: list[str]) -> list[str]:
    """A blank line, the title, the lines."""
    return ["", title, *lines]


def _attention(data: DigestData) -> list[str]:
    """At the top: rosters whose newest receipt was rejected, receipts nobody could place, then the
    provinces still missing or not accepted, and those that send nobody (不参加)."""
    out = []
    if data.regressed:
        out += [
            f"最新回执未通过的省份（{len(data.regressed)}）：",
            *(f"  ! {F.regressed_line(p)}" for p in data.regressed),
        ]
    if data.unidentified:
        out += [
            f"来件未识别（无法确定是哪个省份，{len(data.unidentified)} 封，请人工查看）：",
            *(f"  ? {F.unidentified_line(u)}" for u in data.unidentified),
        ]
    waiting = [p for p in data.provinces if p.status in (MISSING, UNIDENTIFIED, REJECTED)]
    absent = [F.absent_line(data)] if data.absent else []  # they answered: not waited for
    if not waiting:
        return [*out, F.all_done(data), *absent]
    return [
        *out,
        f"尚未完成报名的省份（{len(waiting)}）：",
        *(f"  - {_waiting(p)}" for p in waiting),
        *absent,
    ]


def _waiting(p: ProvinceFigures) -> str:
    if p.status == MISSING:
        return f"{p.province} 未报送{F.missing_note(p)}"
    if p.status == UNIDENTIFIED:
        return f"{p.province} 来件未识别：" + "；".join(F.unidentified_line(u) for u in p.unidentified)
    return f"{p.province} 已报送 {p.versions} 版，尚未通过（{len(p.errors)} 个问题待修改，回执中 {p.pending} 人）"


def _province_line(data: DigestData, p: ProvinceFigures, scale: int) -> str:
    kinds = "/".join(str(p.by_kind[k]) for k in KINDS)
    late = "，逾期" if F.is_late(data, p) else ""
    open_ = f"，待修改 {len(p.errors)}，提示 {len(p.warnings)}" if p.errors or p.warnings else ""
    return (
        f"  {p.province:<6}\t{F.STATUS_LABELS[p.status]}\t{p.headcount:>3} 人 {_text_bar(p.headcount, scale)}"
        f"  （{kinds}；{p.versions} 版；最近收到 {F.when(p.last_received)}{late}{open_}）"
    )


def _provinces(data: DigestData) -> list[str]:
    t = data.totals
    scale = max([p.headcount for p in data.provinces] + [1])
    total = (
        f"  合计：{t['people']} 人（"
        + "，".join(f"{F.KIND_SHORT[k]} {t[f'kind_{k}']}" for k in KINDS)
        + f"）；男 {t['men']}，女 {t['women']}；领队 {t['leaders']}；逾期 {t['late']} 省"
    )
    title = "各省报送情况（已确认名单人数，按单位类别：" + "/".join(F.KIND_SHORT[k] for k in KINDS) + "）："
    return _section(title, [*(_province_line(data, p, scale) for p in data.provinces), total])


def _lodging(data: DigestData) -> list[str]:
    """Hotels (men and women, night by night) and arrival days, each only when there is something to show."""
    out = []
    if data.hotels:
        lines = []
        for h in data.hotels:
            lines.append(
                f"  {h.name}（{'、'.join(h.provinces)}）：{h.headcount} 人（男 {h.men}，女 {h.women}）"
            )
            lines += [f"    {line}" for line in F.night_lines(h)] if h.headcount else []
        out += _section("各酒店人数（按晚）：", lines)
    if data.arrivals:
        out += _section("抵达日期：", [f"  {F.day_label(d)}：{n} 人" for d, n in data.arrivals])
    return out


def _leaders(data: DigestData) -> list[str]:
    """Each province's leader and mobile, and the address its receipts come from."""
    leaders = [
        f"  {p.province}："
        + ("、".join(f"{x.name} {x.mobile}" for x in p.leaders) or "（未指定领队）")
        + (f"；报送邮箱 {p.sender}" if p.sender else "")
        for p in data.provinces
        if p.status == ACCEPTED
    ]
    return _section("各省领队和报送邮箱：", leaders) if leaders else []


def _pending(data: DigestData) -> list[str]:
    """People in receipts the provinces were asked to fix: not yet on any roster."""
    if not data.pending:
        return []
    title = f"待修改回执中的人数（共 {data.totals['pending']} 人，未计入上面的名单）："
    return _section(title, [f"  {F.pending_line(p)}" for p in data.pending])


def _remarks(data: DigestData) -> list[str]:
    if not data.remarks:
        return []
    return _section("备注：", [f"  {p.province} {p.name}（{p.unit}）：{p.remark}" for p in data.remarks])


def _problems(data: DigestData) -> list[str]:
    problems = [
        f"  {p.province} [{F.SEVERITY_LABELS.get(x.severity, x.severity)}] {x.message}"
        for p in data.provinces
        for x in (*p.errors, *p.warnings)
    ]
    return _section("待处理问题：" + ("" if problems else "无"), problems)


def _changes(data: DigestData) -> list[str]:
    changes = F.change_lines(data)
    title = "至今收到的回执（首份日报）：" if data.first else "自上次日报以来的变化："
    return _section(title + ("" if changes else "无新回执。"), [f"  {c}" for c in changes])


def _reminders(data: DigestData) -> list[str]:
    reminded = [
        f"  {p.province}：{'、'.join(p.reminded)}（{'、'.join(p.reminded_to)}）"
        for p in data.provinces
        if p.reminded
    ]
    return _section("催报记录：" + ("" if reminded else "尚未发送催报邮件。"), reminded)


def _others(data: DigestData) -> list[str]:
    if not data.others:
        return []
    lines = [f"  {o.province or '不明'}：{o.versions} 版" for o in data.others]
    return _section("其他来件（不在本期参训范围或省份不明）：", lines)


def _questions(data: DigestData) -> list[str]:
    """Questions waiting for a person, with their text: no rule answered them."""
    if not data.questions:
        return []
    lines = []
    for q in data.questions:
        who = f"{q.province}，" if q.province else ""
        lines.append(f"  [{q.short}] {who}{q.sender}，{F.when(parse_time(q.received, data.notice))}：")
        lines += [f"    {line}" for line in F.question_lines(q.text)]
    lines.append(F.QUESTIONS_HOWTO)
    return _section(f"待人工答复的问题（{len(data.questions)}）：", lines)


def render_text(data: DigestData) -> str:
    out = [f"{F.period_title(data)} 报名日报（{data.now.month}月{data.now.day}日）", "", F.headline(data), ""]
    out += _attention(data)
    out += _questions(data)
    out += _section("本期安排：", [f"  {k}：{v}" for k, v in F.facts(data)])
    out += _provinces(data)
    out += _pending(data)
    out += _lodging(data)
    out += _leaders(data)
    out += _remarks(data)
    out += _problems(data)
    out += _changes(data)
    out += _reminders(data)
    out += _others(data)
    out += ["", "本邮件由报名系统自动生成，请勿直接回复。附件为本期报名名单（Excel）。"]
    return "\n".join(out) + "\n"


def workbook_filename(data: DigestData) -> str:
    return f"{F.period_title(data)}报名名单-{data.now:%Y%m%d}.xlsx"


def compose_digest(
    data: DigestData,
    *,
    from_addr: str,
    to: list[str] | tuple[str, ...],
    key: str,
    workbook: bytes | None = None,
    now: datetime | None = None,
) -> bytes:
    """The digest message; ``key`` (the outbox key) makes its Message-ID stable across retries."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = clean_header(from_addr)
    msg["To"] = ", ".join(clean_header(a) for a in to)
    msg["Subject"] = clean_header(F.subject(data), 300)
    msg["Date"] = format_datetime(now or data.now)
    domain = from_addr.rpartition("@")[2] or "intake.local"
    msg["Message-ID"] = (
        f"<digest-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{clean_header(domain, 100)}>"
    )
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(render_text(data), charset="utf-8")
    msg.add_alternative(render_html(data), subtype="html", charset="utf-8")
    if workbook is not None:
        msg.add_attachment(workbook, maintype=XLSX[0], subtype=XLSX[1], filename=workbook_filename(data))
    return msg.as_bytes()
