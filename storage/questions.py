"""The questions queue: messages that need a person, kept until one marks them handled.

A province that replies to our confirmation with 「能否多报一人？」 and no receipt gets no rule's
answer: its message is kept here (Store.add_question), listed in the daily digest, by `intake
status` and by `intake questions`, and leaves the queue when a person marks it handled, with who,
when and why (Store.mark_question_handled).  The console to come shows the same queue.

Each question is keyed by the sha256 of its raw message, so processing the message again after a
crash adds nothing.  While the daemon holds the store, `intake questions` reads the segments
without the lock (``read_questions``) and asks the daemon to record "handled" through a request
file (``request_handled``; the daemon applies them with ``take_requests``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .atomic import make_private_dir, write_file_atomically
from .errors import StorageError
from .json_storage import read_json_file
from .keyed import SegmentedTable

TABLE = "questions"
REQUESTS = "requests"
MAX_TEXT = 4000  # characters of the question kept (a person reads the rest in the archived message)
_SEGMENT = re.compile(r"\d{6}\.json")
_REQUEST = re.compile(r"handled-[0-9a-f]{1,64}-[0-9a-f]{8}\.json")


@dataclass(frozen=True)
class Question:
    """One message that needs a person."""

    key: str  # sha256 of the raw message (its name in the archive)
    mailbox: str  # the configured mailbox it came to
    message_id: str
    sender: str
    subject: str
    text: str  # the sender's own words, quoted history stripped (at most MAX_TEXT characters)
    received: str  # ISO 8601
    thread: str  # the thread it belongs to: our first Message-ID in it (see Store.thread_of)
    periods: tuple[str, ...] = ()  # periods it may concern ("gz-status/2"): its thread's, else its mailbox's
    province: str | None = None  # the province of its thread's receipt, when known
    acknowledged: str = ""  # outbox key of the acknowledgement sent for it ("" none)
    handled_at: str = ""  # ISO 8601; "" while it is open
    handled_by: str = ""  # who handled it
    handled_note: str = ""  # how it was answered, or why it needs nothing

    @property
    def open(self) -> bool:
        return not self.handled_at

    @property
    def short(self) -> str:
        """The key as people type it: its first 12 characters."""
        return self.key[:12]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "mailbox": self.mailbox,
            "message_id": self.message_id,
            "sender": self.sender,
            "subject": self.subject,
            "text": self.text,
            "received": self.received,
            "thread": self.thread,
            "periods": list(self.periods),
            "province": self.province,
            "acknowledged": self.acknowledged,
            "handled_at": self.handled_at,
            "handled_by": self.handled_by,
            "handled_note": self.handled_note,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Question:
        def text(name: str) -> str:
            value = data.get(name)
            return str(value) if value else ""

        return cls(
            key=text("key"),
            mailbox=text("mailbox"),
            message_id=text("message_id"),
            sender=text("sender"),
            subject=text("subject"),
            text=text("text"),
            received=text("received"),
            thread=text("thread"),
            periods=tuple(str(p) for p in data.get("periods") or ()),
            province=data.get("province") or None,
            acknowledged=text("acknowledged"),
            handled_at=text("handled_at"),
            handled_by=text("handled_by"),
            handled_note=text("handled_note"),
        )


class QuestionNotFound(StorageError):
    """No question, or more than one, has this key or key prefix."""


class QuestionLog:
    def __init__(self, table: SegmentedTable) -> None:
        self.table = table
        self._open: set[str] = set()
        for key, doc in table.items():
            if not doc.get("handled_at"):
                self._open.add(key)

    def add(self, question: Question) -> Question:
        """Keep the question; the same key again returns the stored one unchanged."""
        stored = self.table.get(question.key)
        if stored is not None:
            return Question.from_json({**stored, "key": question.key})
        question = replace(question, text=question.text[:MAX_TEXT])
        self.table.put(question.key, question.to_json())
        if question.open:
            self._open.add(question.key)
        return question

    def get(self, key: str) -> Question | None:
        doc = self.table.get(key)
        return Question.from_json({**doc, "key": key}) if doc is not None else None

    def find(self, prefix: str) -> Question:
        """The one question whose key starts with prefix (at least 6 characters); QuestionNotFound otherwise."""
        prefix = prefix.strip().lower()
        matches = [key for key in self._keys() if len(prefix) >= 6 and key.startswith(prefix)]
        if len(matches) != 1:
            raise QuestionNotFound(f"{len(matches)} questions match {prefix!r}")
        found = self.get(matches[0])
        assert found is not None
        return found

    def all(self, open_only: bool = False) -> list[Question]:
        """Oldest first (by received time)."""
        questions = [Question.from_json({**doc, "key": key}) for key, doc in self.table.items()]
        questions = [q for q in questions if q.open or not open_only]
        return sorted(questions, key=lambda q: (q.received, q.key))

    def open_count(self) -> int:
        return len(self._open)

    def mark_handled(self, key: str, *, by: str, note: str, at: str) -> Question:
        """Close the question (it leaves the queue); closing a closed one keeps the first record."""
        question = self.find(key)
        if not question.open:
            return question
        question = replace(question, handled_at=at, handled_by=by, handled_note=note)
        self.table.put(question.key, question.to_json())
        self._open.discard(question.key)
        return question

    def acknowledged(self, key: str, outbox_key: str) -> Question:
        question = self.find(key)
        question = replace(question, acknowledged=outbox_key)
        self.table.put(question.key, question.to_json())
        return question

    def _keys(self) -> Iterator[str]:
        for key, _doc in self.table.items():
            yield key


# -- while the daemon holds the store -------------------------------------------------------------


def read_questions(directory: str | os.PathLike[str]) -> list[Question]:
    """Every question, read from the store's files without its lock (each file is replaced atomically)."""
    folder = Path(directory) / TABLE
    paths = sorted(p for p in folder.iterdir() if _SEGMENT.fullmatch(p.name)) if folder.is_dir() else []
    questions: list[Question] = []
    for path in paths:
        for doc in ((read_json_file(path) or {}).get(TABLE) or {}).values():
            if isinstance(doc, dict):
                questions.append(Question.from_json(doc))
    return sorted(questions, key=lambda q: (q.received, q.key))


