"""The daemon: watch every mailbox, hand each message to the service, deliver the outbox.

One thread per mailbox (IMAP IDLE blocks), one delivery thread, the organizer's scheduler,
and the main thread, which writes the status.  A failure on one mailbox is shown in
`intake status` with its time and retried with capped backoff; it never stops the others.
Every thread runs guarded (_guarded): an exception that escapes it is logged, shown in the
status, and the thread starts again after a backoff delay; none dies quietly.  Another
thread (the organizers' web console, say) is one more entry in Daemon.threads().
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

from intake.config.settings import Config, MailboxConfig
from intake.daemon.service import Service
from intake.daemon.startup import open_storage
from intake.daemon.status import (
    MailboxStatus,
    PeriodStatus,
    Problems,
    StatusDocument,
    account_status,
    flagged_replies,
    now_iso,
)
from intake.daemon.wiring import make_accounts
from intake.errors import ConfigError, MailboxError
from intake.mailbox.backoff import Backoff
from intake.mailbox.factory import make_source
from intake.mailbox.source import FetchedMessage, MailSource
from intake.organizer.schedule import run_due_once, start_scheduler
from intake.readers.registry import capabilities
from mailer.accounts import Accounts
from mailer.delivery import DeliveryReport, deliver_pending
from mailer.outbox_item import OutboxState
from mailer.sessions import KeptSessions
from storage.atomic import write_file_atomically

log = logging.getLogger(__name__)
# Outcomes of Service.handle that count as handled, and those after which the message is marked
# processed (moved or tagged): only submissions; in a person's everyday inbox, unrelated mail,
# auto-replies and quarantined messages stay where the person left them.
HANDLED = ("processed", "ignored", "duplicate", "quarantined", "question")
MARKED = ("processed", "duplicate")
STATUS_INTERVAL = 30.0  # status.json is rewritten at least this often, and whenever an error changes


class Daemon:
    """The store, archive, outbox and accounts of one configuration, and the threads that serve them."""

    def __init__(self, config: Config, *, accounts: Accounts | None = None) -> None:
        self.config = config
        self.store, self.archive, self.outbox = open_storage(config)
        self.accounts = accounts or make_accounts(config)
        self.service = Service(config, self.store, self.archive, self.outbox)
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.sources: dict[str, MailSource] = {}
        self.warnings: dict[str, str] = {}  # per mailbox: a problem that does not stop it
        self.problems = Problems(config.notice.timezone)
        self.started: str | None = None
        self._account_errors: dict[str, str] = {}
        self.on_stop: list[Callable[[], None]] = []  # called when run_forever ends (the console's server)
        self.console: object | None = None  # the console's server while it runs (its .address)

    @property
    def errors(self) -> dict[str, str]:
        """The current error of each mailbox that has one, by name."""
        return {
            name.removeprefix("mailbox:"): problem["error"]
            for name, problem in self.problems.snapshot().items()
            if name.startswith("mailbox:")
        }

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

    def request_stop(self) -> None:
        """Stop every thread soon (the signal handler's way); run_forever closes the sources."""
        self.stop.set()
        self.wake.set()

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
        self.store.note_poll(mb.name, now_iso(self.config.notice.timezone))
        self._note_warning(mb, source)
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

    def _note_warning(self, mb: MailboxConfig, source: MailSource) -> None:
        warning = getattr(source, "warning", "")
        if warning != self.warnings.get(mb.name, ""):
            self.warnings[mb.name] = warning
            self.problems.changed.set()

    def deliver(
        self, runner: asyncio.Runner | None = None, sessions: KeptSessions | None = None
    ) -> DeliveryReport:
        """One delivery round.  sessions: kept open between rounds, only by the delivery loop (its
        runner's event loop); every other caller's sessions are closed before this returns."""
        d = self.config.daemon
        rounds = deliver_pending(
            self.outbox,
            self.accounts,
            backoff=(d.retry_base, d.retry_factor, d.retry_cap),
            max_attempts=d.max_attempts,
            log=log,
            throttle_delay=self.config.outbox.throttle_delay,
            sessions=sessions,
        )
        report = runner.run(rounds) if runner is not None else asyncio.run(rounds)
        errors = {name: raw["error"] for name, raw in self.accounts.status().items()}
        if errors != self._account_errors:
            self._account_errors = errors
            self.problems.changed.set()
        return report

    def run_once(self) -> dict[str, int | str]:
        """Poll every mailbox once, then send the outbox.  Returns handled counts per mailbox."""
        result: dict[str, int | str] = {}
        for mb in self.config.mailboxes:
            result[mb.name] = self._poll_once(mb)
        run_due_once(self)  # digests and reminders due now, or missed while the daemon was down
        self.deliver()
        self.write_status()
        return result

    def _poll_once(self, mb: MailboxConfig) -> int | str:
        source: MailSource | None = None
        try:
            source = make_source(mb, self.config)
            source.connect()
            handled = self.poll(mb, source)
            self.problems.clear(f"mailbox:{mb.name}")
            return handled
        except (MailboxError, ConfigError) as exc:
            log.error("%s poll failed: %s", mb.name, exc)
            self.problems.set(f"mailbox:{mb.name}", str(exc))
            return f"error: {exc}"
        finally:
            if source is not None:
                source.close()

    # -- forever -----------------------------------------------------------------------------
    def threads(self) -> list[threading.Thread]:
        """The daemon's threads besides the main one: a watcher per mailbox, the delivery."""
        threads = [self._guarded(f"watch-{mb.name}", self._watch, mb) for mb in self.config.mailboxes]
        threads.append(self._guarded("deliver", self._deliver_loop))
        if self.config.console.enabled:  # the organizers' web console (docs/console.md)
            threads.append(self._guarded("console", self._serve_console))
        return threads

    def _serve_console(self) -> None:
        """The console (waitress) until stop, on this daemon's own store, outbox and service."""
        from intake.console.runner import serve_console  # noqa: PLC0415 - Flask only when a console is configured

        serve_console(self.config, self.store, self.archive, self.service, self.wake.set, self.on_stop, self)

    def run_forever(self) -> None:
        self.started = now_iso(self.config.notice.timezone)
        self.write_status()  # `intake status` works from the first second
        _warn_formats_off()
        threads = self.threads()
        for t in threads:
            t.start()
        scheduler = start_scheduler(self)  # digests and reminders (cron jobs, and a catch-up now)
        try:
            self._status_loop()
        finally:
            scheduler.shutdown(wait=True)
            self.request_stop()
            for stop in self.on_stop:
                stop()
            self._close_sources()
            for t in threads:
                t.join(timeout=5)
            self.write_status()

    def _status_loop(self) -> None:
        """Write status.json at once when an error appears or clears, and every STATUS_INTERVAL."""
        written = time.monotonic()
        while not self.stop.wait(1.0):
            if self.problems.changed.is_set() or time.monotonic() - written >= STATUS_INTERVAL:
                self.problems.changed.clear()
                self.write_status()
                written = time.monotonic()

    def _guarded(self, name: str, target: Callable[..., None], *args: object) -> threading.Thread:
        """A thread running target until stop; an exception that escapes it is shown and it starts again."""

        def run() -> None:
            backoff = Backoff(base=1.0, cap=300.0)
            while not self.stop.is_set():
                try:
                    target(*args)
                    return
                except Exception as exc:
                    log.exception("thread %s failed; restarting it", name)
                    self.problems.set(f"thread:{name}", f"{type(exc).__name__}: {exc}")
                    self.stop.wait(backoff.next_delay())

        return threading.Thread(target=run, name=name, daemon=True)

    def _watch(self, mb: MailboxConfig) -> None:
        """One mailbox until stop: connect, poll, wait for mail; reconnect with backoff after a failure."""
        backoff = Backoff(base=1.0, cap=300.0)
        while not self.stop.is_set():
            try:
                self._serve(mb, backoff)
            except MailboxError as exc:
                if self.stop.is_set():
                    break  # the connection was closed to stop: not an error
                self._failed(mb, str(exc), backoff, "mailbox error, reconnecting")
            except ConfigError as exc:
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
            self.problems.clear(f"mailbox:{mb.name}")
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
        self.problems.set(f"mailbox:{mb.name}", error)
        delay = backoff.next_delay()
        log.warning("%s %s in %.1f s: %s", mb.name, what, delay, error)
        self.stop.wait(delay)

    def _deliver_loop(self) -> None:
        # One event loop for every round: a burst has a round per reply, and a new loop (with its
        # own resolver thread) per round cost more than the round.  The accounts' SMTP sessions
        # stay open in it between rounds (mailer.sessions), until idle keep_session_s or the stop.
        with asyncio.Runner() as runner:
            sessions = KeptSessions(self.config.outbox.keep_session_s)
            try:
                self._deliver_rounds(runner, sessions)
            finally:
                runner.run(sessions.close_all())

    def _deliver_rounds(self, runner: asyncio.Runner, sessions: KeptSessions) -> None:
        """A round at every wake: a reply queued, delivery_interval passed, or a kept session expired."""
        backoff = Backoff(base=1.0, cap=300.0)
        while not self.stop.is_set():
            expires = sessions.expires_in()
            interval = self.config.daemon.delivery_interval
            self.wake.wait(timeout=interval if expires is None else min(interval, expires))
            self.wake.clear()
            if self.stop.is_set():
                break
            try:
                self.deliver(runner, sessions)
            except Exception as exc:
                log.exception("outbox delivery round failed")
                self.problems.set("delivery", f"{type(exc).__name__}: {exc}")
                self.stop.wait(backoff.next_delay())
            else:
                backoff.reset()
                self.problems.clear("delivery")

    # -- operator's view ---------------------------------------------------------------------
    def status(self) -> StatusDocument:
        zone = self.config.notice.timezone
        periods: dict[str, PeriodStatus] = {
            period.key: {
                "admitted": len(period.provinces),
                "submissions": [s.to_json() for s in self.store.submissions(period.program, period.number)],
            }
            for period in self.config.notice.periods
        }
        document: StatusDocument = {
            "written": now_iso(zone),
            "mailboxes": {mb.name: self._mailbox_status(mb) for mb in self.config.mailboxes},
            "accounts": {name: account_status(raw, zone) for name, raw in self.accounts.status().items()},
            "problems": {
                name: problem
                for name, problem in self.problems.snapshot().items()
                if not name.startswith("mailbox:")
            },
            "outbox": self.outbox.stats(),
            "flagged": flagged_replies(self.outbox, zone),
            "periods": periods,
            "formats": capabilities(),
            "questions": self.service.questions_status(),
            "bounced": [i.key for i in self.outbox.items(OutboxState.BOUNCED)],
        }
        if self.started:
            document["started"] = self.started
        return document

    def _mailbox_status(self, mb: MailboxConfig) -> MailboxStatus:
        problem = self.problems.get(f"mailbox:{mb.name}")
        return {
            "address": mb.address,
            "last_poll": self.store.last_poll(mb.name),
            "counts": self.store.counts(mb.name),
            "error": problem["error"] if problem else "",
            "error_at": problem["at"] if problem else None,
            "warning": self.warnings.get(mb.name, ""),
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
            daemon.request_stop()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        daemon.run_forever()
    return 0
