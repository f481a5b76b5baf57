"""Whether a row holds a person, whatever its columns: for rows that cannot be read under the header,
which are then named in the reply instead of dropped.  Pure."""

from __future__ import annotations

import re

from intake.extract import normalize as norm
from intake.extract.rows import is_signature_row

_NAME = re.compile(r"^(?:[\u3400-\u9fff·•]{2,6}|[A-Za-z][A-Za-z .'-]{1,40})$")
_GENDERS = ("男", "女")
_MIN_PHONE_DIGITS = 7
_SEPARATORS = re.compile(r"[，,、；;|/\s]+")
_MIN_PARTS = 3  # a person typed into one cell: a name, more words, a mobile


def looks_like_person(texts: list[str]) -> bool:
    """A row with a person in it: a mobile number, or a name beside 男 or 女; not a signature line."""
    filled = [t for t in texts if t]
    if not filled or is_signature_row(texts):
        return False
    if any(norm.is_mobile(norm.mobile(t)) for t in filled):
        return True
    return any(norm.gender(t) in _GENDERS for t in filled) and any(
        _NAME.match(norm.compact(t)) for t in filled
    )


def fits(texts: list[str], mapping: dict[str, int]) -> bool:
    """The row's cells read as the roster's columns: a name, 男/女, a phone number where those columns are."""

    def at(f: str) -> str:
        col = mapping.get(f)
        return texts[col] if col is not None and col < len(texts) else ""

    name, gender, mobile = at("name"), at("gender"), at("mobile")
    return (
        bool(_NAME.match(norm.compact(name)))
        and (not gender or norm.gender(gender) in _GENDERS)
        and (not mobile or sum(ch.isdigit() for ch in mobile) >= _MIN_PHONE_DIGITS)
    )


def name_in(texts: list[str]) -> str:
    return next(
        (
            part
            for t in texts
            for part in (norm.compact(p) for p in _SEPARATORS.split(t))
            if _NAME.match(part) and norm.gender(part) not in _GENDERS
        ),
        "",
    )


def person_in_one_cell(texts: list[str]) -> bool:
    """A person typed into a single cell (李晓燕，女，南京工业职业技术大学，科长，13812345672): the only
    filled cell, in parts split by commas or spaces, one of them a mobile and one a name."""
    filled = [t for t in texts if t]
    if len(filled) != 1 or is_signature_row(texts):
        return False
    parts = [norm.compact(p) for p in _SEPARATORS.split(filled[0]) if p.strip()]
    return (
        len(parts) >= _MIN_PARTS
        and any(norm.is_mobile(norm.mobile(p)) for p in parts)
        and any(_NAME.match(p) for p in parts)
    )
