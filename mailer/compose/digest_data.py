"""The figures of an organizers' digest for one period.  Pure: a store snapshot in, a dataclass out.

The snapshot (DigestSnapshot, read from the store by intake.organizer.desk.Organizer.snapshot)
holds, for the period: every version of each admitted province's receipt, the reminders sent
to each, the addresses a reminder would go to, what the previous digest reported, the groups
filed under the period for provinces it does not admit, and the receipts whose province could
not be told (with the addresses known for each province, to put them where they belong), and
the questions waiting for a person that may concern the period, and the provinces an organizer
recorded as sending nobody (storage.notes.AbsenceNote).

A province's roster is the roster that stands: its accepted version sent last (versions go by the
time they were sent, storage.submissions); its open problems are those of the version it sent last
(a rejected resubmission leaves the accepted roster standing but its errors open, and flags the
province: ``regressed``; the people of that receipt are ``pending``).  Stored rosters carry no unit
kind, so it is recomputed here with rules.units.unit_kind.  A province recorded as sending nobody is
不参加 (ABSENT) while nothing of it stands accepted and nothing it sent arrived after the record; it is
then neither missing nor waiting, and is not reminded.

DigestData is the one model of a period's figures: the digest (text and HTML), the workbook, the
sign-in sheet and the console read it, so they cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from mailer.compose.digest_lodging import HotelFigures, hotel
from mailer.compose.digest_province import (
    ABSENT,
    ACCEPTED,
    KINDS,
    MISSING,
    NO_HOTEL,
    REJECTED,
    UNIDENTIFIED,
    UNKNOWN_DAY,
    Change,
    Filed,
    OpenProblem,
    Person,
    ProvinceFigures,
    ProvinceStatus,
    day_of,
    parse_time,
    province_digest,
)
from mailer.compose.digest_unplaced import Unidentified, unidentified
from rules.notice import Notice, Period, Program
from rules.wording import arrival_sort_key
from storage.notes import AbsenceNote, DigestNote, ReminderNote
from storage.questions import Question
from storage.records import Severity
from storage.versions import SubmissionSummary, SubmissionVersion

__all__ = [  # re-exported: every figure of the digest is found here
    "ABSENT",
    "ACCEPTED",
    "KINDS",
    "MISSING",
    "REJECTED",
    "UNIDENTIFIED",
    "UNKNOWN_DAY",
    "Change",
    "DigestData",
    "DigestSnapshot",
    "HotelFigures",
    "OpenProblem",
    "Person",
    "ProvinceFigures",
    "ProvinceStatus",
    "Unidentified",
    "build_digest",
    "day_of",
    "parse_time",
]


@dataclass(frozen=True)
class DigestSnapshot:
    """What one period's digest is made of, as read from the store."""

    versions: Mapping[str, Sequence[SubmissionVersion]]  # admitted province -> its versions
    reminders: Mapping[str, Sequence[ReminderNote]] = field(default_factory=dict)  # province -> sent
    contacts: Mapping[str, Sequence[str]] = field(default_factory=dict)  # province -> where a reminder goes
    previous: DigestNote | None = None  # the last digest sent for the period, if any
    others: Sequence[SubmissionSummary] = ()  # filed under the period, province not admitted (or unknown)
    unplaced: Sequence[SubmissionVersion] = ()  # receipts for the period whose province could not be told
    # address or "@domain" -> the province it is known for ([contacts], [senders], receipts' senders)
    senders: Mapping[str, str] = field(default_factory=dict)
    questions: Sequence[Question] = ()  # open questions for a person that may concern the period
    absent: Mapping[str, AbsenceNote] = field(default_factory=dict)  # province -> its 不参加 record


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
    questions: tuple[Question, ...] = ()  # waiting for a person (storage/questions.py), oldest first

    @property
    def missing(self) -> tuple[str, ...]:
        """Admitted provinces from which nothing was received."""
        return tuple(p.province for p in self.provinces if p.status == MISSING)

    @property
    def absent(self) -> tuple[ProvinceFigures, ...]:
        """Admitted provinces recorded as sending nobody (不参加), each with its note."""
        return tuple(p for p in self.provinces if p.status == ABSENT)

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
    genders = Counter(p.gender for p in people)
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    kinds = Counter(p.unit_kind for p in people)
    return {
        "admitted": len(period.provinces),
        **_statuses(provinces),
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


def _statuses(provinces: Sequence[ProvinceFigures]) -> dict[str, int]:
    """Provinces by where they stand; submitted: those that sent something (an absent one may have)."""
    statuses = Counter(p.status for p in provinces)
    return {
        "submitted": sum(1 for p in provinces if p.versions or p.unidentified),
        "accepted": statuses[ACCEPTED],
        "not_accepted": statuses[REJECTED],
        "missing": statuses[MISSING],
        "absent": statuses[ABSENT],
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
    parts = [
        province_digest(notice, period, name, _on_file(snapshot, name, unplaced), snapshot.previous)
        for name in period.provinces
    ]
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
        questions=tuple(snapshot.questions),
    )


def _on_file(snapshot: DigestSnapshot, province: str, unplaced: Sequence[Unidentified]) -> Filed:
    return Filed(
        versions=snapshot.versions.get(province, ()),
        reminders=snapshot.reminders.get(province, ()),
        contacts=snapshot.contacts.get(province, ()),
        unplaced=unplaced,
        absence=snapshot.absent.get(province),
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
