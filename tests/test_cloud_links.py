"""A receipt sent as a download link (QQ Mail 超大附件, 163 云附件, a net disk) is named back, never fetched.

The bodies follow what QQ Mail and 163 write when a file goes as a big attachment: a text part and
an HTML part with the file's name, its size and expiry, and the download link.  Every message is real
RFC 5322 bytes (tests/mailbuilder.py) through the whole pipeline.
"""

from __future__ import annotations

from datetime import datetime

from intake.mime.cloud import cloud_files
from intake.pipeline.process import Context, Outcome, process
from rules.ours import Disposition
from rules.verdict import Severity, Status
from tests.helpers import CST, notice
from tests.mailbuilder import MessageBuilder
from tests.receipts import receipt_xlsx

OURS = "yaoy@moe.edu.cn"
WHEN = datetime(2023, 6, 5, 10, 0, tzinfo=CST)
UNIT = "河南省教育厅"
MEETING = "中职学生管理系统培训第一期"
PEOPLE = [("王喆", "男", UNIT, "13900001111"), ("赵磊", "男", "郑州市教育局", "13900003333")]
QQ_LINK = "https://wx.mail.qq.com/ftn/download?func=3&k=4f2a9c&key=8be1d0&code=ab12&fweb=1&cl=1"
QQ_TEXT = (
    "姚老师您好：\n附件是我省报名回执表，请查收。\n\n"
    "从QQ邮箱发来的超大附件\n\n"
    "河南省报名回执表.xlsx (25.31K, 2023年07月10日 10:33 到期)\n"
    f"进入下载页面：{QQ_LINK}\n"
)
QQ_HTML = (
    "<div>姚老师您好：</div><div>附件是我省报名回执表，请查收。</div>"
    '<div style="padding:10px;border:1px solid #ddd"><div>从QQ邮箱发来的超大附件</div>'
    f'<div><a href="{QQ_LINK.replace("&", "&amp;")}" target="_blank">河南省报名回执表.xlsx</a>'
    " (25.31K, 2023年07月10日 10:33 到期)<br>"
    f'进入下载页面：<a href="{QQ_LINK.replace("&", "&amp;")}">{QQ_LINK.replace("&", "&amp;")}</a></div></div>'
)
NETEASE_TEXT = (
    "您好，我省回执见云附件。\n\n从网易163邮箱发来的云附件：\n"
    "河南省报名回执（中职学生）.xlsx (18.2K, 2023年7月25日 10:00 到期)\n"
    "下载：https://mail.163.com/large-attachment-download/index.html?p=X1Y2&file=Z3\n"
)


def run(raw: bytes) -> Outcome:
    return process(raw, Context(notice()), mailbox=OURS, received=WHEN)


def qq_big_attachment(*attachments: tuple[str, bytes]) -> bytes:
    builder = MessageBuilder(sender="hn@qq.com", to=OURS, subject="河南省报名回执", client="qq")
    builder.text(QQ_TEXT).html(QQ_HTML)
    for name, data in attachments:
        builder.attach(name, data)
    return builder.build()


def test_qq_big_attachment_is_named_back_with_how_to_send_it() -> None:
    outcome = run(qq_big_attachment())
    assert outcome.disposition is Disposition.READ
    v = outcome.verdict
    assert v.status is Status.REJECTED
    [p] = v.problems
    assert p.code == "unreadable_attachment" and p.severity is Severity.ERROR
    assert "河南省报名回执表.xlsx" in p.message and "下载链接" in p.message and "普通附件" in p.message


def test_163_cloud_attachment_in_a_plain_text_mail_is_named_back() -> None:
    raw = (
        MessageBuilder(sender="hn@163.com", to=OURS, subject="报名回执", client="163")
        .text(NETEASE_TEXT)
        .build()
    )
    [p] = run(raw).verdict.problems
    assert p.code == "unreadable_attachment" and "河南省报名回执（中职学生）.xlsx" in p.message


def test_a_net_disk_share_without_a_file_name_is_named_by_the_service() -> None:
    text = "报名回执已上传百度网盘。\n链接：https://pan.baidu.com/s/1AbCdEfGh 提取码：ab12\n"
    raw = (
        MessageBuilder(sender="hn@qq.com", to=OURS, subject="河南省报名回执", client="qq").text(text).build()
    )
    [p] = run(raw).verdict.problems
    assert p.code == "unreadable_attachment" and "（网盘下载链接）" in p.message


def test_beside_a_receipt_that_was_read_a_linked_workbook_is_a_warning_and_a_linked_scan_nothing() -> None:
    receipt = receipt_xlsx(UNIT, MEETING, PEOPLE)
    v = run(qq_big_attachment(("回执.xlsx", receipt))).verdict
    assert v.status is Status.ACCEPTED and [p.name for p in v.participants] == ["王喆", "赵磊"]
    [warning] = v.problems
    assert warning.severity is Severity.WARNING and "河南省报名回执表.xlsx" in warning.message
    scan = QQ_TEXT.replace("河南省报名回执表.xlsx", "盖章扫描件.pdf")
    raw = (
        MessageBuilder(sender="hn@qq.com", to=OURS, subject="河南省报名回执", client="qq")
        .text(scan)
        .attach("回执.xlsx", receipt)
        .build()
    )
    v = run(raw).verdict
    assert v.status is Status.ACCEPTED and v.problems == []


def test_a_file_both_attached_and_named_in_the_words_is_not_a_link() -> None:
    found = cloud_files(QQ_TEXT, "", attached=("河南省报名回执表.xlsx",))
    assert found.names == () and found.hosts == ("wx.mail.qq.com",)


def test_ordinary_links_are_not_big_attachments() -> None:
    text = (
        "附件是我省报名回执表.xlsx，请查收。\n"
        "发自我的QQ邮箱 https://mail.qq.com/cgi-bin/frame_html?sid=abc\n"
        "通知见 http://www.moe.gov.cn/srcsite/A07/moe_953/202306/t20230601.html\n"
        "https://mail.163.com/js6/main.jsp?sid=x\n"
    )
    assert cloud_files(text, "<a href='https://exmail.qq.com/login'>企业邮箱</a>") == cloud_files("", "")
    assert cloud_files(text, "").names == ()


def test_the_html_link_alone_is_enough_and_names_come_from_the_link_text() -> None:
    found = cloud_files("", QQ_HTML)
    assert found.names == ("河南省报名回执表.xlsx",) and found.hosts == ("wx.mail.qq.com",)


def test_an_advert_with_a_net_disk_link_is_still_not_ours() -> None:
    text = (
        "关于举办2023年职业院校教师能力提升高级研修班的通知\n"
        + "一、培训内容：课程思政、教学能力比赛、专业群建设、1+X证书制度、数字化转型。\n" * 12
        + "报名表下载：https://pan.baidu.com/s/1XyZ 提取码：8888，填写报名表.docx 后发至 px@zx-edu.cn\n"
    )
    raw = (
        MessageBuilder(sender="admin@zx-edu.cn", to=OURS, subject="高级研修班报名通知", client="163")
        .text(text)
        .build()
    )
    outcome = run(raw)
    assert outcome.verdict.status is Status.IGNORED and outcome.disposition is Disposition.UNRELATED


def test_a_body_of_any_shape_gives_no_error() -> None:
    for text, html in [
        ("http://[::1", ""),
        ("", "<a href='https://pan.baidu.com:99999/x'>"),
        ("\x00" * 50, "<"),
    ]:
        assert isinstance(cloud_files(text, html).names, tuple)
