"""What the rules return: a verdict on one receipt.  Plain dataclasses, JSON-ready."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
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
    unit_kind: str = ""  # department / bureau / school / other (filled by rules)

    def public(self) -> dict:
        d = asdict(self)
        for k in ("row", "unit_kind"):
            d.pop(k)
        return d


@dataclass
class Problem:
    code: str
    severity: str  # "error" | "warning"
    message: str  # Chinese, says what is wrong and how to fix it
    row: int | None = None  # 1-based row in the source grid
    field: str | None = None  # participant field name (name, gender, unit, mobile ...) or header field

    def public(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class Verdict:
    status: str  # accepted / rejected / ignored
    program: str | None = None
    period: int | None = None
    province: str | None = None
    participants: list[Participant] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_reason: str = ""
    source: str = ""  # where the roster was read from ("file.xlsx#Sheet1")
    ocr: bool = False  # the roster was read by OCR from a scan or photo: the reply asks to check it

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def public(self) -> dict:
        return {
            "status": self.status,
            "program": self.program,
            "period": self.period,
            "province": self.province,
            "participants": [p.public() for p in self.participants],
            "problems": [p.public() for p in self.problems],
        }
