"""The figures of an organizers' digest for one period.  Pure: a store snapshot in, a dataclass out.

The snapshot (DigestSnapshot, read from the store by intake.organizer.desk.Organizer.snapshot)
holds, for the period: every version of each admitted province's receipt, the reminders sent
to each, the addresses a reminder would go to, what the previous digest reported, the
groups filed under the period for provinces it does not admit, and the questions waiting for
a person that may concern the period.

A province's roster is its latest *accepted* version; its open problems are those of its latest
version (a rejected resubmission leaves the accepted roster standing but its errors open).
Stored rosters carry no unit kind, so it is recomputed here with rules.units.unit_kind.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from rules import units as U
from rules.notice import Notice, Period, Program, Unit
from rules.verdict import Status
from storage.questions import Question
from storage.records import (
    DigestNote,
    ReminderNote,
    Severity,
    StoredParticipant,
    StoredProblem,
    SubmissionSummary,
    SubmissionVersion,
)

KINDS = (U.DEPARTMENT, U.BUREAU, U.SCHOOL, U.OTHER)


class ProvinceStatus(StrEnum):
    """Where an admitted province stands."""

    ACCEPTED = "accepted"  # an accepted version is on file
    REJECTED = "rejected"  # submitted, nothing accepted
    MISSING = "missing"  # nothing received


ACCEPTED, REJECTED, MISSING = ProvinceStatus
NO_HOTEL = "未分配酒店"
UNKNOWN_DAY = "未填写或无法识别"
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class DigestSnapshot:
    """What one period's digest is made of, as read from the store."""

    versions: Mapping[str, Sequence[SubmissionVersion]]  # admitted province -> its versions, oldest first
    reminders: Mapping[str, Sequence[ReminderNote]] = field(default_factory=dict)  # province -> sent
    contacts: Mapping[str, Sequence[str]] = field(default_factory=dict)  # province -> where a reminder goes
    previous: DigestNote | None = None  # the last digest sent for the period, if any
    others: Sequence[SubmissionSummary] = ()  # filed under the period, province not admitted (or unknown)
    questions: Sequence[Question] = ()  # open questions for a person that may concern the period


@dataclass(frozen=True)
class Person:
    province: str
    name: str
    gender: str
    unit: str
    unit_kind: U.UnitKind
    title: str
    mobile: str
    email: str
    arrival: str
    leader: bool
    hotel: str


@dataclass(frozen=True)
class OpenProblem:
    province: str
    severity: Severity
    code: str
    row: int | None
    field: str | None
    message: str


@dataclass(frozen=True)
class ProvinceFigures:
    province: str
    department: str  # the department's full name, from the notice
    status: ProvinceStatus
    versions: int
    last_received: datetime | None
    last_status: Status | None  # status of the latest version (None when missing)
    headcount: int
    by_kind: dict[str, int]
    late: bool
    hotel: str
    leaders: tuple[Person, ...]
    errors: tuple[OpenProblem, ...]
    warnings: tuple[OpenProblem, ...]
    reminded: tuple[str, ...]  # dates of reminders sent
    reminded_to: tuple[str, ...]  # where they went
    contacts: tuple[str, ...]  # where a reminder would go now


@dataclass(frozen=True)
class HotelFigures:
    name: str
    address: str
    provinces: tuple[str, ...]
    headcount: int


@dataclass(frozen=True)
class Change:
    province: str
    version: int
    status: Status
    received: datetime | None
    participants: int
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()  # "王喆：mobile"


@dataclass(frozen=True)
class DigestData:
    notice: Notice
    program: Program
    period: Period
    now: datetime
    days_left: int  # whole days from today to the deadline's day (negative: past)
    past_deadline: bool
    provinces: tuple[ProvinceFigures, ...]  # notice order
    people: tuple[Person, ...]
    problems: tuple[OpenProblem, ...]
    hotels: tuple[HotelFigures, ...]
    arrivals: tuple[tuple[str, int], ...]  # ("2023-07-14", n) sorted, unknown last
    changes: tuple[Change, ...]
    first: bool  # no digest was sent before
    totals: dict[str, int] = field(default_factory=dict)
    others: tuple[SubmissionSummary, ...] = ()
    questions: tuple[Question, ...] = ()  # waiting for a person (storage/questions.py), oldest first

    @property
    def missing(self) -> tuple[str, ...]:
        """Admitted provinces from which nothing was received."""
        return tuple(p.province for p in self.provinces if p.status == MISSING)

    @property
    def not_accepted(self) -> tuple[str, ...]:
        """Provinces that sent something, none of it accepted yet."""
        return tuple(p.province for p in self.provinces if p.status == REJECTED)

    @property
    def reported(self) -> dict[str, int]:
        """What this digest reported, kept so the next one can say what changed since."""
        return {p.province: p.versions for p in self.provinces if p.versions}


