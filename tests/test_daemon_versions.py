"""Through the real daemon (Dovecot, aiosmtpd): receipts out of order, and 补报 after an accepted roster.

黑龙江 sends its roster to the wrong mailbox on 6-05 and a newer one to the right mailbox on 6-07.
`intake run` reads the mailboxes one after another, the right one first: the newer receipt is
processed first.  The newer roster must stand everywhere: the store, the replies, the workbook and
the digest.
"""

from __future__ import annotations

import email
import io
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from openpyxl import load_workbook

from intake.cli.daemon_commands import print_status
from intake.config.settings import load_config
from intake.daemon.runner import Daemon
from intake.organizer.desk import Organizer
from mailer.compose.digest import render_text
from mailer.compose.workbook import roster_workbook
from rules.marks import ROSTER_CAPTION
from rules.verdict import Status
from storage.versions import VersionKind
from tests.daemon_env import PASSWORD_ENV, write_config
from tests.fixtures.dovecot import DovecotServer
from tests.fixtures.smtpd import ReceivedMessage, SmtpServer
from tests.helpers import body_text, known_period
from tests.receipts import receipt_message

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp]

CST = timezone(timedelta(hours=8))
KEY = ("zz-student", 1, "黑龙江")
WANG = ("王喆", "男", "黑龙江省教育厅", "13900001111")
LI = ("李堃", "女", "哈尔滨市教育局", "13900002222")
ZHAO = ("赵磊", "男", "齐齐哈尔市教育局", "13900003333")
WRONG = "1433935834@qq.com"  # gz-status/1's mailbox: not where a zz-student receipt goes


def with_wrong_mailbox(config: Path, dovecot: DovecotServer) -> Path:
    """A second mailbox on the same server (folder "Wrong"), polled after the first."""
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'''
[[mailboxes]]
name = "wrong"
kind = "imap"
host = "{dovecot.host}"
port = {dovecot.port}
security = "none"
user = "{dovecot.user}"
password_env = "{PASSWORD_ENV}"
folder = "Wrong"
address = "{WRONG}"
reply_from = "{WRONG}"
periods = ["gz-status/1"]
''',
        encoding="utf-8",
    )
    return config


def parsed(message: ReceivedMessage) -> EmailMessage:
    return email.message_from_bytes(message.content, policy=policy.default)


def sent(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=CST)


