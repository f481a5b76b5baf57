"""The notice as frozen dataclasses, loaded from its TOML data file.

Pure apart from `load_notice`, which reads the file.  Validation names the key
that is wrong, so a new year's file fails loudly at start-up, not mid-season.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rules.errors import NoticeError


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Hotel:
    name: str
    address: str
    provinces: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unit:
    name: str  # as written in the notice tables: 河南, 内蒙古, 新疆生产建设兵团
    names: tuple[str, ...] = ()  # other spellings: 河南省, 内蒙古自治区
    department: tuple[str, ...] = ()  # the provincial department's names

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.names)


@dataclass(frozen=True)
class Quotas:
    department: int = 2
    bureau: int = 2
    school: int = 1
    schools_per_prefecture: int | None = None
    host_city_schools_unlimited: bool = False


@dataclass(frozen=True)
class Period:
    program: str
    number: int
    provinces: tuple[str, ...]
    start: date
    end: date
    city: str
    venue: str
    venue_address: str
    hosts: tuple[str, ...]
    mailbox: str
    deadline: datetime
    hotels: tuple[Hotel, ...] = ()
    host_contacts: tuple[Contact, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.program}/{self.number}"

    def hotel_for(self, province: str) -> Hotel | None:
        for hotel in self.hotels:
            if province in hotel.provinces:
                return hotel
        if len(self.hotels) == 1 and not self.hotels[0].provinces:
            return self.hotels[0]
        return None


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    full_name: str
    keywords: tuple[str, ...]
    collects_receipts: bool
    quotas: Quotas
    periods: tuple[Period, ...] = ()
    contacts: tuple[Contact, ...] = ()
    who: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()  # what the notice asks of every participant (签到, 自带笔记本电脑 ...)

    def period(self, number: int) -> Period | None:
        return next((p for p in self.periods if p.number == number), None)

    def period_of(self, province: str) -> Period | None:
        return next((p for p in self.periods if province in p.provinces), None)


@dataclass(frozen=True)
class UnitKinds:
    department_suffixes: tuple[str, ...]
    bureau_markers: tuple[str, ...]
    school_markers: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    id: str
    title: str
    year: int
    timezone: ZoneInfo
    units: tuple[Unit, ...]
    programs: tuple[Program, ...]
    unit_kinds: UnitKinds
    form_fields: tuple[str, ...] = ()
    form_columns: tuple[str, ...] = field(default_factory=tuple)

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)

    def period(self, key: str) -> Period | None:
        program_id, _, number = key.partition("/")
        program = self.program(program_id)
        return program.period(int(number)) if program and number.isdigit() else None

    def unit(self, name: str) -> Unit | None:
        return next((u for u in self.units if u.name == name), None)

    @property
    def periods(self) -> tuple[Period, ...]:
        return tuple(p for prog in self.programs for p in prog.periods)

    def periods_for_mailbox(self, address: str) -> tuple[Period, ...]:
        address = address.strip().lower()
        return tuple(p for p in self.periods if p.mailbox.lower() == address)


def load_notice(path: str | Path) -> Notice:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise NoticeError(str(path), f"cannot read the notice data: {exc}") from exc
    return parse_notice(data)


def _req(d: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if key not in d:
        raise NoticeError(f"{where}.{key}", "missing")
    value = d[key]
    if not isinstance(value, kind):
        raise NoticeError(f"{where}.{key}", f"expected {kind}, got {type(value).__name__}")
    return value


def _contacts(items: list[dict[str, Any]]) -> tuple[Contact, ...]:
    return tuple(
        Contact(str(c.get("name", "")), str(c.get("phone", "")), str(c.get("unit", ""))) for c in items
    )


def parse_notice(data: dict[str, Any]) -> Notice:
    head = _req(data, "notice", "", dict)
    tz = ZoneInfo(_req(head, "timezone", "notice", str))
    units = _units(_req(data, "units", "", list))
    kinds_d = _req(data, "unit_kinds", "", dict)
    kinds = UnitKinds(
        *(
            tuple(_req(kinds_d, k, "unit_kinds", list))
            for k in ("department_suffixes", "bureau_markers", "school_markers")
        )
    )
    unit_names = {u.name for u in units}
    programs = tuple(
        _program(p, f"programs[{i}]", tz, unit_names) for i, p in enumerate(_req(data, "programs", "", list))
    )
    return Notice(
        id=_req(head, "id", "notice", str),
        title=str(head.get("title", "")),
        year=_req(head, "year", "notice", int),
        timezone=tz,
        units=units,
        programs=programs,
        unit_kinds=kinds,
        form_fields=tuple(head.get("form_fields", ())),
        form_columns=tuple(head.get("form_columns", ())),
    )


def _units(items: list[dict[str, Any]]) -> tuple[Unit, ...]:
    units = tuple(
        Unit(_req(u, "name", f"units[{i}]", str), tuple(u.get("names", ())), tuple(u.get("department", ())))
        for i, u in enumerate(items)
    )
    if len({u.name for u in units}) != len(units):
        raise NoticeError("units", "a unit name is listed twice")
    return units


def _program(p: dict[str, Any], where: str, tz: ZoneInfo, unit_names: set[str]) -> Program:
    pid = _req(p, "id", where, str)
    periods = tuple(
        _period(q, f"{where}.periods[{j}]", pid, tz, unit_names) for j, q in enumerate(p.get("periods", []))
    )
    quotas_d = p.get("quotas", {})
    return Program(
        id=pid,
        name=_req(p, "name", where, str),
        full_name=str(p.get("full_name", "")),
        keywords=tuple(_req(p, "keywords", where, list)),
        collects_receipts=bool(p.get("collects_receipts", True)),
        quotas=Quotas(**{k: quotas_d[k] for k in Quotas.__dataclass_fields__ if k in quotas_d}),
        periods=periods,
        contacts=_contacts(p.get("contacts", [])),
        who=tuple(p.get("who", ())),
        requirements=tuple(str(r) for r in p.get("requirements", ())),
    )


def _period(q: dict[str, Any], where: str, program_id: str, tz: ZoneInfo, unit_names: set[str]) -> Period:
    deadline = _req(q, "deadline", where, datetime)
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=tz)
    provinces = tuple(_req(q, "provinces", where, list))
    for name in provinces:
        if name not in unit_names:
            raise NoticeError(f"{where}.provinces", f"unknown unit {name!r}")
    return Period(
        program=program_id,
        number=_req(q, "number", where, int),
        provinces=provinces,
        start=_req(q, "start", where, date),
        end=_req(q, "end", where, date),
        city=_req(q, "city", where, str),
        venue=_req(q, "venue", where, str),
        venue_address=str(q.get("venue_address", "")),
        hosts=tuple(q.get("hosts", ())),
        mailbox=_req(q, "mailbox", where, str).strip().lower(),
        deadline=deadline,
        hotels=_hotels(q.get("hotels", [])),
        host_contacts=_contacts(q.get("host_contacts", [])),
    )


def _hotels(items: list[dict[str, Any]]) -> tuple[Hotel, ...]:
    return tuple(Hotel(h["name"], h.get("address", ""), tuple(h.get("provinces", ()))) for h in items)
