"""Faithful reproductions of real mail no redistributable sample exists for (see tests/data/corpus/SOURCES.md).

Chinese course adverts and trade-fair invitations with their own 报名回执表, the bounces QQ Mail,
163 and Coremail servers send (Chinese wording, postmaster senders, the returned message
attached), a bounce forwarded by a person, and the auto-replies of 163 and Outlook in Chinese.
Written from the formats as these services produce them; names, addresses and numbers are
invented.  Each builder returns real RFC 5322 bytes (tests/mailbuilder.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import Workbook

from tests.mailbuilder import MessageBuilder, encoded_words

TO = "yaoy@moe.edu.cn"


@dataclass(frozen=True)
class Reproduction:
    name: str
    kind: str  # what it must be classified as: bounce, auto_reply, or unrelated (any not-ours)
    make: Callable[[], bytes]


def _long(paragraph: str, times: int) -> str:
    return "\n".join(paragraph for _ in range(times))


_COURSE = (
    "为贯彻落实《国家职业教育改革实施方案》，提高职业院校管理干部和骨干教师的业务水平，"
    "我院定于2023年7月15日至18日在青岛举办“职业院校专业建设与人才培养方案修订”专题研修班，"
    "邀请教育部职成司原领导、国家级教学名师授课，采用专题讲座、案例分析、现场教学相结合的方式。"
)


def course_advert_html() -> bytes:
    """A training-company advert: thousands of characters, an inline 报名回执表 with its own columns."""
    table = (
        '<table border="1" cellspacing="0" style="border-collapse:collapse">'
        '<tr><td colspan="8" align="center"><b>报名回执表</b></td></tr>'
        '<tr><td>单位名称</td><td colspan="3"></td><td>发票抬头</td><td colspan="3"></td></tr>'
        "<tr><td>姓名</td><td>性别</td><td>职务</td><td>手机</td><td>邮箱</td><td>住宿要求</td>"
        "<td>参会地点</td><td>备注</td></tr>" + "<tr>" + "<td>&nbsp;</td>" * 8 + "</tr>" * 4 + "</table>"
    )
    text = _long(_COURSE, 8)
    html = (
        "<div><b>关于举办职业院校专业建设与人才培养方案修订专题研修班的通知</b></div>"
        + "".join(f"<p>{p}</p>" for p in text.splitlines())
        + "<p>报名方式：请将报名回执表于7月10日前发至 jiaoyupeixun@126.com，联系人：刘老师 13912345678。</p>"
        + table
    )
    return (
        MessageBuilder(
            sender="xiaoming8812@sina.com",
            sender_name="培训中心",
            to=TO,
            subject="关于举办专题研修班的通知",
            client="qq",
        )
        .html(html)
        .build()
    )


def _advert_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["全国职业院校教学能力提升研修班报名回执表"])
    ws.append(["单位名称", "", "", "联系人", ""])
    ws.append(["姓名", "性别", "职务/职称", "手机", "邮箱", "参训地点", "是否住宿"])
    for _ in range(5):
        ws.append([None] * 7)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def course_advert_with_form() -> bytes:
    """An advert with its blank 报名回执表 attached as an Excel file."""
    return (
        MessageBuilder(
            sender="hr@edu-peixun.cn",
            sender_name="教育培训网",
            to=TO,
            subject="2023年暑期研修班报名通知",
            client="163",
        )
        .text(_long(_COURSE, 6) + "\n附件：报名回执表")
        .attach("报名回执表.xlsx", _advert_workbook())
        .build()
    )


def trade_fair_invitation() -> bytes:
    """An exhibition invitation: 参展回执 and 报名, no word of the notice."""
    text = _long(
        "第二十届中国教育装备展示会将于2023年10月在厦门国际会展中心举行，展出面积12万平方米，"
        "预计参展企业1500家，诚邀贵单位组团参观。请填写参观报名回执，我们将统一安排食宿与接送站。",
        6,
    )
    html = "".join(f"<p>{line}</p>" for line in text.splitlines()) + (
        "<table border=1><tr><td>单位</td><td>姓名</td><td>职务</td><td>手机</td><td>参观日期</td></tr>"
        "<tr><td></td><td></td><td></td><td></td><td></td></tr></table>"
    )
    return (
        MessageBuilder(
            sender="expo2023@expo-edu.com",
            to=TO,
            subject="邀请函：第二十届中国教育装备展示会",
            client="outlook",
        )
        .text(text)
        .html(html)
        .build()
    )


def _returned(subject: str = "【已确认】黑龙江省报名回执") -> bytes:
    """The message a bounce returns: one of our replies (its Message-ID is what ties the bounce)."""
    return (
        MessageBuilder(
            sender=TO,
            to="nobody@hlj.edu.cn",
            subject=subject,
            client="thunderbird",
            message_id="<reply-" + "0" * 32 + "@moe.edu.cn>",
        )
        .text("您好！\n已收到黑龙江中职学生管理系统培训第1期报名回执，共 2 人，登记如下。")
        .build()
    )


def qq_bounce() -> bytes:
    """QQ Mail's bounce: the postmaster's Chinese notice in HTML, the original attached."""
    html = (
        "<div>很抱歉您发送的邮件被退回，以下是该邮件的相关信息：</div>"
        "<div>被退回的邮件：【已确认】黑龙江省报名回执</div>"
        "<div>收件人：nobody@hlj.edu.cn</div>"
        "<div>退信原因：收件人邮箱地址不存在（550 Mailbox not found）</div>"
        "<div>建议解决方案：请检查收件人地址是否正确。</div>"
        "<div>此邮件为系统自动发出，请勿回复。</div>"
    )
    return (
        MessageBuilder(
            sender="PostMaster@qq.com", sender_name="PostMaster", to=TO, subject="退信", client="qq"
        )
        .header("Return-Path", "<>")
        .html(html)
        .attach_message(_returned(), "原邮件.eml")
        .build()
    )


def netease_bounce() -> bytes:
    """163's 系统退信, with the returned headers as text/rfc822-headers."""
    body = (
        "您好，这是163邮箱系统的退信通知。\n您发送的邮件无法送达以下收件人：\n  nobody@hlj.edu.cn\n"
        "退信原因：对方邮箱不存在或已被停用（550 User not found: nobody@hlj.edu.cn）\n"
    )
    return (
        MessageBuilder(
            sender="Postmaster@163.com", sender_name="系统退信", to=TO, subject="系统退信", client="163"
        )
        .text(body)
        .part("text/rfc822-headers", _returned().split(b"\r\n\r\n", 1)[0].decode())
        .build()
    )


