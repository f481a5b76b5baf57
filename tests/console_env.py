"""A console over a real store: receipts handled by the daemon's Service (the real pipeline), the
archive and the outbox on disk, accounts in a users file; Flask's test client, or the real daemon.

    world = ConsoleWorld(tmp_path)           # config, store, archive, outbox, service, desk
    world.receive(raw, received=...)         # a message through Service.handle, as a watcher would
    client = world.client(); world.login(client, "wang")
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from intake.config.settings import Config, MailboxConfig, load_config
from intake.console.app import create_app
from intake.console.desk import Desk
from intake.console.passwords import hash_password
from intake.daemon.service import Handled, Service
from intake.daemon.threads import message_id_of
from intake.mailbox.source import FetchedMessage
from mailer.outbox import Outbox
from storage.archive import Archive
from storage.store import Store
from storage.users import Role, UserBook
from tests.helpers import CST, ROOT
from tests.mailbuilder import MessageBuilder
from tests.receipts import receipt_message

PASSWORD = "correct horse battery staple"  # every test account's password (not on the common list)
MAILBOX = "yaoy@moe.edu.cn"  # zz-student's mailbox (periods 1-3)
WHEN = datetime(2023, 6, 1, 10, 0, tzinfo=CST)  # before zz-student/1's deadline (2023-06-09 17:00)
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')

BEIJING = [
    ("王一", "男", "北京市教育委员会", "13900001111"),
    ("李二", "女", "北京市教育委员会", "13900001112"),
]
HENAN_OVER = [  # two from one school: over the school quota (1)
    ("赵三", "男", "河南省教育厅", "13900002221"),
    ("钱四", "女", "洛阳职业技术学院", "13900002222"),
    ("孙五", "男", "洛阳职业技术学院", "13900002223"),
]


def write_config(tmp: Path, *, outbox: str = "", console: str = "port = 0") -> Path:
    """A config: one maildir mailbox for zz-student (its address), replies as files or by SMTP."""
    (tmp / "maildir" / "new").mkdir(parents=True, exist_ok=True)
    for sub in ("cur", "tmp"):
        (tmp / "maildir" / sub).mkdir(exist_ok=True)
    path = tmp / "config.toml"
    path.write_text(
        f'''
notice = "{ROOT / "notice-2023.toml"}"
[storage]
directory = "{tmp / "state"}"
[daemon]
delivery_interval = 0.2
retry_base = 0.2
retry_cap = 0.2
replies_per_sender_per_day = 100
[[mailboxes]]
name = "zz"
kind = "maildir"
path = "{tmp / "maildir"}"
address = "{MAILBOX}"
reply_from = "{MAILBOX}"
periods = ["zz-student/1", "zz-student/2", "zz-student/3"]
[outbox]
{outbox or f'kind = "file"{chr(10)}directory = "{tmp / "outbox"}"{chr(10)}deliver_to = "{tmp / "sent"}"'}
[console]
{console}
''',
        encoding="utf-8",
    )
    return path


def add_user(
    config: Config, name: str, role: Role, periods: tuple[str, ...] = (), *, must_change: bool = False
) -> None:
    book = UserBook(config.console.users_file)
    book.add(name, role, periods, hash_password(PASSWORD))
    if not must_change:
        book.set_password(name, hash_password(PASSWORD), must_change=False)


def csrf_of(html: bytes) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return (found.group(1) or found.group(2)).decode()


@dataclass
class ConsoleWorld:
    tmp: Path
    outbox_section: str = ""

    def __post_init__(self) -> None:
        self.bj = self.ha = self.q = ""  # the shas of the messages a test received, by its own names
        self.config = load_config(write_config(self.tmp, outbox=self.outbox_section))
        self.store = Store(self.config.storage_dir)
        self.archive = Archive(Path(self.config.storage_dir) / "archive")
        self.outbox = Outbox(self.config.outbox.directory)
        self.service = Service(self.config, self.store, self.archive, self.outbox)
        self.desk = Desk.open(
            self.config, self.store, self.archive, Outbox(self.config.outbox.directory), self.service
        )
        self.app: Flask = create_app(self.desk, testing=True)
        self._uid = 0

    def close(self) -> None:
        self.desk.close()
        self.store.close()

    @property
    def mailbox(self) -> MailboxConfig:
        return self.config.mailboxes[0]

    def receive(self, raw: bytes, received: datetime = WHEN) -> tuple[str, Handled]:
        """One message through the daemon's Service, as a watcher hands it over; (its sha, what happened)."""
        self._uid += 1
        fetched = FetchedMessage("zz", "INBOX", self._uid, 7, received, raw, ())
        handled = self.service.handle(fetched, self.mailbox, now=received)
        return self.archive.put(raw), handled

    def reply_id(self, sha: str) -> str:
        item = self.outbox.get(f"reply:{sha}")
        assert item is not None
        return message_id_of(item.raw)

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def login(self, client: FlaskClient, name: str, password: str = PASSWORD) -> TestResponse:
        page = client.get("/login")
        return client.post(
            "/login", data={"name": name, "password": password, "csrf_token": csrf_of(page.data)}
        )

    def token(self, client: FlaskClient, path: str = "/") -> str:
        return csrf_of(client.get(path).data)


def beijing(sender: str = "bj@example.cn") -> bytes:
    return receipt_message(
        sender, "北京市教育委员会", BEIJING, meeting="中职学生管理系统培训第一期", subject="北京报名回执"
    )


def henan_over(sender: str = "ha@example.cn") -> bytes:
    return receipt_message(
        sender, "河南省教育厅", HENAN_OVER, meeting="中职学生管理系统培训第一期", subject="河南报名回执"
    )


def question(sender: str, in_reply_to: str, text: str = "请问能否多报一人？谢谢。") -> bytes:
    return (
        MessageBuilder(
            sender=sender,
            sender_name="联系人",
            to=MAILBOX,
            client="qq",
            subject="回复：【已确认】北京报名回执",
        )
        .header("In-Reply-To", f"<{in_reply_to}>")
        .header("References", f"<{in_reply_to}>")
        .text(text)
        .build()
    )
