"""The daemon on the notice's kind of mailboxes: three mailboxes, three SMTP accounts.

The SMTP server is tests.fixtures.provider_smtpd: implicit TLS with a certificate from a private
CA (trusted through tls_ca_file, relative to the config file), AUTH required, and MAIL FROM
refused unless it is the logged-in user, as QQ Mail and 163 do.  IMAP is a real Dovecot (one
folder per mailbox).  Every reply, digest and reminder must go out From its mailbox's address
through that mailbox's own account, none refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from intake.cli.daemon_commands import load_status
from intake.config.settings import load_config
from intake.daemon.runner import Daemon
from intake.organizer.schedule import run_due_once
from mailer.outbox import OutboxState
from tests.daemon_env import PASSWORD_ENV, RunningDaemon, wait_until
from tests.fixtures.dovecot import DovecotServer
from tests.fixtures.provider_smtpd import ProviderSmtpServer
from tests.helpers import cst
from tests.receipts import receipt_message

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp]

# (mailbox name, IMAP folder, address = SMTP login, periods, receipt's province, unit, meeting)
MAILBOXES = [
    ("moe", "INBOX", "yaoy@moe.edu.cn", ["zz-student/1", "zz-student/2", "zz-student/3"]),
    ("wy2", "wy2", "gzqysgmsc@163.com", ["gz-status/1", "gz-status/2"]),
    ("qq3", "qq3", "287455270@qq.com", ["gz-status/3", "gz-status/4"]),
]
RECEIPTS = [
    ("INBOX", "yaoy@moe.edu.cn", "黑龙江省教育厅", "中职学生管理系统培训第一期", "a@hlj.edu.cn"),
    ("wy2", "gzqysgmsc@163.com", "陕西省教育厅", "高职状态平台培训第二期", "b@snedu.gov.cn"),
    ("qq3", "287455270@qq.com", "四川省教育厅", "高职状态平台培训第三期", "c@scedu.net"),
]
# A reminder stage open for one period of each mailbox (3 days before its deadline)
REMINDER_TIMES = ["2023-06-07 10:00", "2023-07-01 10:00", "2023-07-16 10:00"]


def write_config(
    tmp: Path, dovecot: DovecotServer, smtp: ProviderSmtpServer, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    shutil.copy(smtp.cafile, tmp / "provider-ca.pem")
    tables = []
    for name, folder, address, periods in MAILBOXES:
        env = f"INTAKE_TEST_SMTP_{name.upper()}"
        monkeypatch.setenv(env, f"code-{name}")
        smtp.handler.credentials[address] = f"code-{name}"
        tables.append(
            f"""
[[mailboxes]]
name = "{name}"
host = "{dovecot.host}"
port = {dovecot.port}
security = "none"
user = "{dovecot.user}"
password_env = "{PASSWORD_ENV}"
folder = "{folder}"
address = "{address}"
periods = {periods!r}
[mailboxes.smtp]
host = "{smtp.host}"
port = {smtp.port}
user = "{address}"
password_env = "{env}"
tls_ca_file = "provider-ca.pem"
""".replace("'", '"')
        )
    path = tmp / "config.toml"
    path.write_text(
        f"""notice = "{Path(__file__).resolve().parent.parent / "notice-2023.toml"}"
