"""Reading program and period from what people write: 高职状态平台培训 第二期, （第2期）, 三期."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

from rules.notice import Notice, Program

T = TypeVar("T")

_NUMERALS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_PERIOD = re.compile(
    r"第\s*([一二两三四五六七八九十\d]{1,2})\s*[期批]|([一二三四五六七八九十\d])\s*期(?!间|限|望|待)"
)


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token in _NUMERALS:
        return _NUMERALS[token]
    if token.startswith("十") and len(token) == 2:
        return 10 + _NUMERALS.get(token[1], 0)
    return None


def find_period(text: str) -> int | None:
    m = _PERIOD.search(_clean(text))
    if not m:
        return None
    return _number(m.group(1) or m.group(2))


_PERIODS = re.compile(
    r"第?((?:[一二两三四五六七八九十\d]{1,2}[、,，和及与/])*[一二两三四五六七八九十\d]{1,2})[期批](?!间|限|望|待)"
)
_SEPARATORS = re.compile(r"[、,，和及与/]")


def find_periods(text: str) -> list[int]:
    """Every period number a text names, in order: 第一期、第三期 and 第一、三期 are [1, 3]."""
    out: list[int] = []
    for m in _PERIODS.finditer(_clean(text)):
        for token in _SEPARATORS.split(m.group(1)):
            number = _number(token)
            if number is not None and number not in out:
                out.append(number)
    return out


def find_program(text: str, notice: Notice) -> Program | None:
    """The program a text names, by its keywords; the earliest, then longest, mention wins."""
    text = _clean(text)
    best: tuple[int, int, Program] | None = None
    for program in notice.programs:
        for word in program.keywords:
            pos = text.find(word)
            if pos >= 0 and (best is None or (pos, -len(word)) < best[:2]):
                best = (pos, -len(word), program)
    return best[2] if best else None


def programs_named(text: str, notice: Notice) -> set[str]:
    """The ids of every program the text names (the form's printed note names two)."""
    text = _clean(text)
    return {program.id for program in notice.programs if any(word in text for word in program.keywords)}


def first(texts: Iterable[str], find: Callable[[str], T | None]) -> T | None:
    """What find() finds in the first text in which it finds something."""
    for text in texts:
        if text:
            value = find(text)
            if value is not None:
                return value
    return None
