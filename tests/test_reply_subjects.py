"""The subject of what we send in a thread: the province's own words, never our tags stacked on each other."""

from __future__ import annotations

import pytest

from intake.daemon.threads import subject_key
from mailer.compose.acknowledgement import acknowledgement_subject
from mailer.compose.reply import reply_subject
from rules.marks import has_our_tag, original_subject
from rules.verdict import Status, Verdict
from rules.words import asks_beside_a_receipt

ACCEPTED = Verdict(Status.ACCEPTED, "zz-student", 1, "黑龙江", [])
REJECTED = Verdict(Status.REJECTED, "zz-student", 1, "黑龙江", [])


@pytest.mark.parametrize(
    "subject",
    [
        "回复：【已收到】咨询：中职培训报名",
        "Re: 【已收到】咨询：中职培训报名",
        "答复: 回复：【需修改】咨询：中职培训报名",
        "回复：【未替换】咨询：中职培训报名",
        "RE：【已确认】Re:【已收到】咨询：中职培训报名",
        "咨询：中职培训报名",
    ],
)
def test_every_tag_of_ours_and_the_prefixes_between_them_are_dropped(subject: str) -> None:
    assert original_subject(subject) == "咨询：中职培训报名"
    assert reply_subject(ACCEPTED, subject) == "【已确认】咨询：中职培训报名"
    assert reply_subject(REJECTED, subject) == "【需修改】咨询：中职培训报名"
    assert reply_subject(ACCEPTED, subject, superseded=True) == "【未替换】咨询：中职培训报名"
    assert acknowledgement_subject(subject) == "【已收到】咨询：中职培训报名"
    assert subject_key(subject) == "咨询：中职培训报名"


def test_a_subject_of_nothing_but_our_tag_gets_a_plain_name() -> None:
    assert reply_subject(ACCEPTED, "回复：【已收到】") == "【已确认】报名回执"
    assert acknowledgement_subject("Re: 【未替换】") == "【已收到】您的来信"


def test_a_reply_to_our_superseded_notice_is_in_our_thread() -> None:
    assert has_our_tag("回复：【未替换】黑龙江省报名回执")


@pytest.mark.parametrize(
    ("words", "asks"),
    [
        ("附件是我省报名回执，请查收。另外请问，能否多报一人？", True),
        ("回执见附件。领队可以是市局的吗?", True),
        ("附件是我省报名回执，请查收，收到请回复。", False),
        ("我省补报一人，见附件。", False),
        ("已修改，请核对是否有误。", False),
        ("附件是回执。\n--\n发自我的iPhone？", False),
    ],
)
def test_words_beside_a_receipt_ask_a_person_only_with_a_question(words: str, asks: bool) -> None:
    assert asks_beside_a_receipt(words) is asks
