"""Who a unit is: which province it belongs to, and what kind of unit it is.

Province names are matched longest first, so 新疆生产建设兵团 never becomes 新疆.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

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
    """department / bureau / school / other for a participant's 单位."""
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
    """河南省教育厅职成处: one of the unit's department names, or its name and a department suffix."""
    if any(text.startswith(d) for d in unit.department):
        return True
    for spelling in sorted(unit.spellings, key=len, reverse=True):
        if text.startswith(spelling):
            rest = text[len(spelling) :]
            return any(rest.startswith(s) for s in notice.unit_kinds.department_suffixes)
    return False


_PREFECTURE = re.compile(r"^(.{2,8}?(?:自治州|地区|市|州|盟|区|县))")


def prefecture(unit_text: str, province: Unit | None) -> str:
    """The prefecture a bureau or school belongs to, from its name ("" when it does not say)."""
    rest = strip_province(unit_text, province)
    m = _PREFECTURE.match(rest)
    return m.group(1) if m else ""


def unit_key(unit_text: str, province: Unit | None) -> str:
    """A key that treats 广东省广州市教育局 and 广州市教育局 as one unit."""
    rest = strip_province(unit_text, province)
    return re.sub(r"[()（）]", "", rest)
