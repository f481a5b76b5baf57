"""Row-level checks: required fields, formats, duplicates, leaders, arrival window.  Pure.

In a roster read by OCR from a scan or photo, a missing or malformed name, gender, unit, mobile or
e-mail is first of all a reading to check: it is an `ocr_uncertain` warning naming what was read
(the province is asked to look), never an error by itself; so is a name OCR read as one character
or with letters or digits in it.

A table of small checks.  Problems come in this order: what the table as a whole lacks
(ROSTER_CHECKS_FIRST), then row by row each of ROW_CHECKS, then what the roster as a whole
gets wrong (ROSTER_CHECKS_LAST).  To add a check, write a function and add it to a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rules.notice import Period
from rules.policy import Policy
from rules.problems import FIELD_LABELS, SHARED_MOBILE, in_part, problem
from rules.receipt import Receipt, ReceiptRow
from rules.verdict import Participant, Problem
from rules.wording import month_day

REQUIRED = ("name", "gender", "unit", "mobile")
OCR_SOFT = (
    "name",
    "gender",
    "unit",
    "mobile",
    "email",
)  # OCR's slips here ask for a check, they do not reject
_NAME = re.compile(
    r"^[\u3400-\u9fff\uf900-\ufaff·•．.]{2,}$"
)  # a name as OCR should read it: two or more Chinese characters
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class Roster:
    """What a row check may know beyond its row."""

    columns: Mapping[str, str]  # field -> header as the sender wrote it
    policy: Policy
    period: Period | None  # arrivals are checked against its dates; None: not checked
    ocr: bool = False  # read by OCR: a missing or malformed value is a reading to check (OCR_SOFT)


@dataclass(frozen=True)
class Line:
    """One row, with what the rows above it tell about it."""

    row: ReceiptRow
    copy_of: tuple[int, str] | None = None  # (the earlier row, why) when it repeats an earlier person
    # (the earlier row, its name) when another person has the same mobile
    shares_mobile: tuple[int, str] | None = None


RowCheck = Callable[[Line, Roster], list[Problem]]
RosterCheck = Callable[[Receipt], list[Problem]]


def check_rows(receipt: Receipt, policy: Policy, period: Period | None) -> list[Problem]:
    roster = Roster(receipt.columns, policy, period, receipt.ocr)
    out = [p for check in ROSTER_CHECKS_FIRST for p in check(receipt)]
    out += [
        in_part(p, line.row.participant.part)
        for line in lines(receipt.rows)
        for check in ROW_CHECKS
        for p in check(line, roster)
    ]
    out += [p for check in ROSTER_CHECKS_LAST for p in check(receipt)]
    return out


def lines(rows: Sequence[ReceiptRow]) -> list[Line]:
    """The rows, each with the earlier row it repeats (the same valid mobile and name, else the same name and
    unit), or else the earlier row of another person with the same mobile."""
    seen_mobile: dict[str, Participant] = {}
    seen_person: dict[tuple[str, str], int] = {}
    out = []
    for r in rows:
        p = r.participant
        copy_of = shares = None
        first = seen_mobile.setdefault(p.mobile, p) if p.mobile and _MOBILE.match(p.mobile) else p
        if first is not p:
            if _same_name(first.name, p.name):
                copy_of = (first.row, "手机号相同")
            else:
                shares = (first.row, first.name)
        if p.name:
            if copy_of is None and (p.name, p.unit) in seen_person:
                copy_of = (seen_person[(p.name, p.unit)], "姓名和单位相同")
            seen_person.setdefault((p.name, p.unit), p.row)
        out.append(Line(r, copy_of, None if copy_of else shares))
    return out


def _same_name(a: str, b: str) -> bool:
    """Two names that may be one person's (a blank name may be anyone's)."""
    return not a or not b or a == b


# -- the roster as a whole


def missing_columns(receipt: Receipt) -> list[Problem]:
    if not receipt.rows:
        return []
    return [
        problem("missing_field", field=field, label=f"“{FIELD_LABELS[field]}”（表中没有这一列）")
        for field in REQUIRED
        if field not in receipt.columns
    ]


def leaders(receipt: Receipt) -> list[Problem]:
    """One leader (领队) per receipt."""
    return leader_problems([r.participant for r in receipt.rows], receipt.columns.get("leader"))


def leader_problems(people: Sequence[Participant], column: str | None = None) -> list[Problem]:
    """One leader (领队) per roster (a receipt's, or a 补报 merged with the roster that stood).
    column: the leader's column as the sender wrote it (是否带队), when it has one."""
    if not people:
        return []
    chosen = [p for p in people if p.leader]
    if not chosen:
        return [problem("leader_missing", field="leader", column=column)]
    if len(chosen) == 1:
        return []
    names = "、".join(p.name or f"第{p.row}行" for p in chosen)
    return [problem("leader_multiple", field="leader", count=len(chosen), names=names)]


# -- row by row


def required_fields(line: Line, roster: Roster) -> list[Problem]:
    p = line.row.participant
    out: list[Problem] = []
    for field in REQUIRED:
        if field not in roster.columns or getattr(p, field):
            continue
        if roster.ocr and field in OCR_SOFT:
            out += ocr_slip(line, roster, field, "")
        else:
            out.append(problem("missing_field", row=p.row, field=field, column=roster.columns.get(field)))
    return out


def mobile(line: Line, roster: Roster) -> list[Problem]:
    p = line.row.participant
    if not p.mobile or _MOBILE.match(p.mobile):
        return []
    return _bad(line, "bad_mobile", "mobile", p.mobile, roster)


def two_mobiles(line: Line, roster: Roster) -> list[Problem]:
    """More than one mobile in the cell: the first is registered, the sender is told which."""
    r = line.row
    if not r.other_mobiles:
        return []
    p = r.participant
    written = "、".join((p.mobile, *r.other_mobiles))
    return [
        problem(
            "two_mobiles",
            row=p.row,
            field="mobile",
            column=roster.columns.get("mobile"),
            value=written,
            mobile=p.mobile,
        )
    ]


def email(line: Line, roster: Roster) -> list[Problem]:
    p = line.row.participant
    if not p.email or _EMAIL.match(p.email):
        return []
    return _bad(line, "bad_email", "email", p.email, roster)


def gender(line: Line, roster: Roster) -> list[Problem]:
    p = line.row.participant
    if not p.gender or p.gender in ("男", "女"):
        return []
    return _bad(line, "bad_gender", "gender", p.gender, roster)


def ocr_name(line: Line, roster: Roster) -> list[Problem]:
    """A name OCR read as one character, or with letters or digits in it: most likely a misreading."""
    name = line.row.participant.name
    if not roster.ocr or not name or _NAME.match(name):
        return []
    return ocr_slip(line, roster, "name", name)


def _bad(line: Line, code: str, field: str, value: str, roster: Roster) -> list[Problem]:
    if roster.ocr and field in OCR_SOFT:
        return ocr_slip(line, roster, field, value)
    p = line.row.participant
    return [problem(code, row=p.row, field=field, column=roster.columns.get(field), value=value)]


def ocr_slip(line: Line, roster: Roster, field: str, value: str) -> list[Problem]:
    """What OCR read wrong-looking, as a warning to check (none when ocr_uncertain names the cell already)."""
    if field in line.row.uncertain:
        return []
    return [
        problem(
            "ocr_uncertain",
            row=line.row.participant.row,
            field=field,
            column=roster.columns.get(field),
            value=value or "（空白）",
        )
    ]


def duplicate(line: Line, roster: Roster) -> list[Problem]:
    if line.copy_of is None:
        return []
    p = line.row.participant
    other_row, why = line.copy_of
    return [
        problem(
            "duplicate_person",
            row=p.row,
            field="name",
            column=roster.columns.get("name"),
            name=p.name or "此行",
            other_row=other_row,
            why=why,
        )
    ]


def shared_mobile(line: Line, roster: Roster) -> list[Problem]:
    """Two people with one mobile: one of them is most likely a slip of copying (duplicate_person, said so)."""
    if line.shares_mobile is None:
        return []
    p = line.row.participant
    if roster.ocr:  # most likely a digit misread: a reading to check
        return ocr_slip(line, roster, "mobile", p.mobile)
    other_row, other_name = line.shares_mobile
    return [
        problem(
            "duplicate_person",
            wording=SHARED_MOBILE,
            row=p.row,
            field="mobile",
            column=roster.columns.get("mobile"),
            value=p.mobile,
            other_row=other_row,
            other=other_name or "姓名空白",
        )
    ]


def ocr_uncertain(line: Line, roster: Roster) -> list[Problem]:
    """Each field OCR read with low confidence, with what it read."""
    r = line.row
    out = []
    for field in r.uncertain:
        value = r.leader_text if field == "leader" else str(getattr(r.participant, field, "") or "")
        out.append(
            problem(
                "ocr_uncertain",
                row=r.participant.row,
                field=field,
                column=roster.columns.get(field),
                value=value or "（空白）",
            )
        )
    return out


def arrival(line: Line, roster: Roster) -> list[Problem]:
    """The arrival falls in the period's days, with the days before and after the policy allows."""
    r, period = line.row, roster.period
    when = _arrival_of(r)
    if period is None or when is None:
        return []
    first, last = arrival_window(period, roster.policy)
    if first <= _day(when) <= last:
        return []
    return [
        problem(
            "arrival_out_of_window",
            row=r.participant.row,
            field="arrival",
            column=roster.columns.get("arrival"),
            value=r.participant.arrival,
            start=month_day(period.start),
            end=month_day(period.end),
            before=roster.policy.arrival_days_before,
        )
    ]


def arrival_unreadable(line: Line, roster: Roster) -> list[Problem]:
    """An arrival written with numbers that make no date (6月31日, or 28日 where no day of the period's
    window is the 28th: rules.arrival_text): the hotel cannot plan by it."""
    r, period = line.row, roster.period
    text = r.participant.arrival
    if period is None or _arrival_of(r) is not None or not any(ch.isdigit() for ch in text):
        return []
    if roster.ocr:
        return ocr_slip(line, roster, "arrival", text)
    return [
        problem(
            "arrival_unreadable",
            row=r.participant.row,
            field="arrival",
            column=roster.columns.get("arrival"),
            value=text,
            example=month_day(period.start - timedelta(days=1)),
        )
    ]


def arrival_window(period: Period, policy: Policy) -> tuple[date, date]:
    """The first and last day an arrival is fine."""
    return (
        period.start - timedelta(days=policy.arrival_days_before),
        period.end + timedelta(days=policy.arrival_days_after),
    )


def _arrival_of(row: ReceiptRow) -> datetime | date | None:
    """The arrival as read from the cell, else as stored with the person (a roster judged again)."""
    return row.arrival_when if row.arrival_when is not None else row.participant.arrival_at


def _day(when: datetime | date) -> date:
    return when.date() if isinstance(when, datetime) else when


ROSTER_CHECKS_FIRST: tuple[RosterCheck, ...] = (missing_columns,)
ROW_CHECKS: tuple[RowCheck, ...] = (
    required_fields,
    mobile,
    two_mobiles,
    email,
    gender,
    duplicate,
    shared_mobile,
    ocr_uncertain,
    ocr_name,
    arrival,
    arrival_unreadable,
)
ROSTER_CHECKS_LAST: tuple[RosterCheck, ...] = (leaders,)