[storage]
directory = "state"
[daemon]
poll_interval = 1
idle_timeout = 30
retry_base = 0.2
retry_factor = 1.0
retry_cap = 0.2
delivery_interval = 0.2
{"".join(tables)}
[outbox]
kind = "smtp"
directory = "outbox"
login_interval = 0
[organizers]
"zz-student/1" = ["org1@example.cn"]
"gz-status/2" = ["org2@example.cn"]
"gz-status/3" = ["org3@example.cn"]
[digest]
stop_after = "never"
[contacts]
"河北" = ["hebei@example.cn"]
"广东" = ["gd@example.cn"]
"辽宁" = ["ln@example.cn"]
""",
        encoding="utf-8",
    )
    return path


def test_three_mailboxes_on_three_accounts_send_every_reply_digest_and_reminder(
    dovecot: DovecotServer,
    provider_smtpd: ProviderSmtpServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = load_config(write_config(tmp_path, dovecot, provider_smtpd, monkeypatch))
    # no `security` in [mailboxes.smtp]: TLS by default (the fixture speaks nothing else)
    assert {mb.smtp.security for mb in config.mailboxes if mb.smtp} == {"tls"}
    for folder, to, unit, meeting, sender in RECEIPTS:
        people = [("张一", "男", unit, "13900001111"), ("李二", "女", unit, "13900002222")]
        dovecot.append(folder, receipt_message(sender, unit, people, meeting=meeting, to=to))
    senders = {r[4] for r in RECEIPTS}
    with RunningDaemon(config.path):  # (its catch-up also sends today's digests)
        assert wait_until(
            lambda: len([m for m in provider_smtpd.messages if m.rcpt_tos[0] in senders]) == 3, 30
        )
    replies = [m for m in provider_smtpd.messages if m.rcpt_tos[0] in senders]
    assert sorted((m.mail_from, m.rcpt_tos[0]) for m in replies) == sorted((r[1], r[4]) for r in RECEIPTS)

    with Daemon(config) as daemon:
        for when in REMINDER_TIMES:
            run_due_once(daemon, cst(when))
            daemon.deliver()
        items = daemon.outbox.items()
        status = daemon.status()
    kinds: dict[str, set[str]] = {}
    for item in items:
        assert item.state == OutboxState.SENT, (item.key, item.state, item.last_error)
        kinds.setdefault(item.key.split(":")[0], set()).add(item.mail_from)
    everyone = {address for _, _, address, _ in MAILBOXES}
    assert kinds == {"reply": everyone, "digest": everyone, "reminder": everyone}
    received = provider_smtpd.messages
    assert len(received) == len(items)
    assert all(m.login == m.mail_from for m in received)
    assert provider_smtpd.handler.refused_senders == []
    assert {name for name in status["accounts"]} == {f"mailbox {name}" for name, *_ in MAILBOXES}
    assert all(not a["error"] and a["last_login"] for a in status["accounts"].values())


def test_a_watcher_that_cannot_connect_shows_its_error_at_once_and_retries(
    dovecot: DovecotServer,
    provider_smtpd: ProviderSmtpServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_config(tmp_path, dovecot, provider_smtpd, monkeypatch)
    config = load_config(path)
    dovecot.stop()
    with RunningDaemon(path) as daemon:
        # status.json is there from the start, and the error shows in `intake status` with its time
        assert wait_until(lambda: (tmp_path / "state" / "status.json").exists(), 10)
        assert wait_until(lambda: "moe" in daemon.errors, 10)
        assert wait_until(lambda: load_status(config)["mailboxes"]["moe"]["error"], 10)
        shown = load_status(config)
        assert shown.get("note") and shown["mailboxes"]["moe"]["error_at"]
        assert f"{dovecot.host}:{dovecot.port}" in shown["mailboxes"]["moe"]["error"]
        dovecot.start()  # the server is back: the watcher reconnects on its own (backoff)
        unit = "黑龙江省教育厅"
        dovecot.append("INBOX", receipt_message("a@hlj.edu.cn", unit, [("张一", "男", unit, "13900001111")]))
        assert wait_until(lambda: any(m.rcpt_tos == ["a@hlj.edu.cn"] for m in provider_smtpd.messages), 30)
        assert wait_until(lambda: "moe" not in daemon.errors, 10)
    [reply] = [m for m in provider_smtpd.messages if m.rcpt_tos == ["a@hlj.edu.cn"]]
    assert reply.mail_from == reply.login == "yaoy@moe.edu.cn"
