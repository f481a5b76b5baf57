"""One delivery round: send every due outbox item once, one login per account at most.

    report = await deliver_pending(outbox, accounts_or_sender, now)
    report = await deliver_pending(outbox, accounts, sessions=kept)   # the daemon's loop

The due items are grouped by the account that may send their From address (mailer.accounts).
Per account: its session (mailer.sessions: the one kept open since an earlier round, if recent
and it still answers NOOP; else a new one, after the account's login pacing: connect, TLS, AUTH,
and then the account's due items are listed again, so that those that came while it waited go
too), then per item mark_sending (durable) -> session.send (MAIL, RCPT, DATA) -> mark_sent as
soon as the server answered 250 to DATA, before the next item and before QUIT.  Without
``sessions`` every session is closed (QUIT) before the call returns; with the daemon's
KeptSessions a session nothing went wrong with stays open for the next round.

* The session cannot be opened (connection refused, TLS, wrong password): the account's items
  are left as they are (no attempt counted, nothing flagged), the account records the error
  and logs in again only after capped backoff.  One failed login per account per round at
  most, and fewer as the failures go on.
* SendAccountRefused (the server will not let this login send as this From): the same, and
  the attempt is not counted.
* SendThrottled (a provider's rate limit, 163's ``554 DT:SPM``): the item is retried after
  ``throttle_delay`` at least, and the account rests as long; never flagged at once.
* SendTemporaryError -> mark_retry at now + min(cap, base * factor ** (attempts - 1));
  SendPermanentError -> mark_failed (flagged, never retried); a temporary error on the
  max_attempts-th attempt -> mark_failed.  One failing item never stops the others.

The round holds the outbox lock, and first recovers items left in 'sending' by a run that
died (see mailer.outbox for the delivery guarantee).  An item whose From no account may send
(the configuration changed under a queued reply) is failed with that reason, for
`intake requeue` once the configuration is right.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mailer.accounts import Account, Accounts
from mailer.errors import (
    OutboxError,
    OutboxLocked,
    SendAccountRefused,
    SendConnectionError,
    SendError,
    SendPermanentError,
    SendThrottled,
    SendTimeout,
)
from mailer.outbox import Outbox, OutboxItem
from mailer.sessions import KeptSessions, Lease
from mailer.smtp_sender import Sender, Session

__all__ = ["DeliveryReport", "deliver_pending", "retry_delay"]

_log = logging.getLogger(__name__)

Backoff = tuple[float, float, float]
DEFAULT_THROTTLE_DELAY = 1800.0


@dataclass
class DeliveryReport:
    """Keys handled by one round, by outcome."""

    sent: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)  # their account could not be used: not tried
    locked: bool = False  # another round held the outbox; nothing was done


def retry_delay(attempts: int, backoff: Backoff = (60, 2.0, 3600)) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: base * factor**(attempts-1), capped."""
    base, factor, cap = backoff
    exponent = max(attempts - 1, 0)
    try:
        return float(min(cap, base * factor**exponent))
    except OverflowError:
        return float(cap)


async def deliver_pending(
    outbox: Outbox,
    sender: Sender | Accounts,
    now: float | None = None,
    backoff: Backoff = (60, 2.0, 3600),
    max_attempts: int = 10,
    log: logging.Logger | None = None,
    *,
    max_uncertain: int = 1,
    throttle_delay: float = DEFAULT_THROTTLE_DELAY,
    sessions: KeptSessions | None = None,
) -> DeliveryReport:
    """Try every item due at ``now`` (default: time.time()) once; return what happened.

    sender: the daemon's Accounts (kept between rounds), or one sender for every From.
    max_uncertain: how many attempts whose outcome is unknown (interrupted
    while 'sending', or timeout / lost connection during DATA) an item may
    have and still be retried; one more fails it instead, so a reply reaches
    the server at most max_uncertain + 1 times.
    sessions: the sessions kept open between rounds (only the daemon's delivery loop has them,
    always from its one event loop); None: every session is closed before this call returns.
    """
    log = log or _log
    start = time.time() if now is None else float(now)
    clock = time.time if now is None else (lambda: start)
    accounts = sender if isinstance(sender, Accounts) else Accounts.single(sender)
    report = DeliveryReport()
    kept = sessions if sessions is not None else KeptSessions()
    round_ = _Round(
        outbox, clock, backoff, max_attempts, max_uncertain, throttle_delay, log, report, accounts, kept
    )
    try:
        await kept.close_idle()
        with outbox.lock():
            report.recovered = [i.key for i in outbox.recover(start, max_uncertain=max_uncertain)]
            for account, items in _by_account(round_, outbox.pending(start)):
                await _deliver_account(round_, account, items)
    except OutboxLocked:
        log.info("outbox %s: another delivery run is active; skipped", outbox.directory)
        report.locked = True
    finally:
        if sessions is None:
            await kept.close_all()
    return report


