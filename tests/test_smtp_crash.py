"""The daemon dies (SIGKILL) at each step of delivering a reply; a fresh process finishes the job.

A child process plays the daemon: it enqueues the reply for an input message
and runs the real deliver_pending against the real aiosmtpd server, killing
itself with SIGKILL at step k.  Then this process opens the outbox afresh,
enqueues the same reply again (the input message was never marked processed,
so the daemon handles it again) and runs deliver_pending.

Messages received by the server, per crash point:

    after_enqueue          stored, not marked sending            exactly 1
    after_mark_sending     'sending' on disk, not connected       exactly 1
    mid_transaction        MAIL/RCPT sent, DATA not sent          exactly 1
    after_data_accepted    server said 250 to DATA, not mark_sent 2 (at most 2: the one duplicate)
    after_mark_sent        everything recorded                    exactly 1

Only a death between "the server accepted DATA" and "mark_sent is on disk"
can duplicate, and the recovery budget (max_uncertain=1) keeps it to one
duplicate even if the daemon dies there again (test_double_crash...).
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mailer.delivery import deliver_pending
from mailer.outbox import FAILED, SENT, Outbox
from mailer.smtp_sender import SmtpSender
from tests.fixtures.smtpd import SmtpServer

pytestmark = pytest.mark.smtp

ROOT = Path(__file__).resolve().parent.parent
RAW = b"Message-ID: <reply-7@intake.example.org>\r\nSubject: receipt\r\n\r\nok\r\n"
KEY = "reply:" + "7" * 64
ENVELOPE = ("intake@example.org", ["a@example.org"])

CHILD = rf"""
import asyncio, os, signal, sys
from mailer.delivery import deliver_pending
from mailer.outbox import Outbox
from mailer.smtp_sender import SmtpSender, SmtpSession

directory, port, step = sys.argv[1], int(sys.argv[2]), sys.argv[3]
RAW, KEY = {RAW!r}, {KEY!r}

def die(at):
    if at == step:
        os.kill(os.getpid(), signal.SIGKILL)

class CrashingOutbox(Outbox):
    def mark_sending(self, item, now=None):
        super().mark_sending(item, now)
        die("after_mark_sending")
        return item

    def mark_sent(self, item, now=None):
        die("after_data_accepted")
        super().mark_sent(item, now)
        die("after_mark_sent")
        return item

real_send = SmtpSession.send

async def crashing_send(self, raw, mail_from, rcpt_to, *, key=None):
    if step == "mid_transaction":
        await self._client.mail(mail_from)
        await self._client.rcpt(rcpt_to[0])
        die("mid_transaction")
    await real_send(self, raw, mail_from, rcpt_to, key=key)

SmtpSession.send = crashing_send
box = CrashingOutbox(directory)
box.enqueue(KEY, RAW, "intake@example.org", ["a@example.org"])
die("after_enqueue")
asyncio.run(deliver_pending(box, SmtpSender("127.0.0.1", port, timeout=5)))
sys.exit(3)  # not reached when the step exists
"""


def die_at(step: str, directory: Path, smtpd: SmtpServer) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(directory), str(smtpd.port), step],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()


def restart(directory: Path, smtpd: SmtpServer) -> Outbox:
    """What the daemon does after a restart: re-handle the input, deliver what is due."""
    box = Outbox(directory)
    box.enqueue(KEY, RAW, *ENVELOPE)
    asyncio.run(deliver_pending(box, SmtpSender(smtpd.host, smtpd.port, timeout=5)))
    return box


@pytest.mark.parametrize(
    "step, expected",
    [
        ("after_enqueue", 1),
        ("after_mark_sending", 1),
        ("mid_transaction", 1),
        ("after_data_accepted", 2),
        ("after_mark_sent", 1),
    ],
)
def test_crash_at_each_step_then_restart(step: str, expected: int, smtpd: SmtpServer, tmp_path: Path) -> None:
    directory = tmp_path / "outbox"
    die_at(step, directory, smtpd)
    box = restart(directory, smtpd)

    assert box.stats() == {"pending": 0, "sending": 0, "sent": 1, "failed": 0, "bounced": 0}
    msgs = smtpd.wait_for(expected)
    # Exactly 1 everywhere, except a death after the server accepted DATA and
    # before mark_sent: at most 2 (one duplicate, with the same bytes / Message-ID).
    assert len(msgs) == expected <= 2
    assert all(m.content == RAW for m in msgs)
    item = box.get(KEY)
    assert item is not None and item.state == SENT
    assert item.uncertain == (
        1 if step in ("after_mark_sending", "mid_transaction", "after_data_accepted") else 0
    )
    # a later round sends nothing more
    asyncio.run(deliver_pending(box, SmtpSender(smtpd.host, smtpd.port, timeout=5)))
    assert len(smtpd.messages) == expected


def test_double_crash_after_data_keeps_duplicates_to_one(smtpd: SmtpServer, tmp_path: Path) -> None:
    directory = tmp_path / "outbox"
    die_at("after_data_accepted", directory, smtpd)
    die_at("after_data_accepted", directory, smtpd)  # recovered, resent, died again
    box = restart(directory, smtpd)

    item = box.get(KEY)
    assert item is not None and item.state == FAILED and item.flagged and item.uncertain == 2
    assert len(smtpd.wait_for(2)) == 2
    asyncio.run(deliver_pending(box, SmtpSender(smtpd.host, smtpd.port, timeout=5)))
    assert len(smtpd.messages) == 2


def test_crash_before_data_twice_is_flagged_for_the_operator(smtpd: SmtpServer, tmp_path: Path) -> None:
    """The price of the bound: two unknown outcomes in a row are not resent, even if nothing arrived."""
    directory = tmp_path / "outbox"
    die_at("after_mark_sending", directory, smtpd)
    die_at("after_mark_sending", directory, smtpd)
    box = restart(directory, smtpd)
    item = box.get(KEY)
    assert item is not None and item.flagged and smtpd.messages == []
