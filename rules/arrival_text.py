"""Arrival times as people write them in 抵达酒店时间, and a day written without its month.  Pure.

2023-07-15 17:30, 2023/7/15, 2023年7月15日17:30, 7月15日14:00, 7月15日下午, 6月18日下午3点, 7.15 are read
when the cell is read (intake/extract/normalize.py).  A day with no month (14日下午, 14号上午) can only be
read once the period is known: it is the day of that number in the days an arrival is fine
(``dated_arrivals``, called by judge), as a clerk reads it; when no day or two days of the window
have that number, it stays text and arrival_unreadable says so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from rules.checks import arrival_window
from rules.notice import Period
from rules.policy import Policy
from rules.receipt import Receipt, ReceiptRow

_HALF_DAY = {
    "上午": 9,
    "早上": 8,
    "早晨": 8,
    "凌晨": 5,
    "中午": 12,
    "下午": 14,
    "傍晚": 18,
    "晚上": 19,
    "晚": 19,
}


_DATE = re.compile(
    r"(?:(?P<y>20\d\d)\s*[年\-/.]\s*)?(?P<m>1[0-2]|0?[1-9])\s*[月\-/.]\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*[日号]?"
)
_TIME = re.compile(
    r"(?P<h>[01]?\d|2[0-3])\s*(?:[:：]\s*(?P<mi>[0-5]\d)|[点时]\s*(?:(?P<mi2>[0-5]?\d)\s*分?|(?P<half>半))?)"
)


def parse_arrival_text(text: str, year: int) -> datetime | date | None:
    text = _half_width(text)
    m = _DATE.search(text)
    if not m:
        return None
    try:
        day = date(int(m.group("y") or year), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None
    rest = text[m.end() :]
    hour = minute = None
    t = _TIME.search(rest)
    if t:
        hour = int(t.group("h"))
        minute = int(t.group("mi") or t.group("mi2") or (30 if t.group("half") else 0))
    part = next((k for k in _HALF_DAY if k in rest), None)
    if hour is not None:
        if part in ("下午", "傍晚", "晚上", "晚") and hour < 12:
            hour += 12
        return datetime.combine(day, time(hour % 24, minute or 0))
    return day


def _half_width(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ")


# A day and nothing before it but a space: 14日下午, 14号 15:00 (not 7月14日, not 6.14).
_DAY_ONLY = re.compile(r"^\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*[日号]")


def in_window(text: str, first: date, last: date) -> datetime | date | None:
    """A day written without its month, read as the one day of that number from first to last (with
    its time, as parse_arrival_text reads it); None when the text is not such a day, or two days of
    the window (or none) have that number."""
    m = _DAY_ONLY.match(_half_width(text))
    if m is None:
        return None
    number = int(m.group("d"))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    matching = [d for d in days if d.day == number]
    if len(matching) != 1:
        return None
    day = matching[0]
    return parse_arrival_text(f"{day.year}年{day.month}月{_half_width(text).strip()}", day.year)


def dated_arrivals(receipt: Receipt, period: Period | None, policy: Policy) -> Receipt:
    """The receipt with each arrival written without its month read in the period's window (a new
    Receipt: the one given is left as it is)."""
    if period is None:
        return receipt
    first, last = arrival_window(period, policy)
    rows = [_dated(row, first, last) for row in receipt.rows]
    if all(new is old for new, old in zip(rows, receipt.rows, strict=True)):
        return receipt
    return replace(receipt, rows=rows)


def _dated(row: ReceiptRow, first: date, last: date) -> ReceiptRow:
    if row.arrival_when is not None or row.participant.arrival_at is not None:
        return row
    when = in_window(row.participant.arrival, first, last)
    if when is None:
        return row
    return replace(row, arrival_when=when, participant=replace(row.participant, arrival_at=when))
