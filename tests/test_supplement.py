"""补报: a supplementary receipt judged with the roster that stands (rules.supplement), and where it says so."""

from __future__ import annotations

import email
from dataclasses import replace
from email import policy
from pathlib import Path

import pytest

from intake.config.settings import load_config
from intake.daemon.runner import Daemon
from intake.extract.receipt import extract
from intake.mailbox.source import FetchedMessage
from intake.readers.grid import CellValue
from rules.judge import Circumstances, judge
from rules.policy import Policy
from rules.receipt import Receipt
from rules.supplement import Standing, against_standing, supplement_mark
from rules.verdict import Participant, Reading, Severity, Status, Verdict
from storage.versions import VersionKind
from tests.helpers import body_text, cst, notice, person, receipt_grid, receipt_of
from tests.receipts import receipt_message
from tests.test_daemon_local import local_config

GZ2 = "gzqysgmsc@163.com"
MEETING = "高职状态平台培训第2期"
STANDING = [
    person(1, "徐欣", "贵州省教育厅", "是"),
    person(2, "白丹", "贵州交通职业技术学院", gender="女"),
]


def judged(people: list[list[CellValue]], subject: str = "贵州省报名回执", meeting: str = MEETING) -> Verdict:
    receipt = receipt_of(receipt_grid("贵州省教育厅", meeting, people), subject=subject)
    return judge(receipt, notice(), Policy(), Circumstances(GZ2, cst("2023-06-26T16:08"), "gz@gzedu.cn"))


def standing(people: list[list[CellValue]] = STANDING) -> Standing:
    v = judged(people)
    assert v.status is Status.ACCEPTED
    return Standing(1, cst("2023-06-20T10:00"), tuple(replace(p, row=0) for p in v.participants))


def supplement(
    people: list[list[CellValue]], stands: Standing | None, subject: str = "贵州省补报回执"
) -> Verdict:
    receipt = receipt_of(receipt_grid("贵州省教育厅", MEETING, people), subject=subject)
    alone = judge(receipt, notice(), Policy(), Circumstances(GZ2, cst("2023-06-27T09:00"), "gz@gzedu.cn"))
    return against_standing(alone, receipt, stands, notice())


def codes(v: Verdict) -> dict[str, Severity]:
    return {p.code: p.severity for p in v.problems}


def test_a_supplement_naming_only_new_people_is_added_to_the_roster_that_stands() -> None:
    v = supplement([person(1, "龙涛", "贵州轻工职业技术学院", mobile="13985000001")], standing())
    assert v.status is Status.ACCEPTED and v.reading is Reading.SUPPLEMENT
    assert [(p.name, p.registered) for p in v.participants] == [
        ("徐欣", True),
        ("白丹", True),
        ("龙涛", False),
    ]
    assert [p.name for p in v.added] == ["龙涛"]
    # judged as one roster: the leader of the roster that stood counts, nobody asks for another
    assert "leader_missing" not in codes(v) and v.problems == []


def test_a_supplement_that_breaks_a_quota_is_rejected_with_the_merged_count() -> None:
    stands = standing(
        [person(1, "徐欣", "贵州省教育厅", "是"), person(2, "杨丽", "贵州省教育厅", gender="女")]
    )
    v = supplement([person(1, "王刚", "贵州省教育厅职成处", mobile="13985000002")], stands)
    assert v.status is Status.REJECTED and v.reading is Reading.SUPPLEMENT
    [quota] = [p for p in v.problems if p.code == "quota_exceeded"]
    assert quota.row == 5  # the supplement's own row is named, not a registered person
    assert "（已登记 2 人，本次补报 1 人，合计 3 人）" in quota.message
    assert "超过省级教育行政部门每单位限额（限 2 人）" in quota.message
    assert "本次补报未登记，原名单不变" in quota.message


