"""A deadlock guard for calls that must end: not a speed check (speed is measured in bench/).

Tests never assert on time.  A hostile input's test asserts what shows the code stopped early
(the reader's reason, rows read, the worker's limit); this guard only keeps a regression that
never ends from hanging the suite, with a generous wait and a clear message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

NEVER_ENDS_S = 120.0  # far beyond any load the suite runs under: only a hang gets there


def finishes(call: Callable[[], T], what: str = "the call", *, guard_s: float = NEVER_ENDS_S) -> T:
    """call()'s result (or its exception, re-raised here); fails only if it never ends."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="guarded-call", daemon=True)
    thread.start()
    thread.join(guard_s)
    if thread.is_alive():
        raise AssertionError(f"{what} never ended (deadlock guard of {guard_s:.0f} s, not a speed check)")
    if failure:
        raise failure[0]
    return outcome[0]