def coremail_bounce() -> bytes:
    """A provincial Coremail server: a display name only, no sender address, 未能送达 and the reason."""
    body = (
        "您发送的邮件未能送达下列收件人：\nnobody@hlj.edu.cn\n\n失败原因：\n"
        "收件人不存在(554 5.7.1 User unknown)\n\n原邮件信息：\n主题：【需修改】黑龙江省报名回执\n"
    )
    return (
        MessageBuilder(sender="", sender_name="", to=TO, subject="邮件未能送达 Undeliverable", client="163")
        .header("From", f"{encoded_words('系统管理员', 'GBK')[0]} (System Administrator)")
        .header("Return-Path", None)
        .text(body)
        .build()
    )


def forwarded_bounce() -> bytes:
    """A person forwards a bounce they do not understand, pasted as text."""
    body = (
        "老师，这封退信是什么意思？\n\n---------- 转发邮件 ----------\n发件人: Mail Delivery System\n"
        "主题: Undelivered Mail Returned to Sender\n\n<liang@hlj.edu.cn>: host mx.hlj.edu.cn said: "
        "550 5.1.1 User unknown (in reply to RCPT TO command)\nFinal-Recipient: rfc822; liang@hlj.edu.cn\nAction: failed\n"
    )
    return (
        MessageBuilder(
            sender="zhou@hlj.edu.cn", to=TO, subject="Fwd: Undelivered Mail Returned to Sender", client="qq"
        )
        .text(body)
        .build()
    )


def netease_auto_reply() -> bytes:
    """163's auto-reply: 自动回复 subject, no Auto-Submitted."""
    return (
        MessageBuilder(
            sender="lihua@163.com", to=TO, subject="自动回复：【需修改】河南省报名回执", client="163"
        )
        .text("您好，您的来信已收到，我会尽快处理。（这是一封自动回复邮件）")
        .build()
    )


def outlook_chinese_out_of_office() -> bytes:
    """Exchange's 自动答复 in Chinese, with X-Auto-Response-Suppress and no Auto-Submitted."""
    return (
        MessageBuilder(
            sender="wang@gxedu.gov.cn", to=TO, subject="自动答复: 【已确认】广西报名回执", client="outlook"
        )
        .header("X-Auto-Response-Suppress", "All")
        .text("本人7月1日至7月10日外出学习，期间邮件无法及时回复，急事请致电0771-1234567。")
        .build()
    )


def mailing_list_digest() -> bytes:
    """A Mailman list post that mentions 报名 (List-Id, Precedence: list)."""
    return (
        MessageBuilder(
            sender="zhijiao-owner@lists.example.edu.cn",
            to=TO,
            subject="[职教论坛] 第35期文摘",
            client="thunderbird",
        )
        .header("List-Id", "<zhijiao.lists.example.edu.cn>")
        .header("Precedence", "list")
        .text(_long("本期话题：职业院校技能大赛报名工作经验交流。", 20))
        .build()
    )


REPRODUCTIONS = (
    Reproduction("course-advert-inline-form", "unrelated", course_advert_html),
    Reproduction("course-advert-form-attached", "unrelated", course_advert_with_form),
    Reproduction("trade-fair-invitation", "unrelated", trade_fair_invitation),
    Reproduction("qq-bounce", "bounce", qq_bounce),
    Reproduction("163-bounce", "bounce", netease_bounce),
    Reproduction("coremail-bounce", "bounce", coremail_bounce),
    Reproduction("forwarded-bounce", "bounce", forwarded_bounce),
    Reproduction("163-auto-reply", "auto_reply", netease_auto_reply),
    Reproduction("outlook-chinese-out-of-office", "auto_reply", outlook_chinese_out_of_office),
    Reproduction("mailing-list-digest", "auto_reply", mailing_list_digest),
)
