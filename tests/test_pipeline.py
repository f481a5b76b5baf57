"""The whole pipeline on messages built as real bytes, in the encodings real clients use."""

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from intake.pipeline.process import Context, process
from intake.readers.limits import Limits
from rules.verdict import Verdict
from tests.data.readers.builders import raw_zip, zeros_member
from tests.helpers import CST, DATA, notice
from tests.mailbuilder import MessageBuilder
from tests.receipts import receipt_xlsx

WHEN = datetime(2023, 6, 1, 10, 0, tzinfo=CST)
HN = [("王喆", "男", "河南省教育厅", "13900001111"), ("李堃", "女", "开封市教育局", "13900002222")]


def run(raw: bytes, limits: Limits | None = None) -> Verdict:
    return process(
        raw,
        Context(notice(), limits=Limits() if limits is None else limits),
        mailbox="yaoy@moe.edu.cn",
        received=WHEN,
    ).verdict


def message(client: str = "qq", subject: str = "河南省报名回执", /, **attachments: bytes) -> bytes:
    """attachments: file name (with _ for the dot) -> content; client and subject are positional."""
    b = MessageBuilder(
        sender="hn@haedu.gov.cn", sender_name="王喆", to="yaoy@moe.edu.cn", subject=subject, client=client
    ).text("姚老师：附件是我省报名回执，请查收。")
    for name, data in attachments.items():
        b.attach(name.replace("_", "."), data)
    return b.build()


@pytest.mark.parametrize("client", ["qq", "163", "foxmail", "outlook", "apple", "thunderbird"])
def test_receipt_from_every_client_is_read_whole(client: str) -> None:
    data = receipt_xlsx("河南省教育厅", "中职学生管理系统培训第一期", HN)
    v = run(message(client, **{"河南省报名回执_xlsx": data}))
    assert (v.status, v.program, v.period, v.province) == ("accepted", "zz-student", 1, "河南")
    assert [p.name for p in v.participants] == ["王喆", "李堃"]


def test_candidate_without_any_table_is_no_form() -> None:
    v = run(
        MessageBuilder(sender="a@b.cn", to="yaoy@moe.edu.cn", subject="报名回执", client="163")
        .text("回执稍后发送")
        .build()
    )
    assert v.status == "rejected" and [p.code for p in v.problems] == ["no_form"]


def test_encrypted_attachment_alone_is_an_unreadable_error_naming_the_file() -> None:
    v = run(message(**{"河南回执_xlsx": (DATA / "readers" / "receipt_encrypted.xlsx").read_bytes()}))
    assert [(p.code, p.severity) for p in v.problems] == [("unreadable_attachment", "error")]
    assert "河南回执.xlsx" in v.problems[0].message and "密码" in v.problems[0].message


def test_a_stamped_scan_beside_the_receipt_is_kept_as_a_record_not_reported() -> None:
    data = receipt_xlsx("河南省教育厅", "中职学生管理系统培训第一期", HN)
    v = run(message(**{"回执_xlsx": data, "回执盖章扫描件_pdf": b"%PDF-1.4\n%scan\n"}))
    assert v.status == "accepted" and v.problems == []


def test_a_broken_second_spreadsheet_is_only_a_warning_when_the_receipt_was_read() -> None:
    data = receipt_xlsx("河南省教育厅", "中职学生管理系统培训第一期", HN)
    v = run(message(**{"回执_xlsx": data, "旧版_xlsx": b"PK\x03\x04broken"}))
    assert v.status == "accepted"
    assert [(p.code, p.severity) for p in v.problems] == [("unreadable_attachment", "warning")]


def test_zip_bomb_gives_a_problem_quickly() -> None:
    bomb = raw_zip([zeros_member("回执.xlsx", 1024)])
    v = run(message(**{"回执_zip": bomb}))
    assert v.status == "rejected" and v.problems[0].code == "unreadable_attachment"


def test_30_mb_attachment_gives_too_large() -> None:
    v = run(message(**{"回执_xlsx": b"PK" + bytes(30 * 1024 * 1024)}))
    assert v.status == "rejected" and "太大" in v.problems[0].message


