"""`intake status` names each failed reply (recipient, subject, time, error) and `intake requeue` puts
them back; duplicates are counted apart from ignored mail."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.cli.main import main
from intake.config.settings import load_config
from mailer.outbox import FAILED, PENDING, Outbox
from tests.helpers import ROOT

SUBJECT = "=?utf-8?b?5Zue5omn77ya5rKz5Y2X?="  # 回执：河南


def write(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'''notice = "{ROOT / "notice-2023.toml"}"
[storage]
directory = "state"
[[mailboxes]]
name = "local"
kind = "maildir"
path = "maildir"
address = "yaoy@moe.edu.cn"
periods = ["zz-student/1"]
[outbox]
directory = "outbox"
deliver_to = "sent"
''',
        encoding="utf-8",
    )
    return path


def failed_reply(box: Outbox, n: int) -> str:
    key = f"reply:{n:064d}"
    raw = f"From: yaoy@moe.edu.cn\r\nTo: a{n}@example.cn\r\nSubject: {SUBJECT}\r\n\r\nok\r\n".encode()
    item = box.enqueue(key, raw, "yaoy@moe.edu.cn", [f"a{n}@example.cn"])
    box.mark_sending(item)
    box.mark_failed(item, "550 5.1.1 mailbox unavailable")
    return key


def test_status_names_failed_replies_and_requeue_puts_them_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path)
    box = Outbox(load_config(path).outbox.directory)
    first, second, third = (failed_reply(box, n) for n in (1, 2, 3))

    assert main(["status", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "FAILED reply to a1@example.cn 「回执：河南」" in out and "550 5.1.1 mailbox unavailable" in out
    assert f"intake requeue {first}" in out and "duplicates=0" in out

    assert main(["requeue", first, "--config", str(path)]) == 0
    assert "requeued" in capsys.readouterr().out
    item = box.get(first)
    assert item is not None and (item.state, item.attempts) == (PENDING, 0)
    assert main(["requeue", first, "--config", str(path)]) == 1  # pending now, not failed
    assert "not failed" in capsys.readouterr().err
    assert main(["requeue", "--config", str(path)]) == 2  # neither a key nor --all-failed

    assert main(["requeue", "--all-failed", "--config", str(path)]) == 0
    assert "2 replies queued again" in capsys.readouterr().out
    assert box.stats()[FAILED] == 0 and box.stats()[PENDING] == 3
    assert {second, third} <= {i.key for i in box.items(PENDING)}

    # the daemon then sends them (the file sender here)
    assert main(["run", "--once", "--config", str(path)]) == 0
    assert len(list((tmp_path / "sent").iterdir())) == 3


def test_an_unwritable_storage_directory_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path)
    (tmp_path / "state").write_text("a file where the storage directory should be", encoding="utf-8")
    assert main(["run", "--once", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("intake: configuration error: storage.directory: cannot write ")
    assert err.count("\n") == 1 and "Traceback" not in err
