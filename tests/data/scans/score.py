"""How well a verdict read a sample of the scan set: cells exact, cells wrong but flagged, silent errors.

A cell is one field of one participant (姓名, 性别, 单位, 职务, 手机, 电子邮箱, 抵达酒店时间, 领队) as the
verdict holds it, compared with what was printed.  A wrong cell is *flagged* when the verdict has a
problem on that row and field (an ocr_uncertain warning, normally) and *silent* otherwise: the silent
ones are what OCR must never produce for a mobile.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from rules.verdict import Participant, Severity, Status, Verdict
from tests.data.scans.make_scans import Sample
from tests.data.scans.receipts import FIELDS, Person


@dataclass(frozen=True)
class Miss:
    sample: str
    row: int  # 1-based person on the form
    field: str
    printed: str
    read: str
    flagged: bool


@dataclass
class SampleScore:
    sample: str
    placed: bool  # program, period and province right
    status: Status
    errors: list[str]  # error codes (an OCR slip must not be one)
    cells: int = 0
    exact: int = 0
    misses: list[Miss] = field(default_factory=list)
    warnings: int = 0  # ocr_uncertain warnings

    @property
    def silent(self) -> list[Miss]:
        return [m for m in self.misses if not m.flagged]


def expected_value(person: Person, name: str) -> str:
    value = person[FIELDS.index(name)]
    if name == "arrival":
        return value.replace(" ", "T")
    if name == "leader":
        return "是" if value == "是" else ""
    return value


def read_value(participant: Participant | None, name: str) -> str:
    if participant is None:
        return ""
    if name == "leader":
        return "是" if participant.leader else ""
    if name == "arrival" and participant.arrival_at is not None:  # the time read, as the expected ISO text
        when = participant.arrival_at
        return when.isoformat(timespec="minutes") if isinstance(when, datetime) else when.isoformat()
    return "".join(str(getattr(participant, name) or "").split())


def score(sample: Sample, verdict: Verdict) -> SampleScore:
    roster = sample.roster
    out = SampleScore(
        sample=sample.filename,
        placed=(verdict.program, verdict.period, verdict.province)
        == (roster.program, roster.period, roster.province),
        status=verdict.status,
        errors=[p.code for p in verdict.problems if p.severity == Severity.ERROR],
        warnings=sum(1 for p in verdict.problems if p.code == "ocr_uncertain"),
    )
    rows = [p.row for p in verdict.participants]
    flagged = {(p.row, p.field) for p in verdict.problems if p.row is not None}
    for i, person in enumerate(roster.people):
        got = verdict.participants[i] if i < len(verdict.participants) else None
        for name in FIELDS:
            out.cells += 1
            want, seen = _same(expected_value(person, name)), _same(read_value(got, name))
            if want == seen:
                out.exact += 1
                continue
            row = rows[i] if got is not None else -1
            out.misses.append(Miss(sample.filename, i + 1, name, want, seen, (row, name) in flagged))
    return out


def _same(text: str) -> str:
    """Text as compared: spaces left out, full-width forms as half-width (（ and ( are the same bracket)."""
    return "".join(unicodedata.normalize("NFKC", text).split())
