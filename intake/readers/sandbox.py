"""Run a heavy reader (PDF, OCR) in a child Python process that can be bounded and killed.

pdfminer, pdfium and Pillow parse hostile input in-process with no time or
memory bound of their own: a PDF content stream that inflates to gigabytes, a
page tree of a million pages, a PNG of 100,000 x 100,000 pixels.  The child
sets RLIMIT_AS (limits.max_worker_memory_bytes) and RLIMIT_CPU on itself,
gets a wall-clock timeout from the parent, and is killed with its whole
process group (Tesseract included) when it runs over.  It also kills its group
when the parent dies (lifeline.py), so a killed `intake check` leaves nothing
running.  Its time is the smaller of the job's and what is left of the message's
budget (budget.py).  Only one child runs at a time per process.

The parent names the work in a Job (workers/__init__.py); the child imports
that worker module by name and calls its read_in_worker.  This module imports
no reader: the client readers (pdf.py, ocr.py) import it.

Protocol: stdin is one JSON line (the job) and then the file's bytes; stdout
is one JSON object, {"grids": [...]} or {"error": {"reason", "detail"}}.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import math
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from intake.errors import Reason, UnreadableAttachment
from intake.readers._common import quiet_warnings
from intake.readers.grid import Grid, Merge
from intake.readers.limits import Limits
from intake.readers.workers import Job, ReadInWorker, Worker

from . import budget, lifeline

log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_ROOT = str(Path(__file__).resolve().parents[2])  # the directory holding the intake package
_ENTRY = "import sys; from intake.readers.sandbox import main; sys.exit(main())"
_GRACE_S = 5  # the parent waits this much longer than the child's own deadline
_BUDGET_GRACE_S = 1  # ... or only this, when the message's budget cut the job's time


@dataclasses.dataclass(frozen=True)
class _Finished:
    """How the child ended: its exit status and what it wrote."""

    returncode: int
    out: bytes
    err: bytes


def run(job: Job, data: bytes) -> list[Grid]:
    """The grids the child made of data, or UnreadableAttachment (too_large when it ran out of time or memory)."""
    allowed = budget.allowance(job.name, job.worker, job.timeout)
    grace = _GRACE_S if allowed >= job.timeout else _BUDGET_GRACE_S
    job = dataclasses.replace(job, timeout=allowed)
    if not _LOCK.acquire(timeout=job.timeout * 3):
        raise UnreadableAttachment(job.name, "too_large", f"{job.worker}: another file is still being read")
    try:
        started = time.monotonic()
        finished = _run_child(job, job_to_json(job).encode() + b"\n" + data, grace)
    finally:
        _LOCK.release()
    if finished.err:
        log.debug(
            "%s: %s worker said: %s", job.name, job.worker, finished.err[-2000:].decode("utf-8", "replace")
        )
    log.debug("%s: %s worker took %.2f s", job.name, job.worker, time.monotonic() - started)
    return _grids(job, finished)


def _run_child(job: Job, stdin: bytes, grace: float = _GRACE_S) -> _Finished:
    proc = subprocess.Popen(
        [sys.executable, "-c", _ENTRY],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_child_environment(),
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(stdin, timeout=job.timeout + grace)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise UnreadableAttachment(
            job.name, "too_large", f"{job.worker}: not done after {job.timeout:.0f} s"
        ) from None
    finally:
        _kill(proc)  # Tesseract children left behind by a crash
    return _Finished(proc.returncode, out, err)


def _child_environment() -> dict[str, str]:
    return {
        **lifeline.child_environment(dict(os.environ)),
        "PYTHONPATH": os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p),
        "OMP_THREAD_LIMIT": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _grids(job: Job, finished: _Finished) -> list[Grid]:
    """The grids in the child's answer, or the UnreadableAttachment it reported (or its death explains)."""
    try:
        result = json.loads(finished.out)
    except ValueError:
        raise _failure(job, finished) from None
    if "error" in result:
        raise UnreadableAttachment(job.name, _reason(result["error"]["reason"]), result["error"]["detail"])
    return [grid_from_json(g) for g in result["grids"]]