def test_an_older_receipt_read_after_a_newer_one_leaves_the_newer_roster_standing_everywhere(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    older, newer = sent("2023-06-05T09:00"), sent("2023-06-07T10:00")
    dovecot.create_folder("Wrong")
    dovecot.append(
        "Wrong",
        receipt_message(
            "hlj@hljedu.cn", "黑龙江省教育厅", [WANG, LI], to=WRONG, message_id="<old@hlj>", date=older
        ),
        msg_time=older,
    )
    dovecot.append(
        "INBOX",
        receipt_message(
            "hlj@hljedu.cn", "黑龙江省教育厅", [WANG, LI, ZHAO], message_id="<new@hlj>", date=newer
        ),
        msg_time=newer,
    )
    config = load_config(with_wrong_mailbox(write_config(tmp_path, dovecot, smtpd), dovecot))
    assert [mb.name for mb in config.mailboxes] == ["zz", "wrong"]
    with Daemon(config) as daemon:
        daemon.run_once()  # the right mailbox first: the newer receipt is processed first
        store = daemon.store
        first, second = store.versions(*KEY)  # in the order sent: the older one first
        assert (first.version, first.superseded_by, first.mailbox) == (2, 1, "wrong")
        assert (second.version, second.superseded_by, second.mailbox) == (1, None, "zz")
        current = store.current_roster(*KEY)
        assert current is not None and [p.name for p in current.verdict.participants] == [
            "王喆",
            "李堃",
            "赵磊",
        ]
        period = known_period("zz-student/1", config.notice)
        data = Organizer(config, store).digest(period, sent("2023-06-10T08:00"))
        status = io.StringIO()
        print_status(daemon.status(), status)
    # the replies: the newer one confirmed, the older one answered as superseded, with the roster that stands
    replies = {r.rcpt_tos[0] + parsed(r)["In-Reply-To"]: parsed(r) for r in smtpd.wait_for(2)}
    confirmed, superseded = replies["hlj@hljedu.cn<new@hlj>"], replies["hlj@hljedu.cn<old@hlj>"]
    assert confirmed["Subject"].startswith("【已确认】")
    assert superseded["Subject"].startswith("【未替换】") and superseded["From"] == WRONG
    text = body_text(superseded)
    assert "（6月5日 09:00 发出，2 人）" in text
    assert "6月7日 10:00 发出的回执（第 1 版）比本回执新，已经登记，本回执没有替换它" in text
    assert "赵磊" in text[text.index(ROSTER_CAPTION) :] and "以本版为准" not in text
    # the workbook and the digest: the newer roster
    people = load_workbook(io.BytesIO(roster_workbook(data)))["全部人员"]
    assert [people.cell(row=r, column=2).value for r in range(2, people.max_row + 1)] == [
        "王喆",
        "李堃",
        "赵磊",
    ]
    digest = render_text(data)
    hlj = next(p for p in data.provinces if p.province == "黑龙江")
    assert (hlj.headcount, hlj.current_version, hlj.last_received) == (3, 1, newer)
    assert "黑龙江 第 2 版（6月5日 09:00，早于第 1 版，未替换，2 人）" in digest
    assert "黑龙江 第 1 版（6月7日 10:00，已确认，3 人）" in digest
    assert "黑龙江(已确认 v2)" in status.getvalue()  # the receipt sent last is the accepted one


def test_a_supplement_after_an_accepted_roster_is_merged_and_one_over_quota_is_refused(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    config = load_config(write_config(tmp_path, dovecot, smtpd))
    with Daemon(config) as daemon:
        dovecot.append(
            "INBOX", receipt_message("hlj@hljedu.cn", "黑龙江省教育厅", [WANG, LI], message_id="<v1@hlj>")
        )
        daemon.run_once()
        supplement = receipt_message(
            "hlj@hljedu.cn",
            "黑龙江省教育厅",
            [ZHAO],
            subject="黑龙江省补报参训人员",
            message_id="<v2@hlj>",
            date=sent("2023-06-13T10:00"),
            leader=False,
        )
        dovecot.append("INBOX", supplement)
        daemon.run_once()
        merged = daemon.store.current_roster(*KEY)
        assert merged is not None and merged.kind is VersionKind.SUPPLEMENT and merged.version == 2
        assert [p.name for p in merged.verdict.participants] == ["王喆", "李堃", "赵磊"]
        assert [r["name"] for r in merged.diff.added] == ["赵磊"] and not merged.diff.removed
        over = receipt_message(
            "hlj@hljedu.cn",
            "黑龙江省教育厅",
            [
                ("孙伟", "男", "黑龙江省教育厅", "13900004444"),
                ("周敏", "女", "黑龙江省教育厅职成处", "13900005555"),
            ],
            subject="增补回执",
            message_id="<v3@hlj>",
            date=sent("2023-06-14T10:00"),
            leader=False,
        )
        dovecot.append("INBOX", over)
        daemon.run_once()
        refused = daemon.store.versions(*KEY)[-1]
        assert refused.status is Status.REJECTED and refused.kind is VersionKind.SUPPLEMENT
        current = daemon.store.current_roster(*KEY)
        assert current is not None and current.version == 2  # the merged roster still stands
    replies = {parsed(r)["In-Reply-To"]: parsed(r) for r in smtpd.wait_for(3)}
    added = body_text(replies["<v2@hlj>"])
    assert replies["<v2@hlj>"]["Subject"] == "【已确认】黑龙江省补报参训人员"
    assert "本次补报 1 人，已加入已登记的名单（原 2 人），现共 3 人" in added
    roster = added[added.index(ROSTER_CAPTION) : added.index("如需以完整名单替换")]
    assert all(name in roster for name in ("王喆", "李堃", "赵磊"))
    assert "请把全部参训人员填在同一张回执表中重新发送" in added
    refusal = body_text(replies["<v3@hlj>"])
    assert replies["<v3@hlj>"]["Subject"] == "【需修改】增补回执"
    assert "（已登记 1 人，本次补报 2 人，合计 3 人），超过省级教育行政部门每单位限额（限 2 人）" in refusal
    assert "本次补报未登记，已登记的 3 人名单不变" in refusal
