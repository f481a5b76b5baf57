"""One message through the whole job: archive, judge, store, queue the reply.

The daemon calls `Service.handle` for every fetched message.  The order of the
steps is what makes a crash at any point safe (see docs/delivery.md):

1. archive the raw bytes (content-addressed, idempotent) before anything else;
2. run the pure pipeline;
3. store the submission version (idempotent per message sha);
4. queue the reply in the durable outbox (idempotent per message sha);
5. record the message as processed: only now is it "seen".

A crash before 5 makes the next run do 2-4 again, which changes nothing stored.

What the pipeline does not answer is routed here too: a question for a person is kept in the
store's queue and acknowledged once per thread (questions.py); a bounce of one of our replies
marks that reply undeliverable in the outbox (bounces.py); every reply queued is recorded under
its Message-ID (storage/sent.py), which is how threads and bounces are recognised.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from intake.config.settings import Config, MailboxConfig
from intake.daemon.bounces import tie_bounce
from intake.daemon.questions import QuestionDesk
from intake.daemon.status import QuestionItem, QuestionsStatus
from intake.daemon.threads import allowed_sender, note_reply
from intake.mailbox.source import FetchedMessage
from intake.mime.classify import MessageKind
from intake.pipeline.process import Context, Outcome, process
from intake.pipeline.standing import StandingLookup, against_standing
from mailer.compose.reply import Original, compose_reply
from mailer.compose.reply_filing import Filing
from mailer.outbox import Outbox
from rules.ours import Disposition
from rules.supplement import Standing
from rules.verdict import Reading, Status, Verdict
from rules.words import asks_beside_a_receipt
from storage.archive import Archive
from storage.records import DUPLICATE_DETAIL, MessageOutcome, MessageRecord, StoredVerdict
from storage.store import Store
from storage.versions import NewVersion, VersionKind

log = logging.getLogger(__name__)


class HandledOutcome(StrEnum):
    """What handling one fetched message came to."""

    PROCESSED = "processed"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"  # the same content was processed before (another UID or UIDVALIDITY)
    FAILED = "failed"  # this attempt failed; the message is tried again next time
    QUARANTINED = "quarantined"  # failed too often: recorded, kept in the archive, never retried
    SEEN = "seen"  # already had its outcome: nothing done
    QUESTION = "question"  # no receipt, words for a person: kept in the questions queue, not answered


@dataclass(frozen=True)
class Handled:
    outcome: HandledOutcome
    replied: bool = False
    detail: str = ""


@dataclass(frozen=True)
class Incoming:
    """One fetched message as the store knows it: where it came from and what it is."""

    mailbox: str  # the configured mailbox's name
    uidvalidity: int
    uid: int
    sha: str  # sha256 of the raw bytes, its name in the archive
    message_id: str  # "" when it has none (or could not be decoded)
    log_id: str  # the Message-ID, else "sha:<first 12 of sha>": what log lines start with
    sender: str
    received: str  # ISO 8601
    subject: str = ""

    @classmethod
    def of(cls, fm: FetchedMessage, mb: MailboxConfig, sha: str, outcome: Outcome) -> Incoming:
        msg = outcome.message
        message_id = msg.message_id if msg else ""
        return cls(
            mailbox=mb.name,
            uidvalidity=fm.uidvalidity,
            uid=fm.uid,
            sha=sha,
            message_id=message_id,
            log_id=message_id or f"sha:{sha[:12]}",
            sender=msg.sender if msg else "",
            received=(outcome.received or fm.received).isoformat(),
            subject=msg.subject if msg else "",
        )


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
        self.questions = QuestionDesk(config, store, outbox, self.own_addresses)
        self.contacts = {a.strip().lower() for addresses in config.contacts.values() for a in addresses}

    def known_sender(self, address: str) -> bool:
        """An address we answered about a province's receipt, or one configured ([contacts], [senders])."""
        address = address.strip().lower()
        return (
            address in self.contacts
            or self.store.known_sender(address)
            or allowed_sender(self.config, address)
        )

    def questions_status(self) -> QuestionsStatus:
        """The questions waiting for a person, for `intake status` (requests to close some applied first).

        Not under the handling lock: a message being read (OCR, up to its budget) must not hold up
        the status; every store call is atomic on its own."""
        self.questions.apply_requests()
        waiting = self.store.questions(open_only=True)
        items: list[QuestionItem] = [
            {
                "key": q.short,
                "sender": q.sender,
                "subject": q.subject,
                "received": q.received,
                "text": " ".join(q.text.split())[:200],
            }
            for q in waiting[:20]
        ]
        return {"open": len(waiting), "items": items}

    def handle(self, fm: FetchedMessage, mb: MailboxConfig, now: datetime | None = None) -> Handled:
        with self.lock:
            return self._handle(fm, mb, now or datetime.now(self.config.notice.timezone))

    def _handle(self, fm: FetchedMessage, mb: MailboxConfig, now: datetime) -> Handled:
        sha = self.archive.put(fm.raw)
        if self.store.seen(mb.name, fm.uidvalidity, fm.uid):
            return Handled(HandledOutcome.SEEN)
        try:
            outcome = process(
                fm.raw,
                self.ctx,
                mailbox=mb.address or None,
                received=fm.received,
                oversize=fm.truncated,
                served=mb.periods,
                known_sender=self.known_sender,
            )
        except Exception as exc:  # contained per message: logged, counted, quarantined after N
            return self._failed(fm, mb, sha, exc)
        incoming = Incoming.of(fm, mb, sha, outcome)
        if incoming.message_id and self.store.seen_content(message_id=incoming.message_id, sha256=sha):
            self._record(incoming, MessageOutcome.IGNORED, None, DUPLICATE_DETAIL)
            log.info("%s duplicate of an earlier copy; no second reply", incoming.log_id)
            return Handled(HandledOutcome.DUPLICATE)
        outcome = against_standing(outcome, self.ctx, self._standing(sha))  # a 补报 judged with what stands
        # Converted once: stored twice (the submission version and the message record).
        stored = StoredVerdict.from_json(outcome.verdict.public())
        if outcome.disposition is Disposition.QUESTION:
            return self._question(incoming, outcome, stored, mb, now)
        if stored.status is Status.IGNORED:
            reason = outcome.verdict.ignored_reason
            if outcome.classification and outcome.classification.kind is MessageKind.BOUNCE:
                marked = tie_bounce(self.store, self.outbox, outcome, incoming.log_id)
                reason += f"; returns our {marked}" if marked else ""
            self._record(incoming, MessageOutcome.IGNORED, stored, reason)
            log.info("%s ignored: %s", incoming.log_id, reason)
            return Handled(HandledOutcome.IGNORED, detail=reason)
        return self._processed(incoming, outcome, stored, mb, now)

    def _question(
        self, incoming: Incoming, outcome: Outcome, stored: StoredVerdict, mb: MailboxConfig, now: datetime
    ) -> Handled:
        """Kept for a person (and acknowledged once per thread); recorded as not answered by rule."""
        kept = self.questions.keep(outcome, mb, incoming.sha, incoming.received, now)
        detail = f"question for a person ({kept.question.short})"
        self._record(incoming, MessageOutcome.IGNORED, stored, detail)
        log.info(
            "%s question kept for a person key=%s acknowledged=%s",
            incoming.log_id,
            kept.question.short,
            kept.acknowledged,
        )
        return Handled(HandledOutcome.QUESTION, replied=kept.acknowledged, detail=detail)

    def _processed(
        self, incoming: Incoming, outcome: Outcome, stored: StoredVerdict, mb: MailboxConfig, now: datetime
    ) -> Handled:
        """Store the submission, queue the reply, then mark the message processed (in this order)."""
        verdict = outcome.verdict
        filing = self._submission(verdict, stored, incoming)
        replied = self._reply(outcome, mb, incoming.sha, now, filing, incoming.log_id)
        self._record(incoming, MessageOutcome.PROCESSED, stored)
        if asks_beside_a_receipt(outcome.words):  # 「另外，能否多报一人？」: a person reads it too
            kept = self.questions.keep(outcome, mb, incoming.sha, incoming.received, now, with_receipt=True)
            log.info(
                "%s its words ask something: question kept for a person key=%s",
                incoming.log_id,
                kept.question.short,
            )
        log.info(
            "%s %s program=%s period=%s province=%s rows=%d replied=%s",
            incoming.log_id,
            verdict.status,
            verdict.program,
            verdict.period,
            verdict.province,
            len(verdict.participants),
            replied,
        )
        return Handled(HandledOutcome.PROCESSED, replied)

    def _record(
        self, incoming: Incoming, outcome: MessageOutcome, verdict: StoredVerdict | None, detail: str = ""
    ) -> None:
        self.store.record_message(
            MessageRecord(
                mailbox=incoming.mailbox,
                uidvalidity=incoming.uidvalidity,
                uid=incoming.uid,
                message_id=incoming.message_id,
                sha256=incoming.sha,
                received=incoming.received,
                outcome=outcome,
                sender=incoming.sender,
                verdict=verdict,
                detail=detail,
            )
        )

    def _failed(self, fm: FetchedMessage, mb: MailboxConfig, sha: str, exc: Exception) -> Handled:
        error = f"{type(exc).__name__}: {exc}"
        count = self.store.record_failure(
            mailbox=mb.name, uidvalidity=fm.uidvalidity, uid=fm.uid, message_id="", sha256=sha, error=error
        )
        log.exception(
            "sha:%s failed processing (attempt %d of %d)", sha[:12], count, self.config.daemon.max_failures
        )
        if count < self.config.daemon.max_failures:
            return Handled(HandledOutcome.FAILED, detail=str(exc))
        self.store.record_message(
            MessageRecord(
                mailbox=mb.name,
                uidvalidity=fm.uidvalidity,
                uid=fm.uid,
                message_id="",
                sha256=sha,
                received=fm.received.isoformat(),
                outcome=MessageOutcome.QUARANTINED,
                sender="",
                verdict=None,
                detail=error,
            )
        )
        log.error("sha:%s quarantined after %d failures; raw message kept in the archive", sha[:12], count)
        return Handled(HandledOutcome.QUARANTINED, detail=str(exc))

    def _standing(self, sha: str) -> StandingLookup:
        """The roster that stands for a group, as it stood before this message (sha) was filed.

        A message processed again after a crash may already be the roster that stands: it is then
        judged against the roster that stood when it was first filed, so its verdict and reply are the
        same as the first time."""

        def lookup(program: str, period: int, province: str) -> Standing | None:
            current = self.store.current_roster(program, period, province)
            if current is not None and current.message_sha == sha:
                versions = self.store.versions(program, period, province)
                current = next((v for v in versions if v.version == current.previous_accepted), None)
            return current.as_standing() if current is not None else None

        return lookup

    def _submission(self, verdict: Verdict, stored: StoredVerdict, incoming: Incoming) -> Filing | None:
        """File the receipt as a version of its (program, period, province); what the reply says about it.

        A receipt whose province, program or period could not be told is filed too (under what is
        known, None for the rest), so the organizers see that a province wrote (来件未识别); its reply
        says nothing about versions (None).  A receipt sent before the roster that stands is filed as
        superseded (storage.submissions).  add_submission returns the stored version when this message
        (sha) is already in the group (a re-run after a crash), through an index.
        """
        version = self.store.add_submission(
            NewVersion(
                program=verdict.program,
                period=verdict.period,
                province=verdict.province,
                verdict=stored,
                message_sha=incoming.sha,
                sender=incoming.sender,
                received=incoming.received,
                status=stored.status,
                kind=VersionKind.SUPPLEMENT if verdict.reading is Reading.SUPPLEMENT else VersionKind.RECEIPT,
                mailbox=incoming.mailbox,
                subject=incoming.subject,
            )
        )
        if not (verdict.program and verdict.period and verdict.province):
            return None
        if version.superseded:
            log.info(
                "%s sent before version %s that stands: superseded", incoming.log_id, version.superseded_by
            )
        stands = self.store.current_roster(verdict.program, verdict.period, verdict.province)
        return Filing(version, stands)

    def _reply(
        self,
        outcome: Outcome,
        mb: MailboxConfig,
        sha: str,
        now: datetime,
        filing: Filing | None,
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
        queued = self.outbox.get(key)
        if queued is not None:  # processed again after a crash: the reply is queued; its record may not be
            note_reply(self.store, queued.raw, key, msg, outcome.verdict, now)
            return True
        day = now.astimezone(self.config.notice.timezone).date().isoformat()
        if self.store.count_replies(sender, day=day) >= self.config.daemon.replies_per_sender_per_day:
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
            filing=filing,
        )
        self.outbox.enqueue(key, raw, from_addr, [sender])
        note_reply(self.store, raw, key, msg, outcome.verdict, now)
        self.store.note_reply(sender, day=day)
        return True
