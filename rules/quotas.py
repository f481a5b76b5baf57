"""How many people each unit may send: per kind of unit, and schools per prefecture.  Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from rules import units as U
from rules.notice import Period, Program, Quotas, Unit, UnitKinds
from rules.problems import in_part, problem
from rules.units import UnitKind
from rules.verdict import Participant, Problem

# (kind of unit, the unit as one key) -> its participants, in the roster's order
Groups = dict[tuple[UnitKind, str], list[Participant]]

_RULES = {
    UnitKind.DEPARTMENT: "省级教育行政部门每单位限额",
    UnitKind.BUREAU: "地市级教育行政部门每单位限额",
    UnitKind.SCHOOL: "每所学校限额",
}


def check_quotas(
    people: Sequence[Participant],
    program: Program,
    period: Period | None,
    province: Unit,
    kinds: UnitKinds | None = None,
) -> list[Problem]:
    """quota_exceeded for each unit over its kind's limit, then for each prefecture over its school limit.

    people carry their unit_kind (the rules classify them first).  kinds: the notice's markers, which
    end a bureau's or a school's own name, so an office inside it counts with it."""
    groups = _groups(people, province, kinds)
    out = [
        p for key, members in groups.items() if (p := _over_limit(key, members, program, kinds)) is not None
    ]
    if program.quotas.schools_per_prefecture is not None:
        out += _schools_per_prefecture(groups, program, period, province, kinds)
    return out


def _groups(people: Sequence[Participant], province: Unit, kinds: UnitKinds | None) -> Groups:
    groups: Groups = defaultdict(list)
    for p in people:
        if p.unit_kind == UnitKind.DEPARTMENT:
            unit = province.department[0] if province.department else p.unit
            groups[(UnitKind.DEPARTMENT, unit)].append(p)
        elif p.unit_kind in (UnitKind.BUREAU, UnitKind.SCHOOL):
            markers = _markers(p.unit_kind, kinds)
            one_per_place = p.unit_kind == UnitKind.BUREAU  # a place's bureau, whatever it is called
            groups[(p.unit_kind, U.unit_key(p.unit, province, markers, one_per_place=one_per_place))].append(
                p
            )
    return groups


def _markers(kind: UnitKind, kinds: UnitKinds | None) -> tuple[str, ...]:
    if kinds is None:
        return ()
    return tuple(kinds.school_markers if kind == UnitKind.SCHOOL else kinds.bureau_markers)


def _shown(kind: UnitKind, unit: str, members: Sequence[Participant], kinds: UnitKinds | None) -> str:
    """The unit as the sender wrote it (its first row, an office after its name left off); the key only
    for the department, which is always one unit whatever it is called."""
    if kind == UnitKind.DEPARTMENT:
        return unit
    return U.unit_as_written(members[0].unit, _markers(kind, kinds)) or unit


def _limit(kind: UnitKind, quotas: Quotas) -> int:
    return {
        UnitKind.DEPARTMENT: quotas.department,
        UnitKind.BUREAU: quotas.bureau,
        UnitKind.SCHOOL: quotas.school,
    }[kind]


def _over_limit(
    key: tuple[UnitKind, str], members: list[Participant], program: Program, kinds: UnitKinds | None
) -> Problem | None:
    kind, unit = key
    limit = _limit(kind, program.quotas)
    if len(members) <= limit:
        return None
    shown = _shown(kind, unit, members, kinds)
    if limit:
        over = f"超过{_RULES[kind]}（限 {limit} 人）"
        fix = _fix(members, f"请删减到 {limit} 人后重新发送。")
    else:
        over = f"按通知，{program.name}不邀请{U.KIND_LABELS[kind]}参加"
        fix = _fix(members, "请删除这些人员后重新发送；如确需参加，请先与会务组联系。")
    first_over = next((m for m in members[limit:] if not m.registered), members[limit])
    found = problem(
        "quota_exceeded",
        row=first_over.row,
        field="unit",
        what=f"“{shown}”报名 {len(members)} 人",
        over=over,
        merged=_made_of(members, "人"),
        fix=fix,
    )
    return in_part(found, first_over.part)


def _made_of(members: Sequence[Participant], measure: str) -> str:
    """What a 补报's count is made of: the people (or schools) already registered and the ones it adds."""
    registered = sum(1 for m in members if m.registered)
    if not registered:
        return ""
    total = len(members)
    return (
        f"（已登记 {registered} {measure}，本次补报 {total - registered} {measure}，合计 {total} {measure}）"
    )


def _fix(members: Sequence[Participant], fix: str) -> str:
    if not any(m.registered for m in members):
        return fix
    return "本次补报未登记，原名单不变。请减少补报人数后重新发送，或发送包含全部人员的完整名单替换原名单。"


def _schools_per_prefecture(
    groups: Groups, program: Program, period: Period | None, province: Unit, kinds: UnitKinds | None
) -> list[Problem]:
    limit = program.quotas.schools_per_prefecture or 0
    by_prefecture = _schools_by_prefecture(groups, program, period, province)
    out = []
    for pref, schools in by_prefecture.items():
        if len(schools) > limit:
            first_over = next((s for s in schools[limit:] if not s.registered), schools[limit])
            names = "、".join(
                dict.fromkeys(U.unit_as_written(s.unit, _markers(UnitKind.SCHOOL, kinds)) for s in schools)
            )
            found = problem(
                "quota_exceeded",
                row=first_over.row,
                field="unit",
                what=f"“{pref}”报名 {len(schools)} 所学校（{names}）",
                over=f"超过每个地市限报学校数（限 {limit} 所）",
                merged=_made_of(schools, "所"),
                fix=_fix(schools, f"请只保留 {limit} 所学校的人员后重新发送。"),
            )
            out.append(in_part(found, first_over.part))
    return out


def _schools_by_prefecture(
    groups: Groups, program: Program, period: Period | None, province: Unit
) -> dict[str, list[Participant]]:
    """prefecture -> the first participant of each of its schools, in the roster's order, leaving out the
    host city's schools when they are unlimited: all of them when the host is a 直辖市 (重庆), whose
    districts the gazetteer counts as prefectures but the notice's 培训地所在地级市 is the city."""
    host = period.city if period else ""
    unlimited = program.quotas.host_city_schools_unlimited and host
    if unlimited and host in province.spellings:
        return {}
    by_prefecture: dict[str, list[Participant]] = defaultdict(list)
    for (kind, unit), members in groups.items():
        pref = U.prefecture(unit, province) if kind == UnitKind.SCHOOL else ""
        if pref and not (unlimited and pref.startswith(host)):
            by_prefecture[pref].append(members[0])
    return by_prefecture
