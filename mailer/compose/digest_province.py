"""One admitted province's part of a period's digest: what is on file for it, the roster that stands,
its open problems, what changed, and the figures a person reads about it.  Pure.

Versions go by the time the province sent them (storage.submissions): the roster is the roster that
stands (its accepted version sent last), the open problems are those of the version sent last, and
the people of that version are pending when it was rejected.  Stored rosters carry no unit kind, so
it is recomputed here with rules.units.unit_kind.  mailer.compose.digest_data puts the provinces
together into the period's DigestData (and re-exports what is defined here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from mailer.compose.digest_lodging import arrival_day
from mailer.compose.digest_unplaced import Unidentified
from rules import units as U
from rules.notice import Notice, Period, Unit
from rules.verdict import Status
from storage.notes import AbsenceNote, DigestNote, ReminderNote
from storage.records import Severity, StoredParticipant, StoredProblem
from storage.submissions import in_sent_order, newest, standing
from storage.versions import SubmissionVersion, VersionKind

KINDS = (U.DEPARTMENT, U.BUREAU, U.SCHOOL, U.OTHER)


class ProvinceStatus(StrEnum):
    """Where an admitted province stands."""

    ACCEPTED = "accepted"  # an accepted version is on file
    REJECTED = "rejected"  # submitted, nothing accepted
    MISSING = "missing"  # nothing received
    UNIDENTIFIED = "unidentified"  # nothing filed under it, but its sender wrote a receipt we could not place
    ABSENT = "absent"  # an organizer recorded that it sends nobody, and nothing accepted or later came


ACCEPTED, REJECTED, MISSING, UNIDENTIFIED, ABSENT = ProvinceStatus
NO_HOTEL = "未分配酒店"
UNKNOWN_DAY = "未填写或无法识别"


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
    absence: AbsenceNote | None = None  # an organizer's record that it sends nobody (shown while it holds)

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
class ProvinceDigest:
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
    absence: AbsenceNote | None = None

    @classmethod
    def of(
        cls,
        province: str,
        versions: Iterable[SubmissionVersion],
        unplaced: Sequence[Unidentified],
        absence: AbsenceNote | None = None,
    ) -> _Filed:
        versions = tuple(in_sent_order(versions))
        last = newest(versions)
        since = last.received_at if last is not None else None
        mine = tuple(
            u
            for u in unplaced
            if u.province == province and (since is None or (u.received is not None and u.received > since))
        )
        return cls(province, versions, mine, absence)

    @property
    def latest(self) -> SubmissionVersion | None:
        """The version sent last."""
        return newest(self.versions)

    @property
    def current(self) -> SubmissionVersion | None:
        """The roster that stands: the accepted version sent last."""
        return standing(self.versions)

    @property
    def absent(self) -> bool:
        """An organizer recorded that it sends nobody, nothing stands accepted, and nothing it sent
        (a receipt, or one that could not be placed) arrived after the record."""
        if self.absence is None or self.current is not None:
            return False
        arrivals = [v.received_at for v in self.versions] + [u.received for u in self.unplaced]
        return self.absence.holds(arrivals)

    @property
    def status(self) -> ProvinceStatus:
        if self.current is not None:
            return ACCEPTED
        if self.absent:
            return ABSENT
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
        if latest is None or latest.accepted or self.absent:
            return 0
        return len(latest.verdict.participants)

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


@dataclass(frozen=True)
class Filed:
    """What the store holds for one admitted province, as the digest snapshot carries it."""

    versions: Sequence[SubmissionVersion] = ()  # in any order
    reminders: Sequence[ReminderNote] = ()
    contacts: Sequence[str] = ()  # where a reminder would go now
    unplaced: Sequence[Unidentified] = ()  # the period's receipts that could not be placed
    absence: AbsenceNote | None = None  # an organizer's record that the province sends nobody


def province_digest(
    notice: Notice, period: Period, name: str, on_file: Filed, previous: DigestNote | None
) -> ProvinceDigest:
    """One admitted province's part of the digest; previous: the last digest sent (what it reported)."""
    unit = notice.unit(name)
    hotel = _hotel_name(period, name)
    filed = _Filed.of(name, on_file.versions, on_file.unplaced, on_file.absence)
    latest = filed.latest
    roster = _roster(filed, unit, notice, hotel)
    open_ = () if filed.absent else _problems(latest, name)  # an absent province has nothing to fix
    reminded, reminded_to = _reminded(on_file.reminders)
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
        late=not filed.absent and _late(filed.current or latest, period, notice),
        hotel=hotel,
        leaders=tuple(p for p in roster if p.leader),
        errors=tuple(p for p in open_ if p.severity is Severity.ERROR),
        warnings=tuple(p for p in open_ if p.severity is not Severity.ERROR),
        reminded=reminded,
        reminded_to=reminded_to,
        contacts=tuple(on_file.contacts),
        sender=filed.sender,
        current_version=filed.current_version,
        regressed=filed.regressed,
        pending=filed.pending,
        unidentified=filed.unplaced,
        absence=filed.absence if filed.absent else None,
    )
    return ProvinceDigest(figures, roster, open_, filed.changes_since(previous, notice))
