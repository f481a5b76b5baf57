"""What the rules return: a verdict on one receipt.  Frozen dataclasses, JSON-ready through `public()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from rules.units import UnitKind


class Status(StrEnum):
    ACCEPTED = "accepted"  # no error: the roster is registered
    REJECTED = "rejected"  # at least one error: the sender must fix and resend
    IGNORED = "ignored"  # not a receipt (an auto-reply, a bounce, an unrelated mail): no reply


class Reading(StrEnum):
    """How a receipt's roster is taken against the roster that stands for its province (rules.supplement)."""

    REPLACEMENT = "replacement"  # the whole roster: it replaces the one that stands
    SUPPLEMENT = "supplement"  # 补报: its people are added to the roster that stands


class Severity(StrEnum):
    ERROR = "error"  # the receipt is rejected until it is fixed
    WARNING = "warning"  # registered; the reply asks the sender to look


@dataclass(frozen=True)
class Participant:
    name: str = ""
    gender: str = ""  # 男 / 女, or what was written when it is neither
    unit: str = ""
    title: str = ""
    mobile: str = ""  # 11 digits when it could be normalised
    email: str = ""
    arrival: str = ""  # what was written in 抵达酒店时间, tidied ("7月14日下午3点", "2023-07-14 15:30")
    leader: bool = False
    # The arrival as a time: a datetime when a day and an hour were given, a date when only the day
    # was (the day part, 下午, stays in the text); None when none could be read.  Wall-clock time at
    # the venue (the notice's time zone), without tzinfo.
    arrival_at: datetime | date | None = None
    remark: str = ""  # 备注, as written ("需单间", "清真", "14日晚到")
    row: int = 0  # 1-based row in the source grid (as the sender sees it); 0: not in this receipt
    unit_kind: UnitKind | None = None  # what kind of unit 单位 is; None until the rules classify it
    part: str = ""  # the table or sheet the row is in, when the roster spans several ("工作表“Sheet2”")
    registered: bool = False  # on the roster that stood before this receipt (a 补报 adds to it)

    def public(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("row", "unit_kind", "part", "registered"):
            d.pop(k)
        d["arrival_at"] = self.arrival_at.isoformat() if self.arrival_at is not None else None
        return d


@dataclass(frozen=True)
class Problem:
    code: str
    severity: Severity
    message: str  # Chinese, says what is wrong and how to fix it
    row: int | None = None  # 1-based row in the source grid
    field: str | None = None  # participant field name (name, gender, unit, mobile ...) or header field

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))

    def public(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True)
class Verdict:
    status: Status
    program: str | None = None
    period: int | None = None
    province: str | None = None
    participants: list[Participant] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_reason: str = ""
    source: str = ""  # where the roster was read from ("file.xlsx#Sheet1")
    ocr: bool = False  # the roster was read by OCR from a scan or photo: the reply asks to check it
    # SUPPLEMENT: participants are the roster that stood (registered=True) and then this receipt's
    # people, judged together (rules.supplement); REPLACEMENT: this receipt's people alone.
    reading: Reading = Reading.REPLACEMENT

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "reading", Reading(self.reading))

    @property
    def added(self) -> list[Participant]:
        """This receipt's own people (for a supplement, those it adds)."""
        return [p for p in self.participants if not p.registered]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.WARNING]

    def public(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "program": self.program,
            "period": self.period,
            "province": self.province,
            "participants": [p.public() for p in self.participants],
            "problems": [p.public() for p in self.problems],
        }


def status_of(problems: list[Problem]) -> Status:
    """Rejected when any problem is an error; accepted otherwise."""
    return Status.REJECTED if any(p.severity == Severity.ERROR for p in problems) else Status.ACCEPTED
