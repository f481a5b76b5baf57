"""A killed `intake check` leaves nothing running: no OCR worker, no LibreOffice.

Real processes, real kills: `python -m intake check` on a message whose photo is read by OCR (or
whose .doc LibreOffice converts) is SIGKILLed while its workers run; every process it had started
must be gone shortly after (intake/readers/lifeline.py).  The worker processes are found by walking
/proc from the killed process, so the test holds whatever the OCR engine inside the worker is.

So that a finished job cannot pass for a killed one, everything below the direct child (soffice.bin,
or anything an OCR engine starts) is frozen with SIGSTOP just before the kill: only the child's
lifeline can end them.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pypdfium2

from tests.daemon_env import wait_until
from tests.data.legacy.needs import require
from tests.helpers import ROOT
from tests.mailbuilder import MessageBuilder

LEGACY = Path(__file__).parent / "data" / "legacy"


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0]


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def descendants(root: int) -> dict[int, str]:
    """Every living process below root, with its command line."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[0], []).append(int(entry.name))
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = _command(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[1] not in ("Z", "X")


def photo_message() -> bytes:
    document = pypdfium2.PdfDocument((LEGACY / "receipt_scan.pdf").read_bytes())
    try:
        image = document[0].render(scale=300 / 72).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    builder = MessageBuilder(sender="a@hlj.edu.cn", subject="黑龙江省报名回执（照片）", client="qq").text(
        "回执照片请查收"
    )
    for i in range(3):
        builder.attach(f"回执照片{i + 1}.jpg", out.getvalue(), "image/jpeg")
    return builder.build()


def kill_mid_work(tmp_path: Path, raw: bytes, working: str, *, deeper: bool = False) -> dict[int, str]:
    """Start `intake check`, SIGKILL it once a process whose command holds `working` runs; what it had started.

    deeper: wait too for that process to start its own (soffice.bin below LibreOffice's launcher); an
    OCR worker starts none, and waiting for one would let it finish its page first."""
    path = tmp_path / "message.eml"
    path.write_bytes(raw)
    proc = subprocess.Popen(
        [sys.executable, "-m", "intake", "check", str(path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started: dict[int, str] = {}

        def working_now() -> bool:
            started.update(descendants(proc.pid))
            return any(working in command for command in started.values())

        assert wait_until(working_now, 60, 0.05), f"no {working} process started"
        if deeper:  # let the worker start what it runs (soffice.bin)
            wait_until(lambda: any(_depth(pid, proc.pid) > 1 for pid in descendants(proc.pid)), 5, 0.05)
        started.update(descendants(proc.pid))
        direct = {pid for pid in started if (stat := _stat(pid)) is not None and stat[0] == proc.pid}
        for pid in set(started) - direct:
            _signal(pid, signal.SIGSTOP)  # frozen: it cannot finish its work and exit by itself
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return started


def _depth(pid: int, root: int) -> int:
    """How many parents up from pid root is (0 when it is not above pid)."""
    depth = 0
    while pid not in (root, 0, 1):
        stat = _stat(pid)
        if stat is None:
            return 0
        pid, depth = stat[0], depth + 1
    return depth if pid == root else 0


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def gone(started: dict[int, str], timeout: float) -> dict[int, str]:
    """Wait for every started process to end; those still alive (killed now, so nothing is left behind)."""
    wait_until(lambda: not any(alive(pid) for pid in started), timeout, 0.1)
    left = {pid: command for pid, command in started.items() if alive(pid)}
    for pid in left:
        _signal(pid, signal.SIGKILL)
    return left


def test_a_killed_intake_check_leaves_no_ocr_worker(tmp_path: Path) -> None:
    require("ocr")
    started = kill_mid_work(tmp_path, photo_message(), "intake.readers.sandbox")
    assert any("intake.readers.sandbox" in c for c in started.values())
    assert gone(started, 10) == {}


def test_a_killed_intake_check_leaves_no_libreoffice(tmp_path: Path) -> None:
    require("libreoffice")
    raw = (
        MessageBuilder(sender="a@hlj.edu.cn", subject="黑龙江省报名回执", client="163")
        .text("附件是回执")
        .attach("黑龙江省报名回执.doc", (LEGACY / "receipt.doc").read_bytes())
        .build()
    )
    started = kill_mid_work(tmp_path, raw, "soffice", deeper=True)
    assert any("soffice" in c for c in started.values())
    assert gone(started, 10) == {}
