"""The figures of an organizers' digest for one period.  Pure: a store snapshot in, a dataclass out.

The snapshot (DigestSnapshot, read from the store by intake.organizer.desk.Organizer.snapshot)
holds, for the period: every version of each admitted province's receipt, the reminders sent
to each, the addresses a reminder would go to, what the previous digest reported, the groups
filed under the period for provinces it does not admit, and the receipts whose province could
not be told (with the addresses known for each province, to put them where they belong).

A province's roster is the roster that stands: its accepted version sent last (versions go by the
time they were sent, storage.submissions); its open problems are those of the version it sent last
(a rejected resubmission leaves the accepted roster standing but its errors open, and flags the
province: ``regressed``; the people of that receipt are ``pending``).  Stored rosters carry no unit
kind, so it is recomputed here with rules.units.unit_kind.

DigestData is the one model of a period's figures: the digest (text and HTML), the workbook, the
sign-in sheet and the console read it, so they cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from mailer.compose.digest_lodging import HotelFigures, arrival_day, hotel
from mailer.compose.digest_unplaced import Unidentified, unidentified
from rules import units as U
from rules.notice import Notice, Period, Program, Unit
from rules.verdict import Status
from rules.wording import arrival_sort_key
from storage.records import (
    DigestNote,
    ReminderNote,
    Severity,
    StoredParticipant,
    StoredProblem,
    SubmissionSummary,
    SubmissionVersion,
    VersionKind,
)
from storage.submissions import in_sent_order, newest, standing

__all__ = ["HotelFigures", "Unidentified"]  # re-exported: the digest's figures are all found here

KINDS = (U.DEPARTMENT, U.BUREAU, U.SCHOOL, U.OTHER)


class ProvinceStatus(StrEnum):
    """Where an admitted province stands."""

    ACCEPTED = "accepted"  # an accepted version is on file
    REJECTED = "rejected"  # submitted, nothing accepted
    MISSING = "missing"  # nothing received
    UNIDENTIFIED = "unidentified"  # nothing filed under it, but its sender wrote a receipt we could not place


ACCEPTED, REJECTED, MISSING, UNIDENTIFIED = ProvinceStatus
NO_HOTEL = "未分配酒店"
UNKNOWN_DAY = "未填写或无法识别"


@dataclass(frozen=True)
class DigestSnapshot:
    """What one period's digest is made of, as read from the store."""

    versions: Mapping[str, Sequence[SubmissionVersion]]  # admitted province -> its versions, oldest first
    reminders: Mapping[str, Sequence[ReminderNote]] = field(default_factory=dict)  # province -> sent
    contacts: Mapping[str, Sequence[str]] = field(default_factory=dict)  # province -> where a reminder goes
    previous: DigestNote | None = None  # the last digest sent for the period, if any
    others: Sequence[SubmissionSummary] = ()  # filed under the period, province not admitted (or unknown)
    unplaced: Sequence[SubmissionVersion] = ()  # receipts for the period whose province could not be told
    senders: Mapping[str, str] = field(
        default_factory=dict
    )  # address or "@domain" -> province it is known for


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
    arrival: str  # as written
    leader: bool
    hotel: str
    arrival_at: datetime | date | None = None  # the time read from it (a date when only the day was given)
    remark: str = ""  # 备注


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
    last_received: datetime | None  # when the version sent last was sent
    last_status: Status | None  # status of the version sent last (None when missing)
    headcount: int  # on the roster that stands
    by_kind: dict[str, int]
    late: bool
    hotel: str
    leaders: tuple[Person, ...]
    errors: tuple[OpenProblem, ...]
    warnings: tuple[OpenProblem, ...]
    reminded: tuple[str, ...]  # dates of reminders sent
    reminded_to: tuple[str, ...]  # where they went
    contacts: tuple[str, ...]  # where a reminder would go now
    sender: str = ""  # who sent the version sent last
    current_version: int | None = None  # the number of the version that stands
    regressed: bool = False  # the version sent last was rejected after an accepted one: that one stands
    pending: int = 0  # people in the version sent last, when it was rejected: awaiting the province's fix
    unidentified: tuple[Unidentified, ...] = ()  # receipts of its sender that could not be placed

    @property
    def leader_mobiles(self) -> tuple[str, ...]:
        return tuple(p.mobile for p in self.leaders if p.mobile)


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
    kind: VersionKind = VersionKind.RECEIPT
    superseded_by: int | None = None  # sent before the roster that stood: replaced nothing


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
    unidentified: tuple[Unidentified, ...] = ()  # receipts whose province could not be told, nor its sender's

    @property
    def missing(self) -> tuple[str, ...]:
        """Admitted provinces from which nothing was received."""
        return tuple(p.province for p in self.provinces if p.status == MISSING)

    @property
    def regressed(self) -> tuple[ProvinceFigures, ...]:
        """Provinces whose newest receipt was rejected after an accepted one (flagged at the top)."""
        return tuple(p for p in self.provinces if p.regressed)

    @property
    def pending(self) -> tuple[ProvinceFigures, ...]:
        """Provinces asked to fix the receipt they sent last, with the people in it."""
        return tuple(p for p in self.provinces if p.pending)

    @property
    def remarks(self) -> tuple[Person, ...]:
        """The people with a 备注, in roster order."""
        return tuple(p for p in self.people if p.remark)

    @property
    def days(self) -> tuple[date, ...]:
        """The training days (a sign-in column each)."""
        count = (self.period.end - self.period.start).days + 1
        return tuple(self.period.start + timedelta(days=i) for i in range(max(count, 1)))

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


