"""The mailbox edge and the daemon against Cyrus IMAP, a second server implementation.

Cyrus keeps personal folders under "INBOX." and says so in NAMESPACE, refuses a CREATE outside
it, and does not tell a session that its selected folder was deleted and made anew.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from intake.config.settings import load_config
from intake.mailbox.imap import ImapSource
from tests.daemon_env import RunningDaemon, wait_until
from tests.fixtures.cyrus import CyrusServer
from tests.fixtures.smtpd import SmtpServer
from tests.receipts import receipt_message

pytestmark = pytest.mark.cyrus

UNIT = "黑龙江省教育厅"
PEOPLE = [("王喆", "男", UNIT, "13900001111"), ("李堃", "女", "哈尔滨市教育局", "13900002222")]


def source(cyrus: CyrusServer, **kw: object) -> ImapSource:
    options: dict[str, object] = dict(
        host=cyrus.host,
        port=cyrus.port,
        security="none",
        user=cyrus.user,
        password=cyrus.password,
        name="cyrus",
    )
    options.update(kw)
    return ImapSource(**options)  # type: ignore[arg-type]  # keyword options of the test, checked by ImapSource


def test_processed_target_goes_into_the_personal_namespace(cyrus: CyrusServer) -> None:
    cyrus.append("INBOX", receipt_message("a@hlj.edu.cn", UNIT, PEOPLE))
    with source(cyrus, processed_action="move", processed_target="Intake") as src:
        [message] = src.fetch_new(lambda v, u: False)
        src.mark_processed(message.uid)
        assert src.warning == ""
    assert "INBOX.Intake" in cyrus.folders()
    assert cyrus.uids("INBOX.Intake") and not cyrus.uids("INBOX")


def test_a_refused_create_is_reported_and_the_mailbox_is_still_polled(cyrus: CyrusServer) -> None:
    cyrus.append("INBOX", receipt_message("a@hlj.edu.cn", UNIT, PEOPLE))
    with cyrus.session(user="cyrus") as admin:  # the account may hold no folder beyond its INBOX
        # (imapclient's set_quota writes a bytes limit as b'1', which Cyrus refuses: the command itself)
        admin._command_and_check("setquota", '"user.alice"', "(X-NUM-FOLDERS 1)")
    with source(cyrus, processed_action="move", processed_target="Intake") as src:
        assert "INBOX.Intake" in src.warning and "cannot be created" in src.warning
        [message] = src.fetch_new(lambda v, u: False)  # polled all the same
        src.mark_processed(message.uid)  # nothing to move to: left where it is
    assert cyrus.uids("INBOX") == [message.uid]


def test_a_folder_deleted_and_recreated_while_connected_is_noticed(cyrus: CyrusServer) -> None:
    folder = "INBOX.receipts"
    cyrus.append(folder, receipt_message("a@hlj.edu.cn", UNIT, PEOPLE, message_id="<old@x>"))
    seen: set[tuple[int, int]] = set()
    with source(cyrus, folder=folder, idle_interval=1.0) as src:
        old = src.uidvalidity
        for m in src.fetch_new(lambda v, u: (v, u) in seen):
            seen.add((m.uidvalidity, m.uid))

        def recreate() -> None:
            time.sleep(0.5)
            with cyrus.session() as client:
                client.delete_folder(folder)
                client.create_folder(folder)
                client.append(folder, receipt_message("b@hlj.edu.cn", UNIT, PEOPLE, message_id="<new@x>"))

        other = threading.Thread(target=recreate)
        other.start()
        woke = False
        for _ in range(20):  # each wait() is one IDLE cycle (idle_interval), then a UIDVALIDITY check
            if src.wait(1.5):
                woke = src.uidvalidity != old
                if woke:
                    break
        other.join()
        assert woke and src.uidvalidity == cyrus.uidvalidity(folder) != old
        fresh = src.fetch_new(lambda v, u: (v, u) in seen)
        assert [b"<new@x>" in m.raw for m in fresh] == [True]


def test_the_daemon_replies_through_idle_on_cyrus(
    cyrus: CyrusServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        f'''notice = "{Path(__file__).resolve().parent.parent / "notice-2023.toml"}"
[storage]
directory = "state"
[daemon]
poll_interval = 600     # without IDLE nothing would be seen within the test
idle_timeout = 600
delivery_interval = 0.2
[[mailboxes]]
name = "cyrus"
host = "{cyrus.host}"
port = {cyrus.port}
security = "none"
user = "{cyrus.user}"
password_env = "INTAKE_TEST_CYRUS_PASSWORD"
address = "yaoy@moe.edu.cn"
periods = ["zz-student/1"]
processed_action = "move"
processed_target = "Intake"
[outbox]
kind = "smtp"
directory = "outbox"
host = "{smtpd.host}"
port = {smtpd.port}
security = "none"
''',
        encoding="utf-8",
    )
    os.environ["INTAKE_TEST_CYRUS_PASSWORD"] = cyrus.password
    with RunningDaemon(load_config(path).path) as daemon:
        assert wait_until(lambda: daemon.store.last_poll("cyrus") is not None, 20)
        src = daemon.sources["cyrus"]
        assert isinstance(src, ImapSource) and "IDLE" in src.capabilities
        time.sleep(0.5)  # the watcher is in IDLE now
        cyrus.append("INBOX", receipt_message("liang@hlj.edu.cn", UNIT, PEOPLE, message_id="<c1@hlj.edu.cn>"))
        [reply] = smtpd.wait_for(1, timeout=30)
        assert wait_until(lambda: cyrus.uids("INBOX.Intake") != [], 10)
    assert reply.rcpt_tos == ["liang@hlj.edu.cn"]
    assert b"In-Reply-To: <c1@hlj.edu.cn>" in reply.content
    assert "INBOX.Intake" in cyrus.folders() and cyrus.uids("INBOX") == []
