"""A daemon wired to a real Dovecot and a real aiosmtpd, for end-to-end tests."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from intake.config.settings import load_config
from intake.daemon.runner import Daemon
from tests.fixtures.dovecot import DovecotServer
from tests.fixtures.smtpd import SmtpServer
from tests.helpers import ROOT

PASSWORD_ENV = "INTAKE_TEST_IMAP_PASSWORD"


def write_config(
    tmp: Path,
    dovecot: DovecotServer,
    smtpd: SmtpServer,
    *,
    extra_daemon: str = "",
    address: str = "yaoy@moe.edu.cn",
    periods: str = '"zz-student/1", "zz-student/2", "zz-student/3"',
    poll_interval: float = 1,
    idle_timeout: float = 30,
) -> Path:
    os.environ[PASSWORD_ENV] = dovecot.password
    path = tmp / "config.toml"
    path.write_text(
        f'''
notice = "{ROOT / "notice-2023.toml"}"
[storage]
directory = "{tmp / "state"}"
[daemon]
poll_interval = {poll_interval}
idle_timeout = {idle_timeout}
retry_base = 0.2
retry_factor = 1.0
retry_cap = 0.2
delivery_interval = 0.2
replies_per_sender_per_day = 100
{extra_daemon}
[[mailboxes]]
name = "zz"
kind = "imap"
host = "{dovecot.host}"
port = {dovecot.port}
security = "none"
user = "{dovecot.user}"
password_env = "{PASSWORD_ENV}"
folder = "INBOX"
address = "{address}"
reply_from = "{address}"
periods = [{periods}]
[outbox]
kind = "smtp"
directory = "{tmp / "outbox"}"
host = "{smtpd.host}"
port = {smtpd.port}
security = "none"
''',
        encoding="utf-8",
    )
    return path


class RunningDaemon:
    """Daemon.run_forever in a thread; stop() ends it and closes the store."""

    def __init__(self, config_path: Path) -> None:
        self.daemon = Daemon(load_config(config_path))
        self.thread = threading.Thread(target=self.daemon.run_forever, daemon=True)

    def __enter__(self) -> Daemon:
        self.thread.start()
        return self.daemon

    def __exit__(self, *exc: object) -> None:
        self.daemon.stop.set()
        self.daemon.wake.set()
        for source in list(self.daemon.sources.values()):
            try:
                source.close()
            except Exception:
                pass
        self.thread.join(timeout=15)
        self.daemon.close()


def wait_until(predicate: Callable[[], object], timeout: float, step: float = 0.05) -> bool:
    """Poll predicate until it is true or timeout seconds pass; a condition, not a timing assertion."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
