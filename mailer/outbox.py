"""Durable outbox: every reply is stored on disk before it is sent.

Layout of the outbox directory (mode 0700, files 0600)::

    <id>.json            state of one item; its existence IS the item
    <id>.<nonce>.eml     the raw message, written once, never changed
    .lock                flock(2) held by the delivery run (see Outbox.lock)
    .*.tmp               temp files of writes in progress (swept when stale)

``id`` is a hash of the idempotency key.  Every write goes through the storage
layer's durable files (storage.atomic): a temp file that is fsynced, renamed
into place (link(2) for creation, so a key can be created only once) and
followed by an fsync of the directory.  The .eml is written
before the .json that names it, so a crash leaves at worst an orphan .eml,
swept by ``recover()``.

States: pending -> sending -> sent | pending (retry) | failed; sent -> bounced (mark_bounced:
a bounce of the reply came back; flagged for the operator like a failed item).

Delivery guarantee (with mailer.delivery.deliver_pending; see docs/delivery.md):

* A reply is stored (enqueue) before anything is sent and before the input
  message is marked processed; re-enqueueing the same key returns the stored
  item unchanged, so re-processing an input after a crash stores no second reply.
* The daemon dies before mark_sending: the item is still 'pending' and is sent
  on the next run.  Exactly one copy.
* mark_sending is durable before the SMTP connection is opened.  An item found
  in 'sending' at the start of a delivery run belongs to a run that died (the
  run holds the outbox lock, so no live run can own it).  Whether the server
  accepted DATA is unknown, so the item is sent again: if the run died before
  the server accepted DATA there is still exactly one copy; if it died after
  the server accepted DATA but before mark_sent, the recipient gets two.
* Such "uncertain" attempts (a death while 'sending', or a timeout / lost
  connection during DATA) are counted per item.  Only ``max_uncertain`` (default
  1) of them are followed by a retry; the next one marks the item failed and
  flagged for the operator instead.  Hence at most ``max_uncertain + 1``
  copies, i.e. at most one duplicate by default, and never a silent loss: each
  reply ends up 'sent' or 'failed' (flagged).
* The raw bytes never change across retries, so a duplicate carries the same
  Message-ID (set by the composer) and clients can thread or drop it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from mailer.errors import OutboxError, OutboxLocked, OutboxStateError
from mailer.outbox_item import (
    _STATE_FIELDS,
    BOUNCED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    STATES,
    OutboxItem,
    OutboxState,
    item_id,
)
from mailer.outbox_item import (
    FORMAT_VERSION as FORMAT_VERSION,  # re-exported (the record and its JSON live in mailer.outbox_item)
)
from storage.atomic import (
    create_file_atomically,
    fsync_dir,
    make_private_dir,
    sweep_temp_files,
    write_file_atomically,
)
from storage.errors import StoreLocked
from storage.lock import FileLock

__all__ = ["Outbox", "OutboxItem", "OutboxState", "STATES", "PENDING", "SENDING", "SENT", "FAILED", "BOUNCED"]

log = logging.getLogger(__name__)

STALE_TEMP_SECONDS = 3600.0
SWEEP_INTERVAL = 60.0  # seconds between two sweeps by one Outbox (see _sweep)


def _now(now: float | None) -> float:
    return time.time() if now is None else float(now)


def _state_json(item: OutboxItem) -> bytes:
    return json.dumps(item.to_json(), ensure_ascii=False, indent=1).encode()


def _check_new_item(key: str, raw: bytes, rcpt_to: Sequence[str]) -> None:
    if not key:
        raise ValueError("empty idempotency key")
    if not isinstance(raw, bytes | bytearray) or not raw:
        raise ValueError(f"{key}: raw message must be non-empty bytes")
    if isinstance(rcpt_to, str) or not rcpt_to or not all(isinstance(r, str) and r for r in rcpt_to):
        raise ValueError(f"{key}: rcpt_to must be a non-empty list of addresses")


def _describe(error: BaseException | str) -> tuple[str, int | None]:
    if isinstance(error, BaseException):
        text = str(error) or type(error).__name__
        code = getattr(error, "code", None)
        return text[:2000], code if isinstance(code, int) else None
    return str(error)[:2000], None


class Outbox:
    """A directory of replies waiting to be sent, sent, or failed.

    Not thread-safe; meant for one daemon process.  Several processes may
    enqueue concurrently (creation is atomic per key); only the holder of
    ``lock()`` may move items through 'sending' (deliver_pending does).
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        try:
            self.directory = make_private_dir(directory)
        except OSError as exc:
            raise OutboxError(f"cannot create outbox: {exc.strerror or exc}", Path(directory)) from exc
        # State files read by listings (items, sweep), keyed by (inode, mtime, size); see _read_listed.
        self._listed: dict[str, tuple[tuple[int, int, int], OutboxItem]] = {}
        self._swept = -SWEEP_INTERVAL  # monotonic time of the last sweep

    def __repr__(self) -> str:
        return f"Outbox({str(self.directory)!r})"

    # -- files ---------------------------------------------------------------

    def _json_path(self, iid: str) -> Path:
        return self.directory / f"{iid}.json"

    def _read(self, path: Path) -> OutboxItem:
        try:
            data = json.loads(path.read_bytes())
            return OutboxItem.from_json(data, self.directory)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise OutboxError(f"cannot read state: {exc.strerror or exc}", path) from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise OutboxError(f"corrupt state file: {exc}", path) from exc

    def _read_listed(self, name: str, state: OutboxState | None = None) -> OutboxItem | None:
        """_read for listings; None when the item is not in ``state`` (when given).

        Every delivery round lists the whole outbox (recover, pending, the sweep) and the daemon
        never purges sent replies, so reading every state file made each round cost O(every
        reply ever sent).  A file unchanged since it was last listed (same inode, mtime and
        size) is not read again.  It is remembered only once its mtime is more than a second
        old, so that any later rewrite (a new inode from the rename, a later mtime) changes the
        key.  State changes never rely on this: _transition re-reads the file itself.
        """
        st = os.stat(os.path.join(self.directory, name))  # FileNotFoundError as before
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        hit = self._listed.get(name)
        if hit is not None and hit[0] == key:
            item = hit[1]
        else:
            item = self._read(self.directory / name)
            if time.time_ns() - st.st_mtime_ns > 1_000_000_000:
                self._listed[name] = (key, item)
        if state is not None and item.state != state:
            return None
        return dataclasses.replace(item, rcpt_to=list(item.rcpt_to))  # callers get their own snapshot

    def _write(self, item: OutboxItem) -> None:
        path = self._json_path(item.id)
        try:
            write_file_atomically(path, _state_json(item))
        except OSError as exc:
            raise OutboxError(f"cannot write state: {exc.strerror or exc}", path) from exc

    def get(self, key: str) -> OutboxItem | None:
        """The item with idempotency key ``key``, or None."""
        try:
            return self._read(self._json_path(item_id(key)))
        except FileNotFoundError:
            return None

    def _current(self, item: OutboxItem) -> OutboxItem:
        try:
            return self._read(self._json_path(item.id))
        except FileNotFoundError:
            raise OutboxError(f"{item.key}: item no longer exists", self._json_path(item.id)) from None

    def _transition(
        self,
        item: OutboxItem,
        allowed: Sequence[OutboxState],
        wanted: OutboxState,
        now: float,
        update: Callable[[OutboxItem], dict[str, Any]] | None = None,
    ) -> OutboxItem:
        """Re-read the item from disk, check its state, apply ``update``, write it, refresh ``item``."""
        current = self._current(item)
        if current.state not in allowed:
            raise OutboxStateError(
                item.key, state=current.state, wanted=wanted, path=self._json_path(item.id)
            )
        changes = update(current) if update is not None else {}
        for name, value in {"state": wanted, "updated_at": now, **changes}.items():
            setattr(current, name, value)
        self._write(current)
        for name in _STATE_FIELDS:
            setattr(item, name, getattr(current, name))
        return item

    # -- API -----------------------------------------------------------------

    def enqueue(
        self, key: str, raw: bytes, mail_from: str, rcpt_to: Sequence[str], now: float | None = None
    ) -> OutboxItem:
        """Store a reply durably; the same key twice keeps the first item, unchanged.

        Returns the stored item (the existing one if ``key`` is known, in any
        state, even sent or failed).
        """
        _check_new_item(key, raw, rcpt_to)
        existing = self.get(key)
        if existing is not None:
            log.debug("%s: already in outbox (%s)", key, existing.state)
            return existing
        t = _now(now)
        iid = item_id(key)
        eml = f"{iid}.{secrets.token_hex(4)}.eml"
        item = OutboxItem(
            key=key,
            id=iid,
            mail_from=mail_from,
            rcpt_to=list(rcpt_to),
            eml=eml,
            sha256=hashlib.sha256(raw).hexdigest(),
            size=len(raw),
            created_at=t,
            next_at=t,
            updated_at=t,
            directory=self.directory,
        )
        try:
            write_file_atomically(self.directory / eml, bytes(raw))
            created = create_file_atomically(self._json_path(iid), _state_json(item))
        except OSError as exc:
            raise OutboxError(f"{key}: cannot store reply: {exc.strerror or exc}", self.directory) from exc
        if not created:  # lost a race with another enqueuer of the same key
            with contextlib.suppress(OSError):
                (self.directory / eml).unlink()
            winner = self.get(key)
            if winner is None:
                raise OutboxError(f"{key}: item vanished while enqueueing", self._json_path(iid))
            return winner
        log.info("%s: stored in outbox (%d bytes)", key, len(raw))
        return item

    def items(self, state: OutboxState | str | None = None) -> list[OutboxItem]:
        """All items (or those in ``state``), oldest first.  Unreadable ones are logged and skipped."""
        wanted = self._state(state)
        names = self._state_file_names()
        if wanted is None or len(names) < len(self._listed):
            present = set(names)
            self._listed = {n: v for n, v in self._listed.items() if n in present}  # purged files
        found = [item for name in names if (item := self._listed_or_none(name, wanted)) is not None]
        found.sort(key=lambda i: (i.created_at, i.key))
        return found

    @staticmethod
    def _state(state: OutboxState | str | None) -> OutboxState | None:
        if state is None:
            return None
        try:
            return OutboxState(state)
        except ValueError:
            raise ValueError(f"unknown state {state!r}") from None

    def _state_file_names(self) -> list[str]:
        try:
            with os.scandir(self.directory) as entries:  # names, not Paths: cheap on a big outbox
                return sorted(
                    e.name for e in entries if e.name.endswith(".json") and not e.name.startswith(".")
                )
        except OSError as exc:
            raise OutboxError(f"cannot list outbox: {exc.strerror or exc}", self.directory) from exc

    def _listed_or_none(self, name: str, state: OutboxState | None) -> OutboxItem | None:
        """The listed item (None: purged meanwhile, unreadable (logged), or not in ``state``)."""
        try:
            return self._read_listed(name, state)
        except FileNotFoundError:
            return None  # purged meanwhile
        except OutboxError as exc:
            log.error("outbox item skipped: %s", exc)
            return None

    def pending(self, now: float | None = None) -> list[OutboxItem]:
        """Items due for sending at ``now``: state pending and next_at <= now; oldest first."""
        t = _now(now)
        return [i for i in self.items(PENDING) if i.next_at <= t]

    def mark_sending(self, item: OutboxItem, now: float | None = None) -> OutboxItem:
        """pending -> sending, attempts + 1.  Durable on return: call it BEFORE connecting."""
        t = _now(now)
        return self._transition(
            item, (PENDING,), SENDING, t, lambda cur: {"attempts": cur.attempts + 1, "last_attempt_at": t}
        )

    def mark_sent(self, item: OutboxItem, now: float | None = None) -> OutboxItem:
        """sending -> sent."""
        t = _now(now)
        return self._transition(
            item, (SENDING,), SENT, t, lambda cur: {"sent_at": t, "last_error": None, "last_code": None}
        )

    def mark_retry(
        self,
        item: OutboxItem,
        error: BaseException | str,
        next_at: float,
        now: float | None = None,
        *,
        uncertain: bool = False,
        counted: bool = True,
    ) -> OutboxItem:
        """sending -> pending, due again at ``next_at``.

        ``uncertain``: the attempt may have delivered the message (counts
        towards the duplicate budget, see module docstring).  ``counted=False``: the
        attempt never reached the message (the connection or the account failed before
        MAIL FROM was answered), so mark_sending's count is taken back.
        """
        text, code = _describe(error)
        return self._transition(
            item,
            (SENDING,),
            PENDING,
            _now(now),
            lambda cur: {
                "next_at": float(next_at),
                "last_error": text,
                "last_code": code,
                "uncertain": cur.uncertain + (1 if uncertain else 0),
                "attempts": cur.attempts if counted else max(cur.attempts - 1, 0),
            },
        )

    def mark_failed(
        self,
        item: OutboxItem,
        error: BaseException | str,
        now: float | None = None,
        *,
        uncertain: bool = False,
    ) -> OutboxItem:
        """sending|pending -> failed: flagged for the operator, never retried."""
        text, code = _describe(error)
        t = _now(now)
        return self._transition(
            item,
            (SENDING, PENDING),
            FAILED,
            t,
            lambda cur: {
                "failed_at": t,
                "last_error": text,
                "last_code": code,
                "uncertain": cur.uncertain + (1 if uncertain else 0),
            },
        )

    def mark_bounced(self, item: OutboxItem, reason: str, now: float | None = None) -> OutboxItem:
        """sent (or failed) -> bounced: a bounce came back for it; flagged for the operator, never resent."""
        text, _code = _describe(f"bounced: {reason}")
        return self._transition(item, (SENT, FAILED), BOUNCED, _now(now), lambda cur: {"last_error": text})

    def requeue(self, item: OutboxItem, now: float | None = None) -> OutboxItem:
        """Operator action: failed -> pending, due now, counters reset."""
        t = _now(now)
        return self._transition(
            item,
            (FAILED,),
            PENDING,
            t,
            lambda cur: {"next_at": t, "attempts": 0, "uncertain": 0, "failed_at": None},
        )

    def requeue_failed(self, now: float | None = None) -> list[OutboxItem]:
        """Operator action: every failed item back to pending (see requeue)."""
        return [self.requeue(item, now) for item in self.items(FAILED)]

    def recover(self, now: float | None = None, max_uncertain: int = 1) -> list[OutboxItem]:
        """Deal with items left in 'sending' by a run that died.  Call only while holding lock().

        Each such attempt is uncertain (the server may or may not have
        accepted DATA).  Within the budget the item goes back to 'pending',
        due now; beyond it the item is failed and flagged, so that an item is
        never delivered more than ``max_uncertain + 1`` times.  Also sweeps
        stale temp files and orphan .eml files.  Returns the items changed.
        """
        t = _now(now)
        changed = []
        for item in self.items(SENDING):
            reason = f"interrupted while sending (attempt {item.attempts}); delivery unknown"
            if item.uncertain + 1 > max_uncertain:
                self.mark_failed(item, reason + "; not resent to avoid another duplicate", t, uncertain=True)
                log.error("%s: interrupted while sending again; failed, check whether it arrived", item.key)
            else:
                self.mark_retry(item, reason, t, t, uncertain=True)
                log.warning("%s: interrupted while sending; will send again (may duplicate)", item.key)
            changed.append(item)
        self._sweep()
        return changed

    def _sweep(self) -> None:
        """Remove stale temp files and .eml files no item refers to (never those of unreadable items).

        Only files older than STALE_TEMP_SECONDS go, so sweeping once per SWEEP_INTERVAL is
        enough; a daemon's delivery rounds (one per reply in a burst) need not all list the outbox.
        """
        if time.monotonic() - self._swept < SWEEP_INTERVAL:
            return
        self._swept = time.monotonic()
        try:
            for name in sweep_temp_files(self.directory, older_than=STALE_TEMP_SECONDS):
                log.info("outbox: removed stale file %s", name)
            self._sweep_orphans()
        except OSError as exc:
            log.warning("outbox: sweep failed: %s", exc)

    def _sweep_orphans(self) -> None:
        now = time.time()  # file times are wall-clock times, whatever clock the caller uses
        for path in self.directory.iterdir():
            if path.name.endswith(".eml") and self._is_orphan(path.name):
                with contextlib.suppress(FileNotFoundError):
                    if now - path.stat().st_mtime > STALE_TEMP_SECONDS:
                        path.unlink()
                        log.info("outbox: removed stale file %s", path.name)

    def _is_orphan(self, eml: str) -> bool:
        """True if no readable item names the message file ``eml`` (an unreadable one might)."""
        try:
            item = self._read_listed(f"{eml.split('.', 1)[0]}.json")
        except FileNotFoundError:
            return True
        except OutboxError:
            return False
        return item is None or item.eml != eml

    def purge(self, sent_before: float, *, flagged: bool = False) -> int:
        """Delete sent items with sent_at < ``sent_before`` (and, with flagged, failed and bounced
        items last changed before it: `intake purge`); return how many.

        Keep sent items at least as long as an input message may be
        re-processed: a purged key can be enqueued (and sent) again.
        """
        count = 0
        old = [i for i in self.items(SENT) if i.sent_at is not None and i.sent_at < sent_before]
        if flagged:
            old += [i for i in self.items() if i.flagged and (i.failed_at or i.updated_at) < sent_before]
        for item in old:
            try:
                self._json_path(item.id).unlink(missing_ok=True)
                item.eml_path.unlink(missing_ok=True)
            except OSError as exc:
                raise OutboxError(
                    f"{item.key}: cannot purge: {exc.strerror or exc}", self._json_path(item.id)
                ) from exc
            count += 1
        if count:
            fsync_dir(self.directory)
        return count

    def stats(self) -> dict[str, int]:
        """Number of items in each state (all states present, possibly 0)."""
        counts: dict[str, int] = dict.fromkeys(STATES, 0)
        for item in self.items():
            counts[item.state] += 1
        return counts

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive, non-blocking lock of the outbox for one delivery run.

        Raises OutboxLocked if another run (in this or another process) holds
        it.  The kernel releases it when the holder dies.
        """
        lock = FileLock(self.directory / ".lock")
        try:
            lock.acquire()
        except StoreLocked as exc:
            raise OutboxLocked("outbox is locked by another delivery run", lock.path) from exc
        except OSError as exc:
            raise OutboxError(f"cannot open lock: {exc.strerror or exc}", lock.path) from exc
        try:
            yield
        finally:
            lock.release()
