"""The digest as HTML for mail clients: tables, inline styles, bars drawn with table cells.

No script, no external image, no <style> block (several webmail clients drop it): every bar is
a table whose width is a percentage and whose cells carry bgcolor, which Outlook, Foxmail,
QQ Mail, 163 and Gmail all render.
"""

from __future__ import annotations

from html import escape

from mailer.compose import digest_format as F
from mailer.compose.digest_data import (
    ABSENT,
    ACCEPTED,
    KINDS,
    MISSING,
    REJECTED,
    UNIDENTIFIED,
    DigestData,
    HotelFigures,
    ProvinceFigures,
    ProvinceStatus,
    parse_time,
)

TD = "border:1px solid #c8c8c8;padding:3px 6px;vertical-align:top"
TH = TD + ";background:#eef2f7;font-weight:bold;white-space:nowrap"
STATUS_COLORS: dict[str, str] = {
    ACCEPTED: "#2e7d32",
    REJECTED: "#c62828",
    MISSING: "#c62828",
    UNIDENTIFIED: "#8e24aa",
    ABSENT: "#757575",
}
TITLE = '<p style="margin:16px 0 4px"><b>{}</b></p>'


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _table(head: list[str], rows: list[list[str]], *, raw: bool = False) -> str:
    """A bordered table; cells are escaped unless raw (already HTML)."""
    th = "".join(f'<th style="{TH}">{_e(h)}</th>' for h in head)
    body = "".join(
        "<tr>" + "".join(f'<td style="{TD}">{c if raw else _e(c)}</td>' for c in row) + "</tr>"
        for row in rows
    )
    return (
        f'<table cellspacing="0" cellpadding="0" style="border-collapse:collapse;font-size:13px">'
        f"<tr>{th}</tr>{body}</table>"
    )


def bar(segments: list[tuple[int, str]], scale: int, label: str = "") -> str:
    """A horizontal bar: segments (value, colour) side by side, total width value/scale of the cell."""
    total = sum(v for v, _c in segments)
    if total <= 0 or scale <= 0:
        return f'<span style="color:#888">{_e(label)}</span>' if label else ""
    width = max(1, round(100 * total / scale))
    cells = "".join(
        f'<td width="{max(1, round(100 * v / total))}%" bgcolor="{c}" style="background:{c};'
        f'height:14px;font-size:1px;line-height:1px">&nbsp;</td>'
        for v, c in segments
        if v > 0
    )
    return (
        f'<table cellspacing="0" cellpadding="0" width="{width}%" style="border-collapse:collapse">'
        f"<tr>{cells}</tr></table>"
    )


def _chart(title: str, rows: list[tuple[str, list[tuple[int, str]], str]], scale: int) -> str:
    """One bar per row: (label, segments, figure at the end)."""
    body = "".join(
        f'<tr><td style="padding:2px 8px 2px 0;white-space:nowrap;font-size:13px">{_e(label)}</td>'
        f'<td width="100%" style="padding:2px 0">{bar(segs, scale)}</td>'
        f'<td style="padding:2px 0 2px 8px;white-space:nowrap;font-size:13px;text-align:right">{_e(figure)}</td></tr>'
        for label, segs, figure in rows
    )
    return (
        f'<p style="margin:16px 0 4px"><b>{_e(title)}</b></p>'
        f'<table cellspacing="0" cellpadding="0" width="100%" style="max-width:640px">{body}</table>'
    )


def _legend() -> str:
    return (
        '<p style="font-size:12px;color:#555;margin:4px 0">'
        + "　".join(f'<span style="color:{F.KIND_COLORS[k]}">■</span> {_e(F.KIND_LABELS[k])}' for k in KINDS)
        + "</p>"
    )


def _status(status: ProvinceStatus) -> str:
    return (
        f'<span style="color:{STATUS_COLORS[status]};font-weight:bold">{_e(F.STATUS_LABELS[status])}</span>'
    )


