"""Replies: subject tags, threading headers, safe headers, and what the body echoes."""

import email
from datetime import datetime
from email import policy
from email.message import EmailMessage

from intake.readers.grid import CellValue
from mailer.compose.reply import Original, compose_reply, reply_subject
from rules.judge import Circumstances, judge
from rules.policy import Policy
from rules.verdict import Status, Verdict
from tests.helpers import CST, body_text, cst, notice, person, receipt_grid, receipt_of

NOW = datetime(2023, 7, 1, 10, 0, tzinfo=CST)


def gz2_verdict(people: list[list[CellValue]]) -> Verdict:
    r = receipt_of(receipt_grid("贵州省教育厅", "高职状态平台培训第2期", people))
    return judge(r, notice(), Policy(), Circumstances("gzqysgmsc@163.com", cst("2023-06-26T16:08"), "a@b.cn"))


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def test_confirmation_echoes_roster_dates_venue_and_hotel() -> None:
    v = gz2_verdict([person(1, "徐欣", "贵州省教育厅", "是")])
    raw = compose_reply(
        v,
        notice(),
        Original("a@b.cn", "贵州省报名回执", "m1@b.cn", ("m0@b.cn",), "ab" * 32),
        from_addr="gzqysgmsc@163.com",
        now=NOW,
    )
    msg = parse(raw)
    assert msg["Subject"] == "【已确认】贵州省报名回执"
    assert msg["To"] == "a@b.cn" and msg["From"] == "gzqysgmsc@163.com"
    assert msg["In-Reply-To"] == "<m1@b.cn>" and msg["References"] == "<m0@b.cn> <m1@b.cn>"
    assert msg["Auto-Submitted"] == "auto-replied"
    text = body_text(msg)
    html = body_text(msg, "html")
    for needle in ("徐欣", "7月28日至7月30日", "贵州贵安北斗湾开元酒店", "黔中大道"):
        assert needle in text and needle in html


def test_rejection_lists_each_problem_with_row_and_column_and_asks_for_a_corrected_file() -> None:
    v = gz2_verdict([person(1, "徐欣", "贵州省教育厅", "是", mobile="0851-1234567")])
    msg = parse(compose_reply(v, notice(), Original("a@b.cn", "回执"), from_addr="x@y.cn", now=NOW))
    assert msg["Subject"] == "【需修改】回执"
    text = body_text(msg)
    assert "第 5 行“手机”列" in text and "回复本邮件并附上更正后的回执表" in text


def test_hostile_subject_and_sender_cannot_inject_headers() -> None:
    v = Verdict(status=Status.REJECTED)
    raw = compose_reply(
        v,
        notice(),
        Original("a@b.cn\r\nBcc: evil@x.cn", "回执\r\nBcc: evil@x.cn\x00\u202e"),
        from_addr="x@y.cn",
        now=NOW,
    )
    head = raw.split(b"\r\n\r\n", 1)[0].decode()
    assert "\nBcc:" not in head and "\x00" not in head
    assert parse(raw)["Bcc"] is None


def test_reply_subject_strips_our_own_tags_and_reply_prefixes() -> None:
    assert (
        reply_subject(Verdict(Status.ACCEPTED), "Re: 【需修改】河南省报名回执") == "【已确认】河南省报名回执"
    )
    assert reply_subject(Verdict(Status.REJECTED), "") == "【需修改】报名回执"


def test_message_id_is_stable_for_the_same_original() -> None:
    v = Verdict(status=Status.REJECTED)
    a = parse(
        compose_reply(v, notice(), Original("a@b.cn", "s", sha256="cd" * 32), from_addr="x@y.cn", now=NOW)
    )
    b = parse(
        compose_reply(v, notice(), Original("a@b.cn", "s", sha256="cd" * 32), from_addr="x@y.cn", now=NOW)
    )
    assert a["Message-ID"] == b["Message-ID"]
