"""The OCR benchmark: each recogniser on the scan set, cells exact, silent errors, time and memory a page.

    .venv/bin/python -m bench.ocr [--set DIR] [--recognisers rapidocr,tesseract] [--no-append]

The scan set (tests/data/scans/make_scans.py: a seal scan, a phone photo, a fax, a desk photo, a
two-page scan, handwriting, a sideways landscape form) is made into DIR (a temporary directory
unless given).  Each file is read by each recogniser in a fresh Python process, as the sandbox's
worker reads it (pages rendered at 300 dpi, prepared, recognised, the table built, pages joined), so
that its peak memory (ru_maxrss, Tesseract's own processes included) and its time are its own.  The
grids are then extracted and judged against notice-2023.toml as the pipeline does, and scored
(tests/data/scans/score.py): cells exact, wrong cells flagged by a warning, silent errors.

Recognisers: rapidocr (PP-OCRv6 through RapidOCR and ONNX Runtime, the service's) and tesseract
(Tesseract 5 chi_sim, the cell-by-cell reader the service had before; the command-line program must
be installed, and the legacy reader's code is taken from git at LEGACY_COMMIT when it is no longer in
the working tree).  Prints a Markdown table and appends it to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LEGACY_COMMIT = "bc38958"  # the last commit with the Tesseract reader (intake/readers/workers/ocr_*.py)
PAGE_DPI = 300


@dataclass
class Run:
    recogniser: str
    sample: str
    pages: int
    seconds: float
    peak_mb: float
    grids: list[dict[str, Any]]
    error: str = ""


# --- one file in its own process -------------------------------------------------------------------


def _pages(path: Path) -> list[Any]:
    from intake.readers.limits import Limits
    from intake.readers.workers.ocr_image import load_images

    if path.suffix == ".pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(path.read_bytes())
        try:
            return [document[i].render(scale=PAGE_DPI / 72).to_pil() for i in range(len(document))]
        finally:
            document.close()
    return load_images(path.read_bytes(), path.name, Limits())


def _reader(recogniser: str) -> Any:
    if recogniser == "rapidocr":
        from intake.readers.workers.ocr_read import read_page

        return read_page
    # the Tesseract reader as it was: this process runs in the legacy tree (run_child), so `intake` is the old one
    from intake.readers.workers.ocr_page import read_page as tesseract_page

    return tesseract_page


def one(recogniser: str, path: Path) -> dict[str, Any]:
    """Read one file with one recogniser here; its grids, time and this process's peak memory."""
    from intake.readers.limits import Limits
    from intake.readers.sandbox import grid_to_json

    started = time.monotonic()
    read_page = _reader(recogniser)
    pages = _pages(path)
    dpi = PAGE_DPI if path.suffix == ".pdf" else None
    deadline = time.monotonic() + 600
    found = [read_page(page, path.name, "", Limits(), deadline, dpi) for page in pages]
    grids = [g for g in found if g is not None]  # joined in the parent (ocr_join), for both recognisers alike
    seconds = time.monotonic() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Tesseract's processes
    return {
        "pages": len(pages),
        "seconds": seconds,
        "peak_mb": max(own_peak_kb(), children) / 1024,
        "grids": [grid_to_json(g) for g in grids],
    }


def own_peak_kb() -> int:
    """This process's peak resident memory since it started (VmHWM: ru_maxrss would count the parent's
    peak before the exec too)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def model_load_seconds() -> float:
    """How long the worker takes to load RapidOCR's three models and read one line (a cold start)."""
    import numpy as np

    started = time.monotonic()
    from intake.readers.workers.ocr_engine import detect, engine

    engine()
    detect(np.full((64, 256, 3), 255, dtype=np.uint8))
    return time.monotonic() - started


# --- the set, each file in a child ---------------------------------------------------------------


def legacy_tree(work: Path) -> Path | None:
    """The Tesseract reader's package as of LEGACY_COMMIT, unpacked from git (None when git cannot)."""
    target = work / "legacy"
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", LEGACY_COMMIT, "intake"], capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def run_child(recogniser: str, path: Path, legacy: Path | None) -> Run:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_THREAD_LIMIT="1")
    cwd = ROOT
    if recogniser == "tesseract" and legacy is not None:
        env["PYTHONPATH"] = f"{legacy}{os.pathsep}{ROOT}"
        cwd = legacy  # first on sys.path: the old `intake` package, bench.ocr from ROOT
    cmd = [sys.executable, "-m", "bench.ocr", "--one", recogniser, str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=1800)
    if proc.returncode != 0:
        return Run(
            recogniser,
            path.name,
            0,
            0.0,
            0.0,
            [],
            proc.stderr.strip().splitlines()[-1:][0] if proc.stderr else "failed",
        )
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    return Run(recogniser, path.name, found["pages"], found["seconds"], found["peak_mb"], found["grids"])


