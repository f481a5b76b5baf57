"""The bench's world: one real Dovecot, one aiosmtpd sink that timestamps what arrives, configs.

The Dovecot is tests.fixtures.dovecot.DovecotServer (plain IMAP on loopback, user alice).  Every
period mailbox of the notice is one IMAP folder of that user, and one [[mailboxes]] entry (one
watcher thread) in the daemon's config, as in production.  Each phase gets its own folders.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import imapclient
from aiosmtpd.smtp import Envelope, Session

from rules.notice import load_notice
from tests.fixtures.dovecot import DovecotServer, find_binary
from tests.fixtures.smtpd import RecordingHandler, SmtpServer

ROOT = Path(__file__).resolve().parent.parent
PASSWORD_ENV = "INTAKE_BENCH_IMAP_PASSWORD"
_IN_REPLY_TO = re.compile(rb"^In-Reply-To:[ \t]*(<[^>\r\n]+>)", re.M | re.I)


@dataclass
class TimedHandler(RecordingHandler):
    """Records every accepted reply with the monotonic time it arrived and its In-Reply-To."""

    arrivals: dict[str, float] = field(default_factory=dict)
    duplicates: int = 0

    def _record(self, session: Session, envelope: Envelope) -> None:
        now = time.monotonic()
        m = _IN_REPLY_TO.search((envelope.original_content or b"")[:20000])
        key = m.group(1).decode("ascii", "replace") if m else f"?{len(self.arrivals)}"
        with self._cond:
            if key in self.arrivals:
                self.duplicates += 1
            else:
                self.arrivals[key] = now
        super()._record(session, envelope)

    def reset(self) -> None:
        with self._cond:
            self.arrivals.clear()
            self.messages.clear()
            self.duplicates = 0

    def wait_all(self, keys: set[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not keys <= self.arrivals.keys():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 1.0))
        return True


def mailboxes() -> dict[str, tuple[str, list[str]]]:
    """address -> (short name, period keys) for every period mailbox of the notice."""
    notice = load_notice(ROOT / "notice-2023.toml")
    out: dict[str, tuple[str, list[str]]] = {}
    for program in notice.programs:
        for period in program.periods:
            name, keys = out.setdefault(period.mailbox, (f"mb{len(out) + 1}", []))
            keys.append(period.key)
    return out


class World:
    def __init__(self, work: Path) -> None:
        binary = find_binary("dovecot")
        if binary is None:
            raise SystemExit("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
        self.work = work
        self.dovecot = DovecotServer(binary)
        self.dovecot.start()
        self.handler = TimedHandler()
        self.sink = SmtpServer(self.handler)
        self.sink.start()
        self.mailboxes = mailboxes()
        os.environ[PASSWORD_ENV] = self.dovecot.password

    def close(self) -> None:
        self.sink.stop()
        self.dovecot.stop()
        shutil.rmtree(self.dovecot.root, ignore_errors=True)

    def folder(self, phase: str, address: str) -> str:
        return f"{phase}-{self.mailboxes[address][0]}"

    def client(self) -> imapclient.IMAPClient:
        c = imapclient.IMAPClient(self.dovecot.host, self.dovecot.port, ssl=False, timeout=60)
        c.login(self.dovecot.user, self.dovecot.password)
        return c

    def create_folders(self, phase: str) -> None:
        with self.client() as c:
            for address in self.mailboxes:
                c.create_folder(self.folder(phase, address))

    def write_config(self, phase: str, *, extra_daemon: str = "") -> Path:
        return write_config(
            self.work / phase,
            self.mailboxes,
            lambda a: self.folder(phase, a),
            imap=(self.dovecot.host, self.dovecot.port, self.dovecot.user),
            smtp=(self.sink.host, self.sink.port),
            extra_daemon=extra_daemon,
        )


def write_config(
    directory: Path,
    boxes: dict[str, tuple[str, list[str]]],
    folder_of: Callable[[str], str],
    *,
    imap: tuple[str, int, str],
    smtp: tuple[str, int],
    extra_daemon: str = "",
) -> Path:
    """A daemon config in directory: one IMAP [[mailboxes]] per period mailbox, replies over SMTP."""
    directory.mkdir(parents=True, exist_ok=True)
    blocks = []
    for address, (name, keys) in boxes.items():
        periods = ", ".join(f'"{k}"' for k in keys)
        blocks.append(f'''[[mailboxes]]
name = "{name}"
kind = "imap"
host = "{imap[0]}"
port = {imap[1]}
security = "none"
user = "{imap[2]}"
password_env = "{PASSWORD_ENV}"
folder = "{folder_of(address)}"
address = "{address}"
reply_from = "{address}"
periods = [{periods}]
''')
    path = directory / "config.toml"
    path.write_text(
        f'''notice = "{ROOT / "notice-2023.toml"}"
[storage]
directory = "{directory / "state"}"
[daemon]
replies_per_sender_per_day = 1000000
{extra_daemon}
[digest]
enabled = false
[reminders]
enabled = false
{"".join(blocks)}
[outbox]
kind = "smtp"
directory = "{directory / "outbox"}"
host = "{smtp[0]}"
port = {smtp[1]}
security = "none"
''',
        encoding="utf-8",
    )
    return path


class Appender:
    """APPENDs over one IMAP connection, noting when each message was in the mailbox."""

    def __init__(self, world: World, phase: str) -> None:
        self.world = world
        self.phase = phase
        self.client = world.client()
        self.appended: dict[str, float] = {}
        self.lock = threading.Lock()

    def append(self, address: str, raw: bytes, message_id: str, when: datetime | None) -> None:
        self.client.append(self.world.folder(self.phase, address), raw, (), when)
        self.appended[message_id] = time.monotonic()

    def close(self) -> None:
        try:
            self.client.logout()
        except Exception:
            pass
