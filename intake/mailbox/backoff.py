"""Capped exponential backoff with jitter, for reconnecting to a mailbox."""

from __future__ import annotations

import random


class Backoff:
    """Delays base, 2*base, 4*base, ... capped at cap, each shortened by up to `jitter`.

    With jitter=0.5 the n-th delay (n from 0) is uniform in
    [0.5 * min(cap, base * 2**n), min(cap, base * 2**n)], so it never exceeds cap and
    several daemons that lost the same server do not all come back at the same instant.
    reset() after a successful connection starts again from base.
    """

    def __init__(
        self, base: float = 1.0, cap: float = 300.0, jitter: float = 0.5, rng: random.Random | None = None
    ) -> None:
        if base <= 0 or cap < base:
            raise ValueError("need 0 < base <= cap")
        if not 0.0 <= jitter <= 1.0:
            raise ValueError("jitter must be within [0, 1]")
        self.base = float(base)
        self.cap = float(cap)
        self.jitter = float(jitter)
        self._rng = rng or random.Random()
        self._attempt = 0

    @property
    def attempts(self) -> int:
        """How many delays were handed out since the last reset()."""
        return self._attempt

    def peek(self) -> float:
        """The un-jittered delay next_delay() will be based on."""
        # Once base * 2**n passes cap, stop growing n's effect (and avoid huge ints / overflow).
        exponent = min(self._attempt, 64)
        return min(self.cap, self.base * (2.0**exponent))

    def next_delay(self) -> float:
        delay = self.peek()
        self._attempt += 1
        if self.jitter:
            delay *= 1.0 - self.jitter * self._rng.random()
        return delay

    def reset(self) -> None:
        self._attempt = 0