def parse_time(text: str | None, notice: Notice) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=notice.timezone)).astimezone(notice.timezone)


def day_of(arrival: str) -> str:
    m = _DAY.match(arrival or "")
    if not m:
        return UNKNOWN_DAY
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return UNKNOWN_DAY


# -- one province ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ProvinceDigest:
    """One admitted province's part of the digest."""

    figures: ProvinceFigures
    roster: tuple[Person, ...]  # its current (latest accepted) roster
    problems: tuple[OpenProblem, ...]  # those of its latest version
    changes: tuple[Change, ...]  # versions the previous digest did not report


def _person(row: StoredParticipant, province: str, unit: Unit | None, notice: Notice, hotel: str) -> Person:
    return Person(
        province=province,
        name=row.name,
        gender=row.gender,
        unit=row.unit,
        unit_kind=U.unit_kind(row.unit, unit, notice),
        title=row.title,
        mobile=row.mobile,
        email=row.email,
        arrival=row.arrival,
        leader=row.leader,
        hotel=hotel,
    )


def _open_problem(problem: StoredProblem, province: str) -> OpenProblem:
    return OpenProblem(province, problem.severity, problem.code, problem.row, problem.field, problem.message)


def _problems(version: SubmissionVersion | None, province: str) -> tuple[OpenProblem, ...]:
    if version is None:
        return ()
    return tuple(_open_problem(p, province) for p in version.verdict.problems)


def _names(rows: Iterable[Mapping[str, object]]) -> tuple[str, ...]:
    return tuple(str(r.get("name") or "") for r in rows)


def _change(version: SubmissionVersion, province: str, notice: Notice) -> Change:
    """One version as a change; only an accepted version's roster diff counts."""
    diff = version.diff
    shown = version.accepted
    return Change(
        province=province,
        version=version.version,
        status=version.status,
        received=parse_time(version.received, notice),
        participants=len(version.verdict.participants),
        added=_names(diff.added) if shown else (),
        removed=_names(diff.removed) if shown else (),
        changed=tuple(f"{name or ''}：{changed}" for name, changed, _old, _new in diff.changed)
        if shown
        else (),
    )


def _late(counted: SubmissionVersion | None, period: Period, notice: Notice) -> bool:
    """The version that counts came after the deadline, or the rules flagged it late."""
    if counted is None:
        return False
    received = parse_time(counted.received, notice)
    if received is not None and received > period.deadline:
        return True
    return any(p.code == "late" for p in counted.verdict.problems)


def _hotel_name(period: Period, province: str) -> str:
    hotel = period.hotel_for(province)
    return hotel.name if hotel else NO_HOTEL


def _department(unit: Unit | None, province: str) -> str:
    return unit.department[0] if unit and unit.department else province


@dataclass(frozen=True)
class _Filed:
    """What is on file for one admitted province: its versions, oldest first."""

    province: str
    versions: tuple[SubmissionVersion, ...]

    @classmethod
    def of(cls, province: str, snapshot: DigestSnapshot) -> _Filed:
        return cls(province, tuple(sorted(snapshot.versions.get(province, ()), key=lambda v: v.version)))

    @property
    def latest(self) -> SubmissionVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def current(self) -> SubmissionVersion | None:
        """The latest accepted version: the roster that stands."""
        return next((v for v in reversed(self.versions) if v.accepted), None)

    @property
    def status(self) -> ProvinceStatus:
        if self.current is not None:
            return ACCEPTED
        return REJECTED if self.versions else MISSING

    def changes_since(self, previous: DigestNote | None, notice: Notice) -> tuple[Change, ...]:
        """The versions the previous digest did not report (all of them for the first digest)."""
        reported = previous.reported.get(self.province, 0) if previous else 0
        return tuple(_change(v, self.province, notice) for v in self.versions if v.version > reported)


def _roster(filed: _Filed, unit: Unit | None, notice: Notice, hotel: str) -> tuple[Person, ...]:
    current = filed.current
    if current is None:
        return ()
    return tuple(_person(r, filed.province, unit, notice, hotel) for r in current.verdict.participants)