def test_one_school_per_prefecture_counts_the_schools_already_registered() -> None:
    """zz-student: one school per prefecture; a supplement adding a second school of 遵义 is over."""
    people = [person(1, "陈伟", "贵州省教育厅", "是"), person(2, "罗敏", "遵义市职业技术学校", gender="女")]
    zz = "中职学生管理系统培训第3期"
    receipt = receipt_of(receipt_grid("贵州省教育厅", zz, people), subject="贵州回执")
    when = Circumstances("yaoy@moe.edu.cn", cst("2023-07-20T10:00"), "gz@gzedu.cn")
    first = judge(receipt, notice(), Policy(), when)
    assert first.status is Status.ACCEPTED, first.problems
    stands = Standing(1, cst("2023-07-20T10:00"), tuple(first.participants))
    extra = receipt_of(
        receipt_grid("贵州省教育厅", zz, [person(1, "田亮", "遵义市旅游学校", mobile="13985000003")]),
        subject="增补",
    )
    v = against_standing(judge(extra, notice(), Policy(), when), extra, stands, notice())
    assert v.status is Status.REJECTED
    [quota] = [p for p in v.problems if p.code == "quota_exceeded"]
    assert "每个地市限报学校数" in quota.message and "已登记 1 所，本次补报 1 所" in quota.message


def test_a_supplement_naming_someone_already_registered_replaces_and_says_so() -> None:
    v = supplement(
        [
            person(1, "白丹", "贵州交通职业技术学院", gender="女"),
            person(2, "龙涛", "贵州轻工职业技术学院", mobile="13985000001"),
        ],
        standing(),
    )
    assert v.reading is Reading.REPLACEMENT and [p.name for p in v.participants] == ["白丹", "龙涛"]
    assert codes(v)["supplement_ambiguous"] is Severity.WARNING and v.status is Status.ACCEPTED
    [note] = [p for p in v.problems if p.code == "supplement_ambiguous"]
    assert "白丹已在登记名单中" in note.message and "替换了原来的 2 人名单（现共 2 人）" in note.message
    assert "（邮件主题）" in note.message


def test_the_same_mobile_under_another_name_is_someone_already_registered() -> None:
    v = supplement([person(1, "白丹丹", "贵州交通职业技术学院", mobile="13900000002")], standing())
    assert v.reading is Reading.REPLACEMENT and "supplement_ambiguous" in codes(v)


def test_a_supplement_with_nothing_to_add_to_is_a_whole_roster() -> None:
    v = supplement([person(1, "龙涛", "贵州轻工职业技术学院", "是", mobile="13985000001")], None)
    assert v.reading is Reading.REPLACEMENT and [p.name for p in v.participants] == ["龙涛"]
    assert codes(v) == {"supplement_without_roster": Severity.WARNING}


def test_a_whole_roster_that_keeps_nobody_says_the_earlier_people_are_gone() -> None:
    v = supplement(
        [person(1, "龙涛", "贵州轻工职业技术学院", "是", mobile="13985000001")],
        standing(),
        subject="贵州省报名回执",
    )
    assert v.reading is Reading.REPLACEMENT and v.status is Status.ACCEPTED
    [note] = [p for p in v.problems if p.code == "roster_replaced_whole"]
    assert "（2 人：徐欣、白丹）" in note.message and "补报" in note.message
    kept = supplement(
        [STANDING[0], person(2, "龙涛", "贵州轻工职业技术学院", mobile="13985000001")],
        standing(),
        subject="回执",
    )
    assert kept.problems == []  # a corrected whole roster: nothing to say


def receipt(texts: dict[str, str]) -> Receipt:
    """A one-person receipt with the given subject, file name, body, title or 备注 (the others blank)."""
    people: list[list[CellValue]] = [
        [*person(1, "龙涛", "贵州轻工职业技术学院", mobile="13985000001"), texts.get("remark", "")]
    ]
    grid = receipt_grid("贵州省教育厅", MEETING, people, header=list(HEADER_WITH_REMARK))
    names = [texts["filename"]] if "filename" in texts else []
    found = extract(
        [grid], year=2023, subject=texts.get("subject", ""), filenames=names, body=texts.get("body", "")
    )
    assert found is not None
    found.title = texts.get("title", found.title)
    return found


