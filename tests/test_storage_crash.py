"""A process SIGKILLed in the middle of a database write leaves every file in its old or new state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tinydb import TinyDB

from storage import atomic
from storage.json_storage import AtomicJSONStorage
from storage.records import MessageOutcome, MessageRecord
from storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
BEFORE_RENAME = ("temp_opened", "temp_written", "temp_synced")
AFTER_RENAME = ("replaced", "dir_synced")
# every step with a complete temp file, plus a temp file cut short (only exists before the rename)
CASES = [pytest.param(step, "0", id=step) for step in atomic.STEPS] + [
    pytest.param(step, "1", id=f"{step}-truncated") for step in ("temp_written", "temp_synced")
]

# The child installs a hook that, at the chosen step of a write to the chosen file, optionally
# truncates the temp file (a write cut short) and then SIGKILLs its own process.
CHILD = textwrap.dedent("""
    import os, signal, sys
    from storage import atomic
    from rules.verdict import Status
    from storage.records import MessageOutcome, MessageRecord, StoredVerdict
    from storage.store import Store

    directory, step, target_name, truncate, action = sys.argv[1:6]

    def hook(name, target, tmp):
        if name == step and target.name == target_name:
            if truncate == "1":
                os.truncate(tmp, os.path.getsize(tmp) // 2)
            os.kill(os.getpid(), signal.SIGKILL)

    store = Store(directory)
    atomic.set_step_hook(hook)
    if action == "meta":
        store.meta_set("state", "new")
    else:
        store.record_message(MessageRecord(mailbox="INBOX", uidvalidity=7, uid=2, message_id="<new@x>",
                             sha256="b" * 64, received="2024-05-01T10:00:00", outcome=MessageOutcome.PROCESSED,
                             sender="a@example.cn", verdict=StoredVerdict(status=Status.ACCEPTED)))
    print("not killed")
""")


def run_child(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", CHILD, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def temp_files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob(".*.tmp")]


def prepare(directory: Path) -> None:
    with Store(directory) as store:
        store.meta_set("state", "old")
        store.record_message(
            MessageRecord(
                mailbox="INBOX",
                uidvalidity=7,
                uid=1,
                message_id="<old@x>",
                sha256="a" * 64,
                received="2024-05-01T09:00:00",
                outcome=MessageOutcome.PROCESSED,
                sender="a@example.cn",
                verdict=None,
            )
        )


@pytest.mark.parametrize(("step", "truncate"), CASES)
def test_kill_during_meta_write_leaves_old_or_new_database(tmp_path: Path, step: str, truncate: str) -> None:
    prepare(tmp_path)
    child = run_child(str(tmp_path), step, "intake.json", truncate, "meta")
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "not killed" not in child.stdout
    if step in BEFORE_RENAME:
        assert temp_files(tmp_path), "the crash should have left a temp file behind"
    with Store(tmp_path) as store:  # the dead child's lock went with it
        expected = "old" if step in BEFORE_RENAME else "new"
        assert store.meta_get("state") == expected
        assert store.seen("INBOX", 7, 1)
        store.meta_set("state", "after")
        assert store.meta_get("state") == "after"
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize(("step", "truncate"), CASES)
def test_kill_during_message_write_leaves_old_or_new_log(tmp_path: Path, step: str, truncate: str) -> None:
    prepare(tmp_path)
    child = run_child(str(tmp_path), step, "000001.json", truncate, "message")
    assert child.returncode == -signal.SIGKILL, child.stderr
    with Store(tmp_path) as store:
        assert store.seen("INBOX", 7, 1)
        assert store.seen("INBOX", 7, 2) is (step in AFTER_RENAME)
        assert store.counts("INBOX")["processed"] == (2 if step in AFTER_RENAME else 1)
    assert temp_files(tmp_path) == []


def test_kill_during_first_write_leaves_an_empty_database(tmp_path: Path) -> None:
    child = run_child(str(tmp_path), "temp_synced", "intake.json", "1", "meta")
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert not (tmp_path / "intake.json").exists()
    with Store(tmp_path) as store:
        assert store.meta_get("state") is None


TINYDB_CHILD = textwrap.dedent("""
    import os, signal, sys
    from tinydb import TinyDB
    from storage import atomic
    from storage.json_storage import AtomicJSONStorage

    path, step = sys.argv[1:3]
    db = TinyDB(path, storage=AtomicJSONStorage)
    def hook(name, target, tmp):
        if name == step:
            os.truncate(tmp, os.path.getsize(tmp) // 3) if os.path.exists(tmp) else None
            os.kill(os.getpid(), signal.SIGKILL)
    atomic.set_step_hook(hook)
    db.table("t").truncate()   # shrinking rewrite: stock JSONStorage could leave trailing bytes here
""")


@pytest.mark.parametrize("step", atomic.STEPS)
def test_tinydb_on_atomic_storage_survives_kill_during_shrinking_write(tmp_path: Path, step: str) -> None:
    path = tmp_path / "db.json"
    with TinyDB(str(path), storage=AtomicJSONStorage) as db:
        db.table("t").insert_multiple({"n": i, "text": "报名回执" * 20} for i in range(200))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", TINYDB_CHILD, str(path), step],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    with TinyDB(str(path), storage=AtomicJSONStorage) as db:
        assert len(db.table("t")) == (200 if step in BEFORE_RENAME else 0)
