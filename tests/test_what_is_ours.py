"""What is ours to answer, through the whole pipeline: adverts, questions, thanks, our own words quoted.

Every message is real RFC 5322 bytes (tests/mailbuilder.py); our own reply is composed by the
daemon's composer (tests/ours_mail.py) and quoted the way QQ Mail, 163, Outlook, Apple Mail and
plain-text clients quote.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime

import pytest

from intake.mime.classify import MessageKind
from intake.pipeline.process import Context, Outcome, process
from rules.ours import Disposition
from rules.verdict import Status
from tests.helpers import CST, notice
from tests.mailbuilder import MessageBuilder
from tests.ours_mail import (
    OURS,
    Ours,
    answer,
    debian_vacation,
    our_reply,
    outlook_out_of_office,
    qq_holiday_reply,
    sieve_vacation,
)
from tests.receipts import receipt_xlsx

WHEN = datetime(2023, 6, 5, 10, 0, tzinfo=CST)
HLJ = [("王喆", "男", "黑龙江省教育厅", "13900001111"), ("赵磊", "男", "齐齐哈尔市教育局", "13900003333")]
STYLES = ["qq", "163", "outlook", "apple", "plain"]


def run(raw: bytes, known: Callable[[str], bool] | None = None) -> Outcome:
    return process(raw, Context(notice()), mailbox=OURS, received=WHEN, known_sender=known)


@pytest.fixture(scope="module")
def ours() -> Ours:
    return our_reply()


# -- course adverts and list mail: not ours --------------------------------------------------------
ADVERT_TEXT = (
    (
        "关于举办2023年全国职业院校教学能力提升与课程思政建设高级研修班的通知\n"
        "各有关单位：为深入贯彻落实全国职业教育大会精神，进一步提升职业院校教师教学能力，"
        "我中心定于2023年7月在北京、成都两地举办高级研修班。现将有关事项通知如下：\n"
    )
    + "一、培训内容：课程思政、教学能力比赛、专业群建设、1+X证书制度、数字化转型。\n" * 12
    + (
        "二、培训费用：每人3980元（含培训费、资料费），食宿统一安排，费用自理。\n"
        "三、报名方式：请填写报名回执表，于7月5日前发送至 peixun@zhongxin-edu.cn。\n"
        "联系人：王老师 13800138000（微信同号）\n"
    )
)
ADVERT_TABLE = (
    "<table border=1><tr><td colspan=7>报名回执表</td></tr>"
    "<tr><td>单位名称</td><td colspan=6></td></tr>"
    "<tr><td>姓名</td><td>性别</td><td>职务</td><td>手机</td><td>邮箱</td><td>参训地点</td><td>备注</td></tr>"
    + "<tr><td></td><td></td><td></td><td></td><td></td><td></td><td></td></tr>" * 3
    + "</table>"
)


def advert(table_rows: str = "") -> bytes:
    html = "".join(f"<p>{line}</p>" for line in ADVERT_TEXT.splitlines()) + ADVERT_TABLE.replace(
        "</table>", f"{table_rows}</table>"
    )
    return (
        MessageBuilder(
            sender="admin@zhongxin-edu.cn",
            to=OURS,
            subject="关于举办高级研修班的通知（附报名回执）",
            client="163",
        )
        .text(ADVERT_TEXT)
        .html(html)
        .build()
    )


def test_a_course_advert_with_its_own_inline_receipt_form_is_not_answered() -> None:
    outcome = run(advert())
    assert outcome.verdict.status is Status.IGNORED
    assert outcome.disposition is Disposition.UNRELATED


def test_an_advert_whose_form_holds_a_sample_row_is_not_judged() -> None:
    sample = "<tr><td>张三</td><td>男</td><td>教务处长</td><td>13800000000</td><td>a@b.cn</td><td>北京</td><td></td></tr>"
    outcome = run(advert(sample))
    assert outcome.verdict.status is Status.IGNORED and outcome.disposition is Disposition.UNRELATED


def test_a_list_post_quoting_a_job_advert_that_says_baoming_is_not_answered() -> None:
    body = (
        "转发一条招聘信息，供大家参考：\n"
        + "某职业学院招聘专任教师若干名，报名时间：7月1日至7月10日。岗位要求：……\n" * 30
    )
    raw = (
        MessageBuilder(sender="member@school.edu.cn", to=OURS, subject="招聘信息", client="qq")
        .text(body)
        .build()
    )
    outcome = run(raw)
    assert outcome.verdict.status is Status.IGNORED and outcome.disposition is Disposition.UNRELATED


def test_a_covering_note_that_forgot_its_file_still_gets_the_please_attach_reply() -> None:
    raw = (
        MessageBuilder(sender="hn@haedu.gov.cn", to=OURS, subject="河南省报名回执", client="qq")
        .text("姚老师您好：\n附件是我省报名回执，请查收。")
        .build()
    )
    outcome = run(raw)
    assert outcome.verdict.status is Status.REJECTED
    assert [p.code for p in outcome.verdict.problems] == ["no_form"]


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (
            "河南省报名回执",
            "姚老师：您好！我省本期无人参加中职学生管理系统培训，特此说明。\n河南省教育厅 王老师",
        ),
        ("关于中职学生系统培训报名情况的说明", "我省因工作安排，本次培训不派员参加。"),
    ],
)
def test_a_province_that_sends_nobody_is_told_nothing_by_rule_and_kept_for_a_person(
    subject: str, text: str
) -> None:
    raw = MessageBuilder(sender="hn@haedu.gov.cn", to=OURS, subject=subject, client="qq").text(text).build()
    outcome = run(raw)
    assert outcome.disposition is Disposition.QUESTION  # never 「请按附件3填写回执表」
    assert outcome.verdict.status is Status.IGNORED and outcome.verdict.problems == []


def test_a_long_message_naming_the_program_is_ours_even_without_a_form() -> None:
    text = (
        "关于中职学生管理系统培训的报名，我省情况说明如下：\n" + "我省各地市教育局正在汇总人员名单。\n" * 40
    )
    raw = (
        MessageBuilder(sender="x@hebeier.edu.cn", to=OURS, subject="情况说明", client="163")
        .text(text)
        .build()
    )
    outcome = run(raw)
    assert outcome.disposition is Disposition.READ and outcome.verdict.status is Status.REJECTED


# -- questions, thanks and resubmissions in our thread --------------------------------------------
@pytest.mark.parametrize("style", STYLES)
def test_a_question_replying_to_our_confirmation_is_for_a_person(ours: Ours, style: str) -> None:
    outcome = run(answer(ours, "姚老师好！\n能否多报一人？", style=style).build())
    assert outcome.verdict.status is Status.IGNORED
    assert outcome.disposition is Disposition.QUESTION
    assert outcome.in_thread and "能否多报一人" in outcome.words
    assert "王喆" not in outcome.words  # our roster, quoted below, is not the province's words


@pytest.mark.parametrize("style", STYLES)
def test_a_thank_you_quoting_our_confirmation_gets_no_reply_and_reads_no_roster(
    ours: Ours, style: str
) -> None:
    outcome = run(answer(ours, "收到，谢谢！", style=style).build())
    assert outcome.verdict.status is Status.IGNORED
    assert outcome.disposition is Disposition.NOTE
    assert outcome.receipt is None


def test_a_request_in_words_without_a_question_mark_is_for_a_person(ours: Ours) -> None:
    outcome = run(answer(ours, "姚老师：我省李堃不能参加了，换成张三，手机13900004444。", style="qq").build())
    assert outcome.disposition is Disposition.QUESTION


def test_a_corrected_receipt_attached_in_our_thread_is_read_as_a_new_version(ours: Ours) -> None:
    data = receipt_xlsx("黑龙江省教育厅", "中职学生管理系统培训第一期", HLJ)
    raw = (
        answer(ours, "姚老师：修改后的回执见附件。", style="qq").attach("黑龙江省报名回执.xlsx", data).build()
    )
    outcome = run(raw)
    assert outcome.disposition is Disposition.READ and outcome.verdict.status is Status.ACCEPTED
    assert [p.name for p in outcome.verdict.participants] == ["王喆", "赵磊"]


def test_a_covering_note_in_our_thread_that_forgot_the_file_is_told_to_attach_it(ours: Ours) -> None:
    outcome = run(answer(ours, "姚老师：修改后的回执请查收。", style="outlook").build())
    assert outcome.verdict.status is Status.REJECTED
    assert [p.code for p in outcome.verdict.problems] == ["no_form"]


@pytest.mark.parametrize("style", STYLES)
def test_our_roster_quoted_without_thread_headers_is_never_read_as_a_receipt(ours: Ours, style: str) -> None:
    """A client that dropped In-Reply-To and References: our marks still give our table away."""
    raw = answer(
        ours, "已收到回执确认，谢谢", style=style, subject="黑龙江省报名回执", references=False
    ).build()
    outcome = run(raw)
    assert outcome.receipt is None or not outcome.receipt.rows
    assert outcome.verdict.participants == []


def test_a_question_from_a_known_sender_outside_any_thread_is_for_a_person() -> None:
    raw = (
        MessageBuilder(sender="liang@hlj.edu.cn", to=OURS, subject="咨询", client="163")
        .text("请问住宿怎么安排？")
        .build()
    )
    assert run(raw, known=lambda address: address == "liang@hlj.edu.cn").disposition is Disposition.QUESTION
    assert run(raw).disposition is Disposition.UNRELATED  # a stranger's, without a word of ours


# -- auto-replies quoting our reply ---------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [outlook_out_of_office, sieve_vacation, debian_vacation, qq_holiday_reply],
    ids=lambda f: f.__name__,
)
def test_out_of_office_replies_quoting_our_reply_are_auto_replies(
    ours: Ours, make: Callable[[Ours], bytes]
) -> None:
    outcome = run(make(ours))
    assert outcome.classification is not None and outcome.classification.kind is MessageKind.AUTO_REPLY
    assert outcome.verdict.status is Status.IGNORED and outcome.receipt is None


# -- bodies and parts -----------------------------------------------------------------------------
def signed(content: bytes, signature: bytes, protocol: str, name: str) -> bytes:
    """A multipart/signed message as S/MIME and OpenPGP clients write it: the content, then the signature."""
    head, _, body = content.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    at = next(i for i, line in enumerate(lines) if line.lower().startswith(b"content-type:"))
    end = at + 1
    while end < len(lines) and lines[end][:1] in (b" ", b"\t"):
        end += 1  # the Content-Type's folded lines
    part_head, headers = lines[at:end], lines[:at] + lines[end:]
    boundary = b"----signed-boundary-2023"
    return b"\r\n".join(
        [
            *headers,
            b'Content-Type: multipart/signed; protocol="' + protocol.encode() + b'"; micalg=sha-256;',
            b' boundary="' + boundary + b'"',
            b"",
            b"--" + boundary,
            *part_head,
            b"",
            body,
            b"--" + boundary,
            b"Content-Type: " + protocol.encode() + b'; name="' + name.encode() + b'"',
            b"Content-Transfer-Encoding: base64",
            b'Content-Disposition: attachment; filename="' + name.encode() + b'"',
            b"",
            base64.b64encode(signature),
            b"--" + boundary + b"--",
            b"",
        ]
    )


def test_a_receipt_signed_with_smime_is_read_and_its_signature_is_not_complained_about() -> None:
    data = receipt_xlsx("黑龙江省教育厅", "中职学生管理系统培训第一期", HLJ)
    content = (
        MessageBuilder(sender="a@hlj.edu.cn", to=OURS, subject="黑龙江省报名回执", client="outlook")
        .text("附件是报名回执。")
        .attach("黑龙江省报名回执.xlsx", data)
        .build()
    )
    raw = signed(
        content,
        b"0\x82\x05\x00\x06\t*\x86H\x86\xf7\r\x01\x07\x02",
        "application/pkcs7-signature",
        "smime.p7s",
    )
    outcome = run(raw)
    assert outcome.message is not None and [a.filename for a in outcome.message.attachments] == [
        "黑龙江省报名回执.xlsx"
    ]
    assert outcome.verdict.status is Status.ACCEPTED and outcome.verdict.problems == []


def test_a_pgp_signature_is_not_an_attachment() -> None:
    content = (
        MessageBuilder(sender="a@hlj.edu.cn", to=OURS, subject="报名回执", client="thunderbird")
        .text("回执稍后发送。")
        .build()
    )
    pgp = b"-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----\n"
    outcome = run(signed(content, pgp, "application/pgp-signature", "signature.asc"))
    assert outcome.message is not None and outcome.message.attachments == ()
    assert [p.code for p in outcome.verdict.problems] == ["no_form"]


def _forward(content_type: str) -> bytes:
    data = receipt_xlsx("黑龙江省教育厅", "中职学生管理系统培训第一期", HLJ)
    inner = (
        MessageBuilder(sender="colleague@hlj.edu.cn", subject="黑龙江省报名回执", client="163")
        .text("附件是回执")
        .attach("黑龙江省报名回执.xlsx", data)
        .build()
    )
    outer = MessageBuilder(
        sender="a@hlj.edu.cn", to=OURS, subject="转发：黑龙江省报名回执", client="qq"
    ).text("请查收")
    if content_type == "message/rfc822":
        return outer.attach_message(inner, "黑龙江省报名回执.eml").build()
    return outer.attach("黑龙江省报名回执.eml", inner, content_type).build()


@pytest.mark.parametrize("content_type", ["message/rfc822", "application/octet-stream"])
def test_a_forward_as_attachment_is_opened_whatever_its_label(content_type: str) -> None:
    outcome = run(_forward(content_type))
    assert outcome.verdict.status is Status.ACCEPTED
    assert [p.name for p in outcome.verdict.participants] == ["王喆", "赵磊"]


def test_a_text_body_declared_base64_that_is_raw_gb2312_is_read_as_it_is() -> None:
    body = "姚老师：我省报名回执如下\n姓名\t性别\t单位\t职务\t手机\n王喆\t男\t黑龙江省教育厅\t处长\t13900001111\n"
    raw = (
        MessageBuilder(sender="a@hlj.edu.cn", to=OURS, subject="黑龙江省报名回执", client="foxmail")
        .text(body, encoding="8bit")
        .build()
        .replace(b"Content-Transfer-Encoding: 8bit", b"Content-Transfer-Encoding: base64")
    )
    outcome = run(raw)
    assert outcome.message is not None and "王喆" in outcome.message.text
    assert [p.name for p in outcome.verdict.participants] == ["王喆"]


# -- cost before judgement --------------------------------------------------------------------------
def test_twenty_holiday_photos_are_ignored_without_being_read() -> None:
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40
    builder = MessageBuilder(sender="friend@163.com", to=OURS, subject="海南的照片", client="163").text(
        "看看！"
    )
    for i in range(20):
        builder.attach(f"IMG_{i:04d}.jpg", jpeg, "image/jpeg")
    outcome = run(builder.build())
    assert outcome.disposition is Disposition.UNRELATED
    assert outcome.reading_s == 0.0  # nothing was read: no OCR ran


def _roster_message(columns: list[str], units: list[str]) -> bytes:
    """A bare roster: subject 名单, no words, no 回执, no province in it; only the table speaks."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(columns)
    for i, unit in enumerate(units):
        row = [f"张{i}三", "男", unit, "科长", f"1391234567{i}", "a@b.cn", "6月18日", "是" if i == 0 else ""]
        sheet.append(row[: len(columns)])
    data = io.BytesIO()
    book.save(data)
    return (
        MessageBuilder(sender="zhang@ha.edu.cn", to=OURS, subject="名单", client="qq")
        .text("")
        .attach("名单.xlsx", data.getvalue())
        .build()
    )


FORM = ["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]


@pytest.mark.parametrize("columns", [FORM, FORM[:5] + FORM[6:]], ids=["whole form", "form without e-mail"])
def test_a_roster_on_the_notices_own_form_is_answered_though_it_names_no_province(columns: list[str]) -> None:
    """The form's own columns (抵达酒店时间, 领队) are a sign: the sender learns what to fill in."""
    outcome = run(_roster_message(columns, ["郑州市教育局", "开封市教育局"]))
    assert outcome.disposition is Disposition.READ
    assert outcome.verdict.status is Status.REJECTED
    assert "unknown_province" in {p.code for p in outcome.verdict.problems}


def test_a_roster_with_only_generic_columns_and_no_sign_of_the_notice_is_not_answered() -> None:
    outcome = run(_roster_message(FORM[:6], ["郑州市教育局", "开封市教育局"]))
    assert outcome.disposition is Disposition.UNRELATED and outcome.verdict.status is Status.IGNORED
