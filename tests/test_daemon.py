"""The daemon end to end, against a real Dovecot (IMAP) and a real aiosmtpd (SMTP) on loopback."""

from __future__ import annotations

import email
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from intake.config.settings import load_config
from intake.daemon.runner import Daemon
from intake.mailbox.imap import ImapSource
from tests.daemon_env import RunningDaemon, wait_until, write_config
from tests.fixtures.dovecot import DovecotServer
from tests.fixtures.smtpd import ReceivedMessage, SmtpServer
from tests.helpers import body_text
from tests.receipts import receipt_message, unrelated_message

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp]

HLJ = [("王喆", "男", "黑龙江省教育厅", "13900001111"), ("李堃", "女", "哈尔滨市教育局", "13900002222")]


def idling(daemon: Daemon, mailbox: str) -> bool:
    """The mailbox's watcher has an IDLE command open (after its first poll)."""
    source = daemon.sources.get(mailbox)
    return isinstance(source, ImapSource) and source._idling and daemon.store.last_poll(mailbox) is not None


def parsed(message: ReceivedMessage) -> EmailMessage:
    return email.message_from_bytes(message.content, policy=policy.default)


def body(message: ReceivedMessage) -> str:
    return body_text(parsed(message))


def test_receipt_appended_gets_the_right_reply_through_idle(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    # No poll and no IDLE timeout for an hour: only IDLE's report of the new mail can explain a
    # reply.  How fast it comes is measured in bench/ (BENCHMARKS.md, trickle latency), not here.
    config = write_config(tmp_path, dovecot, smtpd, poll_interval=3600, idle_timeout=3600)
    with RunningDaemon(config) as daemon:
        assert wait_until(lambda: idling(daemon, "zz"), 60), "the watcher never entered IDLE"
        raw = receipt_message("liang@hlj.edu.cn", "黑龙江省教育厅", HLJ, message_id="<r1@hlj.edu.cn>")
        dovecot.append("INBOX", raw)
        got = smtpd.wait_for(1, timeout=60)  # a deadlock guard: only a reply that never comes fails
    assert len(got) == 1, "no reply: the new mail was not seen through IDLE"
    reply = parsed(got[0])
    assert got[0].rcpt_tos == ["liang@hlj.edu.cn"]
    assert reply["Subject"].startswith("【已确认】")
    assert reply["In-Reply-To"] == "<r1@hlj.edu.cn>"
    assert reply["Auto-Submitted"] == "auto-replied"
    text = body(got[0])
    assert "王喆" in text and "李堃" in text and "开封中州国际饭店" in text


def test_unrelated_mail_keeps_its_unread_flag_and_gets_no_reply(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    uid = dovecot.append("INBOX", unrelated_message())
    receipt_uid = dovecot.append("INBOX", receipt_message("a@hlj.edu.cn", "黑龙江省教育厅", HLJ))
    with Daemon(load_config(write_config(tmp_path, dovecot, smtpd))) as daemon:
        daemon.run_once()
        record = daemon.store.message("zz", dovecot.uidvalidity("INBOX"), uid)
        assert record is not None and record.outcome == "ignored"
    assert len(smtpd.wait_for(1)) == 1
    time.sleep(0.3)
    assert len(smtpd.messages) == 1
    assert "\\Seen" not in dovecot.flags("INBOX", uid)
    assert "\\Seen" not in dovecot.flags("INBOX", receipt_uid)


def test_restart_and_uidvalidity_change_give_no_second_reply(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    dovecot.append("INBOX", receipt_message("a@hlj.edu.cn", "黑龙江省教育厅", HLJ))
    config = load_config(write_config(tmp_path, dovecot, smtpd))
    with Daemon(config) as daemon:
        daemon.run_once()
    assert len(smtpd.wait_for(1)) == 1
    with Daemon(config) as daemon:  # restart
        daemon.run_once()
    old = dovecot.uidvalidity("INBOX")
    assert dovecot.recreate_folder("INBOX") != old
    with Daemon(config) as daemon:  # the folder recreated with the same messages
        daemon.run_once()
        counts = daemon.store.counts("zz")
        assert (counts["duplicate"], counts["ignored"]) == (1, 0)  # a duplicate by content, counted apart
    time.sleep(0.3)
    assert len(smtpd.messages) == 1


def test_auto_reply_to_our_reply_is_ignored_so_there_is_no_loop(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    dovecot.append("INBOX", receipt_message("a@hlj.edu.cn", "黑龙江省教育厅", HLJ))
    config = load_config(write_config(tmp_path, dovecot, smtpd))
    with Daemon(config) as daemon:
        daemon.run_once()
        reply = smtpd.wait_for(1)[0]
        ours = parsed(reply)
        bounce_back = (
            f"From: a@hlj.edu.cn\r\nTo: yaoy@moe.edu.cn\r\nSubject: 自动回复: {ours['Subject']}\r\n"
            f"Auto-Submitted: auto-replied\r\nIn-Reply-To: {ours['Message-ID']}\r\n"
            "Message-ID: <ooo-1@hlj.edu.cn>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "我正在休假。报名回执请联系办公室。\r\n"
        ).encode()
        dovecot.append("INBOX", bounce_back)
        daemon.run_once()
        assert daemon.store.counts("zz").get("ignored") == 1
    time.sleep(0.3)
    assert len(smtpd.messages) == 1


def test_resubmission_replaces_roster_and_reply_lists_the_differences(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    config = load_config(write_config(tmp_path, dovecot, smtpd))
    dovecot.append("INBOX", receipt_message("a@hlj.edu.cn", "黑龙江省教育厅", HLJ, message_id="<v1@hlj>"))
    with Daemon(config) as daemon:
        daemon.run_once()
        v2 = [HLJ[0], ("赵磊", "男", "齐齐哈尔市教育局", "13900003333")]
        dovecot.append("INBOX", receipt_message("a@hlj.edu.cn", "黑龙江省教育厅", v2, message_id="<v2@hlj>"))
        daemon.run_once()
        current = daemon.store.current_roster("zz-student", 1, "黑龙江")
        assert current is not None
        assert [p.name for p in current.verdict.participants] == ["王喆", "赵磊"]
        assert len(daemon.store.versions("zz-student", 1, "黑龙江")) == 2
    replies = smtpd.wait_for(2)
    second = body(replies[1])
    assert "新增：赵磊" in second and "删除：李堃" in second and "第 2 版" in second


def test_smtp_451_then_250_gives_one_reply(dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path) -> None:
    smtpd.handler.script = ["451 4.3.0 try again later", "250 OK"]
    dovecot.append("INBOX", receipt_message("a@hlj.edu.cn", "黑龙江省教育厅", HLJ))
    with Daemon(load_config(write_config(tmp_path, dovecot, smtpd))) as daemon:
        daemon.run_once()
        assert daemon.outbox.stats()["pending"] == 1
        time.sleep(0.3)
        daemon.deliver()
        assert daemon.outbox.stats()["sent"] == 1
    assert len(smtpd.wait_for(1)) == 1
    assert smtpd.handler.data_commands == 2


def test_smtp_550_flags_the_reply_and_does_not_retry_it(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    smtpd.handler.script = ["550 5.1.1 mailbox unavailable"] * 5
    dovecot.append("INBOX", receipt_message("a@hlj.edu.cn", "黑龙江省教育厅", HLJ))
    with Daemon(load_config(write_config(tmp_path, dovecot, smtpd))) as daemon:
        daemon.run_once()
        for _ in range(3):
            time.sleep(0.25)
            daemon.deliver()
        assert daemon.outbox.stats()["failed"] == 1
        assert daemon.status()["flagged"]
    assert smtpd.messages == []
    assert smtpd.handler.data_commands == 1


def test_daemon_reconnects_after_dovecot_restart(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path, dovecot, smtpd)
    with RunningDaemon(config) as daemon:
        assert wait_until(lambda: daemon.store.last_poll("zz") is not None, 10)
        dovecot.stop()
        assert wait_until(lambda: "zz" in daemon.errors, 10)
        dovecot.start()
        dovecot.append("INBOX", receipt_message("a@hlj.edu.cn", "黑龙江省教育厅", HLJ))
        got = smtpd.wait_for(1, timeout=20)
    assert len(got) == 1


def test_processed_receipts_are_moved_and_unrelated_mail_stays_in_the_inbox(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path, dovecot, smtpd)
    text = config.read_text(encoding="utf-8").replace(
        'folder = "INBOX"', 'folder = "INBOX"\nprocessed_action = "move"\nprocessed_target = "Intake"'
    )
    config.write_text(text, encoding="utf-8")
    dovecot.append("INBOX", unrelated_message())
    dovecot.append("INBOX", receipt_message("a@hlj.edu.cn", "黑龙江省教育厅", HLJ))
    with Daemon(load_config(config)) as daemon:
        daemon.run_once()
    assert len(dovecot.uids("INBOX")) == 1 and len(dovecot.uids("Intake")) == 1
    assert len(smtpd.wait_for(1)) == 1
