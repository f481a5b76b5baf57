"""Column headers as people write them, mapped to participant fields."""

from __future__ import annotations

import re
from functools import lru_cache

from intake.extract.normalize import compact

# field -> synonyms, the template's own word first.  Matching ignores spaces, case,
# full-width forms and notes in brackets such as （必填） or (是/否).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序", "no", "no."),
    "name": (
        "姓名",
        "名字",
        "参训人员",
        "参训人员姓名",
        "参会人员",
        "参会人员姓名",
        "学员姓名",
        "人员姓名",
        "参训人",
        "参会人",
        "培训人员",
        "姓 名",
        "参训学员",
        "培训学员",
        "参会代表",
        "报名人员",
        "参训者",
    ),
    "gender": ("性别",),
    "unit": (
        "单位",
        "工作单位",
        "单位名称",
        "所在单位",
        "学校/单位",
        "单位/学校",
        "所在学校",
        "学校",
        "学校名称",
        "单位全称",
        "所在单位名称",
        "工作单位及部门",
        "单位及部门",
        "所在单位及部门",
    ),
    "title": (
        "职务",
        "职称",
        "职务/职称",
        "职务职称",
        "职务及职称",
        "岗位",
        "职位",
        "部门及职务",
        "部门职务",
        "职务(职称)",
    ),
    "mobile": (
        "手机",
        "手机号",
        "手机号码",
        "联系手机",
        "移动电话",
        "联系电话",
        "电话",
        "联系方式",
        "电话号码",
        "手机/电话",
        "联系电话(手机)",
    ),
    "email": (
        "电子邮箱",
        "邮箱",
        "e-mail",
        "email",
        "电子邮件",
        "邮件",
        "电子信箱",
        "邮箱地址",
        "qq邮箱",
        "mail",
    ),
    "arrival": (
        "抵达酒店时间",
        "到达时间",
        "报到时间",
        "抵达时间",
        "到会时间",
        "到达酒店时间",
        "抵达日期",
        "到达日期",
        "报到日期",
        "预计到达时间",
        "预计抵达时间",
        "抵达酒店日期",
        "到店时间",
        "入住时间",
        "到达酒店日期",
        "报道时间",
        "到会日期",
        "入住日期",
    ),
    "leader": (
        "领队",
        "是否领队",
        "是否为领队",
        "是否是领队",
        "领队人",
        "领队(是/否)",
        "带队",
        "是否带队",
        "带队人",
    ),
    "remark": ("备注", "说明"),
}
PARTICIPANT_FIELDS = ("name", "gender", "unit", "title", "mobile", "email", "arrival", "leader")
_NOTE = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def header_key(text: str) -> str:
    key = compact(text).lower()
    key = _NOTE.sub("", key) or key
    return key.strip("*：:＊#")


@lru_cache(maxsize=4096)
def match_header(text: str) -> tuple[str, int] | None:
    """(field, score) for a header cell: 3 exact, 2 exact with a note removed, 1 contained."""
    raw = compact(text).lower().strip("*：:＊#")
    if not raw or len(raw) > 24:
        return None
    key = header_key(text)
    for field, words in SYNONYMS.items():
        if raw in words:
            return field, 3
    for field, words in SYNONYMS.items():
        if key in words:
            return field, 2
    best: tuple[str, int] | None = None
    best_len = 0
    for field, words in SYNONYMS.items():
        for word in words:
            if len(word) >= 2 and word in key and len(word) > best_len:
                best, best_len = (field, 1), len(word)
    return best


def map_columns(cells: list[str]) -> dict[str, int]:
    """field -> column index for one header row; the best-scoring cell wins each field, and between
    two that score the same, the one whose word comes first among the field's synonyms (手机 before
    联系电话: the office phone beside the mobile is not the mobile), then the leftmost."""
    found: list[tuple[int, int, int, str]] = []
    for col, text in enumerate(cells):
        m = match_header(text)
        if m:
            found.append((-m[1], _preference(m[0], text), col, m[0]))
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for _neg, _pref, col, field in sorted(found):
        if field not in mapping and col not in used:
            mapping[field] = col
            used.add(col)
    return mapping


def _preference(field: str, text: str) -> int:
    """The place among the field's synonyms of the first word the header cell is or holds."""
    key = header_key(text)
    words = SYNONYMS[field]
    if key in words:
        return words.index(key)
    return next((i for i, word in enumerate(words) if len(word) >= 2 and word in key), len(words))


def header_score(mapping: dict[str, int]) -> int:
    return sum(1 for f in PARTICIPANT_FIELDS if f in mapping)
