"""An arrival written with a day and no month (18日下午, 18号 15:00) is read in the period's days, as a
clerk reads it; one that no day of the window matches stays text with arrival_unreadable."""

from __future__ import annotations

from datetime import date, datetime

from mailer.compose.reply import render_reply
from rules.arrival_text import in_window
from rules.verdict import Status
from tests.helpers import notice
from tests.test_verdict_probe import HENAN, ZZ1, found, judged

# zz-student 第一期: 6月19日至6月22日, arrivals from 6月16日 (three days before)


def test_a_day_without_its_month_is_the_day_of_that_number_in_the_period() -> None:
    v = judged("河南省教育厅", ZZ1, HENAN[:3], arrival=["18日下午", "18号 15:00", "19日"])
    assert v.status is Status.ACCEPTED and found(v, "arrival_unreadable") == []
    assert [p.arrival_at for p in v.participants] == [
        date(2023, 6, 18),
        datetime(2023, 6, 18, 15, 0),
        date(2023, 6, 19),
    ]
    assert [p.arrival for p in v.participants] == ["18日下午", "18号 15:00", "19日"]  # as written, kept
    text, _html = render_reply(v, notice())
    assert "6月18日 下午" in text and "6月18日 15:00" in text  # the reply echoes how it was read


def test_a_day_the_window_does_not_hold_stays_unreadable() -> None:
    v = judged("河南省教育厅", ZZ1, HENAN[:2], arrival=["18日下午", "28日"])
    [bad] = found(v, "arrival_unreadable")
    assert bad.row == 6 and "“28日”" in bad.message
    assert v.participants[1].arrival_at is None


def test_only_one_day_of_that_number_counts() -> None:
    assert in_window("14日下午", date(2023, 8, 12), date(2023, 8, 21)) == date(2023, 8, 14)
    assert in_window("1号 9:30", date(2023, 7, 30), date(2023, 8, 2)) == datetime(2023, 8, 1, 9, 30)
    assert in_window("14日", date(2023, 7, 10), date(2023, 8, 20)) is None  # 7月14日 or 8月14日
    assert in_window("7月14日", date(2023, 7, 10), date(2023, 7, 20)) is None  # has its month: read elsewhere
    assert in_window("待定", date(2023, 7, 10), date(2023, 7, 20)) is None
