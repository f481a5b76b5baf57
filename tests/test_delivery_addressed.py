"""A receipt addressed to the period's mailbox and copied to another is not "sent to the wrong mailbox",
whichever copy the daemon reads first (rules/delivery.py, `Circumstances.addressed`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from rules.delivery import Circumstances, check_delivery
from rules.policy import Policy
from tests.helpers import known_period, notice

CST = timezone(timedelta(hours=8))
WHEN = datetime(2023, 6, 5, 9, 0, tzinfo=CST)
GZ1 = "1433935834@qq.com"


def wrong(when: Circumstances) -> list[str]:
    data = notice()
    period = known_period("zz-student/1", data)
    program = data.program("zz-student")
    province = data.unit("黑龙江")
    assert program is not None and province is not None
    return [
        p.message
        for p in check_delivery(period, program, province, when, Policy())
        if p.code == "wrong_mailbox"
    ]


def test_read_from_another_programs_mailbox_but_addressed_to_ours_is_not_wrong() -> None:
    for addressed in (("yaoy@moe.edu.cn", GZ1), (GZ1, "YaoY@MOE.edu.cn "), ("Yaoy@moe.edu.cn",)):
        assert wrong(Circumstances(GZ1, WHEN, "liang@hlj.edu.cn", ("gz-status/1",), addressed)) == []


def test_sent_only_to_another_programs_mailbox_is_told_where_it_goes() -> None:
    for addressed in ((GZ1,), (), (GZ1, "liang@hlj.edu.cn")):
        [message] = wrong(Circumstances(GZ1, WHEN, "liang@hlj.edu.cn", ("gz-status/1",), addressed))
        assert f"本回执发送到了 {GZ1}" in message and "yaoy@moe.edu.cn" in message
