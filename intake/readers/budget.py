"""One wall-clock and CPU budget per message, across all its attachments.

Limits elsewhere are per file (ocr_timeout_s, conversion_timeout_s); one message of many scans
could still hold its mailbox for an hour.  The pipeline opens a Budget for each message it reads
(``spending``); the costly readers ask it before they start a child process (``allowance``): OCR
and PDF workers (sandbox.py) and LibreOffice (convert.py) get at most the time left, and none at
all when the budget is spent, or when the message has not shown that it is ours (costly=False:
rules/ours.py).  The pipeline stops reading further attachments once it is spent; what could not
be read is answered as such.  CPU is the calling thread's plus its finished children's.

The budget travels in a context variable: the reader interface (``read(data, name, limits)``)
stays as it is, and readers nested in an archive see the same budget.  Outside ``spending`` (a
reader called on its own) nothing is limited here.
"""

from __future__ import annotations

import contextlib
import math
import resource
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from intake.errors import UnreadableAttachment

_MARGIN_S = 0.5  # a costly child is not started with less than this left


def cpu_seconds() -> float:
    """CPU time of this thread plus that of every child process that has ended."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.thread_time() + children.ru_utime + children.ru_stime


@dataclass
class Budget:
    """What one message may cost to read."""

    wall_s: float
    cpu_s: float
    costly: bool = True  # OCR, LibreOffice and PDF workers may run at all
    started: float = field(default_factory=time.monotonic)
    cpu_started: float = field(default_factory=cpu_seconds)

    def wall_spent(self) -> float:
        return time.monotonic() - self.started

    def cpu_spent(self) -> float:
        return cpu_seconds() - self.cpu_started

    def remaining(self) -> float:
        """Seconds left of the tighter of the two budgets (CPU cannot run faster than the clock here)."""
        return min(self.wall_s - self.wall_spent(), self.cpu_s - self.cpu_spent())

    @property
    def spent(self) -> bool:
        return self.remaining() <= 0


_CURRENT: ContextVar[Budget | None] = ContextVar("intake_reading_budget", default=None)


@contextlib.contextmanager
def spending(budget: Budget) -> Iterator[Budget]:
    """Read within budget (for this thread and what it calls)."""
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def current() -> Budget | None:
    return _CURRENT.get()


def allowance(name: str, what: str, wanted: float) -> float:
    """The seconds a costly child (``what``) reading ``name`` may take: at most ``wanted``.

    Raises UnreadableAttachment (skipped) when costly reading is not allowed for this message,
    or (out_of_time) when too little of its budget is left to start one.
    """
    budget = _CURRENT.get()
    if budget is None:
        return wanted
    if not budget.costly:
        raise UnreadableAttachment(name, "skipped", f"{what}: not started, nothing says the message is ours")
    left = budget.remaining()
    if left < _MARGIN_S:
        raise UnreadableAttachment(name, "out_of_time", f"{what}: the message's reading budget is spent")
    return min(wanted, left) if math.isfinite(wanted) else left
