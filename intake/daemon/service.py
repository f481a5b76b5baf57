"""One message through the whole job: archive, judge, store, queue the reply.

The daemon calls `Service.handle` for every fetched message.  The order of the
steps is what makes a crash at any point safe (see docs/delivery.md):

1. archive the raw bytes (content-addressed, idempotent) before anything else;
2. run the pure pipeline;
3. store the submission version (idempotent per message sha);
4. queue the reply in the durable outbox (idempotent per message sha);
5. record the message as processed: only now is it "seen".

A crash before 5 makes the next run do 2-4 again, which changes nothing stored.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from intake.config.settings import Config, MailboxConfig
from intake.mailbox.source import FetchedMessage
from intake.pipeline.process import Context, Outcome, process
from mailer.compose.reply import Original, compose_reply
from mailer.outbox import Outbox
from storage.archive import Archive
from storage.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handled:
    outcome: str  # processed / ignored / duplicate / failed / quarantined / seen
    replied: bool = False
    detail: str = ""


class Service:
    def __init__(self, config: Config, store: Store, archive: Archive, outbox: Outbox) -> None:
        self.config = config
        self.store = store
        self.archive = archive
        self.outbox = outbox
        self.ctx = Context(config.notice, config.policy, config.limits)
        self.lock = threading.Lock()
        own = {m.address for m in config.mailboxes} | {m.reply_from for m in config.mailboxes}
        self.own_addresses = {a.lower() for a in own | {config.outbox.from_addr} if a}

    def handle(self, fm: FetchedMessage, mb: MailboxConfig, now: datetime | None = None) -> Handled:
        with self.lock:
            return self._handle(fm, mb, now or datetime.now(self.config.notice.timezone))

    def _handle(self, fm: FetchedMessage, mb: MailboxConfig, now: datetime) -> Handled:
        sha = self.archive.put(fm.raw)
        if self.store.seen(mb.name, fm.uidvalidity, fm.uid):
            return Handled("seen")
        try:
            outcome = process(
                fm.raw,
                self.ctx,
                mailbox=mb.address or None,
                received=fm.received,
                oversize=fm.truncated,
                served=mb.periods,
            )
        except Exception as exc:  # contained per message: logged, counted, quarantined after N
            return self._failed(fm, mb, sha, exc)
        msg = outcome.message
        mid = (msg.message_id if msg else "") or f"sha:{sha[:12]}"
        sender = msg.sender if msg else ""
        received = (outcome.received or fm.received).isoformat()
        verdict = outcome.verdict
        if msg and msg.message_id and self.store.seen_content(msg.message_id, sha):
            self.store.record_message(
                mb.name,
                fm.uidvalidity,
                fm.uid,
                msg.message_id,
                sha,
                received,
                "ignored",
                sender,
                None,
                "duplicate of a message already processed",
            )
            log.info("%s duplicate of an earlier copy; no second reply", mid)
            return Handled("duplicate")
        public = verdict.public()  # once: it is stored twice (submission and message record)
        if verdict.status == "ignored":
            self.store.record_message(
                mb.name,
                fm.uidvalidity,
                fm.uid,
                msg.message_id if msg else "",
                sha,
                received,
                "ignored",
                sender,
                public,
                verdict.ignored_reason,
            )
            log.info("%s ignored: %s", mid, verdict.ignored_reason)
            return Handled("ignored", detail=verdict.ignored_reason)
        diff, version = None, 0
        if verdict.program and verdict.period and verdict.province:
            sub = self._submission(verdict, public, sha, sender, received)
            version = int(sub.get("version", 0))
            diff = sub.get("diff") if version > 1 and verdict.status == "accepted" else None
        replied = self._reply(outcome, mb, sha, now, diff, version, mid)
        self.store.record_message(
            mb.name,
            fm.uidvalidity,
            fm.uid,
            msg.message_id if msg else "",
            sha,
            received,
            "processed",
            sender,
            public,
        )
        log.info(
            "%s %s program=%s period=%s province=%s rows=%d replied=%s",
            mid,
            verdict.status,
            verdict.program,
            verdict.period,
            verdict.province,
            len(verdict.participants),
            replied,
        )
        return Handled("processed", replied)

    def _failed(self, fm: FetchedMessage, mb: MailboxConfig, sha: str, exc: Exception) -> Handled:
        count = self.store.record_failure(
            mb.name, fm.uidvalidity, fm.uid, "", sha, f"{type(exc).__name__}: {exc}"
        )
        log.exception(
            "sha:%s failed processing (attempt %d of %d)", sha[:12], count, self.config.daemon.max_failures
        )
        if count >= self.config.daemon.max_failures:
            self.store.record_message(
                mb.name,
                fm.uidvalidity,
                fm.uid,
                "",
                sha,
                fm.received.isoformat(),
                "quarantined",
                "",
                None,
                f"{type(exc).__name__}: {exc}",
            )
            log.error(
                "sha:%s quarantined after %d failures; raw message kept in the archive", sha[:12], count
            )
            return Handled("quarantined", detail=str(exc))
        return Handled("failed", detail=str(exc))

    def _submission(
        self,
        verdict,
        public: dict,
        sha: str,
        sender: str,  # type: ignore[no-untyped-def]
        received: str,
    ) -> dict:
        # add_submission returns the stored version when this message (sha) is already in the group
        # (a re-run after a crash), through an index: no walk over the group's versions, whose cost
        # grew with every resubmission.
        return self.store.add_submission(
            verdict.program, verdict.period, verdict.province, public, sha, sender, received, verdict.status
        )

    def _reply(
        self,
        outcome: Outcome,
        mb: MailboxConfig,
        sha: str,
        now: datetime,
        diff: dict | None,
        version: int,
        mid: str,
    ) -> bool:
        msg = outcome.message
        if msg is None or not msg.sender or "@" not in msg.sender:
            log.info("%s no reply: no sender address", mid)
            return False
        sender = msg.sender.lower()
        if sender in self.own_addresses:
            log.info("%s no reply: sent from one of our own addresses", mid)
            return False
        key = f"reply:{sha}"
        if self.outbox.get(key) is not None:
            return True
        day = now.astimezone(self.config.notice.timezone).date().isoformat()
        if self.store.count_replies(sender, day) >= self.config.daemon.replies_per_sender_per_day:
            log.warning(
                "%s no reply: sender reached %d auto-replies today",
                mid,
                self.config.daemon.replies_per_sender_per_day,
            )
            return False
        from_addr = mb.reply_from or mb.address or outcome.mailbox
        original = Original(
            sender=sender,
            subject=msg.subject,
            message_id=msg.message_id,
            references=msg.references,
            sha256=sha,
        )
        raw = compose_reply(
            outcome.verdict,
            self.config.notice,
            original,
            from_addr=from_addr,
            now=now,
            diff=diff,
            version=version,
        )
        self.outbox.enqueue(key, raw, from_addr, [sender])
        self.store.note_reply(sender, day)
        return True
