"""Child processes that die with their parent: OCR and PDF workers, LibreOffice, and all they start.

Each costly child runs in a process group of its own (start_new_session), so that the parent can
kill it with everything it started (soffice.bin, or anything an OCR engine starts) when it runs over its time.  That is
not enough when the parent itself dies (a killed `intake check`, a daemon stopped with SIGKILL):
nobody is left to kill the group.  So the leader of each group watches its parent:

* the kernel sends it SIGTERM when the parent dies (``prctl(PR_SET_PDEATHSIG)`` through ctypes,
  Linux), and its handler kills the whole group with SIGKILL;
* a watchdog thread also checks every quarter second that its parent is still the one it was
  started by (covers the short race before prctl, and a handler delayed by a long C call);
* the parent's pid is passed in the environment (INTAKE_PARENT_PID): a child whose parent died
  before it could arm itself kills its group at once.

The sandbox worker (sandbox.py) is itself the group leader and arms itself in ``main``.  Programs
that are not ours (LibreOffice) are started through a tiny guard (``guarded``): a Python process
with no imports beyond the standard library that arms itself the same way, starts the program in
its own group and exits with the program's status.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

PARENT_ENV = "INTAKE_PARENT_PID"
_PR_SET_PDEATHSIG = 1
_POLL_S = 0.25

# The guard: arm (death signal, watchdog, parent check), run argv[1:] in this group, pass its status on.
_GUARD = r"""
import ctypes, os, signal, subprocess, sys, threading, time
parent = int(os.environ.get("INTAKE_PARENT_PID") or 0) or os.getppid()
def die(*_):
    try:
        os.killpg(os.getpgrp(), signal.SIGKILL)
    finally:
        os._exit(137)
signal.signal(signal.SIGTERM, die)
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)
except Exception:
    pass
if os.getppid() != parent:
    die()
def watch():
    while True:
        time.sleep(0.25)
        if os.getppid() != parent:
            die()
threading.Thread(target=watch, daemon=True).start()
status = subprocess.Popen(sys.argv[1:]).wait()
sys.exit(status if status >= 0 else 128 - status)
"""


def guarded(argv: list[str]) -> list[str]:
    """The command line that runs argv under a guard that kills its group when we die."""
    return [sys.executable, "-I", "-S", "-c", _GUARD, *argv]


def child_environment(env: dict[str, str]) -> dict[str, str]:
    """env with this process named as the parent a guarded child must outlive no longer."""
    return {**env, PARENT_ENV: str(os.getpid())}


def arm() -> None:
    """In a child that leads its own process group: kill the group when the parent dies.

    Does nothing in a process that does not lead its own group, or was not started by
    child_environment (a test calling a worker's main in-process must not kill its runner).
    """
    if os.getpgrp() != os.getpid() or PARENT_ENV not in os.environ:
        return
    parent = _expected_parent()
    signal.signal(signal.SIGTERM, _kill_group)
    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent:
        _kill_group()
    threading.Thread(target=_watch, args=(parent,), name="lifeline", daemon=True).start()


def _expected_parent() -> int:
    try:
        return int(os.environ.get(PARENT_ENV) or 0) or os.getppid()
    except ValueError:
        return os.getppid()


def _watch(parent: int) -> None:
    while True:
        time.sleep(_POLL_S)
        if os.getppid() != parent:
            _kill_group()


def _kill_group(*_signal: object) -> None:
    """SIGKILL to this process's group (itself and anything it started)."""
    try:
        os.killpg(os.getpgrp(), signal.SIGKILL)
    finally:
        os._exit(137)
