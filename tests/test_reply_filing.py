"""What a reply says about where its receipt was filed, and how it shows arrivals and remarks."""

from __future__ import annotations

import email
import hashlib
from collections.abc import Iterator
from datetime import date, datetime
from email import policy
from pathlib import Path

import pytest

from intake.readers.grid import CellValue
from mailer.compose.reply import Original, compose_reply, render_reply
from mailer.compose.reply_filing import REPLACE_HINT, Filing
from rules.judge import Circumstances, judge
from rules.marks import ROSTER_CAPTION
from rules.policy import Policy
from rules.supplement import against_standing
from rules.verdict import Participant, Reading, Status, Verdict
from storage.records import StoredVerdict
from storage.store import Store
from storage.versions import NewVersion, SubmissionVersion, VersionKind
from tests.helpers import body_text, cst, notice, person, receipt_grid, receipt_of

NOW = cst("2023-06-27T10:00")
GZ2 = "gzqysgmsc@163.com"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path) as s:
        yield s


def file(store: Store, verdict: Verdict, sent: str) -> SubmissionVersion:
    return store.add_submission(
        NewVersion(
            program=verdict.program,
            period=verdict.period,
            province=verdict.province,
            verdict=StoredVerdict.from_json(verdict.public()),
            message_sha=hashlib.sha256(sent.encode()).hexdigest(),
            sender="gz@gzedu.cn",
            received=cst(sent).isoformat(),
            status=verdict.status,
            kind=VersionKind.SUPPLEMENT if verdict.reading is Reading.SUPPLEMENT else VersionKind.RECEIPT,
        )
    )


def judged(people: list[list[CellValue]], subject: str, stands: SubmissionVersion | None = None) -> Verdict:
    receipt = receipt_of(receipt_grid("贵州省教育厅", "高职状态平台培训第2期", people), subject=subject)
    alone = judge(receipt, notice(), Policy(), Circumstances(GZ2, cst("2023-06-26T10:00"), "gz@gzedu.cn"))
    return against_standing(alone, receipt, stands.as_standing() if stands else None, notice())


FIRST = [
    person(1, "徐欣", "贵州省教育厅", "是", arrival="7月27日下午3点"),
    person(2, "白丹", "贵州交通职业技术学院", gender="女", arrival="7月27日下午"),
]


def test_arrivals_read_as_times_and_remarks_show_in_the_reply() -> None:
    people = [
        Participant(
            name="徐欣", arrival="7月27日下午3点", arrival_at=datetime(2023, 7, 27, 15, 0), remark="需单间"
        ),
        Participant(name="白丹", arrival="7月27日下午", arrival_at=date(2023, 7, 27)),
        Participant(name="龙涛", arrival="待定"),
    ]
    v = Verdict(status=Status.ACCEPTED, program="gz-status", period=2, province="贵州", participants=people)
    text, html = render_reply(v, notice())
    assert "徐欣 |  |  |  |  |  | 7月27日 15:00 |  | 需单间" in text
    assert "白丹 |  |  |  |  |  | 7月27日 下午 |  | " in text and "龙涛 |  |  |  |  |  | 待定" in text
    assert "<th" in html and "备注</th>" in html and "需单间" in html
    assert "2023-07-27" not in text  # never ISO 8601 in a reply


def test_a_supplement_reply_shows_the_whole_merged_roster_and_how_to_replace_it(store: Store) -> None:
    first = file(store, judged(FIRST, "贵州省报名回执"), "2023-06-20T10:00")
    added = judged([person(3, "龙涛", "贵州轻工职业技术学院")], "贵州省补报回执", first)
    version = file(store, added, "2023-06-26T10:00")
    filing = Filing(version, store.current_roster("gz-status", 2, "贵州"))
    raw = compose_reply(
        added, notice(), Original("gz@gzedu.cn", "贵州省补报回执"), from_addr=GZ2, now=NOW, filing=filing
    )
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "【已确认】贵州省补报回执"
    text = body_text(msg)
    assert "本次补报 1 人，已加入已登记的名单（原 2 人），现共 3 人" in text and "第 2 版" in text
    roster = text[text.index(ROSTER_CAPTION) :]
    assert roster.index("徐欣") < roster.index("白丹") < roster.index("龙涛")
    assert "本次补报" in roster.splitlines()[1] and roster.splitlines()[4].endswith(
        "| 是"
    )  # 龙涛 is the new one
    assert REPLACE_HINT in text and "新增：龙涛（贵州轻工职业技术学院）" in text


def test_a_supplement_over_quota_is_answered_with_the_merged_count_and_the_roster_unchanged(
    store: Store,
) -> None:
    two = [person(1, "徐欣", "贵州省教育厅", "是"), person(2, "杨丽", "贵州省教育厅", gender="女")]
    first = file(store, judged(two, "回执"), "2023-06-20T10:00")
    over = judged([person(3, "王刚", "贵州省教育厅")], "增补回执", first)
    assert over.status is Status.REJECTED
    version = file(store, over, "2023-06-26T10:00")
    text, _html = render_reply(
        over, notice(), filing=Filing(version, store.current_roster("gz-status", 2, "贵州"))
    )
    assert "补报 1 人），但有以下问题需要修改，本次补报未登记，已登记的 2 人名单不变" in text
    assert (
        "“贵州省教育厅”报名 3 人（已登记 2 人，本次补报 1 人，合计 3 人），超过省级教育行政部门每单位限额"
        in text
    )
    current = store.current_roster("gz-status", 2, "贵州")
    assert current is not None and current.version == 1


def test_a_receipt_sent_before_the_roster_that_stands_is_answered_as_superseded(store: Store) -> None:
    newer = judged([*FIRST, person(3, "龙涛", "贵州轻工职业技术学院")], "回执")
    stands = file(store, newer, "2023-06-25T14:20")
    older = judged(FIRST, "回执")
    version = file(store, older, "2023-06-24T09:05")
    assert version.superseded_by == stands.version
    filing = Filing(version, store.current_roster("gz-status", 2, "贵州"))
    raw = compose_reply(
        older, notice(), Original("gz@gzedu.cn", "Re: 回执"), from_addr=GZ2, now=NOW, filing=filing
    )
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "【未替换】回执"
    text = body_text(msg)
    assert "（6月24日 09:05 发出，2 人）" in text
    assert "6月25日 14:20 发出的回执（第 1 版）比本回执新，已经登记，本回执没有替换它" in text
    assert "共 3 人" in text and "龙涛" in text[text.index(ROSTER_CAPTION) :]  # the roster that stands
    assert "以本版为准" not in text and "请重新发送本回执" in text
