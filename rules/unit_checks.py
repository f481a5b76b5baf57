"""Whether each participant's 单位 is one the notice invites: a unit of no kind the notice names, or a unit
of another province, is a warning for a person to look at (the quotas count only the kinds they know).  Pure."""

from __future__ import annotations

from collections.abc import Sequence

from rules import units as U
from rules.notice import Notice, Program, Unit
from rules.problems import in_part, problem
from rules.units import UnitKind
from rules.verdict import Participant, Problem


def check_units(
    people: Sequence[Participant], program: Program, province: Unit, notice: Notice, columns: dict[str, str]
) -> list[Problem]:
    """unit_other_province for a unit that names another province; unit_county_bureau for a county's
    bureau where the program invites the prefectures'; unit_kind_unknown for a unit that is none of the
    kinds the program invites."""
    invited = _invited(program)
    out = []
    for p in people:
        if not p.unit:
            continue
        found = _foreign(p, province, notice, columns)
        if found is None and p.unit_kind == UnitKind.BUREAU and program.quotas.bureau:
            found = _county_bureau(p, program, province, columns)
        if found is None and p.unit_kind == UnitKind.OTHER:
            found = problem(
                "unit_kind_unknown",
                row=p.row,
                field="unit",
                column=columns.get("unit"),
                value=p.unit,
                program=program.name,
                invited=invited,
            )
        if found is not None:
            out.append(in_part(found, p.part))
    return out


def _foreign(p: Participant, province: Unit, notice: Notice, columns: dict[str, str]) -> Problem | None:
    other = U.find_province(p.unit, notice)
    if other is None or other.name == province.name or U.names_place_in(p.unit, province):
        return None
    return problem(
        "unit_other_province",
        row=p.row,
        field="unit",
        column=columns.get("unit"),
        value=p.unit,
        other=other.name,
        province=province.name,
    )


def _county_bureau(
    p: Participant, program: Program, province: Unit, columns: dict[str, str]
) -> Problem | None:
    """A county's bureau where the notice invites the prefectures' (地市级): a person decides."""
    county = U.county_named(p.unit, province)
    if not county:
        return None
    return problem(
        "unit_county_bureau",
        row=p.row,
        field="unit",
        column=columns.get("unit"),
        value=p.unit,
        county=county,
        program=program.name,
        limit=program.quotas.bureau,
    )


def _invited(program: Program) -> str:
    quotas = program.quotas
    kinds = [
        (UnitKind.DEPARTMENT, quotas.department),
        (UnitKind.BUREAU, quotas.bureau),
        (UnitKind.SCHOOL, quotas.school),
    ]
    return "、".join(U.KIND_LABELS[kind] for kind, limit in kinds if limit)