def render_html(data: DigestData) -> str:
    out = [
        f'<h2 style="font-size:18px;margin:0 0 8px">{_e(F.period_title(data))} 报名日报'
        f"（{data.now.month}月{data.now.day}日）</h2>",
        f"<p>{_e(F.headline(data))}</p>",
        _attention(data),
        _questions(data),
        '<p style="margin:16px 0 4px"><b>本期安排</b></p>',
        _table(["项目", "内容"], [[k, v] for k, v in F.facts(data)]),
        _headcount_chart(data),
        _legend(),
        _progress_chart(data),
        '<p style="margin:16px 0 4px"><b>各省报送情况</b></p>',
        _provinces(data),
        _pending(data),
        *_lodging_charts(data),
        _leaders(data),
        _remarks(data),
        _problems(data),
        _changes(data),
        _reminders(data),
        _others(data),
        '<p style="color:#777;font-size:12px;margin-top:20px">本邮件由报名系统自动生成，请勿直接回复。'
        "附件为本期报名名单（Excel），含全部人员、分酒店名单、住宿统计、各省汇总、待处理问题和签到表。</p>",
    ]
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_e(F.subject(data))}</title></head>"
        "<body style=\"font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',SimSun,sans-serif;"
        'font-size:14px;color:#222;margin:12px">' + "".join(out) + "</body></html>"
    )


def _headcount_chart(data: DigestData) -> str:
    """Accepted people per province, one bar segment per unit kind."""
    scale = max([p.headcount for p in data.provinces] + [1])
    rows = [
        (
            p.province,
            [(p.by_kind[k], F.KIND_COLORS[k]) for k in KINDS],
            f"{p.headcount} 人" if p.status == ACCEPTED else F.STATUS_LABELS[p.status],
        )
        for p in data.provinces
    ]
    return _chart("各省已确认人数（按单位类别）", rows, scale)


def _progress_chart(data: DigestData) -> str:
    t = data.totals
    rows = [
        ("已确认", [(t["accepted"], "#2e7d32")], f"{t['accepted']}/{t['admitted']}"),
        ("需修改", [(t["not_accepted"], "#e08a1e")], f"{t['not_accepted']}/{t['admitted']}"),
        ("未报送", [(t["missing"], "#c62828")], f"{t['missing']}/{t['admitted']}"),
    ]
    for key, status in (("unidentified", UNIDENTIFIED), ("absent", ABSENT)):
        if t[key]:
            rows.append(
                (F.STATUS_LABELS[status], [(t[key], STATUS_COLORS[status])], f"{t[key]}/{t['admitted']}")
            )
    return _chart("报送进度（省份）", rows, t["admitted"])


def _lodging_charts(data: DigestData) -> list[str]:
    """People per hotel (men and women) and night by night, and per arrival day; each only when there is something."""
    out = []
    if data.hotels:
        hs = max([h.headcount for h in data.hotels] + [1])
        rows = [
            (
                f"{h.name}（{'、'.join(h.provinces)}）",
                [(h.men, "#3f6fb5"), (h.women, "#d0607a"), (h.headcount - h.men - h.women, "#9a9a9a")],
                f"{h.headcount} 人（男 {h.men}，女 {h.women}）",
            )
            for h in data.hotels
        ]
        out.append(_chart("各酒店人数（蓝：男，红：女）", rows, hs))
        out += [_nights(h) for h in data.hotels if h.nights and h.headcount]
    if data.arrivals:
        ds = max([n for _d, n in data.arrivals] + [1])
        rows = [(F.day_label(d), [(n, "#00838f")], f"{n} 人") for d, n in data.arrivals]
        out.append(_chart("抵达日期（人数）", rows, ds))
    return out


