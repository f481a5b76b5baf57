"""Finding 省级教育行政部门名称 and 会议名称和期数 in free text, wherever they were typed."""

from __future__ import annotations

import re
from typing import Literal

from intake.extract.normalize import half_width

FormField = Literal["unit", "meeting"]

_UNIT_LABEL = (
    r"省级教育行政部门名称|省级教育行政部门|省级教育部门名称|报送单位名称|报送单位|报名单位|填报单位|"
    r"推荐单位|省份名称|省\(区、市\)|省\(自治区、直辖市\)|省份"
)
_MEETING_LABEL = r"会议名称(?:和|及|与|、)?期数|会议名称|培训名称(?:和|及|与|、)?期数|培训名称"
# A label of the period alone (期数：第二期, 期数：2): its value is joined to the meeting's name.
_PERIOD_LABEL = r"培训班次|参训期数|培训期数|参加期数|培训期次|会议期数|期数|期次"
# A hint printed right after a label: 省级教育行政部门名称（盖章）, 会议名称和期数(请写明第几期).
_HINT = re.compile(
    r"^\s*[(（\[【][^)）\]】]{0,12}(?:盖章|公章|签章|全称|必填|填写|写明|注明|请|如|例)[^)）\]】]{0,12}[)）\]】]"
)
LABEL = re.compile(rf"(?P<unit>{_UNIT_LABEL})|(?P<meeting>{_MEETING_LABEL})|(?P<period>{_PERIOD_LABEL})")
_LABEL_WITH_COLON = re.compile(rf"(?:{_UNIT_LABEL}|{_MEETING_LABEL}|{_PERIOD_LABEL})\s*[:：]")
_BARE_PERIOD = re.compile(r"[一二两三四五六七八九十\d]{1,2}")


def split_fields(text: str) -> list[tuple[FormField, str]]:
    """[(field, value)] for every label in text; field is "unit" or "meeting".

    A value runs until the next label, so both fields typed on one line come apart.
    A label must be followed by a colon, or stand at the start of the text.  A period written as a
    bare number under a label of its own (期数：2) reads 第2期.
    """
    text = half_width(text)
    out: list[tuple[FormField, str]] = []
    matches = [m for m in LABEL.finditer(text) if _is_label(text, m)]
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[m.end() : end]
        value = _HINT.sub("", value)
        value = re.sub(r"^\s*[:：]\s*", "", value).strip(" \t\r\n_＿—-;；,，")
        if not re.search(r"[(（\[【]", value):  # 回执表（期数：2）: the bracket closes around the label
            value = value.rstrip(")）]】 ")
        if LABEL.fullmatch(value):  # labels side by side (a row of labels over their values): no value here
            value = ""
        if m.group("period") and _BARE_PERIOD.fullmatch(value):
            value = f"第{value}期"
        out.append(("unit" if m.group("unit") else "meeting", value))
    return out


def _is_label(text: str, m: re.Match[str]) -> bool:
    after = text[m.end() : m.end() + 2]
    before = text[: m.start()].strip()
    return bool(re.match(r"\s*[:：]", after)) or not before


def is_label_only(text: str) -> bool:
    """True when the text is a label with nothing after it ("省级教育行政部门名称：")."""
    fields = split_fields(text)
    return bool(fields) and all(not v for _f, v in fields)


def looks_like_label(text: str) -> bool:
    return bool(_LABEL_WITH_COLON.search(half_width(text)))
