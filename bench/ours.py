"""What is not ours gets no reply and costs little; no message holds its mailbox past its budget.

    python -m bench.ours [--corpus DIR ...] [--budget-s 20] [--json]

corpus: every message file under each DIR (files that start like RFC 5322 headers, any extension),
plus tests/data/corpus and the reproductions (tests/corpus_reproductions.py), through process() in
this process.  Counted by what each was (bounce, auto_reply, unrelated, question, note, or read);
a reply to unrelated mail is any verdict other than ignored.  None of these corpora holds a receipt.

worst: each case in a fresh process, its wall-clock time from bytes to verdict:
* 20 holiday photos with no word of ours (the configured limits): judged unrelated, nothing read;
* a receipt message with 20 scans (max_attachments), each needing OCR, under a reading budget of
  --budget-s seconds: answered with what was read, within the budget.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from intake.pipeline.process import Context, Outcome, process
from intake.readers.limits import Limits
from rules.notice import load_notice
from rules.verdict import Status
from tests.corpus_reproductions import REPRODUCTIONS
from tests.mailbuilder import MessageBuilder

ROOT = Path(__file__).resolve().parent.parent
_HEADER = re.compile(rb"^(?:From |[A-Za-z][A-Za-z0-9-]{0,76}:)")
_MAX_BYTES = 5 * 1024 * 1024


@dataclass
class CorpusFigures:
    tried: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    replies: list[str] = field(default_factory=list)  # files that would have been answered
    worst_s: float = 0.0
    worst_file: str = ""
    total_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "tried": self.tried,
            "kinds": dict(self.kinds),
            "replies": self.replies,
            "worst_s": self.worst_s,
            "worst_file": self.worst_file,
            "mean_ms": 1000 * self.total_s / self.tried if self.tried else 0.0,
        }


def _what(outcome: Outcome) -> str:
    if outcome.disposition is not None:
        return str(outcome.disposition)
    return str(outcome.classification.kind) if outcome.classification else "?"


def messages(directories: list[Path]) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file that looks like a message, sorted; the committed corpus first."""
    found = [(f"reproduction:{r.name}", r.make()) for r in REPRODUCTIONS]
    for directory in [ROOT / "tests" / "data" / "corpus" / "real", *directories]:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            head = path.read_bytes()[:200].lstrip(b"\r\n")
            if path.stat().st_size <= _MAX_BYTES and _HEADER.match(head):
                found.append((str(path), path.read_bytes()))
    return found


def run_corpus(directories: list[Path]) -> CorpusFigures:
    ctx = Context(load_notice(ROOT / "notice-2023.toml"))
    figures = CorpusFigures()
    for name, raw in messages(directories):
        started = time.perf_counter()
        outcome = process(raw, ctx, mailbox="yaoy@moe.edu.cn")
        spent = time.perf_counter() - started
        figures.tried += 1
        figures.total_s += spent
        figures.kinds[_what(outcome)] += 1
        if outcome.verdict.status is not Status.IGNORED:
            figures.replies.append(name)
        if spent > figures.worst_s:
            figures.worst_s, figures.worst_file = spent, name
    return figures


# -- worst cases, each in a fresh process --------------------------------------------------------------


def _photo() -> bytes:
    import pypdfium2  # noqa: PLC0415 - only the scans case renders a page

    document = pypdfium2.PdfDocument((ROOT / "tests" / "data" / "legacy" / "receipt_scan.pdf").read_bytes())
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def build(case: str) -> bytes:
    photo = _photo()
    if case == "photos":
        builder = MessageBuilder(sender="friend@163.com", subject="海南的照片", client="163").text("看看！")
        name = "IMG_{:04d}.jpg"
    else:
        builder = MessageBuilder(sender="a@hlj.edu.cn", subject="黑龙江省报名回执", client="qq").text(
            "回执扫描件请查收"
        )
        name = "回执扫描件{}.jpg"
    for i in range(Limits().max_attachments):
        builder.attach(name.format(i + 1), photo, "image/jpeg")
    return builder.build()


