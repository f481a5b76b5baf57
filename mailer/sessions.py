"""Open sessions kept between delivery rounds, one per account, as MTAs cache connections.

    kept = KeptSessions(keep_s=30)                 # the daemon's delivery loop, in its one event loop
    report = await deliver_pending(outbox, accounts, sessions=kept)    # every round
    ...
    await kept.close_all()                         # when the loop ends: QUIT

A round takes an account's session (``take``): the kept one while it has been idle less than
``keep_s`` and still answers (``Session.alive``: NOOP), else a new one: the account's login pacing
first (``Account.pace``: login_interval), then connect, TLS, AUTH.  After the account's items the
round gives it back (``give_back``): kept when ``keep_s`` > 0 and nothing went wrong with it, else
closed (QUIT).  ``close_idle`` QUITs the sessions idle for ``keep_s`` or more; the daemon's loop
calls it at every wake, and wakes when the first kept session expires (``expires_in``).

So a burst costs one login, a trickle one login per idle period, and login_interval applies only to
new logins.  A session the server closed while idle (its own idle timeout, a restart) is found by
the check, before any MAIL: it costs a reply no attempt and no delay, only a new login.

Without a KeptSessions, deliver_pending makes one with ``keep_s = 0`` for its call: every session
is closed before the call returns, as ``intake run --once`` and the CLI commands need.  A session
belongs to the event loop it was opened in: a KeptSessions used from another loop raises
RuntimeError.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from mailer.accounts import Account, open_session
from mailer.smtp_sender import Session

__all__ = ["KeptSessions", "Lease"]

log = logging.getLogger(__name__)


@dataclass
class Lease:
    """An account's session while a round uses it."""

    account: Account
    session: Session
    new: bool  # opened for this round (a login, after the account's pacing)


@dataclass
class _Kept:
    lease: Lease
    idle_since: float  # the clock's time when the last round gave it back


class KeptSessions:
    """The sessions of one event loop that are open and not in use, by account."""

    def __init__(self, keep_s: float = 0.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.keep_s = max(0.0, keep_s)
        self._clock = clock
        self._kept: dict[int, _Kept] = {}  # by id(account): Account is a mutable dataclass
        self._loop: asyncio.AbstractEventLoop | None = None

    def __len__(self) -> int:
        return len(self._kept)

    def holds(self, account: Account) -> bool:
        """Whether a session of this account is kept open."""
        return id(account) in self._kept

    def expires_in(self) -> float | None:
        """Seconds until the first kept session has been idle keep_s (None: none is kept)."""
        if not self._kept:
            return None
        first = min(kept.idle_since for kept in self._kept.values())
        return max(0.0, first + self.keep_s - self._clock())

    async def take(self, account: Account) -> Lease:
        """The account's kept session if recent and alive, else a new one (paced).  SendError if none opens."""
        self._bind_loop()
        kept = self._kept.pop(id(account), None)
        if kept is not None:
            if self._recent(kept) and await kept.lease.session.alive():
                log.debug("account %s: session reused", account.name)
                return Lease(account, kept.lease.session, new=False)
            log.info("account %s: kept session gone or idle too long; logging in again", account.name)
            await _close(kept.lease)
        await account.pace()
        return Lease(account, await open_session(account.sender), new=True)

    async def give_back(self, lease: Lease, *, healthy: bool) -> None:
        """Keep the session for the next round, or close it (after an error on it, or keep_s = 0)."""
        if healthy and self.keep_s > 0 and lease.session.usable:
            self._kept[id(lease.account)] = _Kept(lease, self._clock())
        else:
            await _close(lease)

    async def close_idle(self) -> int:
        """QUIT every session idle for keep_s or more (or already closed by the server); how many."""
        self._bind_loop()
        stale = [
            key for key, kept in self._kept.items() if not self._recent(kept) or not kept.lease.session.usable
        ]
        for key in stale:
            kept = self._kept.pop(key)
            log.debug("account %s: idle session closed", kept.lease.account.name)
            await _close(kept.lease)
        return len(stale)

    async def close_all(self) -> None:
        """QUIT every kept session (the loop is ending)."""
        if self._kept:
            self._bind_loop()
        while self._kept:
            _, kept = self._kept.popitem()
            await _close(kept.lease)

    def _recent(self, kept: _Kept) -> bool:
        return self._clock() - kept.idle_since < self.keep_s

    def _bind_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise RuntimeError("these SMTP sessions belong to another event loop")


async def _close(lease: Lease) -> None:
    """QUIT (or only close the socket when the connection is gone); never raises."""
    try:
        await lease.session.close()
    except Exception:  # closing is best effort: the messages' fate is already recorded
        log.debug("account %s: closing the session failed", lease.account.name, exc_info=True)
