"""What the other tables of a message decide: people who could not be joined to the roster, and
other receipts beside it.  Pure.

A roster may span several tables or sheets (intake.extract.roster joins them).  People in a table
whose columns do not match the roster's are never dropped quietly: each such table is an error
naming its rows.  A second receipt for another unit or another training in the same message is
not joined either; the reply says it was not registered (a warning: this receipt stands).  One that
names the same unit and training (or nothing) but was not joined is an error: its people are missing.
"""

from __future__ import annotations

from rules import units as U
from rules.notice import Notice
from rules.periods import find_period, find_program
from rules.placement import Placement
from rules.problems import problem
from rules.receipt import OtherReceipt, Receipt
from rules.verdict import Problem

MAX_NAMES = 6  # names quoted in one problem; the rest are counted


def unplaced_rows(receipt: Receipt) -> list[Problem]:
    """rows_unplaced for each table or sheet whose people could not be joined to the roster."""
    out = []
    for part in receipt.unplaced:
        names = "、".join(part.names[:MAX_NAMES]) or "姓名不详"
        if len(part.names) > MAX_NAMES:
            names += f"等 {len(part.names)} 人"
        out.append(problem("rows_unplaced", where=part.where, rows=_spans(part.rows), names=names))
    return out


def _spans(rows: tuple[int, ...]) -> str:
    """3、5-7: rows as people read them."""
    spans: list[list[int]] = []
    for r in sorted(set(rows)):
        if spans and r == spans[-1][1] + 1:
            spans[-1][1] = r
        else:
            spans.append([r, r])
    return "、".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def other_receipts(receipt: Receipt, placement: Placement, notice: Notice) -> list[Problem]:
    """other_receipt for each receipt in the message that names another unit or another training;
    other_receipt_unjoined (an error: its people were not registered) for one that does not, which
    extraction could not join (its fields written too differently to tell)."""
    return [
        problem(
            "other_receipt" if _differs(other, placement, notice) else "other_receipt_unjoined",
            where=other.where,
            what=" ".join(t for t in (other.unit_name, other.meeting) if t) or "未填写单位和期数",
            count=other.people,
            this=_this(placement),
        )
        for other in receipt.others
        if other.people
    ]


def _differs(other: OtherReceipt, placement: Placement, notice: Notice) -> bool:
    province = U.find_province(other.unit_name, notice) if other.unit_name else None
    program = find_program(other.meeting, notice) if other.meeting else None
    number = find_period(other.meeting) if other.meeting else None
    period = placement.period
    return (
        (province is not None and placement.province is not None and province is not placement.province)
        or (program is not None and placement.program is not None and program is not placement.program)
        or (
            number is not None
            and period is not None
            and program in (None, placement.program)
            and number != period.number
        )
    )


def _this(placement: Placement) -> str:
    province = placement.province.name if placement.province else ""
    program = placement.program.name if placement.program else ""
    period = f"第{placement.period.number}期" if placement.period else ""
    return f"{province}{program}{period}" or "本回执"
