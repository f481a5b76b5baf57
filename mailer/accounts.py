"""The SMTP accounts replies leave through, chosen by From address, and what each has been through.

    accounts = Accounts([Account("mailbox qq3", SmtpSender(...), senders={"287455270@qq.com"}), ...])
    account = accounts.for_address(item.mail_from)

An account that may send only some From addresses (QQ and 163 let a login send only as itself)
lists them in ``senders``; ``senders=None`` sends any From (a relay).  A specific account wins
over an any-sender one.  Each account remembers, across delivery rounds, its last login and its
last error with their times, and when it may log in again: after a failed login the next is
delayed with capped backoff (retry_delay), after a rate-limit answer by the throttle delay, and
never sooner than ``login_interval`` after the previous one, so that a wrong password costs one
login per round at most and far fewer over hours (providers lock accounts that fail too often).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mailer.smtp_sender import Sender, Session

__all__ = ["Account", "Accounts", "open_session"]


@dataclass
class Account:
    """One login (or one FileSender) and its state between rounds.  Times are wall-clock seconds."""

    name: str
    sender: Sender
    senders: frozenset[str] | None = None  # lower-case From addresses it may send; None: any
    login_interval: float = 0.0  # seconds between two logins
    failures: int = 0  # failed logins (or connections) in a row
    last_login: float | None = None
    last_error: str = ""
    error_at: float | None = None
    next_login: float = 0.0  # not before this time (after a failure or a rate limit)
    _last_login_monotonic: float | None = field(default=None, repr=False)

    def may_send(self, address: str) -> bool:
        return self.senders is None or address.strip().lower() in self.senders

    def blocked(self, now: float) -> bool:
        return now < self.next_login

    async def pace(self) -> None:
        """Wait until login_interval has passed since the previous login of this account."""
        if self._last_login_monotonic is None or self.login_interval <= 0:
            return
        wait = self._last_login_monotonic + self.login_interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def logged_in(self, now: float) -> None:
        self.failures = 0
        self.last_login = now
        self.next_login = 0.0
        self._last_login_monotonic = time.monotonic()

    def failed(self, error: BaseException | str, now: float, delay: float) -> None:
        """A login, TLS or connection failure (or a refusal of the account): no new login for delay s."""
        self.failures += 1
        self.note(error, now)
        self.next_login = now + delay

    def note(self, error: BaseException | str, now: float) -> None:
        self.last_error = str(error) or type(error).__name__
        self.error_at = now

    def status(self) -> dict[str, Any]:
        return {
            "senders": sorted(self.senders) if self.senders is not None else "any",
            "last_login": self.last_login,
            "error": self.last_error,
            "error_at": self.error_at,
            "failures": self.failures,
            "next_login": self.next_login or None,
        }


class Accounts:
    """The accounts of one daemon, in order; kept for its lifetime (their state is the point)."""

    def __init__(self, accounts: Iterable[Account]) -> None:
        self.accounts = list(accounts)
        if not self.accounts:
            raise ValueError("no account to send with")

    @classmethod
    def single(cls, sender: Sender, name: str = "outbox") -> Accounts:
        return cls([Account(name, sender)])

    def for_address(self, address: str) -> Account | None:
        specific = (a for a in self.accounts if a.senders is not None and a.may_send(address))
        anyone = (a for a in self.accounts if a.senders is None)
        return next(specific, None) or next(anyone, None)

    def status(self) -> dict[str, dict[str, Any]]:
        return {a.name: a.status() for a in self.accounts}


class _OneShotSession:
    """A session over a sender without sessions (FileSender, a test's sender): send() as it is."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    @property
    def usable(self) -> bool:
        return True

    async def alive(self) -> bool:
        return True

    async def close(self, *, polite: bool = True) -> None:
        pass

    async def send(
        self, raw: bytes, mail_from: str, rcpt_to: Sequence[str], *, key: str | None = None
    ) -> None:
        await self._sender.send(raw, mail_from, rcpt_to, key=key)


async def open_session(sender: Sender) -> Session:
    """The sender's own session (connect and log in once) or a one-shot adapter; close() it after.

    Raises SendError when the session cannot be opened (connection, TLS, login).
    """
    connect = getattr(sender, "connect", None)
    if connect is None:
        return _OneShotSession(sender)
    session: Session = await connect()
    return session
