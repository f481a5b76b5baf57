"""The rules on what is ours (rules/ours.py, rules/words.py) and the quoting they rely on (intake/mime/quoting.py)."""

from __future__ import annotations

import pytest

from intake.mime.quoting import own_html, own_words, without_our_roster
from rules.marks import ROSTER_CAPTION, has_our_tag, is_our_message_id, our_message_ids
from rules.ours import COVERING_NOTE_CHARS, Disposition, Evidence, Found, screen, settle
from rules.words import read_words

SHORT = 40
LONG = COVERING_NOTE_CHARS + 1


def decide(e: Evidence, found: Found | None = None) -> Disposition:
    first = screen(e)
    return settle(e, first, found or Found()).disposition


# -- before reading -----------------------------------------------------------------------------
def test_a_keyword_in_a_short_note_is_ours_and_in_a_long_text_is_not() -> None:
    assert screen(Evidence(keyword="subject", own_chars=SHORT)).disposition is Disposition.READ
    assert screen(Evidence(keyword="subject", own_chars=LONG)).disposition is Disposition.UNRELATED


def test_a_program_name_or_the_forms_own_fields_make_a_long_text_ours() -> None:
    assert (
        screen(Evidence(keyword="body", own_chars=LONG, program_terms=("高职状态平台",))).disposition
        is Disposition.READ
    )
    assert screen(Evidence(own_chars=LONG, form_terms=("会议名称和期数",))).disposition is Disposition.READ


def test_scans_and_photos_with_no_word_of_ours_are_not_read() -> None:
    assert screen(Evidence(record_files=20, own_chars=3)).disposition is Disposition.UNRELATED
    reading = screen(Evidence(record_files=1, keyword="file name", own_chars=3))
    assert reading.disposition is Disposition.READ and reading.costly


def test_a_photo_named_for_a_province_in_a_short_message_is_read() -> None:
    reading = screen(Evidence(record_files=1, unit_named=True, own_chars=0))
    assert reading.disposition is Disposition.READ and reading.costly
    assert (
        screen(Evidence(record_files=1, unit_named=True, own_chars=LONG)).disposition is Disposition.UNRELATED
    )


def test_an_office_file_without_a_sign_is_read_cheaply_only() -> None:
    first = screen(Evidence(form_files=1, own_chars=LONG, keyword="file name"))
    assert first.disposition is Disposition.READ and not first.costly


def test_in_our_thread_an_attachment_is_a_resubmission_and_words_go_to_a_person() -> None:
    assert screen(Evidence(in_thread=True, form_files=1)).costly
    assert screen(Evidence(in_thread=True, asks=True)).disposition is Disposition.QUESTION
    assert screen(Evidence(in_thread=True, thanks=True)).disposition is Disposition.NOTE
    assert screen(Evidence(in_thread=True, empty=True)).disposition is Disposition.NOTE
    assert screen(Evidence(in_thread=True, covering=True)).disposition is Disposition.READ


def test_a_known_senders_question_goes_to_a_person_a_strangers_does_not() -> None:
    assert screen(Evidence(known_sender=True, asks=True, own_chars=SHORT)).disposition is Disposition.QUESTION
    assert screen(Evidence(asks=True, own_chars=SHORT)).disposition is Disposition.UNRELATED


# -- after the cheap reading --------------------------------------------------------------------
def test_a_table_with_rows_but_no_sign_of_the_notice_is_not_judged() -> None:
    weak = Evidence(own_table=True, keyword="body", own_chars=LONG)
    assert decide(weak, Found(rows=3)) is Disposition.UNRELATED
    assert decide(weak, Found(rows=3, names_unit=True)) is Disposition.READ


def test_nothing_found_without_a_sign_is_not_answered() -> None:
    assert decide(Evidence(form_files=1, own_chars=LONG, keyword="body")) is Disposition.UNRELATED
    assert decide(Evidence(form_files=1, own_chars=SHORT, keyword="subject")) is Disposition.READ


def test_in_our_thread_a_failed_new_file_is_explained_and_an_unrelated_file_leaves_the_words() -> None:
    e = Evidence(in_thread=True, record_files=1, asks=True)
    assert decide(e, Found(unreadable=1)) is Disposition.READ
    assert decide(e, Found()) is Disposition.QUESTION


def test_a_known_sender_with_a_spreadsheet_that_is_no_receipt_is_not_answered() -> None:
    assert decide(Evidence(known_sender=True, form_files=1, own_chars=SHORT)) is Disposition.UNRELATED


# -- the sender's words -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "asks", "thanks", "covering"),
    [
        ("收到，谢谢！", False, True, False),
        ("好的，收到了，谢谢姚老师", False, True, False),
        ("能否多报一人？", True, False, False),
        ("可否改参加第1期", True, False, False),
        ("李堃不能参加了，换成张三", True, False, False),
        ("修改后的回执见附件，请查收。", False, False, True),
        ("附件收到，谢谢", False, True, False),
        ("我省本期无人参加，特此说明。", True, False, False),
        ("因工作安排，本次培训我省不派员参加。", True, False, False),
        ("本省无人报名", True, False, False),
        # a link's ? asks nothing
        ("回执见超大附件：https://wx.mail.qq.com/ftn/download?k=1&code=2 请查收", False, False, True),
    ],
)
def test_what_the_words_say(text: str, asks: bool, thanks: bool, covering: bool) -> None:
    words = read_words(text)
    assert (words.asks, words.thanks, words.covering) == (asks, thanks, covering)


def test_a_signature_does_not_turn_thanks_into_something_else() -> None:
    assert read_words("收到，谢谢！\n--\n黑龙江省教育厅职成处 梁某某\n电话 0451-12345678").thanks


# -- quoting and our marks -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "html",
    [
        '<div>收到</div><div style="font-size:12px">------------------&nbsp;原始邮件&nbsp;------------------</div><table>',
        '<div>收到</div><blockquote type="cite"><table>',
        '<div>收到</div><div id="divRplyFwdMsg" dir="ltr"><b>发件人:</b></div><table>',
        "<p>收到</p><div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><table>",
        '<div>收到</div><div class="gmail_quote"><table>',
        '<p>收到</p><pre>在 2023-06-12 09:40:00，"报名系统" &lt;a@b.cn&gt; 写道：</pre><table>',
        '<div>收到</div><div class="intake-reply" data-intake="reply"><table>',
    ],
)
def test_quoted_history_is_cut_from_html(html: str) -> None:
    assert "收到" in own_html(html) and "<table" not in own_html(html)


def test_quoted_history_and_our_roster_are_cut_from_text() -> None:
    text = f"谢谢\n\n{ROSTER_CAPTION}：\n  姓名 | 性别\n  王喆 | 男\n\n本邮件由报名系统自动发送。"
    assert "王喆" not in without_our_roster(text) and "谢谢" in without_our_roster(text)
    assert own_words("收到\n------------------ 原始邮件 ------------------\n发件人: x") == "收到"
    assert own_words("收到\n> 王喆 | 男") == "收到"


def test_our_message_ids_and_tags_are_recognised() -> None:
    mid = "reply-" + "0123456789abcdef" * 2 + "@moe.edu.cn"
    assert is_our_message_id(f"<{mid}>") and not is_our_message_id("<reply-1@moe.edu.cn>")
    assert our_message_ids(f"In-Reply-To: <{mid}>\nack-{'f' * 32}@x.cn") == [mid, f"ack-{'f' * 32}@x.cn"]
    assert has_our_tag("回复：【已确认】河南省报名回执") and not has_our_tag("河南省报名回执")
