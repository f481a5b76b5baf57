"""The intake database: messages seen, verdicts, submission versions, reply counts, polls, meta.

Layout of ``directory`` (directories 0700, files 0600; one writer at a time via the lock):

    intake.json          polls and meta (small)            } every file is a TinyDB written by
    intake.json.lock     single-writer lock, holder's pid  } AtomicJSONStorage: a crash leaves
    messages/000001.json ... message log, segmented        } each file in its old or new state
    submissions/000001.json ... submission versions, segmented
    replies/000001.json  ... reply counts per (sender, day), segmented
    questions/000001.json ... messages that need a person (storage/questions.py)
    sent/000001.json     ... what we sent, by Message-ID: thread, outbox item (storage/sent.py)

Each method call is at most one atomic file write, so it is all-or-nothing on its own; calls are
not grouped into transactions.  Store a submission before recording its message: a crash in
between makes the daemon process the message again, and add_submission() is idempotent per
message sha.  Methods take and return the typed records of storage.records (frozen: changing
what a caller holds changes nothing stored); meta values are any JSON, returned as copies.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

from .atomic import make_private_dir, sweep_temp_files
from .errors import StorageError
from .keyed import KeyedTable, SegmentedTable, open_db
from .lock import FileLock
from .messages import MessageLog
from .questions import Question, QuestionLog
from .records import MessageOutcome, MessageRecord
from .sent import SentLog, SentNote
from .submissions import SubmissionLog
from .versions import NewVersion, SubmissionSummary, SubmissionVersion

DB_NAME = "intake.json"
P = ParamSpec("P")
R = TypeVar("R")


def _open(method: Callable[P, R]) -> Callable[P, R]:
    """Serialise calls (the scheduler may call from another thread) and refuse a closed store."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        self = args[0]
        assert isinstance(self, Store)
        with self._mutex:
            if self._closed:
                raise StorageError("store is closed")
            return method(*args, **kwargs)

    return wrapper


