"""Where and when a receipt arrived, and who sent it: the wrong mailbox, too late, an unknown sender.  Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rules.notice import Period, Program, Unit
from rules.policy import Late, Policy
from rules.problems import problem
from rules.verdict import Problem, Severity
from rules.wording import moment


@dataclass(frozen=True)
class Circumstances:
    """Where and when the receipt arrived, and who sent it."""

    mailbox: str = ""  # the address it was sent to ("" when unknown)
    received: datetime | None = None  # aware
    sender: str = ""
    served: tuple[str, ...] = ()  # periods ("gz-status/2") the operator configured this mailbox to serve
    # every address the sender wrote in To and Cc: a receipt sent to the right mailbox with a copy to
    # another (read first from the copy) was not sent to the wrong mailbox
    addressed: tuple[str, ...] = ()


def check_delivery(
    period: Period, program: Program, province: Unit, when: Circumstances, policy: Policy
) -> list[Problem]:
    """For a province admitted to the period: sent to the period's mailbox, and before its deadline."""
    return [*_mailbox(period, program, province, when), *_deadline(period, when, policy)]


def _mailbox(period: Period, program: Program, province: Unit, when: Circumstances) -> list[Problem]:
    mailbox = when.mailbox.strip().lower()
    if not mailbox or mailbox == period.mailbox or period.key in when.served:
        return []
    if period.mailbox.lower() in (address.strip().lower() for address in when.addressed):
        return []
    return [
        problem(
            "wrong_mailbox",
            got=mailbox,
            province=province.name,
            program=program.name,
            period=period.number,
            mailbox=period.mailbox,
        )
    ]


def _deadline(period: Period, when: Circumstances, policy: Policy) -> list[Problem]:
    if when.received is None or when.received <= period.deadline:
        return []
    return [
        problem(
            "late",
            severity=Severity.ERROR if policy.late == Late.ERROR else Severity.WARNING,
            received=moment(when.received.astimezone(period.deadline.tzinfo)),
            period=period.number,
            deadline=moment(period.deadline),
        )
    ]


def check_sender(province: Unit, sender: str, policy: Policy) -> list[Problem]:
    """The sender is on the province's list of addresses or domains, when the organizers keep one."""
    allowed = policy.senders.get(province.name)
    if not allowed or not sender:
        return []
    sender = sender.lower()
    if any(sender == a.lower() or (a.startswith("@") and sender.endswith(a.lower())) for a in allowed):
        return []
    return [problem("sender_unverified", sender=sender, province=province.name)]
