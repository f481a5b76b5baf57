"""How dates and times are written in Chinese text: replies, reports, digests, reminders.  Pure."""

from __future__ import annotations

from datetime import date, datetime

from rules.notice import Period


def month_day(day: date) -> str:
    """7月28日"""
    return f"{day.month}月{day.day}日"


def date_span(period: Period) -> str:
    """7月28日至7月30日: a period's days, without the year."""
    return f"{month_day(period.start)}至{month_day(period.end)}"


def moment(when: datetime | date) -> str:
    """2023年6月9日 17:00, in the datetime's own zone: callers convert to the notice's zone first."""
    if isinstance(when, datetime):
        return f"{when.year}年{month_day(when)} {when:%H:%M}"
    return f"{when.year}年{month_day(when)}"


DAY_PARTS = ("上午", "中午", "下午", "傍晚", "晚上", "早上", "早晨", "凌晨", "夜间", "晚")


def arrival_label(at: datetime | date | None, text: str = "") -> str:
    """「7月14日 15:30」 for a time, 「7月14日 下午」 for a day with its part of the day, else the text as written."""
    if isinstance(at, datetime):
        return f"{month_day(at)} {at:%H:%M}"
    if isinstance(at, date):
        part = next((w for w in DAY_PARTS if w in text), "")
        return f"{month_day(at)} {part}".strip()
    return text


def arrival_sort_key(at: datetime | date | None) -> tuple[int, datetime]:
    """Arrivals in time order, a day without its hour at the start of the day, unknown ones last."""
    if at is None:
        return (1, datetime.min)
    return (0, at if isinstance(at, datetime) else datetime.combine(at, datetime.min.time()))
