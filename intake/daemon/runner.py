"""The daemon: watch every mailbox, hand each message to the service, deliver the outbox.

One thread per mailbox (IMAP IDLE blocks), one delivery thread.  A failure on
one mailbox is logged and retried with capped backoff; it never stops the others.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import threading
from datetime import datetime
from pathlib import Path

from intake.config.settings import Config, MailboxConfig
from intake.daemon.service import Service
from intake.daemon.status import MailboxStatus, PeriodStatus, StatusDocument
from intake.daemon.wiring import make_sender
from intake.errors import ConfigError, MailboxError
from intake.mailbox.backoff import Backoff
from intake.mailbox.factory import make_source
from intake.mailbox.source import FetchedMessage, MailSource
from intake.organizer.schedule import run_due_once, start_scheduler
from intake.readers.registry import capabilities
from mailer.delivery import DeliveryReport, deliver_pending
from mailer.outbox import Outbox, OutboxState
from mailer.smtp_sender import Sender
from storage.archive import Archive
from storage.atomic import write_file_atomically
from storage.store import Store

log = logging.getLogger(__name__)
# Outcomes of Service.handle that count as handled, and those after which the message is marked
# processed (moved or tagged): only submissions; in a person's everyday inbox, unrelated mail,
# auto-replies and quarantined messages stay where the person left them.
HANDLED = ("processed", "ignored", "duplicate", "quarantined", "question")
MARKED = ("processed", "duplicate")


class Daemon:
    """The store, archive, outbox and sender of one configuration, and the threads that serve them."""

    def __init__(self, config: Config, *, sender: Sender | None = None) -> None:
        self.config = config
        self.store = Store(config.storage_dir)
        self.archive = Archive(Path(config.storage_dir) / "archive")
        self.outbox = Outbox(config.outbox.directory)
        self.sender = sender or make_sender(config)
        self.service = Service(config, self.store, self.archive, self.outbox)
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.sources: dict[str, MailSource] = {}
        self.errors: dict[str, str] = {}

    def close(self) -> None:
        self.stop.set()
        self._close_sources()
        self.store.close()

    def _close_sources(self) -> None:
        """Close every source (best effort); ends an IDLE in progress at once."""
        for name, source in list(self.sources.items()):
            try:
                source.close()
            except Exception:  # closing is best effort
                log.debug("%s close failed", name, exc_info=True)

    def __enter__(self) -> Daemon:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one cycle ---------------------------------------------------------------------------
    def poll(self, mb: MailboxConfig, source: MailSource) -> int:
        """Fetch and handle what is new in one mailbox; returns how many were handled."""
        handled = 0
        tried: set[tuple[int, int]] = set()  # a failure is retried on the next poll, not in a tight loop
        while not self.stop.is_set():
            batch = [
                fm
                for fm in source.fetch_new(lambda v, u: self.store.seen(mb.name, v, u), limit=100)
                if (fm.uidvalidity, fm.uid) not in tried
            ]
            if not batch:
                break
            for fm in batch:
                tried.add((fm.uidvalidity, fm.uid))
                handled += self._handle(fm, mb, source)
        self.store.note_poll(mb.name, datetime.now(self.config.notice.timezone).isoformat(timespec="seconds"))
        if handled:
            self.wake.set()
        return handled

    def _handle(self, fm: FetchedMessage, mb: MailboxConfig, source: MailSource) -> int:
        """Hand one message to the service and mark it processed as configured; 1 when handled."""
        result = self.service.handle(fm, mb)
        if result.replied:
            self.wake.set()  # send this reply now, not after the whole backlog (burst latency)
        if result.outcome in MARKED:
            try:
                source.mark_processed(fm.uid)
            except MailboxError as exc:
                log.warning("%s uid=%d could not be marked processed: %s", mb.name, fm.uid, exc)
        return 1 if result.outcome in HANDLED else 0

    def deliver(self, runner: asyncio.Runner | None = None) -> DeliveryReport:
        d = self.config.daemon
        rounds = deliver_pending(
            self.outbox,
            self.sender,
            backoff=(d.retry_base, d.retry_factor, d.retry_cap),
            max_attempts=d.max_attempts,
            log=log,
        )
        return runner.run(rounds) if runner is not None else asyncio.run(rounds)

    def run_once(self) -> dict[str, int | str]:
        """Poll every mailbox once, then send the outbox.  Returns handled counts per mailbox."""
        result: dict[str, int | str] = {}
        for mb in self.config.mailboxes:
            source = make_source(mb, self.config)
            try:
                source.connect()
                result[mb.name] = self.poll(mb, source)
                self.errors.pop(mb.name, None)
            except MailboxError as exc:
                log.error("%s poll failed: %s", mb.name, exc)
                self.errors[mb.name] = str(exc)
                result[mb.name] = f"error: {exc}"
            finally:
                source.close()
        run_due_once(self)  # digests and reminders due now, or missed while the daemon was down
        self.deliver()
        self.write_status()
        return result

    # -- forever -----------------------------------------------------------------------------
    def run_forever(self) -> None:
        _warn_formats_off()
        threads = [
            threading.Thread(target=self._watch, args=(mb,), name=f"watch-{mb.name}", daemon=True)
            for mb in self.config.mailboxes
        ]
        threads.append(threading.Thread(target=self._deliver_loop, name="deliver", daemon=True))
        for t in threads:
            t.start()
        scheduler = start_scheduler(self)  # digests and reminders (cron jobs, and a catch-up now)
        try:
            while not self.stop.wait(30):
                self.write_status()
        finally:
            scheduler.shutdown(wait=True)
            self.stop.set()
            self.wake.set()
            self._close_sources()
            for t in threads:
                t.join(timeout=5)
            self.write_status()

    def _watch(self, mb: MailboxConfig) -> None:
        """One mailbox until stop: connect, poll, wait for mail; reconnect with backoff after a failure."""
        backoff = Backoff(base=1.0, cap=300.0)
        while not self.stop.is_set():
            try:
                self._serve(mb, backoff)
            except MailboxError as exc:
                self._failed(mb, str(exc), backoff, "mailbox error, reconnecting")
            except ConfigError as exc:  # its password cannot be read, say: shown by `intake status`
                self._failed(mb, f"configuration error: {exc}", backoff, "cannot be opened, retrying")
            except Exception as exc:  # a bug must not stop the other mailboxes
                log.exception("%s unexpected error", mb.name)
                self._failed(mb, f"{type(exc).__name__}: {exc}", backoff, "restarting")

    def _serve(self, mb: MailboxConfig, backoff: Backoff) -> None:
        """Connect to the mailbox and handle its mail until stop; the source is closed after."""
        source = make_source(mb, self.config)
        self.sources[mb.name] = source
        try:
            source.connect()
            backoff.reset()
            self.errors.pop(mb.name, None)
            log.info("%s connected", mb.name)
            while not self.stop.is_set():
                self.poll(mb, source)
                source.wait(self.config.daemon.idle_timeout)
        finally:
            try:
                source.close()
            except Exception:
                log.debug("%s close failed", mb.name, exc_info=True)

    def _failed(self, mb: MailboxConfig, error: str, backoff: Backoff, what: str) -> None:
        """Record the mailbox's error for `intake status`, then wait the next backoff delay."""
        self.errors[mb.name] = error
        delay = backoff.next_delay()
        log.warning("%s %s in %.1f s: %s", mb.name, what, delay, error)
        self.stop.wait(delay)

    def _deliver_loop(self) -> None:
        # One event loop for every round: a burst has a round per reply, and a new loop (with its
        # own resolver thread) per round cost more than the round.
        with asyncio.Runner() as runner:
            while not self.stop.is_set():
                self.wake.wait(timeout=self.config.daemon.delivery_interval)
                self.wake.clear()
                try:
                    self.deliver(runner)
                except Exception:
                    log.exception("outbox delivery round failed")

    # -- operator's view ---------------------------------------------------------------------
    def status(self) -> StatusDocument:
        mailboxes: dict[str, MailboxStatus] = {
            mb.name: {
                "address": mb.address,
                "last_poll": self.store.last_poll(mb.name),
                "counts": self.store.counts(mb.name),
                "error": self.errors.get(mb.name, ""),
            }
            for mb in self.config.mailboxes
        }
        periods: dict[str, PeriodStatus] = {
            period.key: {
                "admitted": len(period.provinces),
                "submissions": [s.to_json() for s in self.store.submissions(period.program, period.number)],
            }
            for period in self.config.notice.periods
        }
        return {
            "written": datetime.now(self.config.notice.timezone).isoformat(timespec="seconds"),
            "mailboxes": mailboxes,
            "outbox": self.outbox.stats(),
            "flagged": [i.key for i in self.outbox.items(OutboxState.FAILED)],
            "periods": periods,
            "formats": capabilities(),
            "questions": self.service.questions_status(),
            "bounced": [i.key for i in self.outbox.items(OutboxState.BOUNCED)],
        }

    def write_status(self) -> None:
        try:
            data = json.dumps(self.status(), ensure_ascii=False, indent=1, default=str).encode()
            write_file_atomically(Path(self.config.storage_dir) / "status.json", data)
        except Exception:
            log.exception("could not write status.json")


def _warn_formats_off() -> None:
    off = [kind for kind, on in capabilities().items() if not on]
    if off:
        log.warning(
            "formats off (their senders are asked for xlsx/docx): %s; see README, System packages",
            ", ".join(off),
        )


def run(config: Config, once: bool) -> int:
    """`intake run`: the daemon until SIGTERM or SIGINT, or one full cycle (once)."""
    with Daemon(config) as daemon:
        if once:
            result = daemon.run_once()
            for name, count in result.items():
                log.info("%s handled=%s", name, count)
            return 0

        def _stop(signum: int, _frame: object) -> None:
            log.info("signal %d: stopping", signum)
            daemon.stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        daemon.run_forever()
    return 0
