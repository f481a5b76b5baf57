"""The benchmark runs end to end (python -m bench with N=5): real Dovecot, real daemon, aiosmtpd sink.

It only checks that every phase ran and the table came out; it never asserts on times.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.dovecot import _missing_binary, find_binary
from tests.helpers import ROOT

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp, pytest.mark.slow]


def test_benchmark_runs_with_five_receipts_and_appends_its_table(tmp_path: Path) -> None:
    if find_binary("dovecot") is None:
        _missing_binary()
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--n",
            "5",
            "--office",
            "fixtures",
            "--growth",
            "20,40",
            "--growth-count",
            "5",
            "--memory",
            "padded",
            "--worst-budget",
            "3",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n") and text.count("| what | figure | target | met |") == 1
    for row in (
        "burst: throughput",
        "trickle (one every 100 ms)",
        "floor: FETCH",
        "floor: parse",
        "floor: send",
        "pipeline / floor",
        "growth: Service.handle per receipt, 20 / 40 stored",
        "peak RSS: daemon",
        "padded to max_attachment_bytes",
        "replies to unrelated mail | 0 | 0 | yes",
        "20 holiday photos, no word of ours",
        "receipt with 20 scans, budget 3 s",
    ):
        assert row in text, row
    assert text.count("5/5 replies") == 2  # every receipt was answered, in both phases
    assert "Duplicate replies: burst 0, trickle 0." in text
    assert done.stdout.strip().startswith("### ")
