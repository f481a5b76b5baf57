"""Who sleeps where, night by night: the figures organizers book hotel rooms with.  Pure.

Per hotel of a period: its provinces, its people (men and women), and for each night from the
first arrival to the night before the last training day, how many arrive that day and how many
stay that night, men and women apart (rooms are shared by two of one sex).

What is assumed, since a receipt says when people come and not when they leave: everyone stays
until the last training day; someone whose arrival was not given (or could not be read) is
counted from the first training day, and counted apart as "抵达时间未填"; an arrival more than
``EARLIEST_DAYS`` before the start is counted from that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from rules.notice import Period

EARLIEST_DAYS = 7  # nights are counted from at most this many days before the start
MEN, WOMEN = "男", "女"


class Lodger(Protocol):
    """What the count needs of a person (mailer.compose.digest_data.Person)."""

    @property
    def gender(self) -> str: ...
    @property
    def arrival_at(self) -> datetime | date | None: ...
    @property
    def hotel(self) -> str: ...


@dataclass(frozen=True)
class Count:
    """People, and the men and women among them (a gender neither 男 nor 女 counts in people only)."""

    people: int = 0
    men: int = 0
    women: int = 0

    @classmethod
    def of(cls, lodgers: Sequence[Lodger]) -> Count:
        genders = [p.gender for p in lodgers]
        return cls(len(genders), genders.count(MEN), genders.count(WOMEN))


@dataclass(frozen=True)
class Night:
    """One night at one hotel: who arrives that day, who stays that night."""

    day: date
    arriving: Count
    staying: Count


@dataclass(frozen=True)
class HotelFigures:
    name: str
    address: str
    provinces: tuple[str, ...]
    headcount: int  # people on the accepted rosters of its provinces
    men: int = 0
    women: int = 0
    nights: tuple[Night, ...] = ()
    unknown_arrival: int = 0  # people without a readable arrival: counted from the first training day


def arrival_day(at: datetime | date | None) -> date | None:
    return at.date() if isinstance(at, datetime) else at


def _first_night(period: Period, days: Sequence[date | None]) -> date:
    earliest = period.start - timedelta(days=EARLIEST_DAYS)
    known = [d for d in days if d is not None and d >= earliest]
    return min([*known, period.start])


def _stays_from(day: date | None, period: Period, first: date) -> date:
    """The first night a person stays: their arrival day, the start when unknown, clipped to the first night."""
    return max(day or period.start, first)


def nights(period: Period, lodgers: Sequence[Lodger]) -> tuple[Night, ...]:
    """Every night from the first arrival to the night before the last training day."""
    days = [arrival_day(p.arrival_at) for p in lodgers]
    first, last = _first_night(period, days), period.end - timedelta(days=1)
    stays = [_stays_from(d, period, first) for d in days]
    out = []
    day = first
    while day <= last:
        arriving = [p for p, d in zip(lodgers, days, strict=True) if d == day]
        staying = [p for p, s in zip(lodgers, stays, strict=True) if s <= day]
        out.append(Night(day, Count.of(arriving), Count.of(staying)))
        day += timedelta(days=1)
    return tuple(out)


def hotel(
    name: str, address: str, provinces: Sequence[str], lodgers: Sequence[Lodger], period: Period
) -> HotelFigures:
    count = Count.of(lodgers)
    return HotelFigures(
        name=name,
        address=address,
        provinces=tuple(provinces),
        headcount=count.people,
        men=count.men,
        women=count.women,
        nights=nights(period, lodgers),
        unknown_arrival=sum(1 for p in lodgers if p.arrival_at is None),
    )