def measure(case: str, path: str, budget: float) -> dict[str, Any]:
    """In this (fresh) process: seconds from bytes to verdict, and what the verdict was."""
    limits = (
        Limits()
        if case == "photos"
        else replace(Limits(), message_budget_s=budget, message_cpu_budget_s=budget)
    )
    ctx = Context(load_notice(ROOT / "notice-2023.toml"), limits=limits)
    raw = Path(path).read_bytes()
    started = time.perf_counter()
    outcome = process(raw, ctx, mailbox="yaoy@moe.edu.cn")
    spent = time.perf_counter() - started
    not_read = sum(1 for p in outcome.verdict.problems if "未能在处理时限内" in p.message)
    return {
        "case": case,
        "seconds": spent,
        "reading_s": outcome.reading_s,
        "budget_s": limits.message_budget_s,
        "status": str(outcome.verdict.status),
        "what": _what(outcome),
        "attachments": len(outcome.message.attachments) if outcome.message else 0,
        "not_read": not_read,
        "participants": len(outcome.verdict.participants),
    }


def run_worst(budget: float, work: Path) -> list[dict[str, Any]]:
    results = []
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for case in ("photos", "scans"):
        path = work / f"worst-{case}.eml"
        path.write_bytes(build(case))
        done = subprocess.run(
            [sys.executable, "-m", "bench.ours", "--measure", case, str(path), "--budget-s", str(budget)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"bench.ours --measure {case} failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def render(corpus: CorpusFigures, worst: list[dict[str, Any]]) -> str:
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(corpus.kinds.items()))
    lines = [
        "#### Not ours, and the worst case per message",
        "",
        "| not ours | figure | target | met |",
        "| --- | --- | --- | --- |",
        f"| messages tried (not ours) | {corpus.tried}: {kinds} | | |",
        f"| replies to unrelated mail | {len(corpus.replies)} | 0 | {'yes' if not corpus.replies else 'no'} |",
        f"| worst time per message, corpus | {corpus.worst_s * 1000:.0f} ms ({Path(corpus.worst_file).name}); "
        f"mean {corpus.to_json()['mean_ms']:.1f} ms | | |",
    ]
    for w in worst:
        if w["case"] == "photos":
            lines.append(
                f"| 20 holiday photos, no word of ours | {w['seconds']:.2f} s, {w['what']}, "
                f"{w['reading_s']:.2f} s reading | well under the {w['budget_s']:.0f} s budget | "
                f"{'yes' if w['what'] == 'unrelated' and w['seconds'] < w['budget_s'] / 10 else 'no'} |"
            )
        else:
            met = w["seconds"] <= w["budget_s"] + 2 and w["status"] != "ignored"
            lines.append(
                f"| receipt with {w['attachments']} scans, budget {w['budget_s']:.0f} s | {w['seconds']:.1f} s "
                f"(reading {w['reading_s']:.1f} s): {w['status']}, {w['participants']} participants read by OCR, "
                f"{w['not_read']} files reported as not read | answered within the budget | {'yes' if met else 'no'} |"
            )
    if corpus.replies:
        lines += ["", "Answered although not ours: " + ", ".join(corpus.replies[:20])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.ours", description=__doc__.splitlines()[0])
    ap.add_argument(
        "--corpus", type=Path, action="append", default=[], help="a directory of messages (repeatable)"
    )
    ap.add_argument(
        "--budget-s", type=float, default=20.0, help="reading budget of the scans case (default 20)"
    )
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--measure", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure[0], args.measure[1], args.budget_s)))
        return 0
    with tempfile.TemporaryDirectory(prefix="intake-bench-ours-") as work:
        corpus = run_corpus(args.corpus)
        worst = run_worst(args.budget_s, Path(work))
    if args.json:
        print(json.dumps({"corpus": corpus.to_json(), "worst": worst}, ensure_ascii=False, indent=1))
    else:
        print(render(corpus, worst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
