"""Row-level checks: required fields, formats, duplicates, leaders, arrival window.  Pure."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from rules.notice import Period
from rules.policy import Policy
from rules.problems import FIELD_LABELS, problem
from rules.receipt import Receipt
from rules.verdict import Problem

REQUIRED = ("name", "gender", "unit", "mobile")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def check_rows(receipt: Receipt, policy: Policy, period: Period | None) -> list[Problem]:
    out: list[Problem] = []
    cols = receipt.columns
    for field in REQUIRED:
        if field not in cols and receipt.rows:
            out.append(
                problem("missing_field", field=field, label=f"“{FIELD_LABELS[field]}”（表中没有这一列）")
            )
    seen_mobile: dict[str, int] = {}
    seen_person: dict[tuple[str, str], int] = {}
    for r in receipt.rows:
        p = r.participant
        for field in REQUIRED:
            if field in cols and not getattr(p, field):
                out.append(problem("missing_field", row=p.row, field=field, column=cols.get(field)))
        if p.mobile and not _MOBILE.match(p.mobile):
            out.append(
                problem("bad_mobile", row=p.row, field="mobile", column=cols.get("mobile"), value=p.mobile)
            )
        if p.email and not _EMAIL.match(p.email):
            out.append(
                problem("bad_email", row=p.row, field="email", column=cols.get("email"), value=p.email)
            )
        if p.gender and p.gender not in ("男", "女"):
            out.append(
                problem("bad_gender", row=p.row, field="gender", column=cols.get("gender"), value=p.gender)
            )
        dup = None
        if p.mobile and _MOBILE.match(p.mobile):
            if p.mobile in seen_mobile:
                dup = (seen_mobile[p.mobile], "手机号相同")
            seen_mobile.setdefault(p.mobile, p.row)
        if p.name:
            key = (p.name, p.unit)
            if dup is None and key in seen_person:
                dup = (seen_person[key], "姓名和单位相同")
            seen_person.setdefault(key, p.row)
        if dup:
            out.append(
                problem(
                    "duplicate_person",
                    row=p.row,
                    field="name",
                    column=cols.get("name"),
                    name=p.name or "此行",
                    other_row=dup[0],
                    why=dup[1],
                )
            )
        for field in r.uncertain:
            value = r.leader_text if field == "leader" else str(getattr(p, field, "") or "")
            out.append(
                problem(
                    "ocr_uncertain", row=p.row, field=field, column=cols.get(field), value=value or "（空白）"
                )
            )
        if period is not None and r.arrival_when is not None:
            out += _arrival(r.arrival_when, p.arrival, p.row, cols.get("arrival"), period, policy)
    if receipt.rows:
        leaders = [r.participant for r in receipt.rows if r.participant.leader]
        if not leaders:
            out.append(problem("leader_missing", field="leader"))
        elif len(leaders) > 1:
            out.append(
                problem(
                    "leader_multiple",
                    field="leader",
                    count=len(leaders),
                    names="、".join(p.name or f"第{p.row}行" for p in leaders),
                )
            )
    return out


def _arrival(
    when: datetime | date, text: str, row: int, column: str | None, period: Period, policy: Policy
) -> list[Problem]:
    day = when.date() if isinstance(when, datetime) else when
    first = period.start - timedelta(days=policy.arrival_days_before)
    last = period.end + timedelta(days=policy.arrival_days_after)
    if first <= day <= last:
        return []
    return [
        problem(
            "arrival_out_of_window",
            row=row,
            field="arrival",
            column=column,
            value=text,
            start=f"{period.start.month}月{period.start.day}日",
            end=f"{period.end.month}月{period.end.day}日",
            before=policy.arrival_days_before,
        )
    ]
