"""The rules: what was read from a message, the notice and the circumstances in; a verdict out.  Pure.

Every decision on a receipt is made here or in a module this one calls, in this order: the form
itself (rules.attachments), where it belongs (rules.placement), its rows (rules.checks), the quotas
(rules.quotas), the units invited (rules.unit_checks), how it arrived (rules.delivery), and the
other files of the message.  judge() changes nothing it is given: it returns a new Verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rules.arrival_text import dated_arrivals
from rules.attachments import UnreadableFile, beside_receipt, empty_roster, without_receipt
from rules.checks import check_rows, lines
from rules.delivery import Circumstances, check_delivery, check_sender
from rules.notice import Notice, Unit
from rules.placement import Placement, place
from rules.policy import Policy
from rules.quotas import check_quotas
from rules.receipt import Receipt
from rules.roster_parts import other_receipts, unplaced_rows
from rules.unit_checks import check_units
from rules.units import unit_kind
from rules.verdict import Participant, Problem, Status, Verdict, status_of

__all__ = ["Circumstances", "judge"]


def judge(
    receipt: Receipt | None,
    notice: Notice,
    policy: Policy,
    when: Circumstances,
    unreadable: Sequence[UnreadableFile] = (),
) -> Verdict:
    """The verdict on a message's receipt (None: none was found) and the files that could not be read."""
    if receipt is None:
        return Verdict(status=Status.REJECTED, problems=without_receipt(unreadable))
    placement = place(receipt, notice, when.mailbox, when.served)
    receipt = dated_arrivals(receipt, placement.period, policy)  # 14日下午 read in the period's days
    people = _classified(receipt, placement.province, notice)
    problems = [*empty_roster(receipt), *unplaced_rows(receipt), *placement.problems]
    if placement.takes_receipts:
        problems += _receipt_checks(receipt, people, placement, policy, when, notice)
    problems += other_receipts(receipt, placement, notice)
    problems += beside_receipt(unreadable)
    return Verdict(
        status=status_of(problems),
        program=placement.program.id if placement.program else None,
        period=placement.period.number if placement.period else None,
        province=placement.province.name if placement.province else None,
        participants=people,
        problems=problems,
        source=receipt.source,
        ocr=receipt.ocr,
    )


def _classified(receipt: Receipt, province: Unit | None, notice: Notice) -> list[Participant]:
    """The participants, each with the kind of its unit (new values: the receipt is left as it is)."""
    return [
        replace(r.participant, unit_kind=unit_kind(r.participant.unit, province, notice))
        for r in receipt.rows
    ]


def _once_each(receipt: Receipt, people: list[Participant]) -> list[Participant]:
    """The people without the rows that repeat an earlier person (duplicate_person says so already): a
    quota counts each person once."""
    return [p for p, line in zip(people, lines(receipt.rows), strict=True) if line.copy_of is None]


def _receipt_checks(
    receipt: Receipt,
    people: list[Participant],
    placement: Placement,
    policy: Policy,
    when: Circumstances,
    notice: Notice,
) -> list[Problem]:
    """The rows, the quotas, the delivery and the sender, each as far as the placement allows."""
    province, program, period = placement.province, placement.program, placement.period
    admitted = placement.admitted
    problems = check_rows(receipt, policy, period if admitted else None)
    if program is not None and province is not None:
        problems += check_quotas(_once_each(receipt, people), program, period, province, notice.unit_kinds)
        problems += check_units(people, program, province, notice, dict(receipt.columns))
    if admitted and period is not None and program is not None and province is not None:
        problems += check_delivery(period, program, province, when, policy)
    if province is not None:
        problems += check_sender(province, when.sender, policy)
    return problems
