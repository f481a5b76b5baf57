"""SIGKILL the daemon at several points of a batch; every receipt ends stored and answered once."""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email import policy
from pathlib import Path

import pytest

from intake.config.settings import load_config
from mailer.outbox import Outbox
from storage.store import Store
from tests.daemon_env import PASSWORD_ENV, write_config
from tests.fixtures.dovecot import DovecotServer
from tests.fixtures.smtpd import SmtpServer
from tests.helpers import ROOT
from tests.receipts import receipt_message

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp, pytest.mark.slow]

N = 50
KILL_AFTER = [0.8, 1.1, 1.4, 1.7, 2.0, 2.4]  # seconds after start, one SIGKILL per run


def start_daemon(config: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "intake", "run", "--config", str(config)],
        cwd=str(ROOT),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sigkill_during_a_batch_of_50_then_restart_answers_every_receipt_once(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path
) -> None:
    config_path = write_config(tmp_path, dovecot, smtpd)
    for i in range(N):
        people = [
            (f"学员{i}甲", "男", "黑龙江省教育厅", f"139{i:04d}0001"),
            (f"学员{i}乙", "女", "哈尔滨市教育局", f"139{i:04d}0002"),
        ]
        dovecot.append(
            "INBOX",
            receipt_message(
                f"s{i}@hlj.edu.cn", "黑龙江省教育厅", people, message_id=f"<batch-{i}@hlj.edu.cn>"
            ),
        )
    assert os.environ[PASSWORD_ENV]
    kills = 0
    for delay in KILL_AFTER:
        proc = start_daemon(config_path)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(10)
    proc = start_daemon(config_path)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len({m.content for m in smtpd.messages}) < N:
            time.sleep(0.2)
        time.sleep(1.0)  # let anything in flight land
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    assert kills >= 3

    replies = [email.message_from_bytes(m.content, policy=policy.default) for m in smtpd.messages]
    per_message = Counter(r["In-Reply-To"] for r in replies)
    assert set(per_message) == {f"<batch-{i}@hlj.edu.cn>" for i in range(N)}

    config = load_config(config_path)
    outbox = Outbox(config.outbox.directory)
    items = {item.key: item for item in outbox.items()}
    assert len(items) == N and all(item.state == "sent" for item in items.values())
    by_reply_id = {r["In-Reply-To"]: r["Message-ID"] for r in replies}
    for original, count in per_message.items():
        # Exactly once, except where a kill fell between the server accepting DATA and the
        # outbox recording it (an "uncertain" attempt): then at most one duplicate, same Message-ID.
        if count > 1:
            uncertain = [i for i in items.values() if i.uncertain]
            assert count == 2 and uncertain, (original, count)
        assert by_reply_id[original].startswith("<reply-")
    with Store(config.storage_dir) as store:
        assert store.counts("zz").get("processed") == N
        assert len(store.versions("zz-student", 1, "黑龙江")) == N