@dataclass(frozen=True)
class HandledRequest:
    """A person's "handled", written by `intake questions done` for the running daemon to record."""

    key: str  # the question's key or prefix
    by: str
    note: str
    at: str


def request_handled(directory: str | os.PathLike[str], request: HandledRequest) -> Path:
    """Leave the request in <store>/requests/ (durably); the daemon records it within a minute."""
    if not re.fullmatch(r"[0-9a-fA-F]{6,64}", request.key.strip()):
        raise QuestionNotFound(f"not a question key: {request.key!r}")
    folder = make_private_dir(Path(directory) / REQUESTS)
    path = folder / f"handled-{request.key.strip().lower()}-{secrets.token_hex(4)}.json"
    payload = {"key": request.key, "by": request.by, "note": request.note, "at": request.at}
    write_file_atomically(path, json.dumps(payload, ensure_ascii=False).encode())
    return path


def pending_requests(directory: str | os.PathLike[str]) -> list[tuple[Path, HandledRequest]]:
    """The requests waiting in <store>/requests/, oldest first; remove each (remove_request) once recorded."""
    folder = Path(directory) / REQUESTS
    if not folder.is_dir():
        return []
    found: list[tuple[Path, HandledRequest]] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns):
        if _REQUEST.fullmatch(path.name):
            data = read_json_file(path) or {}
            found.append((path, _request(data if isinstance(data, dict) else {})))
    return found


def _request(data: Mapping[str, Any]) -> HandledRequest:
    return HandledRequest(
        key=str(data.get("key") or ""),
        by=str(data.get("by") or ""),
        note=str(data.get("note") or ""),
        at=str(data.get("at") or ""),
    )


def remove_request(path: Path) -> None:
    path.unlink(missing_ok=True)
