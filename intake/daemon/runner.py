"""The daemon: watch every mailbox, hand each message to the service, deliver the outbox.

One thread per mailbox (IMAP IDLE blocks), one delivery thread.  A failure on
one mailbox is logged and retried with capped backoff; it never stops the others.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from datetime import datetime
from pathlib import Path

from intake.config.settings import Config, MailboxConfig
from intake.daemon.service import Service
from intake.daemon.status import MailboxStatus, PeriodStatus, StatusDocument
from intake.errors import MailboxError
from intake.mailbox.backoff import Backoff
from intake.mailbox.imap import ImapSource
from intake.mailbox.maildir import MaildirSource
from intake.mailbox.source import MailSource
from intake.readers.registry import capabilities
from mailer.delivery import DeliveryReport, deliver_pending
from mailer.outbox import Outbox, OutboxState
from mailer.smtp_sender import FileSender, SmtpSender
from storage.archive import Archive
from storage.atomic import write_file_atomically
from storage.store import Store

log = logging.getLogger(__name__)


def make_source(mb: MailboxConfig, config: Config) -> MailSource:
    if mb.kind == "maildir":
        return MaildirSource(
            mb.path,
            mb.name,
            processed_action=mb.processed_action,
            processed_target=mb.processed_target,
            poll_interval=min(config.daemon.poll_interval, 5.0),
            max_message_bytes=config.limits.max_message_bytes,
        )
    return ImapSource(
        mb.host,
        mb.port,
        mb.security,
        mb.user,
        mb.password(),
        mb.folder,
        mb.name,
        processed_action=mb.processed_action,
        processed_target=mb.processed_target,
        poll_interval=config.daemon.poll_interval,
        idle_interval=config.daemon.idle_timeout,
        max_message_bytes=config.limits.max_message_bytes,
    )


def make_sender(config: Config) -> FileSender | SmtpSender:
    o = config.outbox
    if o.kind == "smtp":
        import os

        password = os.environ.get(o.password_env) if o.password_env else None
        return SmtpSender(
            o.host,
            o.port,
            security=o.security,
            user=o.user or None,  # type: ignore[arg-type]
            password=password,
            from_addr=o.from_addr or None,
        )
    return FileSender(o.deliver_to)


class Daemon:
    def __init__(self, config: Config, *, sender: FileSender | SmtpSender | None = None) -> None:
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
        for source in self.sources.values():
            try:
                source.close()
            except Exception:  # closing is best effort
                log.debug("close failed", exc_info=True)
        self.store.close()

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
                result = self.service.handle(fm, mb)
                if result.replied:
                    self.wake.set()  # send this reply now, not after the whole backlog (burst latency)
                if result.outcome in ("processed", "ignored", "duplicate", "quarantined"):
                    handled += 1
                if result.outcome in ("processed", "duplicate"):
                    # Only submissions are moved or tagged: in a person's everyday inbox, unrelated
                    # mail, auto-replies and quarantined messages stay where the person left them.
                    try:
                        source.mark_processed(fm.uid)
                    except MailboxError as exc:
                        log.warning("%s uid=%d could not be marked processed: %s", mb.name, fm.uid, exc)
        self.store.note_poll(mb.name, datetime.now(self.config.notice.timezone).isoformat(timespec="seconds"))
        if handled:
            self.wake.set()
        return handled

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
        from intake.organizer.schedule import run_due_once

        run_due_once(self)  # digests and reminders due now, or missed while the daemon was down
        self.deliver()
        self.write_status()
        return result

    # -- forever -----------------------------------------------------------------------------
    def run_forever(self) -> None:
        formats = capabilities()
        off = [k for k, on in formats.items() if not on]
        if off:
            log.warning(
                "formats off (their senders are asked for xlsx/docx): %s; see README, System packages",
                ", ".join(off),
            )
        threads = [
            threading.Thread(target=self._watch, args=(mb,), name=f"watch-{mb.name}", daemon=True)
            for mb in self.config.mailboxes
        ]
        threads.append(threading.Thread(target=self._deliver_loop, name="deliver", daemon=True))
        for t in threads:
            t.start()
        from intake.organizer.schedule import start_scheduler

        scheduler = start_scheduler(self)  # digests and reminders (cron jobs, and a catch-up now)
        try:
            while not self.stop.wait(30):
                self.write_status()
        finally:
            scheduler.shutdown(wait=True)
            self.stop.set()
            self.wake.set()
            for source in list(self.sources.values()):  # ends an IDLE in progress at once
                try:
                    source.close()
                except Exception:
                    log.debug("close failed", exc_info=True)
            for t in threads:
                t.join(timeout=5)
            self.write_status()

    def _watch(self, mb: MailboxConfig) -> None:
        backoff = Backoff(base=1.0, cap=300.0)
        while not self.stop.is_set():
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
            except MailboxError as exc:
                self.errors[mb.name] = str(exc)
                delay = backoff.next_delay()
                log.warning("%s mailbox error, reconnecting in %.1f s: %s", mb.name, delay, exc)
                self.stop.wait(delay)
            except Exception as exc:  # a bug must not stop the other mailboxes
                self.errors[mb.name] = f"{type(exc).__name__}: {exc}"
                delay = backoff.next_delay()
                log.exception("%s unexpected error, restarting in %.1f s", mb.name, delay)
                self.stop.wait(delay)
            finally:
                try:
                    source.close()
                except Exception:
                    log.debug("%s close failed", mb.name, exc_info=True)

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
        }

    def write_status(self) -> None:
        try:
            data = json.dumps(self.status(), ensure_ascii=False, indent=1, default=str).encode()
            write_file_atomically(Path(self.config.storage_dir) / "status.json", data)
        except Exception:
            log.exception("could not write status.json")


def run(config: Config, once: bool) -> int:
    with Daemon(config) as daemon:
        if once:
            result = daemon.run_once()
            for name, count in result.items():
                log.info("%s handled=%s", name, count)
            return 0
        import signal

        def _stop(signum: int, _frame: object) -> None:
            log.info("signal %d: stopping", signum)
            daemon.stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        daemon.run_forever()
    return 0
