"""Summarise a py-spy raw profile (collapsed stacks, `py-spy record --format raw --threads --gil`).

py-spy samples the daemon process's thread that holds the GIL (the daemon is CPU-bound on one
core, so that is where its time goes); a stack line reads
``thread (TID): NAME;frame (file:line);...;frame (file:line) COUNT``.  The summary gives, per
thread kind (watchers, delivery, main), the share of samples, and the functions with the largest
inclusive share of the *busy* samples (a sample whose innermost frame is not a blocking wait).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

_LINE = re.compile(r"^thread \((\d+)\)(?::\s*([^;]*))?;?(.*) (\d+)$")
_FRAME = re.compile(r"^(.*) \(([^:]+):\d+\)$")
WAITS = ("select", "poll", "wait", "acquire", "readinto", "recv", "_idle_check", "sleep", "epoll", "accept")


def frames(stack: str) -> list[str]:
    out = []
    for f in stack.split(";"):
        m = _FRAME.match(f)
        out.append(f"{m.group(1)} ({m.group(2)})" if m else f)
    return out


def waiting(inner: str) -> bool:
    name = inner.split(" (", 1)[0].rsplit(".", 1)[-1]
    return any(w in name.lower() for w in WAITS)


def summarise(path: Path, top: int = 25) -> str:
    threads: Counter[str] = Counter()
    busy_threads: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    busy = 0
    for line in path.read_text(errors="replace").splitlines():
        m = _LINE.match(line.strip())
        if not m:
            continue
        name = (m.group(2) or "main").strip()
        kind = "watch" if name.startswith("watch-") else name
        count = int(m.group(4))
        stack = frames(m.group(3)) if m.group(3) else []
        threads[kind] += count
        if not stack or waiting(stack[-1]):
            continue
        busy += count
        busy_threads[kind] += count
        for f in set(stack):
            inclusive[f] += count
        self_time[stack[-1]] += count
    total = sum(threads.values()) or 1
    lines = [
        f"samples: {total} (all threads), busy: {busy}",
        "",
        "| thread | samples | busy samples |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {k} | {v} | {busy_threads[k]} |" for k, v in threads.most_common()]
    lines += [
        "",
        f"Top {top} functions by inclusive share of busy samples:",
        "",
        "| function | inclusive | self |",
        "| --- | ---: | ---: |",
    ]
    for f, n in inclusive.most_common(top):
        lines.append(f"| `{f}` | {100 * n / max(busy, 1):.1f}% | {100 * self_time[f] / max(busy, 1):.1f}% |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 25))
