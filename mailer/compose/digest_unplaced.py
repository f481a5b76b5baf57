"""Receipts whose province could not be told (来件未识别): who wrote, when, and what was wrong.  Pure.

The daemon files such a receipt as a version without a province (storage: group (program, period,
None)).  A province that wrote this way must not read as 未报送 in the digest: when the sender's
address is known for a province (the config's [contacts], the policy's [senders], or the sender of
one of its receipts in any period), the receipt is put under that province (来件未识别); otherwise
it is listed on its own at the top, for a person to look at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from storage.records import Severity
from storage.versions import SubmissionVersion

NO_MESSAGE = "未能读取到报名回执"


@dataclass(frozen=True)
class Unidentified:
    """One receipt filed without a province."""

    received: datetime | None  # in the notice's time zone
    sender: str
    subject: str
    message: str  # what the reply said was wrong (its first error)
    people: int  # rows read
    province: str = ""  # the province its sender is known for, "" when unknown
    mailbox: str = ""  # the configured mailbox it came to
    sha: str = ""  # the raw message in the archive


def first_error(version: SubmissionVersion) -> str:
    errors = [p.message for p in version.verdict.problems if p.severity is Severity.ERROR]
    return (errors or [p.message for p in version.verdict.problems] or [NO_MESSAGE])[0]


def province_of(sender: str, senders: Mapping[str, str]) -> str:
    """The province an address is known for: the address itself, else its domain ("@haedu.cn")."""
    address = sender.strip().lower()
    if not address:
        return ""
    if address in senders:
        return senders[address]
    domain = "@" + address.rpartition("@")[2]
    return senders.get(domain, "")


def unidentified(
    versions: Sequence[SubmissionVersion], senders: Mapping[str, str], zone: tzinfo
) -> tuple[Unidentified, ...]:
    """The receipts filed without a province, each with the province its sender is known for."""
    out = []
    for v in versions:
        when = v.received_at
        out.append(
            Unidentified(
                received=when.astimezone(zone) if when else None,
                sender=v.sender,
                subject=v.subject,
                message=first_error(v),
                people=len(v.verdict.participants),
                province=province_of(v.sender, senders),
                mailbox=v.mailbox,
                sha=v.message_sha,
            )
        )
    return tuple(
        sorted(out, key=lambda u: (u.received is None, u.received.timestamp() if u.received else 0.0))
    )
