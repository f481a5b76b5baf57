"""The pipeline phases: the real daemon (`python -m intake run`, a subprocess of its own so that its
peak RSS and CPU time are its own) against the real Dovecot and the aiosmtpd sink.

burst:   the daemon is up and in IDLE on every mailbox; all N receipts are APPENDed back to back.
trickle: the same, one receipt every 100 ms.
Latency of a receipt: from Dovecot's OK to its APPEND until its reply's DATA reached the sink.
Throughput: N / (first APPEND sent .. last reply arrived).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.env import Appender, World
from bench.load import Receipt

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class DaemonProcess:
    """`python -m intake run --config CONFIG`, logging to a file; stop() returns its rusage."""

    def __init__(self, config: Path, profile_to: Path | None = None) -> None:
        self.log_path = config.parent / "daemon.log"
        self.log = open(self.log_path, "wb")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "intake", "run", "--config", str(config)],
            cwd=str(ROOT),
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.spy: subprocess.Popen[bytes] | None = None
        if profile_to is not None:
            self.spy = subprocess.Popen(
                [
                    "py-spy",
                    "record",
                    "--pid",
                    str(self.proc.pid),
                    "--threads",
                    "--gil",
                    "--rate",
                    "250",
                    "--format",
                    "raw",
                    "-o",
                    str(profile_to),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                executable=str(Path(sys.executable).parent / "py-spy"),
            )

    def wait_ready(self, names: list[str], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")
            if all(re.search(rf"\b{n} connected\b", text) for n in names):
                time.sleep(1.0)  # first poll done, every watcher now in IDLE
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"the daemon exited ({self.proc.returncode}); see {self.log_path}")
            time.sleep(0.05)
        raise RuntimeError(f"the daemon did not connect within {timeout}s; see {self.log_path}")

    def _kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):  # not poll(): it would reap the child before wait4
            os.kill(self.proc.pid, signal.SIGKILL)

    def stop(self, grace: float = 3.0) -> dict[str, float]:
        """SIGTERM, reap with wait4: peak RSS (MiB) and CPU seconds of the daemon process.

        `intake run` takes about 5 s per IMAP mailbox to stop (run_forever joins each watcher
        with a 5 s timeout while it sits in IDLE), so after `grace` seconds it gets SIGKILL;
        the figures are the same either way.
        """
        self.proc.send_signal(signal.SIGTERM)
        killer = threading.Timer(grace, self._kill)
        killer.start()
        _, status, usage = os.wait4(self.proc.pid, 0)
        killer.cancel()
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.log.close()
        if self.spy is not None:
            self.spy.wait(60)
        return {
            "rss_mb": usage.ru_maxrss / 1024,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "exit": self.proc.returncode,
        }


def run(
    world: World, receipts: list[Receipt], phase: str, interval: float = 0.0, profile_to: Path | None = None
) -> dict:
    """One phase (interval 0: burst); returns its figures."""
    world.create_folders(phase)
    world.handler.reset()
    connections = world.handler.connections  # SMTP sessions the daemon opens at the sink (logins)
    config = world.write_config(phase)
    daemon = DaemonProcess(config, profile_to)
    try:
        daemon.wait_ready([name for name, _ in world.mailboxes.values()])
        appender = Appender(world, phase)
        start = time.monotonic()
        for i, r in enumerate(receipts):
            if interval:
                delay = start + i * interval - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            appender.append(r.mailbox, r.raw, r.message_id, r.received)
        appended = time.monotonic() - start
        appender.close()
        keys = {r.message_id for r in receipts}
        complete = world.handler.wait_all(keys, timeout=120 + 2.0 * len(receipts))
    finally:
        usage = daemon.stop()
    arrivals = world.handler.arrivals
    latencies = [arrivals[k] - appender.appended[k] for k in keys if k in arrivals]
    last = max((arrivals[k] for k in keys if k in arrivals), default=start)
    seconds = last - start
    return {
        "phase": phase,
        "n": len(receipts),
        "replies": len(latencies),
        "complete": complete,
        "duplicates": world.handler.duplicates,
        "seconds": seconds,
        "append_s": appended,
        "throughput": len(latencies) / seconds if seconds > 0 else 0.0,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "max": max(latencies, default=0.0),
        "smtp_sessions": world.handler.connections - connections,
        "replies_raw": [m.content for m in world.handler.messages],
        **usage,
    }
