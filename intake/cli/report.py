"""A verdict as a readable Chinese report, for `intake check` and the operator."""

from __future__ import annotations

from rules.notice import Notice
from rules.verdict import Verdict
from rules.wording import date_span

STATUS_TEXT = {
    "accepted": "已确认（无错误）",
    "rejected": "需修改（有错误）",
    "ignored": "忽略（不是报名回执，不回复）",
}
SEVERITY_TEXT = {"error": "错误", "warning": "提示"}


def render_text(verdict: Verdict, notice: Notice) -> str:
    lines = [f"结论：{STATUS_TEXT.get(verdict.status, verdict.status)}"]
    if verdict.status == "ignored":
        lines.append(f"原因：{verdict.ignored_reason}")
        return "\n".join(lines) + "\n"
    program = notice.program(verdict.program) if verdict.program else None
    period = program.period(verdict.period) if program and verdict.period else None
    if program:
        where = f"第{period.number}期（{date_span(period)}，{period.city}）" if period else "期数未确定"
        lines.append(f"培训：{program.name} {where}")
    else:
        lines.append("培训：未能确定")
    lines.append(f"省份：{verdict.province or '未能确定'}")
    if period and verdict.province:
        hotel = period.hotel_for(verdict.province)
        if hotel:
            lines.append(f"住宿：{hotel.name}（{hotel.address}）")
    if verdict.source:
        lines.append(f"读取自：{verdict.source}" + ("（扫描件文字识别，请人工核对）" if verdict.ocr else ""))
    lines.append(f"参训人员：{len(verdict.participants)} 人")
    for p in verdict.participants:
        lines.append(
            f"  第{p.row}行  {p.name or '（无姓名）'}  {p.gender}  {p.unit}  {p.title}  {p.mobile}  {p.email}"
            f"  {p.arrival}{'  领队' if p.leader else ''}"
        )
    if verdict.problems:
        lines.append(f"问题：{len(verdict.problems)} 项")
        for prob in verdict.problems:
            lines.append(
                f"  [{SEVERITY_TEXT.get(prob.severity, prob.severity)}] {prob.message}  ({prob.code})"
            )
    else:
        lines.append("问题：无")
    return "\n".join(lines) + "\n"
