"""Which province, program and period a receipt is for, and the problems in placing it.  Pure.

The province: the form says it (省级教育行政部门名称); when it is silent, its title, the
participants' units, the file names, the subject, the sender's name and the body do.

The program and the period come from the strongest evidence that names one: the form's own
fields (会议名称和期数, then the title printed above the table), then the subject, the file
names and the sender's own words in the body, then the mailbox it was sent to (when that serves
only one program), then the arrival dates (when they fall in one program's period for the
province).  The form's printed notes (注：《报名回执表》仅用于中职学生系统、高职状态平台培训)
are never evidence, and neither is any text that names two programs: it says nothing about which.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from rules import units as U
from rules.notice import Notice, Period, Program, Unit
from rules.periods import find_period, find_periods, find_program, first, programs_named
from rules.problems import problem
from rules.receipt import Receipt
from rules.verdict import Problem
from rules.wording import date_span, moment

# Arrival dates this many days before a period's start still point to it (as evidence of the program only).
ARRIVAL_DAYS_BEFORE = 3


@dataclass(frozen=True)
class Placement:
    province: Unit | None
    program: Program | None
    period: Period | None  # None also when the program collects no receipts
    problems: tuple[Problem, ...] = ()

    @property
    def takes_receipts(self) -> bool:
        """False for a program whose receipts the provinces collect themselves: nothing more is checked."""
        return self.program is None or self.program.collects_receipts

    @property
    def admitted(self) -> bool:
        """The province attends the period: its dates, mailbox and deadline apply."""
        return (
            self.period is not None
            and self.province is not None
            and self.province.name in self.period.provinces
        )


def place(receipt: Receipt, notice: Notice, mailbox: str, served: tuple[str, ...] = ()) -> Placement:
    """served: the periods ("gz-status/2") the operator configured the mailbox to serve, when the notice
    does not name it (a forwarding address): the program they all belong to is the mailbox's."""
    province = find_receipt_province(receipt, notice)
    program = find_receipt_program(receipt, notice, mailbox, province) or _program_served(served, notice)
    problems = [] if province is not None else [_unknown_province(receipt)]
    problems += _not_provincial(receipt, notice, province)
    if program is None:
        return Placement(province, None, None, (*problems, _unknown_program(notice)))
    if not program.collects_receipts:
        problems.append(problem("program_no_receipt", field="meeting", program=program.name))
        return Placement(province, program, None, tuple(problems))
    period, period_problems = _period(receipt, notice, program, province)
    named = [p.name for p in notice.programs if p.id in programs_named(receipt.meeting, notice)]
    if len(named) > 1 and period is not None:
        period_problems = [p for p in period_problems if p.code != "period_inferred"]
        period_problems.append(_two_programs(receipt.meeting, named, program, period))
    return Placement(province, program, period, (*problems, *period_problems))


def _two_programs(meeting: str, named: list[str], program: Program, period: Period) -> Problem:
    """会议名称和期数 names both trainings: one receipt registers one; the other must be sent on its own."""
    return problem(
        "meeting_two_programs",
        field="meeting",
        meeting=meeting,
        named="、".join(named),
        program=program.name,
        period=period.number,
        dates=date_span(period),
        city=period.city,
    )


def _texts(receipt: Receipt, notice: Notice) -> list[str]:
    """Where the program and the period are looked for, strongest first; a text naming two programs is left out."""
    texts = [receipt.meeting, receipt.title, receipt.subject, *receipt.filenames, receipt.body]
    return [t for t in texts if t and len(programs_named(t, notice)) < 2]


def find_receipt_province(receipt: Receipt, notice: Notice) -> Unit | None:
    """The 省级教育行政部门名称, else the first text that names a province, else the participants' majority."""
    found = U.find_province(receipt.unit_name, notice) if receipt.unit_name else None
    if found:
        return found
    departments = [
        r.participant.unit
        for r in receipt.rows
        if U.unit_kind(r.participant.unit, None, notice) == U.DEPARTMENT
    ]
    texts = [receipt.title, *departments, *receipt.filenames, receipt.subject, receipt.sender_name]
    return (
        first(texts, lambda text: U.find_province(text, notice))
        or _majority_province(receipt, notice)
        or U.find_province(receipt.body, notice)
        or U.province_of_place(receipt.unit_name, notice)  # 大连市教育局: see _not_provincial
    )


def _not_provincial(receipt: Receipt, notice: Notice, province: Unit | None) -> list[Problem]:
    """省级教育行政部门名称 names a city's bureau (大连市教育局, a 计划单列市's too): the notice has each
    provincial department collect and send its province's receipt, so this one is not registered (it would
    replace the province's roster), and the reply says whom to send it to."""
    written = receipt.unit_name
    if province is None or not written or U.find_province(written, notice) is not None:
        return []
    if U.province_of_place(written, notice) is not province:
        return []
    if any(U.unit_kind(r.participant.unit, province, notice) == U.DEPARTMENT for r in receipt.rows):
        return []  # the department's own people are on it: the province compiled it, whatever it wrote
    department = province.department[0] if province.department else f"{province.name}省级教育行政部门"
    return [
        problem(
            "province_from_place",
            field="province",
            written=written,
            province=province.name,
            department=department,
        )
    ]


