"""End to end against a real Dovecot and a real aiosmtpd: our own words are never a receipt, questions go
to a person, and a bounce of our reply marks it undeliverable.

The province's receipt is answered first; what comes back quotes the reply the sink really received.
"""

from __future__ import annotations

import email
import time
from email import policy
from pathlib import Path

import pytest

from intake.cli.main import main
from intake.config.settings import load_config
from intake.daemon.runner import Daemon
from intake.organizer.desk import Organizer
from mailer.compose.digest import render_text
from mailer.outbox import OutboxState
from tests.daemon_env import write_config
from tests.fixtures.dovecot import DovecotServer
from tests.fixtures.smtpd import ReceivedMessage, SmtpServer
from tests.helpers import cst
from tests.mailbuilder import MessageBuilder
from tests.ours_mail import (
    PROVINCE,
    Ours,
    answer,
    debian_vacation,
    our_reply,
    outlook_out_of_office,
    qq_holiday_reply,
    sieve_vacation,
)
from tests.receipts import receipt_message

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp]

HLJ = [("王喆", "男", "黑龙江省教育厅", "13900001111"), ("李堃", "女", "哈尔滨市教育局", "13900002222")]


def subject(message: ReceivedMessage) -> str:
    return str(email.message_from_bytes(message.content, policy=policy.default)["Subject"])


def answered(dovecot: DovecotServer, smtpd: SmtpServer, daemon: Daemon) -> Ours:
    """The province's receipt, answered: our reply as the sink received it."""
    dovecot.append("INBOX", receipt_message(PROVINCE, "黑龙江省教育厅", HLJ, message_id="<r1@hlj.edu.cn>"))
    daemon.run_once()
    [reply] = smtpd.wait_for(1)
    assert subject(reply).startswith("【已确认】")
    return our_reply(reply.content)


def no_more_mail(smtpd: SmtpServer, count: int) -> bool:
    time.sleep(0.5)  # a reply would have been delivered by now: run_once delivers before returning
    return len(smtpd.messages) == count


def test_out_of_office_and_thank_you_notes_quoting_our_reply_get_no_reply_and_change_no_roster(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    with Daemon(load_config(write_config(tmp_path, dovecot, smtpd))) as daemon:
        ours = answered(dovecot, smtpd, daemon)
        backs = [
            outlook_out_of_office(ours),
            sieve_vacation(ours),
            debian_vacation(ours),
            qq_holiday_reply(ours),
        ]
        for i, style in enumerate(("qq", "163", "outlook", "apple", "plain")):
            backs.append(
                answer(ours, "收到，谢谢！", style=style, message_id=f"<thanks-{i}@hlj.edu.cn>").build()
            )
        for raw in backs:
            dovecot.append("INBOX", raw)
        daemon.run_once()
        versions = daemon.store.versions("zz-student", 1, "黑龙江")
        counts = daemon.store.counts("zz")
        questions = daemon.store.questions()
    assert no_more_mail(smtpd, 1)
    assert len(versions) == 1 and versions[0].accepted
    assert counts["processed"] == 1 and counts["ignored"] == len(backs)
    assert questions == []


def test_a_question_gets_one_acknowledgement_shows_in_the_digest_and_the_queue_and_is_closed_by_a_person(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, dovecot, smtpd)
    config = load_config(path)
    with Daemon(config) as daemon:
        ours = answered(dovecot, smtpd, daemon)
        dovecot.append(
            "INBOX",
            answer(ours, "姚老师好！\n能否多报一人？", style="qq", message_id="<q1@hlj.edu.cn>").build(),
        )
        daemon.run_once()
        [_reply, ack] = smtpd.wait_for(2)
        ack_message = email.message_from_bytes(ack.content, policy=policy.default)
        assert subject(ack).startswith("【已收到】") and "【需修改】" not in subject(ack)
        assert ack_message["In-Reply-To"] == "<q1@hlj.edu.cn>" and ack.rcpt_tos == [PROVINCE]
        # A second question, replying to the acknowledgement: kept, not acknowledged again.
        second = (
            MessageBuilder(
                sender=PROVINCE, to="yaoy@moe.edu.cn", subject=f"回复：{subject(ack)}", client="163"
            )
            .header("In-Reply-To", str(ack_message["Message-ID"]))
            .header(
                "References", f"<r1@hlj.edu.cn> {ours.message_id} <q1@hlj.edu.cn> {ack_message['Message-ID']}"
            )
            .text("另外，可否改参加第2期？")
            .build()
        )
        dovecot.append("INBOX", second)
        daemon.run_once()
        assert no_more_mail(smtpd, 2)
        open_questions = daemon.store.questions(open_only=True)
        assert sorted(q.text.splitlines()[-1] for q in open_questions) == [
            "另外，可否改参加第2期？",
            "能否多报一人？",
        ]
        assert {q.thread for q in open_questions} == {ours.message_id.strip("<>")}
        assert all(q.province == "黑龙江" and q.periods == ("zz-student/1",) for q in open_questions)
        period = config.notice.period("zz-student/1")
        assert period is not None
        digest = render_text(Organizer(config, daemon.store).digest(period, cst("2023-06-06T08:00:00")))
        status = daemon.status()
    assert "待人工答复的问题（2）" in digest and "能否多报一人？" in digest and "可否改参加第2期？" in digest
    assert status["questions"]["open"] == 2
    assert main(["questions", "--config", str(path)]) == 0
    listed = capsys.readouterr().out
    assert "能否多报一人？" in listed and "可否改参加第2期？" in listed
    for q in open_questions:
        assert (
            main(
                ["questions", "done", q.short, "--by", "姚艳", "--note", "电话已答复", "--config", str(path)]
            )
            == 0
        )
    with Daemon(config) as daemon:
        assert daemon.store.questions(open_only=True) == []
        assert all(q.handled_by == "姚艳" for q in daemon.store.questions())


def test_a_bounce_of_our_reply_marks_it_undeliverable_for_the_operator(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    with Daemon(load_config(write_config(tmp_path, dovecot, smtpd))) as daemon:
        ours = answered(dovecot, smtpd, daemon)
        bounce = (
            MessageBuilder(
                sender="PostMaster@hlj.edu.cn", to="yaoy@moe.edu.cn", subject="系统退信", client="163"
            )
            .header("Return-Path", "<>")
            .text("您发送的邮件无法送达：liang@hlj.edu.cn\n退信原因：收件人邮箱已满（552 Mailbox full）")
            .attach_message(ours.raw)
            .build()
        )
        dovecot.append("INBOX", bounce)
        daemon.run_once()
        [item] = daemon.outbox.items()
        status = daemon.status()
    assert item.state is OutboxState.BOUNCED and "系统退信" in (item.last_error or "")
    assert status["bounced"] == [item.key]
    assert no_more_mail(smtpd, 1)