def _reason(text: object) -> Reason:
    """The child's reason, checked: anything it should not have said reads as corrupt."""
    for reason in UnreadableAttachment.REASONS:
        if text == reason:
            return reason
    return "corrupt"


def _failure(job: Job, finished: _Finished) -> UnreadableAttachment:
    """Why a child that wrote no answer failed: killed for its limits (too_large), or crashed (corrupt)."""
    if finished.returncode < 0:
        sig = -finished.returncode
        reason: Reason = "too_large" if sig in (signal.SIGXCPU, signal.SIGKILL) else "corrupt"
        return UnreadableAttachment(job.name, reason, f"{job.worker}: worker killed by signal {sig}")
    return UnreadableAttachment(
        job.name,
        "corrupt",
        f"{job.worker}: worker failed ({finished.returncode}): "
        + finished.err[-300:].decode("utf-8", "replace"),
    )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.wait()


# --- what goes over the pipe ----------------------------------------------------------------------


def job_to_json(job: Job) -> str:
    return json.dumps(dataclasses.asdict(job))


def job_from_json(line: bytes) -> Job:
    header = json.loads(line)
    return Job(
        worker=Worker(header["worker"]),
        name=header["name"],
        limits=Limits(**header["limits"]),
        timeout=float(header["timeout"]),
        use_ocr=bool(header["use_ocr"]),
    )


def grid_to_json(grid: Grid) -> dict[str, Any]:
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


def grid_from_json(d: dict[str, Any]) -> Grid:
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
    memory = limits.max_worker_memory_bytes
    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, math.ceil(timeout) + 10)):
        try:
            _soft, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError) as exc:  # not permitted here: the wall-clock timeout still holds
            log.debug("setrlimit %s: %s", which, exc)


def _worker(job: Job) -> ReadInWorker:
    """The job's worker module's read_in_worker (imported here, in the child only)."""
    read_in_worker: ReadInWorker = importlib.import_module(job.worker.module).read_in_worker
    return read_in_worker


def _work(job: Job, data: bytes, deadline: float) -> dict[str, Any]:
    """The answer to write: the grids, or the error as reason and detail."""
    try:
        with quiet_warnings():
            grids = _worker(job)(data, job, deadline)
        return {"grids": [grid_to_json(g) for g in grids]}
    except UnreadableAttachment as exc:
        return {"error": {"reason": exc.reason, "detail": exc.detail}}
    except MemoryError:
        return {"error": {"reason": "too_large", "detail": "needs more memory than allowed"}}
    except Exception as exc:  # damaged files fail the libraries in every possible way
        if _out_of_memory(exc):  # ONNX Runtime's std::bad_alloc under RLIMIT_AS: the limit, not the file
            return {
                "error": {"reason": "too_large", "detail": "needs more memory than max_worker_memory_bytes"}
            }
        return {"error": {"reason": "corrupt", "detail": f"{type(exc).__name__}: {exc}"[:500]}}


def _out_of_memory(exc: Exception) -> bool:
    """Did a native library fail to allocate (C++ std::bad_alloc, ONNX Runtime's "Failed to allocate")?"""
    text = str(exc)
    return "bad_alloc" in text or "Failed to allocate" in text


def main() -> int:
    """The child: read the job from stdin, write the result to stdout."""
    lifeline.arm()  # the group dies with the parent: no worker or Tesseract outlives a killed intake
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    out, sys.stdout = sys.stdout, sys.stderr  # a library's print must not corrupt the answer
    line, _, data = sys.stdin.buffer.read().partition(b"\n")
    job = job_from_json(line)
    _limit_resources(job.limits, job.timeout)
    result = _work(job, data, time.monotonic() + job.timeout)
    out.write(json.dumps(result, ensure_ascii=False))
    out.flush()
    return 0
