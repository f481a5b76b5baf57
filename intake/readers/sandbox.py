"""Run a heavy reader (PDF, OCR) in a child Python process that can be bounded and killed.

pdfminer, pdfium and Pillow parse hostile input in-process with no time or
memory bound of their own: a PDF content stream that inflates to gigabytes, a
page tree of a million pages, a PNG of 100,000 x 100,000 pixels.  The child
sets RLIMIT_AS (limits.max_worker_memory_bytes) and RLIMIT_CPU on itself,
gets a wall-clock timeout from the parent, and is killed with its whole
process group (Tesseract included) when it runs over.  Only one child runs at
a time per process.

Protocol: stdin is one JSON line (job, file name, limits, options) and then
the file's bytes; stdout is one JSON object, {"grids": [...]} or
{"error": {"reason", "detail"}}.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from intake.errors import UnreadableAttachment
from intake.readers.grid import Grid, Merge
from intake.readers.limits import Limits

log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_ROOT = str(Path(__file__).resolve().parents[2])  # the directory holding the intake package
_ENTRY = "import sys; from intake.readers.sandbox import main; sys.exit(main())"


def run(job: str, data: bytes, name: str, limits: Limits, timeout: float, **options: Any) -> list[Grid]:
    """The grids the child made of data, or UnreadableAttachment (too_large when it ran out of time or memory)."""
    header = (
        json.dumps(
            {"job": job, "name": name, "limits": asdict(limits), "timeout": timeout, "options": options}
        ).encode()
        + b"\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p),
        "OMP_THREAD_LIMIT": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if not _LOCK.acquire(timeout=timeout * 3):
        raise UnreadableAttachment(name, "too_large", f"{job}: another file is still being read")
    try:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", _ENTRY],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(header + data, timeout=timeout + 5)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise UnreadableAttachment(name, "too_large", f"{job}: not done after {timeout:.0f} s") from None
        finally:
            _kill(proc)  # Tesseract children left behind by a crash
    finally:
        _LOCK.release()
    if err:
        log.debug("%s: %s worker said: %s", name, job, err[-2000:].decode("utf-8", "replace"))
    log.debug("%s: %s worker took %.2f s", name, job, time.monotonic() - started)
    try:
        result = json.loads(out)
    except ValueError:
        if proc.returncode and proc.returncode < 0:
            sig = -proc.returncode
            reason = "too_large" if sig in (signal.SIGXCPU, signal.SIGKILL) else "corrupt"
            raise UnreadableAttachment(name, reason, f"{job}: worker killed by signal {sig}") from None
        raise UnreadableAttachment(
            name,
            "corrupt",
            f"{job}: worker failed ({proc.returncode}): " + err[-300:].decode("utf-8", "replace"),
        ) from None
    if "error" in result:
        raise UnreadableAttachment(name, result["error"]["reason"], result["error"]["detail"])
    return [grid_from_json(g) for g in result["grids"]]


def _kill(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.wait()


def grid_to_json(grid: Grid) -> dict:
    return {
        "source": grid.source,
        "part": grid.part,
        "rows": grid.rows,
        "lines": grid.lines,
        "kind": grid.kind,
        "merges": [[m.top, m.left, m.bottom, m.right] for m in grid.merges],
        "ocr": grid.ocr,
        "confidence": [[r, c, v] for (r, c), v in sorted(grid.confidence.items())],
    }


def grid_from_json(d: dict) -> Grid:
    return Grid(
        source=d["source"],
        part=d["part"],
        rows=d["rows"],
        lines=d["lines"],
        kind=d["kind"],
        merges=[Merge(*m) for m in d["merges"]],
        ocr=d["ocr"],
        confidence={(r, c): v for r, c, v in d["confidence"]},
    )


# --- the child -------------------------------------------------------------------------------------


def _limit_resources(limits: Limits, timeout: float) -> None:
    import resource

    memory = limits.max_worker_memory_bytes
    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, int(timeout) + 10)):
        try:
            soft, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError) as exc:  # not permitted here: the wall-clock timeout still holds
            log.debug("setrlimit %s: %s", which, exc)


def main() -> int:
    """The child: read the job from stdin, write the result to stdout."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    out, sys.stdout = sys.stdout, sys.stderr  # a library's print must not corrupt the answer
    raw = sys.stdin.buffer.read()
    line, _, data = raw.partition(b"\n")
    header = json.loads(line)
    name = header["name"]
    limits = Limits(**header["limits"])
    timeout = float(header["timeout"])
    _limit_resources(limits, timeout)
    deadline = time.monotonic() + timeout
    try:
        from ._common import quiet_warnings

        with quiet_warnings():
            if header["job"] == "pdf":
                from .pdf import read_in_worker
            else:
                from .ocr import read_in_worker
            grids = read_in_worker(data, name, limits, deadline, **header["options"])
        result: dict = {"grids": [grid_to_json(g) for g in grids]}
    except UnreadableAttachment as exc:
        result = {"error": {"reason": exc.reason, "detail": exc.detail}}
    except MemoryError:
        result = {"error": {"reason": "too_large", "detail": "needs more memory than allowed"}}
    except Exception as exc:  # damaged files fail the libraries in every possible way
        result = {"error": {"reason": "corrupt", "detail": f"{type(exc).__name__}: {exc}"[:500]}}
    out.write(json.dumps(result, ensure_ascii=False))
    out.flush()
    return 0
