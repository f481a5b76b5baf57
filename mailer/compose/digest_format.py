"""Chinese labels and phrases shared by the digest's text and HTML renderings and the workbook."""

from __future__ import annotations

from datetime import date, datetime

from mailer.compose.digest_data import (
    ABSENT,
    ACCEPTED,
    MISSING,
    REJECTED,
    UNIDENTIFIED,
    UNKNOWN_DAY,
    Change,
    DigestData,
    ProvinceFigures,
    Unidentified,
)
from mailer.compose.digest_lodging import Count, HotelFigures
from rules.problems import FIELD_LABELS
from rules.units import BUREAU, DEPARTMENT, OTHER, SCHOOL
from rules.wording import date_span, moment
from storage.versions import VersionKind

STATUS_LABELS: dict[str, str] = {
    ACCEPTED: "已确认",
    REJECTED: "需修改",
    MISSING: "未报送",
    UNIDENTIFIED: "来件未识别",
    ABSENT: "不参加",
}
KIND_LABELS = {DEPARTMENT: "省级教育行政部门", BUREAU: "地市级教育行政部门", SCHOOL: "学校", OTHER: "其他"}
KIND_SHORT = {DEPARTMENT: "省级", BUREAU: "地市级", SCHOOL: "学校", OTHER: "其他"}
KIND_COLORS = {DEPARTMENT: "#2f6db5", BUREAU: "#e08a1e", SCHOOL: "#3a9a4a", OTHER: "#9a9a9a"}
SEVERITY_LABELS: dict[str, str] = {"error": "需修改", "warning": "提示"}
WEEKDAYS = "一二三四五六日"


def when(value: datetime | None) -> str:
    """6月18日 14:05 (in the notice's time zone, to which digest_data converts every time), or "—"."""
    if value is None:
        return "—"
    return moment(value).split("年", 1)[1]


def missing_note(p: ProvinceFigures) -> str:
    """After "未报送": when it was reminded, or that it could not be for want of an address."""
    if p.reminded:
        return "，已催报 " + "、".join(p.reminded)
    return "" if p.contacts else "，无联系邮箱，未能催报"


def is_late(data: DigestData, p: ProvinceFigures) -> bool:
    """Late: what counts came after the deadline, or nothing came and the deadline has passed."""
    return p.late or (p.status == MISSING and data.past_deadline)


def day_label(day: str | date) -> str:
    if isinstance(day, str) and day == UNKNOWN_DAY:
        return day
    d = day if isinstance(day, date) else date.fromisoformat(day)
    return f"{d.month}月{d.day}日（周{WEEKDAYS[d.weekday()]}）"


def sexes(count: Count) -> str:
    """男 3，女 2"""
    return f"男 {count.men}，女 {count.women}"


def night_lines(h: HotelFigures) -> list[str]:
    """Each night at a hotel: who arrives that day, who stays that night, men and women apart."""
    out = [
        f"{day_label(n.day)}：抵达 {n.arriving.people}（{sexes(n.arriving)}），"
        f"当晚在住 {n.staying.people}（{sexes(n.staying)}）"
        for n in h.nights
    ]
    if h.unknown_arrival:
        out.append(f"抵达时间未填或无法识别 {h.unknown_arrival} 人（按开班当天入住计）")
    return out


def unidentified_line(u: Unidentified) -> str:
    """来件 of 6月14日 10:00 from a@b.cn「报名回执」（3 人）：the first error."""
    subject = f"「{u.subject}」" if u.subject else ""
    people = f"（读到 {u.people} 人）" if u.people else ""
    return f"{when(u.received)} {u.sender or '发件人不明'}{subject}{people}：{u.message}"


def absent_line(data: DigestData) -> str:
    """不参加：河南（来函说明本期无人参加）、上海（电话告知）; "" when no province is."""
    if not data.absent:
        return ""
    return "不参加：" + "、".join(
        f"{p.province}（{p.absence.reason}）" if p.absence and p.absence.reason else p.province
        for p in data.absent
    )


def all_done(data: DigestData) -> str:
    """When no province is waiting: all confirmed, or all but those that send nobody."""
    return "其余参训省份均已确认报名。" if data.absent else "全部参训省份均已确认报名。"


def regressed_line(p: ProvinceFigures) -> str:
    return (
        f"{p.province} 最近一次回执（{when(p.last_received)}）未通过，有 {len(p.errors)} 个问题待修改；"
        f"现仍按第 {p.current_version} 版名单（{p.headcount} 人）登记"
    )