def _majority_province(receipt: Receipt, notice: Notice) -> Unit | None:
    votes: Counter[str] = Counter()
    for r in receipt.rows:
        unit = U.find_province(r.participant.unit, notice)
        if unit:
            votes[unit.name] += 1
    if not votes:
        return None
    return notice.unit(max(votes, key=lambda k: votes[k]))


def find_receipt_program(
    receipt: Receipt, notice: Notice, mailbox: str, province: Unit | None = None
) -> Program | None:
    """The program the receipt names, else the only program the mailbox serves, else the one whose period
    for the province holds the arrival dates."""
    named = first(_texts(receipt, notice), lambda text: find_program(text, notice))
    return (
        named or _program_from_mailbox(mailbox, notice) or _program_from_arrivals(receipt, notice, province)
    )


def mailbox_programs(mailbox: str, notice: Notice, served: tuple[str, ...] = ()) -> frozenset[str]:
    """The programs a mailbox takes receipts for: those of the periods it is configured to serve, else
    those of the notice's periods at that address (empty: any)."""
    configured = {key.partition("/")[0] for key in served}
    return frozenset(configured or {period.program for period in notice.periods_for_mailbox(mailbox)})


def for_another_program(receipt: Receipt, notice: Notice, programs: frozenset[str]) -> bool:
    """Does the receipt's 会议名称和期数 name programs, none of them one of these (empty: no preference)?

    Of two receipts in one message, the one for the mailbox's own training is the one registered."""
    named = programs_named(receipt.meeting, notice) if programs else set()
    return bool(named) and not named & programs


def _program_served(served: tuple[str, ...], notice: Notice) -> Program | None:
    programs = {key.partition("/")[0] for key in served}
    return notice.program(programs.pop()) if len(programs) == 1 else None


def _unknown_program(notice: Notice) -> Problem:
    """Nothing says which training the receipt is for: it cannot be registered, and the reply says how."""
    names = [p.name for p in notice.programs if p.collects_receipts]
    example = "”或“".join(f"{name}第1期" for name in names)
    return problem("unknown_program", field="meeting", programs="、".join(names), example=example)


def _program_from_mailbox(mailbox: str, notice: Notice) -> Program | None:
    programs = {p.program for p in notice.periods_for_mailbox(mailbox)}
    return notice.program(programs.pop()) if len(programs) == 1 else None


def _program_from_arrivals(receipt: Receipt, notice: Notice, province: Unit | None) -> Program | None:
    """The one program whose period for the province holds the most arrival dates (none on a tie)."""
    if province is None:
        return None
    days = [
        d.date() if isinstance(d, datetime) else d for r in receipt.rows if (d := r.arrival_when) is not None
    ]
    votes: Counter[str] = Counter()
    for program in notice.programs:
        period = program.period_of(province.name) if program.collects_receipts else None
        if period is not None:
            first_day = period.start - timedelta(days=ARRIVAL_DAYS_BEFORE)
            votes[program.id] = sum(1 for d in days if first_day <= d <= period.end)
    ranked = votes.most_common(2)
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return notice.program(ranked[0][0])


def _unknown_province(receipt: Receipt) -> Problem:
    seen = (
        f"（表中写的是“{receipt.unit_name}”）" if receipt.unit_name else "（表中未填写省级教育行政部门名称）"
    )
    return problem("unknown_province", field="province", seen=seen)


def _period(
    receipt: Receipt, notice: Notice, program: Program, province: Unit | None
) -> tuple[Period | None, list[Problem]]:
    """The period the receipt names, else the province's own (said as period_inferred)."""
    number = first(_texts(receipt, notice), find_period)
    right = program.period_of(province.name) if province else None
    if right is not None and right.number in (first(_texts(receipt, notice), find_periods) or []):
        number = right.number  # 第一期、第三期: the one the province attends
    stated = program.period(number) if number is not None else None
    if stated is None:
        return right, [_period_inferred(program, right)] if right is not None else []
    if province is not None and right is not None and stated is not right:
        return stated, [_not_in_session(program, stated, province, right)]
    return stated, []


def _period_inferred(program: Program, right: Period) -> Problem:
    return problem(
        "period_inferred",
        field="meeting",
        program=program.name,
        period=right.number,
        dates=date_span(right),
        city=right.city,
    )


def _not_in_session(program: Program, stated: Period, province: Unit, right: Period) -> Problem:
    return problem(
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