def _nights(h: HotelFigures) -> str:
    """One hotel night by night: who arrives, who stays, men and women apart."""
    rows = [
        [
            F.day_label(n.day),
            str(n.arriving.men),
            str(n.arriving.women),
            str(n.arriving.people),
            str(n.staying.men),
            str(n.staying.women),
            f"<b>{n.staying.people}</b>",
        ]
        for n in h.nights
    ]
    head = ["日期", "抵达男", "抵达女", "抵达合计", "当晚在住男", "当晚在住女", "当晚在住合计"]
    note = (
        f'<p style="font-size:12px;color:#555;margin:2px 0">抵达时间未填或无法识别 {h.unknown_arrival} 人，'
        "按开班当天入住计。</p>"
        if h.unknown_arrival
        else ""
    )
    return TITLE.format(_e(f"{h.name} 按晚人数")) + _table(head, rows, raw=True) + note


def _pending(data: DigestData) -> str:
    if not data.pending:
        return ""
    rows = [[p.province, str(p.pending), F.when(p.last_received), str(len(p.errors))] for p in data.pending]
    title = f"待修改回执中的人数（共 {data.totals['pending']} 人，未计入已确认名单）"
    return TITLE.format(_e(title)) + _table(["省份", "人数", "收到", "待修改问题"], rows)


def _remarks(data: DigestData) -> str:
    if not data.remarks:
        return ""
    rows = [[p.province, p.name, p.unit, p.remark] for p in data.remarks]
    return TITLE.format("备注") + _table(["省份", "姓名", "单位", "备注"], rows)


def _others(data: DigestData) -> str:
    if not data.others:
        return ""
    rows = [
        [o.province or "不明", str(o.versions), F.STATUS_LABELS.get(o.latest.status, o.latest.status)]
        for o in data.others
    ]
    return '<p style="margin:16px 0 4px"><b>其他来件（不在本期参训范围或省份不明）</b></p>' + _table(
        ["省份", "版本数", "最近状态"], rows
    )


def _box(title: str, items: list[str], color: str, background: str) -> str:
    return (
        f'<div style="background:{background};border-left:4px solid {color};padding:6px 10px;margin:4px 0">'
        f'<b>{_e(title)}</b><ul style="margin:4px 0">{"".join(items)}</ul></div>'
    )


def _questions(data: DigestData) -> str:
    """Questions waiting for a person, each with its text."""
    if not data.questions:
        return ""
    rows = [
        [
            _e(q.short),
            _e(f"{q.province or ''} {q.sender}".strip()),
            _e(F.when(parse_time(q.received, data.notice))),
            "<br>".join(_e(line) for line in F.question_lines(q.text)),
        ]
        for q in data.questions
    ]
    return (
        f'<p style="margin:16px 0 4px"><b>待人工答复的问题（{len(data.questions)}）</b></p>'
        + _table(["编号", "来信", "时间", "内容"], rows, raw=True)
        + f'<p style="color:#777;font-size:12px">{_e(F.QUESTIONS_HOWTO.strip())}</p>'
    )


def _attention(data: DigestData) -> str:
    """At the top: rosters whose newest receipt was rejected, receipts nobody could place, provinces still missing."""
    out = []
    if data.regressed:
        items = [f"<li>{_e(F.regressed_line(p))}</li>" for p in data.regressed]
        out.append(_box(f"最新回执未通过的省份（{len(items)}）", items, "#e65100", "#fff3e0"))
    if data.unidentified:
        items = [f"<li>{_e(F.unidentified_line(u))}</li>" for u in data.unidentified]
        out.append(
            _box(f"来件未识别（无法确定省份，{len(items)} 封，请人工查看）", items, "#8e24aa", "#f3e5f5")
        )
    items = [_waiting(p) for p in data.provinces if p.status in (MISSING, UNIDENTIFIED, REJECTED)]
    if items:
        out.append(_box(f"尚未完成报名的省份（{len(items)}）", items, "#c62828", "#fdecea"))
    else:
        out.append(
            '<p style="background:#e8f5e9;border-left:4px solid #2e7d32;padding:6px 10px">'
            f"{_e(F.all_done(data))}</p>"
        )
    if data.absent:  # they answered: not waited for
        out.append(
            f'<p style="border-left:4px solid {STATUS_COLORS[ABSENT]};padding:6px 10px;color:#555">'
            f"{_e(F.absent_line(data))}</p>"
        )
    return "".join(out)


