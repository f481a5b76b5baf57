"""The figures of an organizers' digest for one period.  Pure: a store snapshot in, a dataclass out.

The snapshot is plain data (what intake.organizer.desk.snapshot reads from the store)::

    {"versions":  {province: [submission version docs, oldest first]},   # Store.versions()
     "reminders": {province: [{"date": "2023-06-16", "to": [...], "stage": 3}, ...]},
     "contacts":  {province: [addresses a reminder would go to]},
     "previous":  {"reported": {province: versions already reported}, "at": iso} | None,
     "others":    [{"province": ..., "versions": n, "status": ...}]}   # filed under the period, not admitted

A province's roster is its latest *accepted* version; its open problems are those of its latest
version (a rejected resubmission leaves the accepted roster standing but its errors open).
Stored rosters carry no unit kind, so it is recomputed here with rules.units.unit_kind.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from rules import units as U
from rules.notice import Notice, Period, Program

KINDS = (U.DEPARTMENT, U.BUREAU, U.SCHOOL, U.OTHER)
ACCEPTED, REJECTED, MISSING = "accepted", "rejected", "missing"
NO_HOTEL = "未分配酒店"
UNKNOWN_DAY = "未填写或无法识别"
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Person:
    province: str
    name: str
    gender: str
    unit: str
    unit_kind: str
    title: str
    mobile: str
    email: str
    arrival: str
    leader: bool
    hotel: str


@dataclass(frozen=True)
class OpenProblem:
    province: str
    severity: str  # error | warning
    code: str
    row: int | None
    field: str | None
    message: str


@dataclass(frozen=True)
class ProvinceFigures:
    province: str
    department: str  # the department's full name, from the notice
    status: str  # accepted | rejected (submitted, nothing accepted) | missing (nothing received)
    versions: int
    last_received: datetime | None
    last_status: str  # status of the latest version ("" when missing)
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
    status: str
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
    others: tuple[dict, ...] = ()

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


def _person(row: dict, province: str, unit: U.Unit | None, notice: Notice, hotel: str) -> Person:
    text = lambda k: str(row.get(k) or "")  # noqa: E731
    return Person(
        province=province,
        name=text("name"),
        gender=text("gender"),
        unit=text("unit"),
        unit_kind=U.unit_kind(text("unit"), unit, notice),
        title=text("title"),
        mobile=text("mobile"),
        email=text("email"),
        arrival=text("arrival"),
        leader=bool(row.get("leader")),
        hotel=hotel,
    )


def _problems(version: dict | None, province: str) -> list[OpenProblem]:
    if version is None:
        return []
    return [
        OpenProblem(
            province,
            str(p.get("severity") or "error"),
            str(p.get("code") or ""),
            p.get("row"),
            p.get("field"),
            str(p.get("message") or ""),
        )
        for p in (version.get("verdict") or {}).get("problems") or []
    ]


def _change(doc: dict, province: str, notice: Notice) -> Change:
    rows = (doc.get("verdict") or {}).get("participants") or []
    diff = doc.get("diff") or {}
    accepted = doc.get("status") == ACCEPTED
    return Change(
        province=province,
        version=int(doc.get("version") or 0),
        status=str(doc.get("status") or ""),
        received=parse_time(doc.get("received"), notice),
        participants=len(rows),
        added=tuple(str(r.get("name") or "") for r in diff.get("added", [])) if accepted else (),
        removed=tuple(str(r.get("name") or "") for r in diff.get("removed", [])) if accepted else (),
        changed=tuple(f"{c.get('name') or ''}：{c.get('field')}" for c in diff.get("changed", []))
        if accepted
        else (),
    )


def day_of(arrival: str) -> str:
    m = _DAY.match(arrival or "")
    if not m:
        return UNKNOWN_DAY
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return UNKNOWN_DAY


def build_digest(notice: Notice, period: Period, snapshot: dict, now: datetime) -> DigestData:
    program = notice.program(period.program)
    if program is None:
        raise ValueError(f"period {period.key} has no program in the notice")
    now = now.astimezone(notice.timezone)
    versions_by = snapshot.get("versions") or {}
    reminders = snapshot.get("reminders") or {}
    contacts = snapshot.get("contacts") or {}
    previous = snapshot.get("previous")
    reported = (previous or {}).get("reported") or {}
    provinces, people, problems, changes = [], [], [], []
    for name in period.provinces:
        unit = notice.unit(name)
        hotel_obj = period.hotel_for(name)
        hotel = hotel_obj.name if hotel_obj else NO_HOTEL
        versions = sorted(versions_by.get(name) or [], key=lambda d: int(d.get("version") or 0))
        latest = versions[-1] if versions else None
        current = next((v for v in reversed(versions) if v.get("status") == ACCEPTED), None)
        roster = [
            _person(r, name, unit, notice, hotel)
            for r in ((current or {}).get("verdict") or {}).get("participants") or []
        ]
        open_ = _problems(latest, name)
        counted = current or latest
        received = parse_time((counted or {}).get("received"), notice)
        late = bool(counted) and (
            (received is not None and received > period.deadline)
            or any(p.code == "late" for p in _problems(counted, name))
        )
        by_kind = Counter(p.unit_kind for p in roster)
        provinces.append(
            ProvinceFigures(
                province=name,
                department=unit.department[0] if unit and unit.department else name,
                status=ACCEPTED if current else (REJECTED if versions else MISSING),
                versions=len(versions),
                last_received=parse_time((latest or {}).get("received"), notice),
                last_status=str((latest or {}).get("status") or ""),
                headcount=len(roster),
                by_kind={k: by_kind.get(k, 0) for k in KINDS},
                late=late,
                hotel=hotel,
                leaders=tuple(p for p in roster if p.leader),
                errors=tuple(p for p in open_ if p.severity == "error"),
                warnings=tuple(p for p in open_ if p.severity != "error"),
                reminded=tuple(str(r.get("date")) for r in reminders.get(name) or []),
                reminded_to=tuple(
                    dict.fromkeys(str(a) for r in reminders.get(name) or [] for a in r.get("to") or [])
                ),
                contacts=tuple(contacts.get(name) or ()),
            )
        )
        people += roster
        problems += open_
        changes += [
            _change(v, name, notice)
            for v in versions
            if int(v.get("version") or 0) > int(reported.get(name, 0))
        ]
    hotels = _hotels(period, provinces)
    arrivals = Counter(day_of(p.arrival) for p in people)
    days = sorted(d for d in arrivals if d != UNKNOWN_DAY) + (
        [UNKNOWN_DAY] if UNKNOWN_DAY in arrivals else []
    )
    kinds = Counter(p.unit_kind for p in people)
    totals = {
        "admitted": len(period.provinces),
        "submitted": sum(1 for p in provinces if p.status != MISSING),
        "accepted": sum(1 for p in provinces if p.status == ACCEPTED),
        "not_accepted": sum(1 for p in provinces if p.status == REJECTED),
        "missing": sum(1 for p in provinces if p.status == MISSING),
        "late": sum(1 for p in provinces if p.late),
        "people": len(people),
        "men": sum(1 for p in people if p.gender == "男"),
        "women": sum(1 for p in people if p.gender == "女"),
        "leaders": sum(1 for p in people if p.leader),
        "errors": sum(1 for p in problems if p.severity == "error"),
        "warnings": sum(1 for p in problems if p.severity != "error"),
        "reminded": sum(1 for p in provinces if p.reminded),
        **{f"kind_{k}": kinds.get(k, 0) for k in KINDS},
    }
    return DigestData(
        notice=notice,
        program=program,
        period=period,
        now=now.astimezone(notice.timezone),
        days_left=(period.deadline.astimezone(notice.timezone).date() - now.date()).days,
        past_deadline=now > period.deadline,
        provinces=tuple(provinces),
        people=tuple(people),
        problems=tuple(problems),
        hotels=hotels,
        arrivals=tuple((d, arrivals[d]) for d in days),
        changes=tuple(changes),
        first=previous is None,
        totals=totals,
        others=tuple(snapshot.get("others") or ()),
    )


def _hotels(period: Period, provinces: list[ProvinceFigures]) -> tuple[HotelFigures, ...]:
    out = []
    for hotel in period.hotels:
        members = [p for p in provinces if p.hotel == hotel.name]
        out.append(
            HotelFigures(
                hotel.name,
                hotel.address,
                tuple(p.province for p in members),
                sum(p.headcount for p in members),
            )
        )
    stray = [p for p in provinces if p.hotel == NO_HOTEL]
    if stray:
        out.append(
            HotelFigures(NO_HOTEL, "", tuple(p.province for p in stray), sum(p.headcount for p in stray))
        )
    return tuple(out)
