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
