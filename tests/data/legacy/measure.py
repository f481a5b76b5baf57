"""Time and peak memory of reading the legacy-format, PDF and scan fixtures (BENCHMARKS.md).

    .venv/bin/python tests/data/legacy/measure.py [--runs 5]

Each case runs in a fresh Python process (so the children's peak RSS is that
case's own): read_attachment on the fixture, `runs` times; the first run of a
LibreOffice case starts with a new profile (cold), the others reuse it.
Prints one Markdown table row per case: median and worst wall time, and the
peak RSS of the reading process and of its children (LibreOffice, the
sandbox worker, Tesseract).  OCR accuracy is for receipt_scan.pdf: exact
cells of the 9 x 8 table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CASE = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from intake.readers.limits import Limits
from intake.readers import read_attachment
name, runs = sys.argv[2], int(sys.argv[3])
data = open(sys.argv[4], "rb").read()
times, grids = [], None
for _ in range(runs):
    started = time.perf_counter()
    grids = read_attachment(name, data, Limits())
    times.append(time.perf_counter() - started)
rows = [["".join(str(v or "").split()) for v in row] for row in grids[0].filled()]
print(json.dumps({"times": times, "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "rows": rows}))
"""
CASES = [
    ("receipt.doc", "回执.doc", "Word 97 .doc → LibreOffice → docx reader"),
    ("receipt.odt", "回执.odt", "OpenDocument text → LibreOffice → docx reader"),
    ("receipt.ods", "回执.ods", "OpenDocument sheet → LibreOffice → xlsx reader"),
    ("receipt.pdf", "回执.pdf", "PDF text layer, 1 page (pdfplumber, in the sandbox worker)"),
    ("receipt_long.pdf", "回执.pdf", "PDF text layer, 3 pages, 60 people"),
    ("receipt_scan.pdf", "扫描件.pdf", "scanned PDF, 1 page: render 300 dpi + OCR"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    sys.path.insert(0, str(ROOT))
    from tests.data.legacy.make_fixtures import COLUMNS, PEOPLE

    print("| case | median s | worst s | reader RSS MB | children peak RSS MB |")
    print("| --- | --- | --- | --- | --- |")
    for fixture, name, what in CASES:
        out = subprocess.run(
            [sys.executable, "-c", CASE, str(ROOT), name, str(runs), str(HERE / fixture)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result = json.loads(out)
        times = result["times"]
        print(
            f"| {what} | {statistics.median(times):.2f} | {max(times):.2f} | {result['self_kb'] / 1024:.0f} "
            f"| {result['children_kb'] / 1024:.0f} |"
        )
        if fixture == "receipt_scan.pdf":
            expected = [COLUMNS, *PEOPLE]
            got = result["rows"]
            exact = sum(
                1
                for r, row in enumerate(expected)
                for c, v in enumerate(row)
                if r < len(got) and c < len(got[r]) and got[r][c] == "".join(v.split())
            )
            total = sum(len(row) for row in expected)
            print(f"\nOCR accuracy on receipt_scan.pdf: {exact}/{total} cells exact ({exact / total:.1%})\n")


if __name__ == "__main__":
    main()