@dataclass(frozen=True)
class _Round:
    """What every item of one delivery round is handled with."""

    outbox: Outbox
    clock: Callable[[], float]
    backoff: Backoff
    max_attempts: int
    max_uncertain: int
    throttle_delay: float
    log: logging.Logger
    report: DeliveryReport
    accounts: Accounts
    sessions: KeptSessions


def _by_account(r: _Round, items: Sequence[OutboxItem]) -> list[tuple[Account, list[OutboxItem]]]:
    """The due items grouped by the account that sends their From, in the accounts' order."""
    accounts = r.accounts
    groups: dict[int, list[OutboxItem]] = {}
    for item in items:
        account = accounts.for_address(item.mail_from)
        if account is None:
            reason = f"no SMTP account may send From {item.mail_from} (fix the configuration, then requeue)"
            r.log.error("%s: %s", item.key, reason)
            _settle(r.outbox.mark_failed, r.log, item.key, item, reason, r.clock())
            r.report.failed.append(item.key)
            continue
        groups.setdefault(id(account), []).append(item)
    return [(a, groups[id(a)]) for a in accounts.accounts if id(a) in groups]


async def _deliver_account(r: _Round, account: Account, items: list[OutboxItem]) -> None:
    """One session for the account's due items, unless the account is resting after a failure."""
    if account.blocked(r.clock()):
        r.report.deferred.extend(i.key for i in items)
        return
    try:
        lease = await r.sessions.take(account)
    except SendError as exc:
        _account_failed(r, account, exc, items, retry_delay(account.failures + 1, r.backoff))
        return
    healthy = False
    try:
        if lease.new:
            account.logged_in(r.clock())
            items = _due_now(r, account)  # those that came while it waited for its login
        healthy = await _deliver_items(r, lease, items)
    finally:
        await r.sessions.give_back(lease, healthy=healthy)


def _due_now(r: _Round, account: Account) -> list[OutboxItem]:
    """The account's due items listed again, now that its pacing and login are over."""
    return [item for item in r.outbox.pending(r.clock()) if r.accounts.for_address(item.mail_from) is account]


async def _deliver_items(r: _Round, lease: Lease, items: list[OutboxItem]) -> bool:
    """Each item on the session in turn; False when an error on the session stopped it (close it)."""
    for n, item in enumerate(items):
        if not await _deliver(r, lease.account, lease.session, item):
            r.report.deferred.extend(i.key for i in items[n + 1 :])
            return False
    return lease.session.usable


def _account_failed(
    r: _Round, account: Account, exc: SendError, items: list[OutboxItem], delay: float
) -> None:
    account.failed(exc, r.clock(), delay)
    r.log.error(
        "account %s: %s (%s); %d replies wait, next login in %.0f s",
        account.name,
        exc,
        exc.phase,
        len(items),
        delay,
    )
    r.report.deferred.extend(i.key for i in items)


async def _deliver(r: _Round, account: Account, session: Session, item: OutboxItem) -> bool:
    """mark_sending (durable), send, then record the outcome.  False: stop using this session."""
    key = item.key
    try:
        raw = item.raw
    except OutboxError as exc:
        r.log.error("%s: stored message unusable, failing it: %s", key, exc)
        _settle(r.outbox.mark_failed, r.log, key, item, exc, r.clock())
        r.report.failed.append(key)
        return True
    try:
        r.outbox.mark_sending(item, r.clock())
    except OutboxError as exc:
        r.log.error("%s: cannot mark sending, not sent this round: %s", key, exc)
        return True
    try:
        await session.send(raw, item.mail_from, item.rcpt_to, key=key)
    except SendPermanentError as exc:
        r.log.error("%s: refused permanently (%s) in %s: %s", key, exc.code, exc.phase, exc.message)
        _settle(r.outbox.mark_failed, r.log, key, item, exc, r.clock())
        r.report.failed.append(key)
        return session.usable
    except SendAccountRefused as exc:
        _not_an_attempt(r, item, exc)
        _account_failed(r, account, exc, [item], retry_delay(account.failures + 1, r.backoff))
        return False
    except SendThrottled as exc:
        _throttled(r, account, item, exc)
        return False
    except (SendConnectionError, SendTimeout) as exc:
        if exc.uncertain or exc.phase not in ("mail", "rcpt"):
            _failed_attempt(r, item, exc)
            return session.usable
        _not_an_attempt(r, item, exc)  # the connection went before the message: not its fault
        _account_failed(r, account, exc, [item], retry_delay(account.failures + 1, r.backoff))
        return False
    except Exception as exc:  # SendTemporaryError, or a bug in the sender: retry
        _failed_attempt(r, item, exc)
        return session.usable
    _sent(r, item)
    return True