class Store:
    def __init__(
        self, directory: str | os.PathLike[str], *, segment_docs: int = 50, segment_bytes: int = 64 * 1024
    ) -> None:
        self.directory = make_private_dir(directory)
        self.path = self.directory / DB_NAME
        self._mutex = threading.RLock()
        self._closed = True
        self._lock = FileLock(f"{self.path}.lock").acquire()
        self._segmented: list[SegmentedTable] = []
        try:
            sweep_temp_files(self.directory)
            self._db = open_db(self.path)
            self._polls = KeyedTable(self._db.table("polls"))
            self._meta = KeyedTable(self._db.table("meta"))

            def segmented(name: str) -> SegmentedTable:
                table = SegmentedTable(
                    self.directory / name, table=name, max_docs=segment_docs, max_bytes=segment_bytes
                )
                self._segmented.append(table)
                return table

            self._messages = MessageLog(segmented("messages"))
            self._submissions = SubmissionLog(segmented("submissions"))
            self._replies = segmented("replies")
            self._questions = QuestionLog(segmented("questions"))
            self._sent = SentLog(segmented("sent"))
        except BaseException:
            self._close_files()
            raise
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------------
    def _close_files(self) -> None:
        for table in self._segmented:
            table.close()
        if getattr(self, "_db", None) is not None:
            self._db.close()
        self._lock.release()

    def close(self) -> None:
        with self._mutex:
            if not self._closed:
                self._closed = True
                self._close_files()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- messages ----------------------------------------------------------------------------
    @_open
    def seen(self, mailbox: str, uidvalidity: int, uid: int) -> bool:
        """True once record_message() gave this UID a final outcome (failures alone do not count)."""
        return self._messages.seen(mailbox, uidvalidity, uid)

    @_open
    def seen_content(self, *, message_id: str, sha256: str) -> bool:
        """True if a message with this Message-ID and raw-bytes sha256 was recorded in any mailbox/UID."""
        return self._messages.seen_content(message_id, sha256)

    @_open
    def record_message(self, record: MessageRecord) -> MessageRecord:
        """Record the final outcome (processed/ignored/failed/quarantined); replaces an earlier record.

        failures, errors, recorded and seq are the store's to fill: what the caller gave there is replaced.
        """
        return self._messages.record(record)

    @_open
    def record_failure(
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
        """Count one failed attempt; returns the number of failures so far for this UID."""
        return self._messages.fail(
            mailbox=mailbox,
            uidvalidity=uidvalidity,
            uid=uid,
            message_id=message_id,
            sha256=sha256,
            error=error,
            when=when,
        )

    @_open
    def failures(self, mailbox: str, uidvalidity: int, uid: int) -> int:
        return self._messages.failures(mailbox, uidvalidity, uid)

    @_open
    def message(self, mailbox: str, uidvalidity: int, uid: int) -> MessageRecord | None:
        """The full record for a UID (outcome, verdict, failures, errors ...), or None."""
        return self._messages.get(mailbox, uidvalidity, uid)

    @_open
    def message_by_sha(self, sha: str) -> MessageRecord | None:
        """The most recently written record whose raw bytes have this sha256, or None."""
        return self._messages.by_sha(sha)

    @_open
    def counts(self, mailbox: str) -> dict[str, int]:
        """Records per outcome for a mailbox, plus "pending" (failed attempts, no outcome yet)."""
        return self._messages.counts(mailbox)

    # -- submissions -------------------------------------------------------------------------
    @_open
    def add_submission(self, filing: NewVersion) -> SubmissionVersion:
        """Store a new version and return it; its diff is against the roster that stood.

        A version sent (received) before the roster that stands is stored as superseded by it and
        replaces nothing (storage.submissions)."""
        return self._submissions.add(filing)

    @_open
    def versions(
        self, program: str | None, period: int | None, province: str | None
    ) -> list[SubmissionVersion]:
        """Every version of the group, in the order the province sent them (received time, then number)."""
        return self._submissions.versions(program, period, province)

    @_open
    def current_roster(
        self, program: str | None, period: int | None, province: str | None
    ) -> SubmissionVersion | None:
        """The roster that stands: the accepted version sent last, or None."""
        return self._submissions.current(program, period, province)

    @_open
    def version(
        self, program: str | None, period: int | None, province: str | None, number: int
    ) -> SubmissionVersion | None:
        """One version of the group by its number (one document read), or None."""
        return self._submissions.get(program, period, province, number)

    @_open
    def messages_with(self, outcome: MessageOutcome) -> list[MessageRecord]:
        """The message records whose outcome is this one (the console lists the quarantined)."""
        return self._messages.with_outcome(outcome)

    @_open
    def submissions(self, program: str | None = None, period: int | None = None) -> list[SubmissionSummary]:
        """One summary per (program, period, province) group, sorted by program, period, province."""
        return self._submissions.summary(program, period)

    # -- replies (rate limit) ----------------------------------------------------------------
    @staticmethod
    def _reply_key(sender: str, day: str) -> tuple[str, str]:
        sender = sender.strip().lower()
        return json.dumps([sender, day], ensure_ascii=False), sender

    @_open
    def count_replies(self, sender: str, *, day: str) -> int:
        doc = self._replies.get(self._reply_key(sender, day)[0])
        return int(doc["count"]) if doc else 0

    @_open
    def note_reply(self, sender: str, *, day: str) -> int:
        """Count one reply to ``sender`` (case-insensitive) on ``day``; returns the new count."""
        key, norm = self._reply_key(sender, day)
        doc = self._replies.get(key)
        count = (int(doc["count"]) if doc else 0) + 1
        self._replies.put(key, {"sender": norm, "day": day, "count": count})
        return count

    # -- questions for a person, and what we sent (storage/questions.py, storage/sent.py) ------
    @_open
    def add_question(self, question: Question) -> Question:
        """Keep a message that needs a person; the same message again returns the stored question."""
        return self._questions.add(question)

    @_open
    def question(self, key: str) -> Question:
        """The question whose key starts with ``key`` (6 characters at least); QuestionNotFound otherwise."""
        return self._questions.find(key)

    @_open
    def questions(self, *, open_only: bool = False) -> list[Question]:
        """The questions, oldest first; only those still waiting for a person with open_only."""
        return self._questions.all(open_only)

    @_open
    def open_questions(self) -> int:
        return self._questions.open_count()

    @_open
    def mark_question_handled(self, key: str, *, by: str, note: str, at: str) -> Question:
        """A person handled it: it leaves the queue, with who, when and how."""
        return self._questions.mark_handled(key, by=by, note=note, at=at)

    @_open
    def question_acknowledged(self, key: str, outbox_key: str) -> Question:
        return self._questions.acknowledged(key, outbox_key)

    @_open
    def note_sent(self, sent: SentNote) -> SentNote:
        """Record a reply or acknowledgement we queued, under its Message-ID."""
        return self._sent.note(sent)

    @_open
    def sent(self, message_ids: list[str]) -> SentNote | None:
        """The first of these Message-IDs that we sent, as recorded; None when none is ours."""
        return self._sent.first(message_ids)

    @_open
    def thread_acknowledged(self, thread: str) -> bool:
        return self._sent.acknowledged(thread)

    @_open
    def known_sender(self, address: str) -> bool:
        """Did we answer this address about a province's receipt before?"""
        return self._sent.known(address)

    # -- polls and meta ----------------------------------------------------------------------
    @_open
    def note_poll(self, mailbox: str, when: str) -> None:
        self._polls.put(mailbox, {"mailbox": mailbox, "when": when})

    @_open
    def last_poll(self, mailbox: str) -> str | None:
        doc = self._polls.get(mailbox)
        return str(doc["when"]) if doc else None

    @_open
    def meta_get(self, key: str, default: Any = None) -> Any:
        doc = self._meta.get(key)
        return doc["value"] if doc else default

    @_open
    def meta_set(self, key: str, value: Any) -> None:
        """Store any JSON value under ``key`` (TypeError if it is not JSON)."""
        self._meta.put(key, {"value": value})

    # -- introspection (tests, benchmarks) ---------------------------------------------------
    @property
    def files(self) -> dict[str, Path]:
        return {
            "db": self.path,
            "lock": self._lock.path,
            "messages": self.directory / "messages",
            "submissions": self.directory / "submissions",
            "replies": self.directory / "replies",
            "questions": self.directory / "questions",
            "sent": self.directory / "sent",
        }

    @property
    def messages_table(self) -> SegmentedTable:
        return self._messages.table