def pending_line(p: ProvinceFigures) -> str:
    return f"{p.province}：{p.pending} 人（{when(p.last_received)} 收到，待修改后重新报送）"


def period_title(data: DigestData) -> str:
    return f"{data.program.name}第{data.period.number}期"


def deadline_phrase(data: DigestData) -> str:
    deadline = moment(data.period.deadline)
    if data.past_deadline:
        late = f"，已过 {-data.days_left} 天" if data.days_left < 0 else ""
        return f"报名已于 {deadline} 截止{late}"
    if data.days_left == 0:
        return f"今天报名截止（{deadline}）"
    return f"距报名截止还有 {data.days_left} 天（{deadline}）"


def headline(data: DigestData) -> str:
    t = data.totals
    unidentified = f"，来件未识别 {t['unidentified']} 个" if t["unidentified"] else ""
    absent = f"，不参加 {t['absent']} 个" if t["absent"] else ""
    pending = (
        f"另有 {t['pending']} 人在待修改的回执中（{t['pending_provinces']} 省）。" if t["pending"] else ""
    )
    return (
        f"截至 {when(data.now)}：已确认 {t['accepted']}/{t['admitted']} 个省份，需修改 {t['not_accepted']} 个，"
        f"未报送 {t['missing']} 个{unidentified}{absent}；已确认名单共 {t['people']} 人。{pending}{deadline_phrase(data)}。"
    )


def subject(data: DigestData) -> str:
    t = data.totals
    missing = f"，未报送 {t['missing']} 省" if t["missing"] else ""
    return (
        f"【报名日报】{period_title(data)} {data.now.month}月{data.now.day}日："
        f"已确认 {t['accepted']}/{t['admitted']} 省，{t['people']} 人{missing}"
    )


def facts(data: DigestData) -> list[tuple[str, str]]:
    p = data.period
    rows = [
        ("培训", f"{data.program.full_name or data.program.name}（第{p.number}期）"),
        ("时间", f"{date_span(p)}（{p.start.year}年）"),
        (
            "地点",
            (p.venue if p.venue.startswith(p.city) else f"{p.city} {p.venue}")
            + (f"（{p.venue_address}）" if p.venue_address else ""),
        ),
        ("报名邮箱", p.mailbox),
        ("报名截止", deadline_phrase(data)),
        ("参训省份", f"{len(p.provinces)} 个：" + "、".join(p.provinces)),
    ]
    if p.hotels and (len(p.hotels) > 1 or p.hotels[0].provinces):
        rows.append(("住宿", "；".join(f"{h.name}（{'、'.join(h.provinces)}）" for h in p.hotels)))
    return rows


def field_label(field: str | None) -> str:
    return FIELD_LABELS.get(field or "", field or "")


def _change_state(c: Change) -> str:
    if c.superseded_by is not None:
        return f"早于第 {c.superseded_by} 版，未替换"
    state = STATUS_LABELS.get(c.status, c.status)
    kind = {VersionKind.SUPPLEMENT: "补报", VersionKind.ORGANIZER: "会务组录入"}.get(c.kind)
    return f"{kind}，{state}" if kind else state


def change_lines(data: DigestData) -> list[str]:
    out = []
    for c in data.changes:
        head = (
            f"{c.province} 第 {c.version} 版（{when(c.received)}，{_change_state(c)}，{c.participants} 人）"
        )
        parts = []
        if c.added:
            parts.append("新增 " + "、".join(c.added))
        if c.removed:
            parts.append("删除 " + "、".join(c.removed))
        if c.changed:
            fields = [f"{x.split('：', 1)[0]}的{field_label(x.split('：', 1)[-1])}" for x in c.changed]
            parts.append("修改 " + "、".join(dict.fromkeys(fields)))
        out.append(head + ("：" + "；".join(parts) if parts else ""))
    return out


QUESTIONS_HOWTO = "  （答复后请标记为已处理：intake questions done 编号 --by 姓名 --note 处理说明）"
_QUESTION_LINES = 6
_QUESTION_CHARS = 300


def question_lines(text: str) -> list[str]:
    """The start of a question's text, as lines for the digest (at most 6 lines, 300 characters)."""
    lines = [line.strip() for line in text.strip()[:_QUESTION_CHARS].splitlines() if line.strip()]
    shown = lines[:_QUESTION_LINES] or ["（无正文）"]
    if len(text.strip()) > _QUESTION_CHARS or len(lines) > _QUESTION_LINES:
        shown.append("……")
    return shown
