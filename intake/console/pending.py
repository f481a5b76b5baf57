"""Actions waiting for their preview to be confirmed, kept in memory for half an hour.

An action that changes a roster or sends an email is first planned (nothing changes), then shown
(the change, the new verdict, the email as it will go out), and carried out only when the same user
confirms it.  ``take`` hands a pending action out once: a second confirmation (a double click, the
back button) finds it done and changes nothing, and its email's outbox key (``console:<id>``) is
idempotent besides.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

TTL = 1800.0


@dataclass(frozen=True)
class Email:
    """An email an action sends, as it will be queued."""

    raw: bytes
    from_addr: str
    to: tuple[str, ...]


@dataclass
class Pending:
    kind: str  # correct, add, remove, accept, reject, enter, reply, resend
    user: str
    title: str  # what it does, in a line: "更正 河南 第 2 版 第 3 人的手机"
    back: str  # the page to return to
    run: Callable[[], str]  # carries it out (idempotent); returns what was done, for the page
    changes: list[str] = field(default_factory=list)  # the lines "old -> new" shown before
    problems: list[str] = field(default_factory=list)  # the new verdict's problems, as the rules say them
    status: str = ""  # the new verdict's status (已确认 / 需修改), "" when no roster changes
    email: Email | None = None
    id: str = field(default_factory=lambda: secrets.token_hex(8))
    created: float = field(default_factory=time.monotonic)
    done: str = ""  # what was done, once confirmed

    @property
    def outbox_key(self) -> str:
        return f"console:{self.id}"


class PendingActions:
    def __init__(self) -> None:
        self._items: dict[str, Pending] = {}
        self._lock = threading.Lock()

    def add(self, pending: Pending) -> Pending:
        now = time.monotonic()
        with self._lock:
            self._items = {k: p for k, p in self._items.items() if now - p.created < TTL}
            self._items[pending.id] = pending
        return pending

    def get(self, action_id: str, user: str) -> Pending | None:
        with self._lock:
            pending = self._items.get(action_id)
        return pending if pending is not None and pending.user == user else None

    def take(self, action_id: str, user: str) -> Pending | None:
        """The pending action to carry out now, once; None when unknown, another user's, or done."""
        with self._lock:
            pending = self._items.get(action_id)
            if pending is None or pending.user != user or pending.done:
                return None
            pending.done = "…"
            return pending

    def finish(self, pending: Pending, done: str) -> None:
        with self._lock:
            pending.done = done

    def release(self, pending: Pending) -> None:
        """It failed: it may be confirmed again."""
        with self._lock:
            pending.done = ""

    def cancel(self, action_id: str, user: str) -> None:
        with self._lock:
            pending = self._items.get(action_id)
            if pending is not None and pending.user == user and not pending.done:
                del self._items[action_id]