def _reminded(reminders: Sequence[ReminderNote]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(dates of the reminders sent, the addresses they went to, each once)."""
    return tuple(r.date for r in reminders), tuple(dict.fromkeys(a for r in reminders for a in r.to))


def _province(notice: Notice, period: Period, name: str, snapshot: DigestSnapshot) -> _ProvinceDigest:
    unit = notice.unit(name)
    hotel = _hotel_name(period, name)
    filed = _Filed.of(name, snapshot)
    latest = filed.latest
    roster = _roster(filed, unit, notice, hotel)
    open_ = _problems(latest, name)
    reminded, reminded_to = _reminded(snapshot.reminders.get(name, ()))
    by_kind = Counter(p.unit_kind for p in roster)
    figures = ProvinceFigures(
        province=name,
        department=_department(unit, name),
        status=filed.status,
        versions=len(filed.versions),
        last_received=parse_time(latest.received, notice) if latest else None,
        last_status=latest.status if latest else None,
        headcount=len(roster),
        by_kind={k: by_kind.get(k, 0) for k in KINDS},
        late=_late(filed.current or latest, period, notice),
        hotel=hotel,
        leaders=tuple(p for p in roster if p.leader),
        errors=tuple(p for p in open_ if p.severity is Severity.ERROR),
        warnings=tuple(p for p in open_ if p.severity is not Severity.ERROR),
        reminded=reminded,
        reminded_to=reminded_to,
        contacts=tuple(snapshot.contacts.get(name, ())),
    )
    return _ProvinceDigest(figures, roster, open_, filed.changes_since(snapshot.previous, notice))


# -- the period --------------------------------------------------------------------------------


def _arrivals(people: Sequence[Person]) -> tuple[tuple[str, int], ...]:
    """People per arrival day, days in order, the unknown ones last."""
    arrivals = Counter(day_of(p.arrival) for p in people)
    days = sorted(d for d in arrivals if d != UNKNOWN_DAY)
    if UNKNOWN_DAY in arrivals:
        days.append(UNKNOWN_DAY)
    return tuple((d, arrivals[d]) for d in days)


def _totals(
    period: Period,
    provinces: Sequence[ProvinceFigures],
    people: Sequence[Person],
    problems: Sequence[OpenProblem],
) -> dict[str, int]:
    statuses = Counter(p.status for p in provinces)
    genders = Counter(p.gender for p in people)
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    kinds = Counter(p.unit_kind for p in people)
    return {
        "admitted": len(period.provinces),
        "submitted": len(provinces) - statuses[MISSING],
        "accepted": statuses[ACCEPTED],
        "not_accepted": statuses[REJECTED],
        "missing": statuses[MISSING],
        "late": sum(1 for p in provinces if p.late),
        "people": len(people),
        "men": genders["男"],
        "women": genders["女"],
        "leaders": sum(1 for p in people if p.leader),
        "errors": errors,
        "warnings": len(problems) - errors,
        "reminded": sum(1 for p in provinces if p.reminded),
        **{f"kind_{k}": kinds.get(k, 0) for k in KINDS},
    }


def build_digest(notice: Notice, period: Period, snapshot: DigestSnapshot, now: datetime) -> DigestData:
    program = notice.program(period.program)
    if program is None:
        raise ValueError(f"period {period.key} has no program in the notice")
    now = now.astimezone(notice.timezone)
    parts = [_province(notice, period, name, snapshot) for name in period.provinces]
    provinces = tuple(p.figures for p in parts)
    people = tuple(person for p in parts for person in p.roster)
    problems = tuple(problem for p in parts for problem in p.problems)
    return DigestData(
        notice=notice,
        program=program,
        period=period,
        now=now,
        days_left=(period.deadline.astimezone(notice.timezone).date() - now.date()).days,
        past_deadline=now > period.deadline,
        provinces=provinces,
        people=people,
        problems=problems,
        hotels=_hotels(period, provinces),
        arrivals=_arrivals(people),
        changes=tuple(change for p in parts for change in p.changes),
        first=snapshot.previous is None,
        totals=_totals(period, provinces, people, problems),
        others=tuple(snapshot.others),
        questions=tuple(snapshot.questions),
    )


def _hotels(period: Period, provinces: Sequence[ProvinceFigures]) -> tuple[HotelFigures, ...]:
    out = [_hotel(hotel.name, hotel.address, provinces) for hotel in period.hotels]
    if any(p.hotel == NO_HOTEL for p in provinces):
        out.append(_hotel(NO_HOTEL, "", provinces))
    return tuple(out)


def _hotel(name: str, address: str, provinces: Sequence[ProvinceFigures]) -> HotelFigures:
    members = [p for p in provinces if p.hotel == name]
    return HotelFigures(name, address, tuple(p.province for p in members), sum(p.headcount for p in members))
