"""The roster a reply echoes says whether it was registered: 已登记 in a confirmation, 尚未登记 in a
receipt to fix.  Both captions end in the one mark by which a quote of our reply is recognised, so
replies sent before the second caption existed are recognised too."""

from __future__ import annotations

import pytest

from intake.mime.quoting import without_our_roster
from mailer.compose.reply import render_reply
from rules.judge import Circumstances, judge
from rules.marks import ROSTER_CAPTION, ROSTER_CAPTION_READ, ROSTER_MARK
from rules.policy import Policy
from rules.verdict import Status, Verdict
from tests.helpers import cst, notice, person, receipt_grid, receipt_of

GZ2 = "gzqysgmsc@163.com"


def judged(mobile: str) -> Verdict:
    people = [
        person(1, "徐欣", "贵州省教育厅", "是", mobile=mobile),
        person(2, "白丹", "贵州交通职业技术学院", gender="女"),
    ]
    receipt = receipt_of(receipt_grid("贵州省教育厅", "高职状态平台培训第2期", people))
    return judge(receipt, notice(), Policy(), Circumstances(GZ2, cst("2023-06-26T10:00"), "gz@gzedu.cn"))


def test_a_confirmation_echoes_the_roster_as_registered() -> None:
    verdict = judged("13908512345")
    assert verdict.status is Status.ACCEPTED, verdict.problems
    text, html = render_reply(verdict, notice())
    assert ROSTER_CAPTION in text and ROSTER_CAPTION in html and ROSTER_CAPTION_READ not in text


def test_a_receipt_to_fix_echoes_the_roster_as_read_not_registered() -> None:
    verdict = judged("1390851234")  # ten digits: no mobile
    assert verdict.status is Status.REJECTED
    text, html = render_reply(verdict, notice())
    assert ROSTER_CAPTION_READ in text and ROSTER_CAPTION_READ in html
    assert "已登记的名单" not in text


@pytest.mark.parametrize("caption", [ROSTER_CAPTION, ROSTER_CAPTION_READ])
def test_either_caption_quoted_back_is_our_roster(caption: str) -> None:
    assert caption.endswith(ROSTER_MARK)
    quoted = (
        f"改好了，请查收。\n\n> {caption}：\n>   姓名 | 性别\n>   徐欣 | 男\n\n> 本邮件由报名系统自动发送。"
    )
    left = without_our_roster(quoted)
    assert "徐欣" not in left and ROSTER_MARK not in left
    assert "改好了，请查收。" in left and "本邮件由报名系统自动发送。" in left
