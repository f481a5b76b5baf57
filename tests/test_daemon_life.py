"""A province's whole life through the real daemon (Dovecot, aiosmtpd), step by step.

Each step is a message as the province really sends it; after each one the store, every reply sent
(count, subject tag, body), `intake status` and the digest must agree.
"""

from __future__ import annotations

import email
import io
import time
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from intake.cli.daemon_commands import print_status
from intake.config.settings import load_config
from intake.daemon.runner import Daemon
from intake.organizer.desk import Organizer
from mailer.compose.digest import render_text
from mailer.outbox import OutboxState
from rules.verdict import Status
from tests.daemon_env import PASSWORD_ENV, write_config
from tests.fixtures.dovecot import DovecotServer
from tests.fixtures.smtpd import ReceivedMessage, SmtpServer
from tests.helpers import body_text, known_period
from tests.mailbuilder import MessageBuilder
from tests.ours_mail import OURS, PROVINCE, answer, our_reply
from tests.receipts import receipt_message, receipt_xlsx

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp]

CST = timezone(timedelta(hours=8))
KEY = ("zz-student", 1, "黑龙江")
UNIT = "黑龙江省教育厅"
WANG = ("王喆", "男", "黑龙江省教育厅", "13900001111")
LI = ("李堃", "女", "哈尔滨市教育局", "13900002222")
LI_BAD = ("李堃", "女", "哈尔滨市教育局", "1390000222")  # a digit short
ZHAO = ("赵磊", "男", "齐齐哈尔市教育局", "13900003333")
SUN = ("孙伟", "男", "牡丹江市教育局", "13900004444")
COLLEAGUE = "zhang@hlj.edu.cn"
GZ1 = "1433935834@qq.com"  # gz-status/1's mailbox: not where a zz-student receipt goes


def parsed(message: ReceivedMessage) -> EmailMessage:
    return email.message_from_bytes(message.content, policy=policy.default)


def sent(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=CST)


def no_more_mail(smtpd: SmtpServer, count: int) -> bool:
    time.sleep(0.5)  # a reply would have been delivered by now: run_once delivers before returning
    return len(smtpd.messages) == count


def names(daemon: Daemon) -> list[str]:
    current = daemon.store.current_roster(*KEY)
    return [] if current is None else [p.name for p in current.verdict.participants]


def status_text(daemon: Daemon) -> str:
    out = io.StringIO()
    print_status(daemon.status(), out)
    return out.getvalue()


def digest_text(daemon: Daemon, when: str = "2023-06-16T08:00") -> str:
    period = known_period("zz-student/1", daemon.config.notice)
    return render_text(Organizer(daemon.config, daemon.store).digest(period, sent(when)))


def reply_of(smtpd: SmtpServer, count: int) -> EmailMessage:
    """The newest of exactly count messages sent so far."""
    messages = smtpd.wait_for(count)
    assert no_more_mail(smtpd, count)
    return parsed(messages[-1])


def another_mailbox(
    config: Path,
    dovecot: DovecotServer,
    name: str,
    folder: str,
    address: str,
    periods: str = '"zz-student/1", "zz-student/2", "zz-student/3"',
) -> Path:
    """A second mailbox on the same server (its own folder), polled after the first."""
    dovecot.create_folder(folder)
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'''
[[mailboxes]]
name = "{name}"
kind = "imap"
host = "{dovecot.host}"
port = {dovecot.port}
security = "none"
user = "{dovecot.user}"
password_env = "{PASSWORD_ENV}"
folder = "{folder}"
address = "{address}"
reply_from = "{address}"
periods = [{periods}]
''',
        encoding="utf-8",
    )
    return config


def postfix_report(returned_headers: str, action: str, subject: str) -> bytes:
    """Postfix's delivery report (RFC 3464) for liang@hlj.edu.cn, with our reply's headers."""
    status = {"failed": "5.1.1", "delayed": "4.4.1"}.get(action, "2.0.0")
    return (
        "Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.moe.edu.cn (Mail Delivery System)\r\n"
        f"Subject: {subject}\r\nTo: {OURS}\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n'
        f"Message-Id: <{action}.AB@mx.moe.edu.cn>\r\n\r\n"
        "--B1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis is the mail system at host mx.moe.edu.cn.\r\n\r\n"
        "--B1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.moe.edu.cn\r\n\r\n"
        f"Final-Recipient: rfc822; {PROVINCE}\r\nAction: {action}\r\nStatus: {status}\r\n\r\n"
        "--B1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"{returned_headers}\r\n\r\n--B1--\r\n"
    ).encode()


