"""The rules: a receipt, the notice and the circumstances in; a verdict out.  Pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rules import units as U
from rules.checks import check_rows
from rules.notice import Notice, Period, Program, Unit
from rules.periods import find_period, find_program, first
from rules.policy import Policy
from rules.problems import problem
from rules.receipt import Receipt
from rules.verdict import Problem, Verdict


@dataclass(frozen=True)
class Circumstances:
    """Where and when the receipt arrived, and who sent it."""

    mailbox: str = ""  # the address it was sent to ("" when unknown)
    received: datetime | None = None  # aware
    sender: str = ""
    served: tuple[str, ...] = ()  # periods ("gz-status/2") the operator configured this mailbox to serve


def judge(receipt: Receipt, notice: Notice, policy: Policy, when: Circumstances) -> Verdict:
    problems: list[Problem] = []
    province = _province(receipt, notice)
    verdict = Verdict(
        status="accepted",
        participants=[r.participant for r in receipt.rows],
        province=province.name if province else None,
        source=receipt.source,
        ocr=receipt.ocr,
    )
    texts = [receipt.meeting, receipt.title, *receipt.filenames, receipt.subject]
    program, _t = first([*texts, receipt.body], lambda t: find_program(t, notice))
    if program is None:
        program = _program_from_mailbox(when.mailbox, notice)
    if province is None:
        seen = (
            f"（表中写的是“{receipt.unit_name}”）"
            if receipt.unit_name
            else "（表中未填写省级教育行政部门名称）"
        )
        problems.append(problem("unknown_province", field="province", seen=seen))
    if isinstance(program, Program) and not program.collects_receipts:
        verdict.program = program.id
        problems.append(problem("program_no_receipt", field="meeting", program=program.name))
        return _finish(verdict, problems)
    period = None
    if isinstance(program, Program):
        verdict.program = program.id
        period = _period(receipt, texts, program, province, problems)
        verdict.period = period.number if period else None
    for row in receipt.rows:
        row.participant.unit_kind = U.unit_kind(row.participant.unit, province, notice)
    problems += check_rows(receipt, policy, period if _admits(period, province) else None)
    if isinstance(program, Program) and province is not None:
        problems += check_quotas(receipt, program, period, province)
    if period is not None and province is not None and _admits(period, province):
        problems += _routing(period, program, province, when, policy)  # type: ignore[arg-type]
    if province is not None:
        problems += _sender(province, when.sender, policy)
    return _finish(verdict, problems)


def _finish(verdict: Verdict, problems: list[Problem]) -> Verdict:
    verdict.problems = problems
    verdict.status = "rejected" if any(p.severity == "error" for p in problems) else "accepted"
    return verdict


def _admits(period: Period | None, province: Unit | None) -> bool:
    return period is not None and province is not None and province.name in period.provinces


def _province(receipt: Receipt, notice: Notice) -> Unit | None:
    found = U.find_province(receipt.unit_name, notice) if receipt.unit_name else None
    if found:
        return found
    departments = [
        r.participant.unit
        for r in receipt.rows
        if U.unit_kind(r.participant.unit, None, notice) == U.DEPARTMENT
    ]
    for text in [receipt.title, *departments, *receipt.filenames, receipt.subject, receipt.sender_name]:
        found = U.find_province(text, notice)
        if found:
            return found
    votes: dict[str, int] = defaultdict(int)
    for r in receipt.rows:
        unit = U.find_province(r.participant.unit, notice)
        if unit:
            votes[unit.name] += 1
    if votes:
        return notice.unit(max(votes, key=lambda k: votes[k]))
    return U.find_province(receipt.body, notice)


def _program_from_mailbox(mailbox: str, notice: Notice) -> Program | None:
    programs = {p.program for p in notice.periods_for_mailbox(mailbox)}
    return notice.program(programs.pop()) if len(programs) == 1 else None


def _period(
    receipt: Receipt, texts: list[str], program: Program, province: Unit | None, problems: list[Problem]
) -> Period | None:
    number, _t = first([*texts, receipt.body], find_period)
    stated = program.period(number) if isinstance(number, int) else None
    right = program.period_of(province.name) if province else None
    if stated is None:
        if right is not None:
            problems.append(
                problem(
                    "period_inferred",
                    field="meeting",
                    program=program.name,
                    period=right.number,
                    dates=date_span(right),
                    city=right.city,
                )
            )
        return right
    if province is not None and right is not None and stated is not right:
        problems.append(
            problem(
                "province_not_in_session",
                field="meeting",
                province=province.name,
                program=program.name,
                period=stated.number,
                right_period=right.number,
                dates=date_span(right),
                city=right.city,
                deadline=moment(right.deadline),
                mailbox=right.mailbox,
            )
        )
    return stated


def _routing(
    period: Period, program: Program, province: Unit, when: Circumstances, policy: Policy
) -> list[Problem]:
    out = []
    mailbox = when.mailbox.strip().lower()
    if mailbox and mailbox != period.mailbox and period.key not in when.served:
        out.append(
            problem(
                "wrong_mailbox",
                got=mailbox,
                province=province.name,
                program=program.name,
                period=period.number,
                mailbox=period.mailbox,
            )
        )
    if when.received is not None and when.received > period.deadline:
        severity = "error" if policy.late == "error" else "warning"
        out.append(
            problem(
                "late",
                severity=severity,
                received=moment(when.received.astimezone(period.deadline.tzinfo)),
                period=period.number,
                deadline=moment(period.deadline),
            )
        )
    return out


def _sender(province: Unit, sender: str, policy: Policy) -> list[Problem]:
    allowed = policy.senders.get(province.name)
    if not allowed or not sender:
        return []
    sender = sender.lower()
    if any(sender == a.lower() or (a.startswith("@") and sender.endswith(a.lower())) for a in allowed):
        return []
    return [problem("sender_unverified", sender=sender, province=province.name)]


def check_quotas(receipt: Receipt, program: Program, period: Period | None, province: Unit) -> list[Problem]:
    q = program.quotas
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in receipt.rows:
        p = r.participant
        if p.unit_kind == U.DEPARTMENT:
            groups[(U.DEPARTMENT, province.department[0] if province.department else p.unit)].append(p.row)
        elif p.unit_kind in (U.BUREAU, U.SCHOOL):
            groups[(p.unit_kind, U.unit_key(p.unit, province))].append(p.row)
    limits = {
        U.DEPARTMENT: (q.department, "省级教育行政部门每单位限额"),
        U.BUREAU: (q.bureau, "地市级教育行政部门每单位限额"),
        U.SCHOOL: (q.school, "每所学校限额"),
    }
    out = []
    for (kind, unit), rows in groups.items():
        limit, rule = limits[kind]
        if len(rows) > limit:
            if limit == 0:
                rule = f"{program.name}不邀请{U.KIND_LABELS[kind]}参加，名额"
            out.append(
                problem(
                    "quota_exceeded",
                    row=rows[limit],
                    field="unit",
                    unit=unit,
                    count=len(rows),
                    rule=rule,
                    limit=limit,
                )
            )
    if q.schools_per_prefecture is not None:
        out += _schools_per_prefecture(groups, program, period, province)
    return out


def _schools_per_prefecture(
    groups: dict[tuple[str, str], list[int]], program: Program, period: Period | None, province: Unit
) -> list[Problem]:
    limit = program.quotas.schools_per_prefecture or 0
    host = period.city if period else ""
    by_prefecture: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for (kind, unit), rows in groups.items():
        if kind != U.SCHOOL:
            continue
        pref = U.prefecture(unit, province)
        if not pref or (program.quotas.host_city_schools_unlimited and host and pref.startswith(host)):
            continue
        by_prefecture[pref].append((unit, min(rows)))
    out = []
    for pref, schools in by_prefecture.items():
        if len(schools) > limit:
            schools.sort(key=lambda s: s[1])
            out.append(
                problem(
                    "quota_exceeded",
                    row=schools[limit][1],
                    field="unit",
                    unit=pref,
                    count=len(schools),
                    rule="每个地市限报学校数",
                    limit=limit,
                )
            )
    return out


def date_span(period: Period) -> str:
    return f"{period.start.month}月{period.start.day}日至{period.end.month}月{period.end.day}日"


def moment(when: datetime | date) -> str:
    """2023年6月9日 17:00, in the datetime's own zone: callers convert to the notice's zone first."""
    if isinstance(when, datetime):
        return f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}"
    return f"{when.year}年{when.month}月{when.day}日"


def arrival_window(period: Period, policy: Policy) -> tuple[date, date]:
    return (
        period.start - timedelta(days=policy.arrival_days_before),
        period.end + timedelta(days=policy.arrival_days_after),
    )