def _waiting(p: ProvinceFigures) -> str:
    if p.status == MISSING:
        return f"<li><b>{_e(p.province)}</b> 未报送{_e(F.missing_note(p))}</li>"
    if p.status == UNIDENTIFIED:
        lines = "；".join(F.unidentified_line(u) for u in p.unidentified)
        return f"<li><b>{_e(p.province)}</b> 来件未识别：{_e(lines)}</li>"
    return (
        f"<li><b>{_e(p.province)}</b> 已报送 {p.versions} 版，尚未通过"
        f"（{len(p.errors)} 个问题待修改，回执中 {p.pending} 人）</li>"
    )


def _provinces(data: DigestData) -> str:
    head = [
        "省份",
        "状态",
        "版本",
        "最近收到",
        *(F.KIND_SHORT[k] for k in KINDS),
        "合计",
        "逾期",
        "待修改",
        "提示",
    ]
    rows = []
    for p in data.provinces:
        late = '<span style="color:#c62828">逾期</span>' if F.is_late(data, p) else "否"
        rows.append(
            [
                _e(p.province),
                _status(p.status),
                str(p.versions),
                _e(F.when(p.last_received)),
                *(str(p.by_kind[k]) for k in KINDS),
                f"<b>{p.headcount}</b>",
                late,
                str(len(p.errors)),
                str(len(p.warnings)),
            ]
        )
    t = data.totals
    rows.append(
        [
            "<b>合计</b>",
            f"{t['accepted']}/{t['admitted']}",
            "",
            "",
            *(str(t[f"kind_{k}"]) for k in KINDS),
            f"<b>{t['people']}</b>",
            str(t["late"]),
            str(t["errors"]),
            str(t["warnings"]),
        ]
    )
    return _table(head, rows, raw=True) + (
        f'<p style="font-size:12px;color:#555">男 {t["men"]} 人，女 {t["women"]} 人，'
        f"领队 {t['leaders']} 人。</p>"
    )


def _leaders(data: DigestData) -> str:
    rows = []
    for p in data.provinces:
        if p.status != ACCEPTED:
            continue
        if not p.leaders:
            rows.append([p.province, "（未指定领队）", "", "", p.sender])
        rows += [[p.province, x.name, x.mobile, x.unit, p.sender] for x in p.leaders]
    if not rows:
        return ""
    return TITLE.format("各省领队和报送邮箱") + _table(["省份", "领队", "手机", "单位", "报送邮箱"], rows)


def _problems(data: DigestData) -> str:
    rows = [
        [p.province, F.SEVERITY_LABELS.get(x.severity, x.severity), x.message]
        for p in data.provinces
        for x in (*p.errors, *p.warnings)
    ]
    if not rows:
        return '<p style="margin:16px 0 4px"><b>待处理问题</b>：无</p>'
    return '<p style="margin:16px 0 4px"><b>待处理问题</b></p>' + _table(["省份", "类别", "说明"], rows)


def _changes(data: DigestData) -> str:
    title = "至今收到的回执（首份日报）" if data.first else "自上次日报以来的变化"
    lines = F.change_lines(data)
    items = "".join(f"<li>{_e(x)}</li>" for x in lines) or "<li>无新回执。</li>"
    return f'<p style="margin:16px 0 4px"><b>{_e(title)}</b></p><ul style="margin:4px 0">{items}</ul>'


def _reminders(data: DigestData) -> str:
    rows = [
        [p.province, "、".join(p.reminded), "、".join(p.reminded_to)] for p in data.provinces if p.reminded
    ]
    if not rows:
        return '<p style="margin:16px 0 4px"><b>催报记录</b>：尚未发送催报邮件。</p>'
    return '<p style="margin:16px 0 4px"><b>催报记录</b></p>' + _table(["省份", "催报日期", "发送至"], rows)
