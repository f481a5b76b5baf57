"""The operator's view of a daemon, as the JSON document `intake status` prints and status.json holds.

Daemon.status() builds it from the live store; the running daemon writes it to
<storage>/status.json every 30 s, which `intake status` reads while the daemon holds the store.

    {"written": iso, "note": "..." (only when read from status.json),
     "mailboxes": {name: {"address", "last_poll", "counts": {outcome: n}, "error"}},
     "outbox": {state: n}, "flagged": [outbox keys],
     "periods": {period key: {"admitted": n, "submissions": [SubmissionSummary.to_json()]}},
     "formats": {reader capability: bool},
     "questions": {"open": n, "items": [{"key", "sender", "subject", "received", "text"}]},
     "bounced": [outbox keys of replies that came back undeliverable]}
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class MailboxStatus(TypedDict):
    address: str
    last_poll: str | None
    counts: dict[str, int]  # per storage.records.MessageOutcome, plus "pending"
    error: str  # the last poll's error, "" when it went well


class PeriodStatus(TypedDict):
    admitted: int  # provinces admitted to the period
    submissions: list[dict[str, Any]]  # storage.records.SubmissionSummary.to_json() per group


class QuestionItem(TypedDict):
    key: str  # the first 12 characters of the question's key (what `intake questions done` takes)
    sender: str
    subject: str
    received: str
    text: str  # the start of the sender's own words


class QuestionsStatus(TypedDict):
    open: int  # questions waiting for a person
    items: list[QuestionItem]  # the oldest open ones (at most 20)


class StatusDocument(TypedDict):
    written: str
    mailboxes: dict[str, MailboxStatus]
    outbox: dict[str, int]  # items per mailer.outbox.OutboxState
    flagged: list[str]
    periods: dict[str, PeriodStatus]
    formats: dict[str, bool]
    questions: NotRequired[QuestionsStatus]
    bounced: NotRequired[list[str]]
    note: NotRequired[str]
