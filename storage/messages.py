"""The message log: one record per (mailbox, UIDVALIDITY, UID), also findable by content.

A message is *seen* once ``record()`` gave it a final outcome (processed / ignored / failed /
quarantined).  ``fail()`` only counts an attempt: the message stays unseen (no outcome, counted
as "pending") so the daemon retries it, and quarantines it after N failures by recording
outcome "quarantined".  ``seen_content`` answers by (Message-ID, sha256 of the raw bytes), so a
mailbox whose UIDVALIDITY changed does not get every message processed a second time.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter, defaultdict
from datetime import UTC, datetime

from .keyed import Doc, SegmentedTable
from .records import DUPLICATE, DUPLICATE_DETAIL, PENDING, FailureNote, MessageOutcome, MessageRecord

OUTCOMES = tuple(MessageOutcome)
MAX_ERRORS_KEPT = 20


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def uid_key(mailbox: str, uidvalidity: int, uid: int) -> str:
    return json.dumps([mailbox, int(uidvalidity), int(uid)], ensure_ascii=False)


def content_key(message_id: str, sha256: str) -> str:
    return json.dumps([message_id or "", sha256], ensure_ascii=False)


def checked_outcome(outcome: str) -> MessageOutcome:
    """``outcome`` as a MessageOutcome; ValueError naming the allowed ones if it is none of them."""
    try:
        return MessageOutcome(outcome)
    except ValueError:
        raise ValueError(f"outcome must be one of {[str(o) for o in OUTCOMES]}, not {outcome!r}") from None


def _count_key(doc: Doc) -> str:
    """The counts key of a record: its outcome, "pending", or "duplicate" (apart from other ignored mail)."""
    outcome = doc.get("outcome") or PENDING
    if outcome == MessageOutcome.IGNORED and str(doc.get("detail", "")).startswith(DUPLICATE_DETAIL):
        return DUPLICATE
    return str(outcome)


class MessageLog:
    def __init__(self, table: SegmentedTable) -> None:
        self.table = table
        self.reindex()

    # -- in-memory indexes -------------------------------------------------------------------
    def reindex(self) -> None:
        self._outcome: dict[str, str] = {}  # uid key -> outcome ("" = pending)
        self._content: dict[str, set[str]] = defaultdict(set)  # content key -> uid keys seen
        self._sha: dict[str, tuple[int, str]] = {}  # sha -> (seq, uid key) latest
        self._counts: dict[str, Counter[str]] = defaultdict(Counter)
        self._seq = 0
        for key, doc in self.table.items():
            self._index(key, doc)

    def _index(self, key: str, doc: Doc) -> None:
        outcome = doc.get("outcome") or ""
        self._outcome[key] = outcome
        if outcome:
            self._content[content_key(doc["message_id"], doc["sha256"])].add(key)
        seq = int(doc.get("seq", 0))
        self._seq = max(self._seq, seq)
        if doc["sha256"] and seq >= self._sha.get(doc["sha256"], (-1, ""))[0]:
            self._sha[doc["sha256"]] = (seq, key)
        self._counts[doc["mailbox"]][_count_key(doc)] += 1

    def _unindex(self, key: str, doc: Doc) -> None:
        outcome = doc.get("outcome") or ""
        if outcome:
            self._content[content_key(doc["message_id"], doc["sha256"])].discard(key)
        self._counts[doc["mailbox"]][_count_key(doc)] -= 1
        del self._outcome[key]

    def _put(self, key: str, old: Doc | None, record: MessageRecord) -> MessageRecord:
        self._seq += 1
        record = dataclasses.replace(record, seq=self._seq)
        new = record.to_json()
        try:
            self.table.put(key, new)
        except BaseException:
            self.reindex()
            raise
        if old is not None:
            self._unindex(key, old)
        self._index(key, new)
        return record

    # -- queries -----------------------------------------------------------------------------
    def seen(self, mailbox: str, uidvalidity: int, uid: int) -> bool:
        return bool(self._outcome.get(uid_key(mailbox, uidvalidity, uid)))

    def seen_content(self, message_id: str, sha256: str) -> bool:
        return bool(self._content.get(content_key(message_id, sha256)))

    def get(self, mailbox: str, uidvalidity: int, uid: int) -> MessageRecord | None:
        doc = self.table.get(uid_key(mailbox, uidvalidity, uid))
        return MessageRecord.from_json(doc) if doc is not None else None

    def by_sha(self, sha256: str) -> MessageRecord | None:
        hit = self._sha.get(sha256)
        doc = self.table.get(hit[1]) if hit else None
        return MessageRecord.from_json(doc) if doc is not None and doc["sha256"] == sha256 else None

    def with_outcome(self, outcome: MessageOutcome) -> list[MessageRecord]:
        """The records with this outcome (an index lookup, then one read each)."""
        keys = [key for key, found in self._outcome.items() if found == outcome]
        docs = (self.table.get(key) for key in keys)
        return [MessageRecord.from_json(doc) for doc in docs if doc is not None]

    def failures(self, mailbox: str, uidvalidity: int, uid: int) -> int:
        record = self.get(mailbox, uidvalidity, uid)
        return record.failures if record else 0

    def counts(self, mailbox: str) -> dict[str, int]:
        c = self._counts.get(mailbox, Counter())
        return {k: c.get(k, 0) for k in (*OUTCOMES, PENDING, DUPLICATE)}

    def __len__(self) -> int:
        return len(self._outcome)

    # -- updates -----------------------------------------------------------------------------
    def record(self, outcome: MessageRecord) -> MessageRecord:
        """Give the message its final outcome (a record with outcome set); failures counted before are kept."""
        if outcome.outcome is None:
            raise ValueError("a final record needs an outcome")
        key = uid_key(outcome.mailbox, outcome.uidvalidity, outcome.uid)
        old = self.table.get(key)
        earlier = MessageRecord.from_json(old) if old is not None else None
        record = dataclasses.replace(
            outcome,
            uidvalidity=int(outcome.uidvalidity),
            uid=int(outcome.uid),
            message_id=outcome.message_id or "",
            outcome=checked_outcome(outcome.outcome),
            failures=earlier.failures if earlier else 0,
            errors=earlier.errors if earlier else (),
            recorded=now_iso(),
        )
        return self._put(key, old, record)

    def fail(
        self,
        *,
        mailbox: str,
        uidvalidity: int,
        uid: int,
        message_id: str,
        sha256: str,
        error: str,
        when: str | None = None,
    ) -> int:
        """Count one failed attempt; returns the number of failures so far."""
        key = uid_key(mailbox, uidvalidity, uid)
        old = self.table.get(key)
        earlier = (
            MessageRecord.from_json(old)
            if old is not None
            else MessageRecord(
                mailbox=mailbox,
                uidvalidity=int(uidvalidity),
                uid=int(uid),
                message_id=message_id or "",
                sha256=sha256,
                received="",
                outcome=None,
                sender="",
            )
        )
        note = FailureNote(at=when or now_iso(), error=str(error))
        record = dataclasses.replace(
            earlier,
            failures=earlier.failures + 1,
            errors=(*earlier.errors, note)[-MAX_ERRORS_KEPT:],
            recorded=now_iso(),
        )
        return self._put(key, old, record).failures
