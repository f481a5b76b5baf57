"""A verdict as a readable Chinese report, for `intake check` and the operator."""

from __future__ import annotations

from rules.notice import Notice, Period, Program
from rules.verdict import Participant, Problem, Severity, Status, Verdict
from rules.wording import arrival_label, date_span

STATUS_TEXT = {
    Status.ACCEPTED: "已确认（无错误）",
    Status.REJECTED: "需修改（有错误）",
    Status.IGNORED: "忽略（不是报名回执，不回复）",
}
SEVERITY_TEXT = {Severity.ERROR: "错误", Severity.WARNING: "提示"}


# An ignored verdict's reason starts with the disposition (intake.pipeline.process._set_aside).
SET_ASIDE_TEXT = {
    "question:": "转人工（来信提问，不自动回复，列入待人工答复）",
    "note:": "不回复（致谢或空回复）",
}


def render_text(verdict: Verdict, notice: Notice) -> str:
    status = STATUS_TEXT[verdict.status]
    if verdict.status == Status.IGNORED:
        reason = verdict.ignored_reason or ""
        status = next((t for key, t in SET_ASIDE_TEXT.items() if reason.startswith(key)), status)
    lines = [f"结论：{status}"]
    if verdict.status == Status.IGNORED:
        lines.append(f"原因：{verdict.ignored_reason}")
    else:
        lines += _placement(verdict, notice)
        lines += _source(verdict)
        lines += _participants(verdict.participants)
        lines += _problems(verdict.problems)
    return "\n".join(lines) + "\n"


def _placement(verdict: Verdict, notice: Notice) -> list[str]:
    """培训, 省份 and the province's hotel."""
    program = notice.program(verdict.program) if verdict.program else None
    period = program.period(verdict.period) if program and verdict.period else None
    lines = [_training(program, period), f"省份：{verdict.province or '未能确定'}"]
    hotel = period.hotel_for(verdict.province) if period and verdict.province else None
    if hotel:
        lines.append(f"住宿：{hotel.name}（{hotel.address}）")
    return lines


def _training(program: Program | None, period: Period | None) -> str:
    if program is None:
        return "培训：未能确定"
    where = f"第{period.number}期（{date_span(period)}，{period.city}）" if period else "期数未确定"
    return f"培训：{program.name} {where}"


def _source(verdict: Verdict) -> list[str]:
    if not verdict.source:
        return []
    return [f"读取自：{verdict.source}" + ("（扫描件文字识别，请人工核对）" if verdict.ocr else "")]


def _participants(people: list[Participant]) -> list[str]:
    return [f"参训人员：{len(people)} 人"] + [
        f"  第{p.row}行  {p.name or '（无姓名）'}  {p.gender}  {p.unit}  {p.title}  {p.mobile}  {p.email}"
        f"  {arrival_label(p.arrival_at, p.arrival)}{'  领队' if p.leader else ''}"
        f"{'  备注：' + p.remark if p.remark else ''}"
        for p in people
    ]


def _problems(problems: list[Problem]) -> list[str]:
    if not problems:
        return ["问题：无"]
    return [f"问题：{len(problems)} 项"] + [
        f"  [{SEVERITY_TEXT[p.severity]}] {p.message}  ({p.code})" for p in problems
    ]
