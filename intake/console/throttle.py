"""Login throttling per account and per address: growing delays after failures, never a lockout.

After ``free`` failures of an account (or ``free_address`` from one address) within ``window``
seconds, each further attempt must wait ``base`` seconds, doubling per failure up to ``cap``; a
success clears the account's count.  Every refusal looks the same to the person logging in (the
generic error), so the throttle tells an attacker nothing about which accounts exist.  Kept in
memory: a restart forgets it, which is no worse than the delays themselves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Count:
    failures: int = 0
    last: float = 0.0


class LoginThrottle:
    def __init__(
        self,
        *,
        free: int = 5,
        free_address: int = 20,
        base: float = 30.0,
        cap: float = 900.0,
        window: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.free_address = free, free_address
        self.base, self.cap, self.window = base, cap, window
        self.clock = clock
        self._counts: dict[str, _Count] = {}
        self._lock = threading.Lock()

    def _wait(self, key: str, free: int, now: float) -> float:
        count = self._counts.get(key)
        if count is None or now - count.last > self.window:
            return 0.0
        over = count.failures - free
        if over < 0:
            return 0.0
        delay = min(self.base * 2.0**over, self.cap)
        return max(0.0, count.last + delay - now)

    def wait(self, account: str, address: str) -> float:
        """Seconds before this account may try again from this address (0: now)."""
        now = self.clock()
        with self._lock:
            return max(
                self._wait(f"user:{account.lower()}", self.free, now),
                self._wait(f"ip:{address}", self.free_address, now),
            )

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (f"user:{account.lower()}", f"ip:{address}"):
                count = self._counts.setdefault(key, _Count())
                if now - count.last > self.window:
                    count.failures = 0
                count.failures += 1
                count.last = now
            if len(self._counts) > 100_000:  # bounded memory: forget the stale ones
                self._counts = {k: c for k, c in self._counts.items() if now - c.last <= self.window}

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._counts.pop(f"user:{account.lower()}", None)
