"""A roster an organizer changed, judged again by the rules (rules.judge, pure), exceptions applied.

The console never decides on a roster itself: it turns the roster back into a receipt (the form's
header naming the province's department and the period, one row per person), hands it to
rules.judge with the circumstances of the receipt it came from (its mailbox, the time it was sent:
a correction does not make a receipt late), checks the rules placed it where it belongs, and then
applies the exceptions organizers agreed for that province (storage/desk.py): each waived problem
stays in the verdict as a warning saying who agreed and why, so the reply shows the note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from rules.delivery import Circumstances
from rules.judge import judge
from rules.notice import Notice, Period
from rules.policy import Policy
from rules.receipt import Receipt, ReceiptRow
from rules.verdict import Participant, Problem, Severity, Verdict, status_of
from storage.desk import Waiver
from storage.records import StoredParticipant

COLUMNS = {
    "name": "姓名",
    "gender": "性别",
    "unit": "单位",
    "title": "职务",
    "mobile": "手机",
    "email": "电子邮箱",
    "arrival": "抵达酒店时间",
    "leader": "是否领队",
    "remark": "备注",
}
WAIVED = "会务组同意例外（{reason}）：{what}"


class Misplaced(ValueError):
    """The rules placed the roster elsewhere than the province and period it was entered for."""


@dataclass(frozen=True)
class Judged:
    verdict: Verdict
    waived: tuple[str, ...]  # problem codes turned into warnings by an exception


def people_of(rows: Sequence[StoredParticipant]) -> list[Participant]:
    return [row.participant() for row in rows]


def receipt_of(
    people: Sequence[Participant], notice: Notice, period: Period, province: str, source: str
) -> Receipt:
    unit = notice.unit(province)
    program = notice.program(period.program)
    department = unit.department[0] if unit and unit.department else f"{province}教育厅"
    return Receipt(
        source=source,
        unit_name=department,
        meeting=f"{program.name if program else period.program}第{period.number}期",
        # row: the person's place in the roster the reply shows ("第 3 行" is its third person)
        rows=[ReceiptRow(participant=replace(p, row=i + 1, registered=False)) for i, p in enumerate(people)],
        columns=dict(COLUMNS),
        header_row=0,
    )


def judge_roster(
    people: Sequence[Participant],
    notice: Notice,
    policy: Policy,
    period: Period,
    province: str,
    *,
    received: datetime | None,
    waivers: Sequence[Waiver] = (),
    source: str = "会务组录入",
) -> Judged:
    """The rules' verdict on the roster, with the group's exceptions applied; Misplaced if it lands elsewhere."""
    receipt = receipt_of(people, notice, period, province, source)
    when = Circumstances(mailbox=period.mailbox, received=received, sender="", served=(period.key,))
    verdict = judge(receipt, notice, policy, when)
    if (verdict.program, verdict.period, verdict.province) != (period.program, period.number, province):
        raise Misplaced(
            f"规则把这份名单判给了 {verdict.province or '未知省份'} {verdict.program}/{verdict.period}"
        )
    return waive(verdict, waivers)


def waive(verdict: Verdict, waivers: Sequence[Waiver]) -> Judged:
    """Each problem an exception names becomes a warning that says so."""
    notes = {code: w for w in waivers for code in w.codes}
    problems: list[Problem] = []
    waived: list[str] = []
    for p in verdict.problems:
        w = notes.get(p.code)
        if w is not None and p.severity is Severity.ERROR:
            what = p.message.split("。", 1)[0] + "。"  # what the rule found, without how to fix it
            problems.append(
                replace(p, severity=Severity.WARNING, message=WAIVED.format(reason=w.reason, what=what))
            )
            waived.append(p.code)
        else:
            problems.append(p)
    return Judged(
        replace(verdict, problems=problems, status=status_of(problems)), tuple(dict.fromkeys(waived))
    )


def with_note(verdict: Verdict, note: str) -> Verdict:
    """The verdict rejected with the organizer's own words as its first problem."""
    problems = [Problem("organizer_note", Severity.ERROR, f"会务组意见：{note}"), *verdict.problems]
    return replace(verdict, problems=problems, status=status_of(problems))
