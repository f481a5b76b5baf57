"""What the rules return: a verdict on one receipt.  Frozen dataclasses, JSON-ready through `public()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from rules.units import UnitKind


class Status(StrEnum):
    ACCEPTED = "accepted"  # no error: the roster is registered
    REJECTED = "rejected"  # at least one error: the sender must fix and resend
    IGNORED = "ignored"  # not a receipt (an auto-reply, a bounce, an unrelated mail): no reply


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
    arrival: str = ""  # ISO 8601 "2023-07-14T11:30", "2023-07-14" or the text as written
    leader: bool = False
    row: int = 0  # 1-based row in the source grid (as the sender sees it)
    unit_kind: UnitKind | None = None  # what kind of unit 单位 is; None until the rules classify it
    part: str = ""  # the table or sheet the row is in, when the roster spans several ("工作表“Sheet2”")

    def public(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("row", "unit_kind", "part"):
            d.pop(k)
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))

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