def judged(run: Run, sample: Any) -> Any:
    from intake.extract.receipt import extract
    from intake.readers.sandbox import grid_from_json
    from intake.readers.workers.ocr_join import join_pages
    from rules.judge import Circumstances, judge
    from rules.notice import load_notice
    from rules.policy import Policy
    from tests.data.scans.score import score

    notice = load_notice(ROOT / "notice-2023.toml")
    grids = join_pages([grid_from_json(g) for g in run.grids])
    receipt = extract(grids, year=notice.year, filenames=[sample.filename])
    when = Circumstances(sample.roster.mailbox, datetime.fromisoformat("2023-06-01T10:00:00+08:00"))
    return score(sample, judge(receipt, notice, Policy(), when))


RARE = "喆珺堃玥"


def rare_names(scored: Any, sample: Any) -> tuple[int, int]:
    """(read exactly, printed) of the names with a rare character (喆 珺 堃 玥) on one sample."""
    printed = [i + 1 for i, person in enumerate(sample.roster.people) if set(person[0]) & set(RARE)]
    wrong = {m.row for m in scored.misses if m.field == "name"}
    return sum(1 for row in printed if row not in wrong), len(printed)


def table(runs: list[tuple[Run, Any, Any]], load_s: float) -> str:
    lines = [
        "| recogniser | sample | pages | s/page | peak MB | program, period, province | cells exact | wrong, flagged | silent errors | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    totals: dict[str, list[float]] = {}
    for run, scored, sample in runs:
        if run.error:
            lines.append(
                f"| {run.recogniser} | {run.sample} | — | — | — | — | — | — | — | failed: {run.error[:60]} |"
            )
            continue
        flagged = len(scored.misses) - len(scored.silent)
        lines.append(
            f"| {run.recogniser} | {run.sample} | {run.pages} | {run.seconds / max(1, run.pages):.1f} | "
            f"{run.peak_mb:.0f} | {'right' if scored.placed else 'wrong'} | {scored.exact}/{scored.cells} | "
            f"{flagged} | {len(scored.silent)} | {scored.status} |"
        )
        t = totals.setdefault(run.recogniser, [0, 0, 0, 0, 0.0, 0, 0.0, 0, 0])
        right, printed = rare_names(scored, sample)
        t[7] += right
        t[8] += printed
        t[0] += scored.exact
        t[1] += scored.cells
        t[2] += len(scored.silent)
        t[3] += run.pages
        t[4] += run.seconds
        t[5] += scored.placed
        t[6] = max(t[6], run.peak_mb)
    for name, t in totals.items():
        lines.append(
            f"| **{name}** | **all** | {t[3]:.0f} | {t[4] / max(1, t[3]):.1f} | {t[6]:.0f} | {t[5]:.0f} right | "
            f"{t[0]:.0f}/{t[1]:.0f} ({100 * t[0] / max(1, t[1]):.1f} %) | | {t[2]:.0f} | "
            f"names with 喆珺堃玥 exact: {t[7]:.0f}/{t[8]:.0f} |"
        )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    return (
        f"\n### OCR recognisers on the scan set ({datetime.now():%Y-%m-%d}, {machine})\n\n"
        f"RapidOCR's models load in {load_s:.1f} s in a fresh worker.\n\n" + "\n".join(lines) + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, help="where the scan set is (made there when missing)")
    parser.add_argument("--recognisers", default="rapidocr,tesseract")
    parser.add_argument("--no-append", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--one", nargs=2, metavar=("RECOGNISER", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], Path(args.one[1])), ensure_ascii=False))
        return 0
    if args.load:
        print(json.dumps({"load_s": model_load_seconds()}))
        return 0
    from tests.data.scans.make_scans import SET

    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        folder = args.set or Path(tmp) / "set"
        if not all((folder / s.filename).exists() for s in SET):  # made apart: this process stays small
            env = dict(os.environ, PYTHONPATH=str(ROOT))
            subprocess.run(
                [sys.executable, "-m", "tests.data.scans.make_scans", str(folder)], check=True, env=env
            )
        legacy = legacy_tree(Path(tmp)) if "tesseract" in args.recognisers else None
        load = subprocess.run(
            [sys.executable, "-m", "bench.ocr", "--load"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        load_s = json.loads(load.stdout.strip().splitlines()[-1])["load_s"]
        runs = []
        for recogniser in args.recognisers.split(","):
            for sample in SET:
                run = run_child(recogniser, folder / sample.filename, legacy)
                scored = None if run.error else judged(run, sample)
                runs.append((run, scored, sample))
                sys.stderr.write(f"{recogniser} {sample.filename}: {run.seconds:.1f} s {run.error}\n")
                for miss in scored.misses if scored is not None else []:
                    flag = "flagged" if miss.flagged else "SILENT"
                    sys.stderr.write(
                        f"   {miss.row} {miss.field}: {miss.printed!r} read {miss.read!r} {flag}\n"
                    )
    text = table(runs, load_s)
    print(text)
    if not args.no_append:
        with (ROOT / "BENCHMARKS.md").open("a", encoding="utf-8") as out:
            out.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