def _not_an_attempt(r: _Round, item: OutboxItem, exc: SendError) -> None:
    """Back to pending, due now, without counting the attempt."""
    now = r.clock()
    _settle(r.outbox.mark_retry, r.log, item.key, item, exc, now, now, counted=False)


def _throttled(r: _Round, account: Account, item: OutboxItem, exc: SendThrottled) -> None:
    now = r.clock()
    delay = max(r.throttle_delay, retry_delay(item.attempts, r.backoff))
    if item.attempts >= r.max_attempts:
        r.log.error("%s: still rate-limited after %d attempts: %s", item.key, item.attempts, exc)
        _settle(r.outbox.mark_failed, r.log, item.key, item, exc, now)
        r.report.failed.append(item.key)
    else:
        r.log.warning(
            "%s: rate-limited by the provider (%s in %s: %s); retry in %.0f s",
            item.key,
            exc.code,
            exc.phase,
            exc.message,
            delay,
        )
        _settle(r.outbox.mark_retry, r.log, item.key, item, exc, now + delay, now)
        r.report.retried.append(item.key)
    account.note(exc, now)
    account.next_login = now + r.throttle_delay


def _failed_attempt(r: _Round, item: OutboxItem, exc: Exception) -> None:
    """Retry later, or fail the item: after max_attempts, or one uncertain attempt too many."""
    key, now = item.key, r.clock()
    uncertain, detail = _what_failed(exc)
    if not isinstance(exc, SendError):
        r.log.exception("%s: sender raised unexpectedly", key)
    if uncertain and item.uncertain + 1 > r.max_uncertain:
        r.log.error("%s: outcome unknown again (%s); failed to avoid another duplicate", key, detail)
        _settle(r.outbox.mark_failed, r.log, key, item, exc, now, uncertain=True)
        r.report.failed.append(key)
    elif item.attempts >= r.max_attempts:
        r.log.error("%s: giving up after %d attempts: %s", key, item.attempts, detail)
        _settle(r.outbox.mark_failed, r.log, key, item, exc, now, uncertain=uncertain)
        r.report.failed.append(key)
    else:
        next_at = now + retry_delay(item.attempts, r.backoff)
        r.log.warning(
            "%s: attempt %d failed (%s); retry at %.0f%s",
            key,
            item.attempts,
            detail,
            next_at,
            " (may duplicate)" if uncertain else "",
        )
        _settle(r.outbox.mark_retry, r.log, key, item, exc, next_at, now, uncertain=uncertain)
        r.report.retried.append(key)


def _what_failed(exc: Exception) -> tuple[bool, str]:
    """(may the server have the message anyway, a description for the log)."""
    if isinstance(exc, SendError):
        where = f"{exc.code} in {exc.phase}" if exc.code else f"in {exc.phase}"
        return exc.uncertain, f"{where}: {exc.message}"
    return True, f"unexpected {type(exc).__name__}: {exc}"  # unknown failure: the server may have it


def _sent(r: _Round, item: OutboxItem) -> None:
    """The server answered 250 to DATA: recorded now, before the next message and before QUIT."""
    try:
        r.outbox.mark_sent(item, r.clock())
    except OutboxError as exc:
        # Stays 'sending': the next round recovers it as uncertain and resends it once.
        r.log.error("%s: sent, but cannot record it (may be sent again): %s", item.key, exc)
    else:
        r.log.info("%s: sent (attempt %d)", item.key, item.attempts)
    r.report.sent.append(item.key)


def _settle(method: Callable[..., object], log: logging.Logger, key: str, *args: Any, **kwargs: Any) -> None:
    try:
        method(*args, **kwargs)
    except OutboxError as exc:
        log.error("%s: cannot record the outcome: %s", key, exc)