def day_of(arrival: datetime | date | None) -> str:
    """The arrival's day ("2023-07-14"), or UNKNOWN_DAY."""
    day = arrival_day(arrival)
    return day.isoformat() if day is not None else UNKNOWN_DAY


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
        arrival_at=row.arrival_at,
        remark=row.remark,
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
    """One version as a change; only the roster diff of an accepted version that stood counts."""
    diff = version.diff
    shown = version.accepted and not version.superseded
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
        kind=version.kind,
        superseded_by=version.superseded_by,
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
    """What is on file for one admitted province: its versions in the order sent, its unplaced receipts."""

    province: str
    versions: tuple[SubmissionVersion, ...]
    unplaced: tuple[Unidentified, ...] = ()

    @classmethod
    def of(cls, province: str, snapshot: DigestSnapshot, unplaced: Sequence[Unidentified]) -> _Filed:
        versions = tuple(in_sent_order(snapshot.versions.get(province, ())))
        last = newest(versions)
        since = last.received_at if last is not None else None
        mine = tuple(
            u
            for u in unplaced
            if u.province == province and (since is None or (u.received is not None and u.received > since))
        )
        return cls(province, versions, mine)

    @property
    def latest(self) -> SubmissionVersion | None:
        """The version sent last."""
        return newest(self.versions)

    @property
    def current(self) -> SubmissionVersion | None:
        """The roster that stands: the accepted version sent last."""
        return standing(self.versions)

    @property
    def status(self) -> ProvinceStatus:
        if self.current is not None:
            return ACCEPTED
        if self.versions:
            return REJECTED
        return UNIDENTIFIED if self.unplaced else MISSING

    @property
    def regressed(self) -> bool:
        """The version sent last was rejected while an accepted roster stands."""
        latest = self.latest
        return self.current is not None and latest is not None and not latest.accepted

    @property
    def sender(self) -> str:
        latest = self.latest
        return latest.sender if latest is not None else ""

    @property
    def current_version(self) -> int | None:
        current = self.current
        return current.version if current is not None else None

    @property
    def pending(self) -> int:
        """People in the version sent last, when it was rejected (the province was asked to fix it)."""
        latest = self.latest
        return len(latest.verdict.participants) if latest is not None and not latest.accepted else 0

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


def _province(
    notice: Notice, period: Period, name: str, snapshot: DigestSnapshot, unplaced: Sequence[Unidentified]
) -> _ProvinceDigest:
    unit = notice.unit(name)
    hotel = _hotel_name(period, name)
    filed = _Filed.of(name, snapshot, unplaced)
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
        sender=filed.sender,
        current_version=filed.current_version,
        regressed=filed.regressed,
        pending=filed.pending,
        unidentified=filed.unplaced,
    )
    return _ProvinceDigest(figures, roster, open_, filed.changes_since(snapshot.previous, notice))


# -- the period --------------------------------------------------------------------------------


def _arrivals(people: Sequence[Person]) -> tuple[tuple[str, int], ...]:
    """People per arrival day, days in order, the unknown ones last."""
    arrivals = Counter(day_of(p.arrival_at) for p in people)
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
        **_follow_ups(provinces),
        **{f"kind_{k}": kinds.get(k, 0) for k in KINDS},
    }


def _follow_ups(provinces: Sequence[ProvinceFigures]) -> dict[str, int]:
    """What needs following up: receipts nobody could place, newest receipts rejected, people pending a fix."""
    return {
        "unidentified": sum(1 for p in provinces if p.status == UNIDENTIFIED),
        "regressed": sum(1 for p in provinces if p.regressed),
        "pending": sum(p.pending for p in provinces),
        "pending_provinces": sum(1 for p in provinces if p.pending),
    }


def build_digest(notice: Notice, period: Period, snapshot: DigestSnapshot, now: datetime) -> DigestData:
    program = notice.program(period.program)
    if program is None:
        raise ValueError(f"period {period.key} has no program in the notice")
    now = now.astimezone(notice.timezone)
    unplaced = unidentified(snapshot.unplaced, snapshot.senders, notice.timezone)
    parts = [_province(notice, period, name, snapshot, unplaced) for name in period.provinces]
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
        hotels=_hotels(period, provinces, people),
        arrivals=_arrivals(people),
        changes=tuple(change for p in parts for change in p.changes),
        first=snapshot.previous is None,
        totals=_totals(period, provinces, people, problems),
        others=tuple(snapshot.others),
        unidentified=tuple(u for u in unplaced if u.province not in period.provinces),
    )


def _hotels(
    period: Period, provinces: Sequence[ProvinceFigures], people: Sequence[Person]
) -> tuple[HotelFigures, ...]:
    """Each hotel with its provinces, its people (men and women), and its nights."""
    names = [(h.name, h.address) for h in period.hotels]
    if any(p.hotel == NO_HOTEL for p in provinces):
        names.append((NO_HOTEL, ""))
    return tuple(
        hotel(
            name,
            address,
            [p.province for p in provinces if p.hotel == name],
            sorted((p for p in people if p.hotel == name), key=lambda p: arrival_sort_key(p.arrival_at)),
            period,
        )
        for name, address in names
    )
