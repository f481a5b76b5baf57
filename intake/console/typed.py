"""Values an organizer typed, read as the receipt readers read a cell (intake.extract.normalize)."""

from __future__ import annotations

from dataclasses import replace

from intake.extract import normalize as N
from rules.verdict import Participant

LABELS = {
    "name": "姓名",
    "gender": "性别",
    "unit": "单位",
    "title": "职务",
    "mobile": "手机",
    "email": "电子邮箱",
    "arrival": "抵达酒店时间",
    "remark": "备注",
    "leader": "领队",
}


def with_value(person: Participant, field: str, value: str, year: int) -> Participant:
    """The participant with one field set as a receipt's cell would be read."""
    text = N.cell_text(value)
    if field == "name":
        return replace(person, name=N.name(text))
    if field == "gender":
        return replace(person, gender=N.gender(text))
    if field == "mobile":
        return replace(person, mobile=N.mobile(text))
    if field == "email":
        return replace(person, email=N.email(text))
    if field == "arrival":
        at, written = N.arrival(text, year)
        return replace(person, arrival=written, arrival_at=at)
    if field == "remark":
        return replace(person, remark=N.remark(text))
    if field == "leader":
        return replace(person, leader=bool(N.leader(text)))
    if field == "unit":
        return replace(person, unit=N.compact(text))
    if field == "title":
        return replace(person, title=text.strip())
    raise ValueError(f"not a participant field: {field}")


def shown(person: Participant, field: str) -> str:
    value = getattr(person, field)
    return ("是" if value else "否") if isinstance(value, bool) else str(value or "")