def test_message_over_the_message_limit_is_answered_not_parsed() -> None:
    data = receipt_xlsx("河南省教育厅", "中职学生管理系统培训第一期", HN)
    v = run(message(**{"回执_xlsx": data}), limits=Limits(max_message_bytes=1000))
    assert v.status == "rejected" and v.problems[0].code == "unreadable_attachment"


def test_200000_row_sheet_gives_too_many_rows() -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["姓名", "性别", "单位", "手机"])
    for i in range(6000):
        ws.append([f"人{i}", "男", "河南省教育厅", 13900000000 + i])
    out = io.BytesIO()
    wb.save(out)
    v = run(message(**{"回执_xlsx": out.getvalue()}))
    assert v.problems[0].code == "unreadable_attachment" and "行数过多" in v.problems[0].message


def test_gbk_csv_and_html_body_table_are_read() -> None:
    csv = (
        "省级教育行政部门名称：湖南省教育厅\n会议名称和期数：中职学生管理系统培训第二期\n"
        "姓名,性别,单位,手机,领队\n张喆,男,湖南省教育厅,13900001111,是\n"
    ).encode("gb18030")
    v = run(message("foxmail", **{"回执_csv": csv}))
    assert (v.province, v.period, v.participants[0].name) == ("湖南", 2, "张喆")
    html = (
        "<div>省级教育行政部门名称：湖南省教育厅</div><div>会议名称和期数：中职学生管理系统培训第二期</div>"
        "<table><tr><td>姓名</td><td>性别</td><td>单位</td><td>手机</td><td>领队</td></tr>"
        "<tr><td>李堃</td><td>女</td><td>湖南省教育厅</td><td>139 0000 2222</td><td>√</td></tr></table>"
    )
    raw = (
        MessageBuilder(sender="a@163.com", to="yaoy@moe.edu.cn", subject="湖南报名回执", client="163")
        .html(html)
        .build()
    )
    v = run(raw)
    assert (v.province, v.participants[0].name, v.participants[0].mobile) == ("湖南", "李堃", "13900002222")


def test_a_reply_quoting_our_rejection_is_not_read_as_naming_a_period() -> None:
    from intake.mime.quoting import own_words

    quoted = (
        "姚老师，已按要求修改，请查收。\n\n------------------ 原始邮件 ------------------\n发件人: yaoy@moe.edu.cn\n"
        "西藏不在中职学生管理系统培训第1期的参训范围内。按通知安排，西藏参加第3期\n"
    )
    assert own_words(quoted).strip() == "姚老师，已按要求修改，请查收。"
    assert own_words("好的\n> 第1期\n谢谢") == "好的\n谢谢"
    data = receipt_xlsx("西藏自治区教育厅", "", [("顾莉燕", "女", "西藏自治区教育厅", "18239115606")])
    raw = (
        MessageBuilder(
            sender="gu@163.com", to="yaoy@moe.edu.cn", subject="回复：【需修改】西藏报名回执", client="163"
        )
        .text(quoted)
        .attach("西藏回执.xlsx", data)
        .build()
    )
    v = run(raw)
    assert (v.program, v.period, v.province) == ("zz-student", 3, "西藏")
    assert "province_not_in_session" not in {p.code for p in v.problems}


def test_a_colleagues_spreadsheet_in_an_everyday_inbox_is_ignored_not_answered() -> None:
    wb = Workbook()
    wb.active.append(["项目", "预算"])
    out = io.BytesIO()
    wb.save(out)
    raw = (
        MessageBuilder(
            sender="colleague@moe.edu.cn", to="yaoy@moe.edu.cn", subject="下半年预算表", client="outlook"
        )
        .text("请看附件。")
        .attach("预算.xlsx", out.getvalue())
        .attach("说明.pdf", b"%PDF-1.4\n")
        .build()
    )
    assert run(raw).status == "ignored"
    named = (
        MessageBuilder(sender="a@b.cn", to="yaoy@moe.edu.cn", subject="资料", client="qq")
        .attach("河南报名回执.xlsx", b"PK\x03\x04broken")
        .build()
    )
    assert run(named).problems[0].code == "unreadable_attachment"