def test_a_provinces_life_from_a_faulty_receipt_to_a_thank_you(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    with Daemon(load_config(write_config(tmp_path, dovecot, smtpd))) as daemon:
        # 1. a receipt with a mobile a digit short: 【需修改】, nothing registered
        faulty = receipt_message(
            PROVINCE, UNIT, [WANG, LI_BAD], message_id="<r1@hlj.edu.cn>", date=sent("2023-06-05T09:00")
        )
        dovecot.append("INBOX", faulty, msg_time=sent("2023-06-05T09:00"))
        daemon.run_once()
        first = reply_of(smtpd, 1)
        assert first["Subject"] == f"【需修改】{UNIT}报名回执" and first["In-Reply-To"] == "<r1@hlj.edu.cn>"
        assert "第 6 行“手机”列：手机号“1390000222”不是有效的 11 位手机号码" in body_text(first)
        assert daemon.store.current_roster(*KEY) is None
        assert "黑龙江(需修改 v1)" in status_text(daemon)
        assert "黑龙江 已报送 1 版，尚未通过（1 个问题待修改，回执中 2 人）" in digest_text(daemon)
        # 2. the province answers our reply (quoting it, 回复：, In-Reply-To) with the fixed file
        ours = our_reply(smtpd.messages[0].content)
        fixed = (
            answer(ours, "姚老师好，已按要求修改，请查收附件。", style="qq", message_id="<r2@hlj.edu.cn>")
            .attach(
                f"{UNIT}报名回执（修改）.xlsx", receipt_xlsx(UNIT, "中职学生管理系统培训第一期", [WANG, LI])
            )
            .build()
        )
        dovecot.append("INBOX", fixed, msg_time=sent("2023-06-05T11:00"))
        daemon.run_once()
        second = reply_of(smtpd, 2)
        assert second["Subject"] == f"【已确认】{UNIT}报名回执" and second["In-Reply-To"] == "<r2@hlj.edu.cn>"
        assert "共 2 人" in body_text(second) and "| 1390000222 |" not in body_text(second)
        first_v, second_v = daemon.store.versions(*KEY)
        assert (first_v.status, second_v.status, second_v.version) == (Status.REJECTED, Status.ACCEPTED, 2)
        assert names(daemon) == ["王喆", "李堃"]  # nothing read again from the table we quoted
        assert [p.mobile for p in second_v.verdict.participants] == ["13900001111", "13900002222"]
        assert "黑龙江(已确认 v2)" in status_text(daemon)
        assert "已确认 1/11 个省份，需修改 0 个" in digest_text(daemon)
        # 3. a 补报 with one new person: merged
        supplement = receipt_message(
            PROVINCE,
            UNIT,
            [ZHAO],
            subject="黑龙江省补报参训人员",
            message_id="<r3@hlj.edu.cn>",
            date=sent("2023-06-06T10:00"),
            leader=False,
        )
        dovecot.append("INBOX", supplement, msg_time=sent("2023-06-06T10:00"))
        daemon.run_once()
        third = reply_of(smtpd, 3)
        assert third["Subject"] == "【已确认】黑龙江省补报参训人员"
        assert "本次补报 1 人，已加入已登记的名单（原 2 人），现共 3 人" in body_text(third)
        assert names(daemon) == ["王喆", "李堃", "赵磊"]
        assert "黑龙江(已确认 v3)" in status_text(daemon)
        assert "已确认名单共 3 人" in digest_text(daemon)
        # 4. a full replacement from a colleague's address of the same province: replaces
        replacement = receipt_message(
            COLLEAGUE,
            UNIT,
            [WANG, ZHAO, SUN],
            subject="黑龙江省报名回执（更新版，以此为准）",
            message_id="<r4@hlj.edu.cn>",
            date=sent("2023-06-07T10:00"),
            client="outlook",
        )
        dovecot.append("INBOX", replacement, msg_time=sent("2023-06-07T10:00"))
        daemon.run_once()
        fourth = reply_of(smtpd, 4)
        assert smtpd.messages[-1].rcpt_tos == [COLLEAGUE]
        assert fourth["Subject"] == "【已确认】黑龙江省报名回执（更新版，以此为准）"
        assert "新增：孙伟（牡丹江市教育局）" in body_text(fourth)
        assert "删除：李堃（哈尔滨市教育局）" in body_text(fourth)
        assert names(daemon) == ["王喆", "赵磊", "孙伟"]
        assert "黑龙江(已确认 v4)" in status_text(daemon)
        digest = digest_text(daemon)
        assert "已确认名单共 3 人" in digest and "报送邮箱 zhang@hlj.edu.cn" in digest
        assert "黑龙江 第 4 版（6月7日 10:00，已确认，3 人）：新增 孙伟；删除 李堃" in digest
        # 5. a thank-you quoting our confirmation: no reply, nothing changes
        thanks = answer(
            our_reply(smtpd.messages[-1].content),
            "收到，谢谢姚老师！",
            style="outlook",
            sender=COLLEAGUE,
            message_id="<t@hlj.edu.cn>",
        )
        dovecot.append("INBOX", thanks.build(), msg_time=sent("2023-06-07T10:30"))
        daemon.run_once()
        assert no_more_mail(smtpd, 4)
        assert len(daemon.store.versions(*KEY)) == 4 and names(daemon) == ["王喆", "赵磊", "孙伟"]
        assert daemon.store.questions() == []
        assert "processed=4 ignored=1" in status_text(daemon)


def reply_to(ack: EmailMessage, words: str, message_id: str) -> MessageBuilder:
    """A QQ Mail reply to our acknowledgement, quoting it under 原始邮件."""
    return (
        MessageBuilder(
            sender=PROVINCE,
            sender_name="梁老师",
            to=OURS,
            subject=f"回复：{ack['Subject']}",
            client="qq",
            message_id=message_id,
        )
        .header("In-Reply-To", str(ack["Message-ID"]))
        .header("References", f"<q1@hlj.edu.cn> {ack['Message-ID']}")
        .text(
            f'{words}\n\n------------------ 原始邮件 ------------------\n发件人: "报名系统"<{OURS}>;\n{body_text(ack)}'
        )
    )


def test_questions_in_a_thread_get_one_acknowledgement_and_the_receipt_after_them_is_judged(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    with Daemon(load_config(write_config(tmp_path, dovecot, smtpd))) as daemon:
        question = (
            MessageBuilder(
                sender=PROVINCE,
                sender_name="梁老师",
                to=OURS,
                subject="咨询：中职学生管理系统培训报名",
                client="qq",
                message_id="<q1@hlj.edu.cn>",
            )
            .text("姚老师好！\n我省这次能否多报一人？\n黑龙江省教育厅 梁")
            .build()
        )
        dovecot.append("INBOX", question, msg_time=sent("2023-06-05T09:00"))
        daemon.run_once()
        ack = reply_of(smtpd, 1)
        assert ack["Subject"] == "【已收到】咨询：中职学生管理系统培训报名"
        assert "已转交会务组" in body_text(ack) and daemon.store.current_roster(*KEY) is None
        assert "Questions  open=1" in status_text(daemon)
        # a second question in the thread: kept, not acknowledged again
        dovecot.append(
            "INBOX",
            reply_to(ack, "另外，领队必须是省厅的吗？", "<q2@hlj.edu.cn>").build(),
            msg_time=sent("2023-06-05T09:30"),
        )
        daemon.run_once()
        assert no_more_mail(smtpd, 1)
        assert "Questions  open=2" in status_text(daemon)
        assert "待人工答复的问题（2）" in digest_text(daemon)
        # the receipt, in the same thread: judged as any receipt, its subject without our tag
        receipt = reply_to(ack, "姚老师，附件是我省报名回执。", "<r1@hlj.edu.cn>").attach(
            f"{UNIT}报名回执.xlsx", receipt_xlsx(UNIT, "中职学生管理系统培训第一期", [WANG, LI])
        )
        dovecot.append("INBOX", receipt.build(), msg_time=sent("2023-06-05T10:00"))
        daemon.run_once()
        confirmation = reply_of(smtpd, 2)
        assert confirmation["Subject"] == "【已确认】咨询：中职学生管理系统培训报名"
        assert confirmation["In-Reply-To"] == "<r1@hlj.edu.cn>" and "共 2 人" in body_text(confirmation)
        assert names(daemon) == ["王喆", "李堃"]
        assert sorted(q.text.splitlines()[0] for q in daemon.store.questions(open_only=True)) == [
            "另外，领队必须是省厅的吗？",
            "姚老师好！",
        ]  # the receipt answers neither question: a person still does
        assert "黑龙江(已确认 v1)" in status_text(daemon)


def test_one_message_delivered_twice_gets_one_reply_and_a_resent_copy_is_confirmed_unchanged(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    config = another_mailbox(
        write_config(tmp_path, dovecot, smtpd), dovecot, "copy", "Copy", "liuj@moe.edu.cn"
    )
    with Daemon(load_config(config)) as daemon:
        raw = receipt_message(PROVINCE, UNIT, [WANG, LI], message_id="<d1@hlj.edu.cn>")
        for folder in ("INBOX", "INBOX", "Copy"):  # delivered twice, and copied to a second mailbox
            dovecot.append(folder, raw, msg_time=sent("2023-06-05T09:00"))
        daemon.run_once()
        assert reply_of(smtpd, 1)["Subject"] == f"【已确认】{UNIT}报名回执"
        dovecot.append("INBOX", raw, msg_time=sent("2023-06-05T09:00"))  # re-APPENDed later
        daemon.run_once()
        assert no_more_mail(smtpd, 1) and len(daemon.store.versions(*KEY)) == 1
        status = status_text(daemon)
        assert "processed=1 ignored=0 duplicates=2" in status and "duplicates=1" in status
        # the same receipt sent again (a new Message-ID): a new version, confirmed as unchanged
        resent = receipt_message(PROVINCE, UNIT, [WANG, LI], message_id="<d2@hlj.edu.cn>")
        dovecot.append("INBOX", resent, msg_time=sent("2023-06-06T09:00"))
        daemon.run_once()
        again = reply_of(smtpd, 2)
        assert again["Subject"] == f"【已确认】{UNIT}报名回执" and again["In-Reply-To"] == "<d2@hlj.edu.cn>"
        assert "（这是第 2 版，以本版为准。）" in body_text(again)
        assert "与上一版相比没有变化" in body_text(again)
        assert names(daemon) == ["王喆", "李堃"] and "黑龙江(已确认 v2)" in status_text(daemon)
        assert "已确认名单共 2 人" in digest_text(daemon)


def test_a_receipt_sent_to_another_programs_mailbox_is_filed_under_its_own_and_told_where_to_send(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    config = another_mailbox(
        write_config(tmp_path, dovecot, smtpd), dovecot, "gz", "Gz", GZ1, '"gz-status/1"'
    )
    with Daemon(load_config(config)) as daemon:
        dovecot.append(
            "Gz",
            receipt_message(PROVINCE, UNIT, [WANG, LI], to=GZ1, message_id="<w1@hlj.edu.cn>"),
            msg_time=sent("2023-06-05T09:00"),
        )
        daemon.run_once()
        reply = reply_of(smtpd, 1)
        assert reply["Subject"] == f"【已确认】{UNIT}报名回执" and reply["From"] == GZ1
        assert (
            f"本回执发送到了 {GZ1}，但黑龙江中职学生管理系统培训第1期的报名邮箱是 {OURS}。"
            f"我们已按省份登记，今后相关邮件请发送至 {OURS}。"
        ) in body_text(reply)
        [version] = daemon.store.versions(*KEY)
        assert version.mailbox == "gz" and names(daemon) == ["王喆", "李堃"]
        status = status_text(daemon)
        assert "zz-student/1: 1/11 provinces  黑龙江(已确认 v1)" in status
        assert "gz-status/1: 0/7 provinces" in status and "gz-status/3: 0/11 provinces" in status
        assert "已确认 1/11 个省份" in digest_text(daemon)
        # a receipt naming no training, sent to gz-status/1's mailbox by a province of gz-status/4
        jilin = receipt_message(
            "jl@jl.edu.cn",
            "吉林省教育厅",
            [("张三", "男", "吉林省教育厅", "13900007777")],
            meeting="",
            to=GZ1,
            message_id="<w2@jl.edu.cn>",
            subject="吉林省报名回执",
        )
        dovecot.append("Gz", jilin, msg_time=sent("2023-06-05T09:00"))
        daemon.run_once()
        text = body_text(reply_of(smtpd, 2))
        assert "已收到吉林高职状态平台培训第4期报名回执" in text
        assert f"本回执发送到了 {GZ1}，但吉林高职状态平台培训第4期的报名邮箱是 353070234@qq.com" in text
        assert daemon.store.current_roster("gz-status", 4, "吉林") is not None


def test_a_delivery_report_for_our_reply_marks_it_bounced_only_when_it_failed(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    with Daemon(load_config(write_config(tmp_path, dovecot, smtpd))) as daemon:
        dovecot.append("INBOX", receipt_message(PROVINCE, UNIT, [WANG, LI], message_id="<r1@hlj.edu.cn>"))
        daemon.run_once()
        reply_of(smtpd, 1)
        returned = smtpd.messages[0].content.split(b"\r\n\r\n", 1)[0].decode("ascii")
        for action, subject in (
            ("delayed", "Delayed Mail (still being retried)"),
            ("relayed", "Successful Mail Delivery Report"),
        ):
            dovecot.append("INBOX", postfix_report(returned, action, subject))
            daemon.run_once()
            assert no_more_mail(smtpd, 1)
            [item] = daemon.outbox.items()
            assert item.state is OutboxState.SENT and "bounced=0" in status_text(daemon)
        dovecot.append("INBOX", postfix_report(returned, "failed", "Undelivered Mail Returned to Sender"))
        daemon.run_once()
        assert no_more_mail(smtpd, 1)
        [item] = daemon.outbox.items()
        status = daemon.status()
        assert item.state is OutboxState.BOUNCED and "Undelivered Mail Returned to Sender" in (
            item.last_error or ""
        )
        assert status["bounced"] == [item.key] and "bounced=1" in status_text(daemon)
        assert "processed=1 ignored=3" in status_text(daemon)
        assert names(daemon) == ["王喆", "李堃"]


def test_a_receipt_addressed_to_our_mailbox_and_copied_to_another_is_not_told_it_went_astray(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    config = another_mailbox(
        write_config(tmp_path, dovecot, smtpd), dovecot, "gz", "Gz", GZ1, '"gz-status/1"'
    )
    both = receipt_message(PROVINCE, UNIT, [WANG, LI], to=GZ1, message_id="<cc@hlj.edu.cn>")
    both = both.replace(f"To: {GZ1}\r\n".encode(), f"To: {GZ1}\r\nCc: {OURS}\r\n".encode())
    with Daemon(load_config(config)) as daemon:
        dovecot.append("Gz", both, msg_time=sent("2023-06-05T09:00"))
        daemon.run_once()  # the copy in another program's mailbox is read first
        dovecot.append("INBOX", both, msg_time=sent("2023-06-05T09:00"))
        daemon.run_once()
        reply = reply_of(smtpd, 1)
        assert reply["Subject"] == f"【已确认】{UNIT}报名回执" and "本回执发送到了" not in body_text(reply)
        assert "请留意" not in body_text(reply)
        assert names(daemon) == ["王喆", "李堃"] and "黑龙江(已确认 v1)" in status_text(daemon)


def test_a_question_asked_beside_a_receipt_reaches_a_person_and_the_receipt_is_confirmed(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    with Daemon(load_config(write_config(tmp_path, dovecot, smtpd))) as daemon:
        asking = (
            MessageBuilder(
                sender=PROVINCE, to=OURS, subject="黑龙江报名回执", client="163", message_id="<rq@hlj.edu.cn>"
            )
            .text(
                "姚老师您好：\n附件是我省报名回执，请查收。\n另外请问，能否多报一人？我省还有一位同志想参加。\n黑龙江省教育厅 梁"
            )
            .attach("回执.xlsx", receipt_xlsx(UNIT, "中职学生管理系统培训第一期", [WANG, LI]))
            .build()
        )
        dovecot.append("INBOX", asking, msg_time=sent("2023-06-05T09:00"))
        plain = receipt_message(
            "jl@jl.edu.cn",
            "吉林省教育厅",
            [("张三", "男", "吉林省教育厅", "13900007777")],
            message_id="<j@jl>",
        )  # 「老师您好，附件是我省报名回执，请查收。」 asks nothing
        dovecot.append("INBOX", plain, msg_time=sent("2023-06-05T09:10"))
        daemon.run_once()
        smtpd.wait_for(2)
        assert no_more_mail(smtpd, 2)  # two confirmations, no acknowledgement beside them
        assert sorted(str(parsed(m)["Subject"]) for m in smtpd.messages) == [
            "【已确认】吉林省教育厅报名回执",
            "【已确认】黑龙江报名回执",
        ]
        assert names(daemon) == ["王喆", "李堃"]
        [question] = daemon.store.questions(open_only=True)
        assert "能否多报一人？" in question.text and question.message_id == "rq@hlj.edu.cn"
        assert (question.province, question.periods) == ("黑龙江", ("zz-student/1",))
        assert "Questions  open=1" in status_text(daemon)
        digest = digest_text(daemon)
        assert "待人工答复的问题（1）" in digest and "能否多报一人？我省还有一位同志想参加。" in digest
