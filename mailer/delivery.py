"""One delivery round: send every due outbox item once.

    report = await deliver_pending(outbox, sender, now)

For each due item: mark_sending (durable) -> sender.send -> mark_sent.
SendTemporaryError -> mark_retry at now + min(cap, base * factor ** (attempts - 1));
SendPermanentError -> mark_failed (flagged, never retried); a temporary error
on the max_attempts-th attempt -> mark_failed.  One failing item never stops
the others.  The round holds the outbox lock, and first recovers items left in
'sending' by a run that died (see mailer.outbox for the delivery guarantee).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mailer.errors import OutboxError, OutboxLocked, SendError, SendPermanentError
from mailer.outbox import Outbox, OutboxItem
from mailer.smtp_sender import Sender

__all__ = ["DeliveryReport", "deliver_pending", "retry_delay"]

_log = logging.getLogger(__name__)

Backoff = tuple[float, float, float]


@dataclass
class DeliveryReport:
    """Keys handled by one round, by outcome."""

    sent: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
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
    sender: Sender,
    now: float | None = None,
    backoff: Backoff = (60, 2.0, 3600),
    max_attempts: int = 10,
    log: logging.Logger | None = None,
    *,
    max_uncertain: int = 1,
) -> DeliveryReport:
    """Try every item due at ``now`` (default: time.time()) once; return what happened.

    max_uncertain: how many attempts whose outcome is unknown (interrupted
    while 'sending', or timeout / lost connection during DATA) an item may
    have and still be retried; one more fails it instead, so a reply reaches
    the server at most max_uncertain + 1 times.
    """
    log = log or _log
    start = time.time() if now is None else float(now)
    clock = time.time if now is None else (lambda: start)
    report = DeliveryReport()
    round_ = _Round(outbox, sender, clock, backoff, max_attempts, max_uncertain, log, report)
    try:
        with outbox.lock():
            report.recovered = [i.key for i in outbox.recover(start, max_uncertain=max_uncertain)]
            for item in outbox.pending(start):
                await _deliver(round_, item)
    except OutboxLocked:
        log.info("outbox %s: another delivery run is active; skipped", outbox.directory)
        report.locked = True
    return report


@dataclass(frozen=True)
class _Round:
    """What every item of one delivery round is handled with."""

    outbox: Outbox
    sender: Sender
    clock: Callable[[], float]
    backoff: Backoff
    max_attempts: int
    max_uncertain: int
    log: logging.Logger
    report: DeliveryReport


async def _deliver(r: _Round, item: OutboxItem) -> None:
    """mark_sending (durable), send, then record the outcome; every failure is logged and recorded."""
    key = item.key
    try:
        raw = item.raw
    except OutboxError as exc:
        r.log.error("%s: stored message unusable, failing it: %s", key, exc)
        _settle(r.outbox.mark_failed, r.log, key, item, exc, r.clock())
        r.report.failed.append(key)
        return
    try:
        r.outbox.mark_sending(item, r.clock())
    except OutboxError as exc:
        r.log.error("%s: cannot mark sending, not sent this round: %s", key, exc)
        return
    try:
        await r.sender.send(raw, item.mail_from, item.rcpt_to, key=key)
    except SendPermanentError as exc:
        r.log.error("%s: refused permanently (%s) in %s: %s", key, exc.code, exc.phase, exc.message)
        _settle(r.outbox.mark_failed, r.log, key, item, exc, r.clock())
        r.report.failed.append(key)
    except Exception as exc:  # SendTemporaryError, or a bug in the sender: retry
        _failed_attempt(r, item, exc)
    else:
        _sent(r, item)


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
