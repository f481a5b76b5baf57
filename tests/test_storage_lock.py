"""One writer at a time: a second Store on the same directory raises StoreLocked naming the holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from storage.errors import StoreLocked
from storage.lock import FileLock
from storage.store import Store

ROOT = Path(__file__).resolve().parents[1]

HOLDER = textwrap.dedent("""
    import sys
    from storage.store import Store
    store = Store(sys.argv[1])
    print("locked", flush=True)
    sys.stdin.readline()
    store.close()
""")


def test_second_store_in_the_same_process_is_refused(tmp_path: Path) -> None:
    with Store(tmp_path):
        with pytest.raises(StoreLocked) as info:
            Store(tmp_path)
    assert info.value.pid == os.getpid()
    assert str(os.getpid()) in str(info.value)
    with Store(tmp_path) as again:  # released on close
        again.meta_set("k", 1)


def test_store_held_by_another_process_is_refused_until_it_dies(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        env=env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(StoreLocked) as info:
            Store(tmp_path)
        assert info.value.pid == child.pid
        assert f"pid {child.pid}" in str(info.value)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()
    with Store(tmp_path) as store:  # the kernel dropped the dead holder's lock
        store.meta_set("k", 1)


def test_lock_file_holds_our_pid_while_held_and_nothing_after(tmp_path: Path) -> None:
    lock = FileLock(tmp_path / "x.lock")
    with lock:
        assert lock.held
        assert (tmp_path / "x.lock").read_text().strip() == str(os.getpid())
        with pytest.raises(StoreLocked):
            FileLock(tmp_path / "x.lock").acquire()
    assert not lock.held
    assert (tmp_path / "x.lock").read_text() == ""


def test_failed_open_does_not_keep_the_lock(tmp_path: Path) -> None:
    (tmp_path / "intake.json").write_text("not json")
    with pytest.raises(Exception, match="intake.json"):
        Store(tmp_path)
    (tmp_path / "intake.json").unlink()
    Store(tmp_path).close()


def test_acquire_waiting_gets_the_lock_once_the_holder_lets_go(tmp_path: Path) -> None:
    holder = FileLock(tmp_path / "f.lock").acquire()
    releaser = threading.Timer(0.3, holder.release)
    releaser.start()
    try:
        waiter = FileLock(tmp_path / "f.lock").acquire_waiting(10)
    finally:
        releaser.join()
    assert waiter.held
    waiter.release()


def test_acquire_waiting_gives_up_with_the_holders_pid(tmp_path: Path) -> None:
    with FileLock(tmp_path / "f.lock"):
        with pytest.raises(StoreLocked) as caught:
            FileLock(tmp_path / "f.lock").acquire_waiting(0.2)
    assert caught.value.pid == os.getpid()
