"""Questions for a person: kept in the store's queue, acknowledged once per thread, closed by a person.

The pipeline says a message is a question (rules/ours.py: no receipt, words for a person, in our
thread or from a known sender); here it is kept (storage/questions.py) with the periods it may
concern and the thread it belongs to, and, when [daemon] acknowledge_questions is on and the
thread has had none, acknowledged with a short note (mailer/compose/acknowledgement.py) through
the outbox.  Requests to mark one handled, left by `intake questions done` while the daemon held
the store, are recorded by ``apply_requests``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from intake.config.settings import Config, MailboxConfig
from intake.daemon.threads import message_id_of, referenced, thread_of
from intake.pipeline.process import Outcome
from mailer.compose.acknowledgement import compose_acknowledgement
from mailer.compose.reply import Original
from mailer.outbox import Outbox
from storage.questions import Question, QuestionNotFound, pending_requests, remove_request
from storage.sent import SentKind, SentNote
from storage.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kept:
    question: Question
    acknowledged: bool  # an acknowledgement was queued now


class QuestionDesk:
    def __init__(self, config: Config, store: Store, outbox: Outbox, own_addresses: set[str]) -> None:
        self.config = config
        self.store = store
        self.outbox = outbox
        self.own_addresses = own_addresses

    def keep(
        self,
        outcome: Outcome,
        mb: MailboxConfig,
        sha: str,
        received: str,
        now: datetime,
        *,
        with_receipt: bool = False,
    ) -> Kept:
        """Keep the question (idempotent per message) and acknowledge it if its thread has had nothing.

        with_receipt: asked in the words sent with a receipt; its reply answers the receipt, so no
        acknowledgement, and the question concerns the receipt's period and province."""
        msg = outcome.message
        assert msg is not None, "a question is a decoded message"
        thread = thread_of(self.store, msg) or msg.message_id or f"sha:{sha[:12]}"
        note = self.store.sent(referenced(msg))
        periods = (f"{note.program}/{note.period}",) if note and note.program and note.period else mb.periods
        verdict = outcome.verdict
        if with_receipt and verdict.program and verdict.period:
            periods = (f"{verdict.program}/{verdict.period}",)
        question = self.store.add_question(
            Question(
                key=sha,
                mailbox=mb.name,
                message_id=msg.message_id,
                sender=msg.sender.lower(),
                subject=msg.subject,
                text=outcome.words,
                received=received,
                thread=thread,
                periods=tuple(periods),
                province=(verdict.province or None) if with_receipt else note.province if note else None,
            )
        )
        acknowledged = False if with_receipt else self._acknowledge(question, outcome, mb, now)
        return Kept(question, acknowledged)

    def _acknowledge(self, question: Question, outcome: Outcome, mb: MailboxConfig, now: datetime) -> bool:
        """Queue the one acknowledgement of its thread; False when none is due (or allowed)."""
        msg = outcome.message
        if not self.config.daemon.acknowledge_questions or msg is None or question.acknowledged:
            return False
        sender = question.sender
        if (
            "@" not in sender
            or sender in self.own_addresses
            or self.store.thread_acknowledged(question.thread)
        ):
            return False
        day = now.astimezone(self.config.notice.timezone).date().isoformat()
        if self.store.count_replies(sender, day=day) >= self.config.daemon.replies_per_sender_per_day:
            log.warning("%s no acknowledgement: sender reached today's auto-replies", question.short)
            return False
        from_addr = mb.reply_from or mb.address or outcome.mailbox
        original = Original(sender, msg.subject, msg.message_id, msg.references, question.key)
        raw = compose_acknowledgement(original, from_addr=from_addr, now=now)
        key = f"ack:{question.key}"
        self.outbox.enqueue(key, raw, from_addr, [sender])
        self.store.note_sent(
            SentNote(
                message_id_of(raw),
                key,
                SentKind.ACK,
                question.thread,
                sender,
                now.isoformat(timespec="seconds"),
            )
        )
        self.store.question_acknowledged(question.key, key)
        self.store.note_reply(sender, day=day)
        return True

    def apply_requests(self) -> int:
        """Record the "handled" requests `intake questions done` left while we held the store."""
        applied = 0
        for path, request in pending_requests(self.store.directory):
            try:
                question = self.store.mark_question_handled(
                    request.key, by=request.by, note=request.note, at=request.at
                )
                log.info("question %s handled by %s", question.short, request.by or "-")
                applied += 1
            except QuestionNotFound as exc:
                log.warning("handled request %s not applied: %s", path.name, exc)
            remove_request(path)
        return applied
