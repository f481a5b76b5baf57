"""Who a unit is: which province it belongs to, and what kind of unit it is.

Province names are matched longest first, so 新疆生产建设兵团 never becomes 新疆.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from enum import StrEnum

from rules.gazetteer import Division, gazetteer, short_names
from rules.notice import Notice, Unit


class UnitKind(StrEnum):
    """What kind of unit a participant's 单位 is: each has its own quota."""

    DEPARTMENT = "department"  # the provincial education department (教育厅)
    BUREAU = "bureau"  # a prefecture's or county's education bureau (教育局)
    SCHOOL = "school"
    OTHER = "other"


DEPARTMENT = UnitKind.DEPARTMENT
BUREAU = UnitKind.BUREAU
SCHOOL = UnitKind.SCHOOL
OTHER = UnitKind.OTHER

KIND_LABELS = {
    DEPARTMENT: "省级教育行政部门",
    BUREAU: "地市级教育行政部门",
    SCHOOL: "学校",
    OTHER: "其他单位",
}


def _clean(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", unicodedata.normalize("NFKC", text or ""))


def _spellings(notice: Notice) -> list[tuple[str, Unit]]:
    pairs = [(s, u) for u in notice.units for s in (*u.spellings, *u.department)]
    return sorted(pairs, key=lambda p: len(p[0]), reverse=True)


def find_province(text: str, notice: Notice) -> Unit | None:
    """The unit named in text: the earliest mention, longest spelling first at each position."""
    text = _clean(text)
    if not text:
        return None
    best: tuple[int, int, Unit] | None = None
    for spelling, unit in _spellings(notice):
        pos = text.find(spelling)
        if pos < 0:
            continue
        if unit.name == "新疆" and "兵团" in text[pos : pos + 12]:
            continue
        candidate = (pos, -len(spelling), unit)
        if best is None or candidate[:2] < best[:2]:
            best = candidate
    return best[2] if best else None


_UNDER_PROVINCE = "90"  # GB/T 2260: 省直辖县级行政区划 (xx90xx)


def province_of_place(text: str, notice: Notice) -> Unit | None:
    """The unit whose province holds the prefecture or county a text begins with (大连市教育局 -> 辽宁), by
    the gazetteer; None when it names no place, or a county-level city directly under a province (GB/T 2260
    codes xx90xx: 济源, and 新疆's 兵团 cities, which the gazetteer does not tell apart from 新疆)."""
    found = gazetteer().named_in(_clean(text), None)
    if found is None or found.code[2:4] == _UNDER_PROVINCE:
        return None
    prefix = found.code[:2]
    for unit in notice.units:
        division = _province_division(unit)
        if division is not None and division.code[:2] == prefix:
            return unit
    return None


def strip_province(text: str, unit: Unit | None) -> str:
    """The unit name without its province prefix: 广东省广州市教育局 -> 广州市教育局."""
    text = _clean(text)
    if unit is None:
        return text
    for spelling in sorted(unit.spellings, key=len, reverse=True):
        if text.startswith(spelling) and len(text) > len(spelling):
            return text[len(spelling) :]
    return text


def unit_kind(unit_text: str, province: Unit | None, notice: Notice) -> UnitKind:
    """department / bureau / school / other for a participant's 单位.

    The department may be written without its province (省教育厅, 教育厅职成处): on a receipt, that is the
    sender's own department; with no province known, any unit's."""
    text = _clean(unit_text)
    if not text:
        return OTHER
    units = [province] if province else list(notice.units)
    if any(_is_department(text, unit, notice) for unit in units):
        return DEPARTMENT
    kinds = notice.unit_kinds
    if any(m in text for m in kinds.school_markers):
        return SCHOOL
    if any(m in text for m in kinds.bureau_markers):
        return BUREAU
    return OTHER


def _is_department(text: str, unit: Unit, notice: Notice) -> bool:
    """河南省教育厅职成处: one of the unit's department names, or its name and a department suffix;
    or a department name with the province left off (省教育厅, 教育厅职成处)."""
    if any(text.startswith(d) for d in (*unit.department, *_bare_departments(unit))):
        return True
    for spelling in sorted(unit.spellings, key=len, reverse=True):
        if text.startswith(spelling):
            rest = text[len(spelling) :]
            return any(rest.startswith(s) for s in notice.unit_kinds.department_suffixes)
    return False


@functools.cache
def _bare_departments(unit: Unit) -> tuple[str, ...]:
    """The unit's department names without the province written before them: 河南省教育厅 -> 省教育厅, 教育厅."""
    out = []
    for name in unit.department:
        for spelling in unit.spellings:
            if name.startswith(spelling) and len(name) > len(spelling):
                out.append(name[len(spelling) :])
    return tuple(dict.fromkeys(out))


def prefecture(unit_text: str, province: Unit | None) -> str:
    """The prefecture (地级) a bureau or school is in, from the gazetteer ("" when its name does not say).

    张家港市… and 常熟市… are both 苏州市; see rules.gazetteer for how names are found."""
    text = _clean(unit_text)
    found = _division(text, province)
    pref = gazetteer().prefecture(found) if found else None
    return pref.name if pref else ""


def county_named(unit_text: str, province: Unit | None) -> str:
    """The county-level division (县, 县级市, a prefecture's 区) a unit's name puts it in, "" when it names
    none: 新郑市教育局 -> 新郑市, 郑州市中原区教育局 -> 中原区, 郑州市教育局 -> "".  A district of a 直辖市
    and a 省直辖县级 city count as prefectures (rules.gazetteer), so they are never county-level here."""
    text = _clean(unit_text)
    found = _division(text, province)
    if found is None:
        return ""
    pref = gazetteer().prefecture(found)
    if pref is not None and pref != found:
        return found.name
    rest = text[text.find(found.name) + len(found.name) :] if found.name in text else ""
    inner = gazetteer().named_in(rest, _province_division(province)) if rest else None
    if inner is not None and inner != found and gazetteer().prefecture(inner) == found:
        return inner.name
    return ""


def names_place_in(unit_text: str, province: Unit) -> bool:
    """The unit's name begins with a prefecture or county of the province (海南州… is 青海's, not 海南's)."""
    return _province_division(province) is not None and _division(_clean(unit_text), province) is not None


def _division(text: str, province: Unit | None) -> Division | None:
    """The division the unit's name begins with or names (its province's, or the country's when unknown)."""
    rest = strip_province(text, province)
    starts = (0, len(text) - len(rest)) if rest != text else (0,)
    return gazetteer().named_in(text, _province_division(province), starts)


@functools.cache
def _province_division(province: Unit | None) -> Division | None:
    return gazetteer().province_for(province.spellings) if province else None


_OFFICE = re.compile(r"^[^\s]{1,14}?(?:处|科|室|办公室|办|部|中心|股|组|系)$")


def unit_key(
    unit_text: str, province: Unit | None, markers: Sequence[str] = (), *, one_per_place: bool = False
) -> str:
    """One key for one unit: 广东省广州市教育局, 广州市教育局 and 广州教育局 are one unit, and so is an office
    inside it (太原市教育局职成教科 counts with 太原市教育局).

    markers: what ends the unit's own name (the notice's bureau or school markers: 教育局, 学院 ...);
    the office after it is dropped.  one_per_place: a place has one unit of this kind whatever marker
    names it (a place's education bureau: 北京市海淀区教育委员会, 海淀区教委 and 海淀区教委职成科 are one),
    so the key is the place and the first marker."""
    rest = re.sub(r"[()（）]", "", strip_province(unit_text, province))
    rest = _without_office(rest, markers)
    return _canonical_place(rest, province, markers, one_per_place)


def unit_as_written(unit_text: str, markers: Sequence[str] = ()) -> str:
    """The unit's name as written (spaces dropped), an office after its own name left off:
    河南职业技术学院教务处 -> 河南职业技术学院.  What a reply names; unit_key is what is counted."""
    return _without_office(_clean(unit_text), markers)


def _without_office(text: str, markers: Sequence[str]) -> str:
    """The text up to the end of the first marker followed by nothing but an office's name."""
    for marker in sorted(markers, key=len, reverse=True):
        pos = text.find(marker)
        if pos > 0:
            end = pos + len(marker)
            if end == len(text) or _OFFICE.match(text[end:]):
                return text[:end]
    return text


def _canonical_place(text: str, province: Unit | None, markers: Sequence[str], one_per_place: bool) -> str:
    """太原教育局 -> 太原市教育局: the place before the marker written as the gazetteer names it (and the
    first marker for it when the place has one such unit)."""
    for marker in sorted(markers, key=len, reverse=True):
        if text.endswith(marker) and len(text) > len(marker):
            found = _place_named(text[: -len(marker)], province)
            if found is not None:
                return _full_name(found) + (markers[0] if one_per_place else marker)
            return text
    return text


def _full_name(division: Division) -> str:
    """A county-level division with its prefecture (南京市鼓楼区, never 徐州市's 鼓楼区); others by name."""
    pref = gazetteer().prefecture(division)
    return division.name if pref is None or pref == division else pref.name + division.name


def _place_named(place: str, province: Unit | None) -> Division | None:
    """The division a unit's place is, written whole: 太原, 太原市; 郑州市中原区 and 郑州中原区 are 中原区."""
    found = gazetteer().named_in(place, _province_division(province))
    if found is None:
        return None
    names = (found.name, *short_names(found.name))
    if place in names:
        return found
    prefix = next((name for name in sorted(names, key=len, reverse=True) if place.startswith(name)), "")
    rest = place[len(prefix) :]
    inner = gazetteer().named_in(rest, _province_division(province)) if prefix and rest else None
    if (
        inner is not None
        and rest in (inner.name, *short_names(inner.name))
        and gazetteer().prefecture(inner) == found
    ):
        return inner
    return None
