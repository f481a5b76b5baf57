"""The benchmark, one command:  .venv/bin/python -m bench  [--n 500] [--profile]

Loads N receipts into a real Dovecot, runs the real daemon against it and an aiosmtpd sink (burst,
then trickle), measures the floor (FETCH, parse, send) for the same messages, the growth of the
per-receipt cost with the store's size, and peak RSS; prints a Markdown table and appends it with a
line about the machine to BENCHMARKS.md.  --profile adds a py-spy profile of a second burst.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import floor, load, memory, ours, pipeline, report
from bench.env import World
from bench.profile import summarise

ROOT = Path(__file__).resolve().parent.parent


def growth(
    receipts: list[load.Receipt], reply: bytes, sizes: list[int], count: int, work: Path
) -> list[dict]:
    directory = load.save(receipts, work / "load")
    (directory / "reply.eml").write_bytes(reply)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = []
    for size in sizes:
        result: dict = {}
        for phase in ("prefill", "measure"):
            cmd = [
                sys.executable,
                "-m",
                "bench.growth",
                "--phase",
                phase,
                "--size",
                str(size),
                "--load",
                str(directory),
                "--work",
                str(work / f"growth-{size}"),
                "--count",
                str(min(count, len(receipts))),
            ]
            done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"bench.growth {phase} {size} failed:\n{done.stderr[-4000:]}")
            result.update(json.loads(done.stdout.strip().splitlines()[-1]))
        out.append(result)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="receipts (default 500)")
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument(
        "--office",
        choices=("auto", "libreoffice", "fixtures"),
        default="auto",
        help="how xls/et/docx are made (default: LibreOffice when installed, cached)",
    )
    ap.add_argument("--interval", type=float, default=0.1, help="trickle: seconds between receipts")
    ap.add_argument("--growth", default="100,10000", help="store sizes, comma-separated (default 100,10000)")
    ap.add_argument("--growth-count", type=int, default=50, help="receipts measured per store size")
    ap.add_argument(
        "--memory",
        default="padded,sheet,message",
        help="largest-attachment cases (padded, sheet, message; '' for none)",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="file the table is appended to")
    ap.add_argument("--no-append", action="store_true", help="print only")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="also: a py-spy profile of a second burst (the growth runs have their own: "
        "python -m bench.growth --profile FILE)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the work directory (configs, logs, stores)")
    ap.add_argument(
        "--worst-budget",
        type=float,
        default=20.0,
        help="reading budget (s) of the worst case per message: a receipt with 20 scans (default 20)",
    )
    ap.add_argument(
        "--corpus",
        type=Path,
        action="append",
        default=[],
        help="more not-ours mail to try (a directory; repeatable)",
    )
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="intake-bench-", dir="/tmp"))
    os.chmod(work, 0o755)
    office = (
        args.office if args.office != "auto" else ("libreoffice" if shutil.which("soffice") else "fixtures")
    )
    started = time.monotonic()
    say = lambda text: print(f"[{time.monotonic() - started:6.1f}s] {text}", file=sys.stderr, flush=True)  # noqa: E731
    try:
        say(f"building {args.n} receipts (office files: {office}) in {work}")
        receipts = load.build(args.n, args.seed, office, work)
        world = World(work)
        profile_text = ""
        try:
            say("burst")
            burst = pipeline.run(world, receipts, "burst")
            replies = burst.pop("replies_raw")
            say(f"burst: {burst['throughput']:.1f}/s; trickle, one every {args.interval * 1000:.0f} ms")
            trickle = pipeline.run(world, receipts, "trickle", args.interval)
            trickle.pop("replies_raw")
            say("floor")
            floor_figures = floor.run(world, receipts, replies, "burst")
            if args.profile:
                say("burst again under py-spy")
                raw = work / "burst.pyspy.txt"
                pipeline.run(world, receipts, "profiled", profile_to=raw)
                profile_text = summarise(raw, 30)
        finally:
            world.close()
        sizes = [int(s) for s in args.growth.split(",") if s.strip()]
        say(f"growth: {sizes}")
        grown = growth(receipts, replies[0], sizes, args.growth_count, work)
        cases = [c for c in args.memory.split(",") if c.strip()]
        say(f"memory: {cases}")
        mem = [memory.run(case, str(work)) for case in cases]
        say(f"not ours: corpus and the worst case per message (budget {args.worst_budget:.0f} s)")
        not_ours = ours.render(ours.run_corpus(args.corpus), ours.run_worst(args.worst_budget, work))
        text = report.render(
            args.n,
            args.seed,
            report.describe_load(receipts, office),
            burst,
            trickle,
            floor_figures,
            grown,
            mem,
            args.interval,
        )
        text += "\n" + not_ours
        if profile_text:
            text += (
                "\npy-spy of a second burst (the daemon process, every thread, samples of the thread "
                "holding the GIL):\n\n" + profile_text + "\n"
            )
        print(text)
        if not args.no_append:
            with open(args.out, "a", encoding="utf-8") as f:
                f.write("\n" + text)
            say(f"appended to {args.out}")
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
