"""The daemon's delivery loop keeps each account's SMTP session open between rounds; nothing else does.

Receipts arrive in a local maildir (polled every 0.1 s) and the replies go through a QQ-like
submission server (tests.fixtures.provider_smtpd: TLS from a private CA, AUTH required, MAIL FROM =
the login) whose handler counts client connections, AUTHs and QUITs.  The account keeps the
default login_interval (2 s) unless a test says otherwise.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from intake.cli.main import main
from intake.config.settings import load_config
from mailer.outbox import Outbox
from tests.daemon_env import RunningDaemon, wait_until
from tests.fixtures.provider_smtpd import ProviderSmtpServer
from tests.helpers import ROOT
from tests.receipts import receipt_message

pytestmark = pytest.mark.smtp

ADDRESS = "yaoy@moe.edu.cn"
PASSWORD_ENV = "INTAKE_TEST_SMTP_KEEP"
UNIT = "黑龙江省教育厅"


def write_config(
    tmp: Path,
    smtp: ProviderSmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    *,
    outbox: str = "",
    daemon: str = "",
) -> Path:
    """A maildir mailbox; replies From its address through the provider, logged in as that address."""
    monkeypatch.setenv(PASSWORD_ENV, "moe-code")
    smtp.handler.credentials = {ADDRESS: "moe-code"}
    shutil.copy(smtp.cafile, tmp / "provider-ca.pem")
    for sub in ("new", "cur", "tmp"):
        (tmp / "maildir" / sub).mkdir(parents=True, exist_ok=True)
    path = tmp / "config.toml"
    path.write_text(
        f'''notice = "{ROOT / "notice-2023.toml"}"
[storage]
directory = "state"
[daemon]
poll_interval = 0.1
replies_per_sender_per_day = 100
{daemon}
[[mailboxes]]
name = "moe"
kind = "maildir"
path = "maildir"
address = "{ADDRESS}"
periods = ["zz-student/1", "zz-student/2", "zz-student/3"]
[outbox]
kind = "smtp"
directory = "outbox"
host = "{smtp.host}"
port = {smtp.port}
user = "{ADDRESS}"
password_env = "{PASSWORD_ENV}"
tls_ca_file = "provider-ca.pem"
{outbox}
[organizers]
"zz-student/1" = ["org1@example.cn"]
[digest]
enabled = false
[reminders]
enabled = false
''',
        encoding="utf-8",
    )
    return path


def drop_receipt(tmp: Path, n: int) -> str:
    """A receipt from its own sender into maildir/new; returns the sender (the reply's recipient)."""
    sender = f"sender{n}@hlj.edu.cn"
    raw = receipt_message(
        sender, UNIT, [("张一", "男", UNIT, "13900001111")], message_id=f"<keep{n}@hlj.edu.cn>"
    )
    (tmp / "maildir" / "tmp" / f"{n}.eml").write_bytes(raw)
    (tmp / "maildir" / "tmp" / f"{n}.eml").rename(tmp / "maildir" / "new" / f"{n}.eml")
    return sender


def replied(smtp: ProviderSmtpServer, senders: list[str]) -> bool:
    return {m.rcpt_tos[0] for m in smtp.messages} >= set(senders)


def test_a_trickle_through_the_daemon_uses_one_login_and_the_stop_says_quit(
    provider_smtpd: ProviderSmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = provider_smtpd
    config = write_config(tmp_path, smtp, monkeypatch)
    senders: list[str] = []
    with RunningDaemon(config):
        for n in range(4):  # each reply in a round of its own: the next receipt waits for it
            senders.append(drop_receipt(tmp_path, n))
            assert wait_until(lambda: replied(smtp, senders), 20), f"no reply to receipt {n}"
        assert smtp.handler.auth_attempts == [(ADDRESS, True)] and smtp.handler.connections == 1
        assert smtp.handler.open_connections == 1 and smtp.handler.quits == 0
    assert wait_until(lambda: smtp.handler.open_connections == 0, 60)
    assert smtp.handler.quits == 1  # the daemon's stop said QUIT
    assert all(m.login == m.mail_from == ADDRESS for m in smtp.messages) and len(smtp.messages) == 4


def test_a_burst_through_the_daemon_uses_one_login(
    provider_smtpd: ProviderSmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = provider_smtpd
    config = write_config(tmp_path, smtp, monkeypatch)
    with RunningDaemon(config):
        senders = [drop_receipt(tmp_path, n) for n in range(8)]
        assert wait_until(lambda: replied(smtp, senders), 60)
        assert smtp.handler.auth_attempts == [(ADDRESS, True)] and smtp.handler.connections == 1
    assert len(smtp.messages) == 8


def test_the_daemon_quits_an_idle_session_without_waiting_for_a_round_then_logs_in_again(
    provider_smtpd: ProviderSmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = provider_smtpd
    # no reply for a minute would wake the delivery loop: the kept session's expiry does
    config = write_config(
        tmp_path,
        smtp,
        monkeypatch,
        outbox="keep_session_s = 0.5\nlogin_interval = 0",
        daemon="delivery_interval = 60",
    )
    with RunningDaemon(config):
        first = [drop_receipt(tmp_path, 1)]
        assert wait_until(lambda: replied(smtp, first), 20)
        assert wait_until(lambda: smtp.handler.quits == 1, 10)  # idle 0.5 s: QUIT
        assert wait_until(lambda: smtp.handler.open_connections == 0, 60)
        second = [drop_receipt(tmp_path, 2)]
        assert wait_until(lambda: replied(smtp, second), 20)
        assert smtp.handler.auth_attempts == [(ADDRESS, True), (ADDRESS, True)]


def test_the_daemon_replaces_a_session_the_server_dropped_without_a_retry(
    provider_smtpd: ProviderSmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = provider_smtpd
    smtp.stop()
    smtp.idle_timeout = 0.5  # the server drops a connection idle that long, as providers do sooner or later
    smtp.start()
    path = write_config(tmp_path, smtp, monkeypatch, daemon="retry_base = 600")
    with RunningDaemon(path) as daemon:
        first = [drop_receipt(tmp_path, 1)]
        assert wait_until(lambda: replied(smtp, first), 20)
        assert wait_until(lambda: smtp.handler.idle_closed == 1, 10)
        second = [drop_receipt(tmp_path, 2)]
        assert wait_until(lambda: replied(smtp, second), 20)  # not after retry_base (600 s)
        account = daemon.accounts.accounts[0]
        assert account.failures == 0 and account.last_error == ""
    items = Outbox(load_config(path).outbox.directory).items()
    assert len(items) == 2 and all(i.state == "sent" and i.attempts == 1 and not i.last_error for i in items)
    assert len(smtp.handler.auth_attempts) == 2 and smtp.handler.data_commands == 2


def test_run_once_and_the_cli_leave_no_session_open(
    provider_smtpd: ProviderSmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = provider_smtpd
    path = write_config(tmp_path, smtp, monkeypatch)
    sender = drop_receipt(tmp_path, 1)
    assert main(["run", "--once", "--config", str(path)]) == 0
    assert replied(smtp, [sender])
    assert wait_until(lambda: smtp.handler.open_connections == 0, 60) and smtp.handler.quits == 1
    command = [
        "digest",
        "--config",
        str(path),
        "--period",
        "zz-student/1",
        "--send",
        "--now",
        "2023-05-20T08:00",
    ]
    assert main(command) == 0
    assert [m.rcpt_tos for m in smtp.messages][-1] == ["org1@example.cn"]
    assert wait_until(lambda: smtp.handler.open_connections == 0, 60)
    assert smtp.handler.quits == smtp.handler.connections == 2