HEADER_WITH_REMARK = (
    "序号",
    "姓名",
    "性别",
    "单位",
    "职务",
    "手机",
    "电子邮箱",
    "抵达酒店时间",
    "领队",
    "备注",
)


@pytest.mark.parametrize(
    ("texts", "where", "word"),
    [
        ({"subject": "转发：贵州省补报参训人员"}, "邮件主题", "补报"),
        ({"filename": "贵州增补名单.xlsx"}, "附件名", "增补"),
        ({"title": "报名回执表（追加）"}, "回执表", "追加"),
        ({"remark": "补报"}, "回执表", "补报"),
        ({"body": "老师好，现补报一名参训人员，请查收。"}, "邮件正文", "补报"),
    ],
)
def test_the_mark_is_found_in_the_subject_file_names_form_or_words(
    texts: dict[str, str], where: str, word: str
) -> None:
    mark = supplement_mark(receipt(texts))
    assert mark is not None and (mark.where, mark.word) == (where, word)


@pytest.mark.parametrize(
    "body",
    [
        "如需补报人员，我们再另行发送。",  # a condition, not this receipt
        "请在邮件主题中注明“补报”后重新发送。",  # our own words, quoted back
        "附件是我省报名回执，请查收。",
    ],
)
def test_a_quoted_or_conditional_word_is_no_mark(body: str) -> None:
    assert supplement_mark(receipt({"body": body})) is None


def test_a_remark_column_is_read_per_participant() -> None:
    r = receipt({"remark": "需单间，清真"})
    assert [row.participant.remark for row in r.rows] == ["需单间，清真"]
    assert Participant(name="x", remark="需单间").public()["remark"] == "需单间"


class Crash(Exception):
    """Stands for the process dying between storing the version and queueing the reply."""


def test_a_supplement_processed_again_after_a_crash_gets_the_same_verdict_and_reply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path, _maildir = local_config(tmp_path)
    config = load_config(config_path)
    hlj = [("王喆", "男", "河南省教育厅", "13900001111"), ("李堃", "女", "开封市教育局", "13900002222")]
    first = receipt_message("ha@haedu.cn", "河南省教育厅", hlj, message_id="<v1@ha>")
    extra = [("赵磊", "男", "洛阳市教育局", "13900003333")]
    added = receipt_message(
        "ha@haedu.cn", "河南省教育厅", extra, subject="河南补报", message_id="<v2@ha>", leader=False
    )
    with Daemon(config) as daemon:
        service, mb = daemon.service, config.mailboxes[0]
        service.handle(fetched(first, 1, "2023-06-05T09:00"), mb)
        real = daemon.outbox.enqueue

        def crash(*args: object, **kwargs: object) -> object:
            raise Crash

        monkeypatch.setattr(daemon.outbox, "enqueue", crash)
        with pytest.raises(Crash):
            service.handle(fetched(added, 2, "2023-06-06T09:00"), mb)
        stored = daemon.store.current_roster("zz-student", 1, "河南")
        assert stored is not None and stored.kind is VersionKind.SUPPLEMENT  # filed before the crash
        monkeypatch.setattr(daemon.outbox, "enqueue", real)
        handled = service.handle(fetched(added, 2, "2023-06-06T09:00"), mb)  # the restart reads it again
        assert handled.replied
        versions = daemon.store.versions("zz-student", 1, "河南")
        assert len(versions) == 2 and versions[-1] == stored  # nothing filed twice
        record = daemon.store.message(mb.name, 1, 2)
        assert record is not None and record.verdict is not None
        assert [p.name for p in record.verdict.participants] == ["王喆", "李堃", "赵磊"]
        reply = email.message_from_bytes(daemon.outbox.items()[-1].raw, policy=policy.default)
    text = body_text(reply)
    assert "本次补报 1 人，已加入已登记的名单（原 2 人），现共 3 人" in text and "无法确定是补报" not in text


def fetched(raw: bytes, uid: int, when: str) -> FetchedMessage:
    return FetchedMessage("local", "maildir", uid, 1, cst(when), raw, ())
