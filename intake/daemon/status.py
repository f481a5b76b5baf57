"""The operator's view of a daemon, as the JSON document `intake status` prints and status.json holds.

Daemon.status() builds it (build_status) from the live store, outbox and accounts; the running
daemon writes it to <storage>/status.json when it starts, whenever an error appears or clears,
and every 30 s; `intake status` reads that file while the daemon holds the store.

    {"written": iso, "note": "..." (only when read from status.json),
     "started": iso (when the daemon started; absent for a store read directly),
     "mailboxes": {name: {"address", "last_poll", "counts": {outcome: n, "duplicate": n},
                          "error", "error_at", "warning"}},
     "accounts": {name: {"senders", "last_login", "error", "error_at", "failures", "next_login"}},
     "problems": {"delivery" | "organizer" | thread name: {"error", "at"}},
     "outbox": {state: n},
     "flagged": [{"key", "to", "subject", "failed_at", "error"}],
     "periods": {period key: {"admitted": n, "submissions": [SubmissionSummary.to_json()]}},
     "formats": {reader capability: bool},
     "questions": {"open": n, "items": [{"key", "sender", "subject", "received", "text"}]},
     "bounced": [outbox keys of replies that came back undeliverable]}
"""

from __future__ import annotations

import email.parser
import email.policy
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NotRequired, TypedDict
from zoneinfo import ZoneInfo

from mailer.outbox import Outbox, OutboxItem, OutboxState


class MailboxStatus(TypedDict):
    address: str
    last_poll: str | None
    counts: dict[str, int]  # per storage.records.MessageOutcome, plus "pending" and "duplicate"
    error: str  # the last connection's or poll's error, "" when it went well
    error_at: NotRequired[str | None]  # when that error happened
    warning: NotRequired[str]  # a problem that does not stop the polling (processed_target refused)


class AccountStatus(TypedDict):
    senders: list[str] | str  # the From addresses it sends, or "any"
    last_login: str | None
    error: str
    error_at: str | None
    failures: int  # failed logins in a row
    next_login: str | None  # resting after a failure or a rate limit until then


class Problem(TypedDict):
    error: str
    at: str


class FlaggedReply(TypedDict):
    key: str
    to: list[str]
    subject: str
    failed_at: str | None
    error: str


class PeriodStatus(TypedDict):
    admitted: int  # provinces admitted to the period
    submissions: list[dict[str, Any]]  # storage.versions.SubmissionSummary.to_json() per group


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
    flagged: list[FlaggedReply] | list[str]  # list[str]: a snapshot written by an older version
    periods: dict[str, PeriodStatus]
    formats: dict[str, bool]
    accounts: NotRequired[dict[str, AccountStatus]]
    problems: NotRequired[dict[str, Problem]]
    started: NotRequired[str]
    questions: NotRequired[QuestionsStatus]
    bounced: NotRequired[list[str]]
    note: NotRequired[str]


class Problems:
    """The daemon's current errors by name (a mailbox, an account, "delivery" ...), each with its time.

    Thread-safe; ``changed`` is set whenever one appears or clears, so the daemon writes a
    fresh status.json at once.
    """

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._lock = threading.Lock()
        self._errors: dict[str, Problem] = {}
        self.changed = threading.Event()

    def set(self, name: str, error: str) -> None:
        with self._lock:
            current = self._errors.get(name)
            if current is not None and current["error"] == error:
                return
            self._errors[name] = {"error": error, "at": now_iso(self._zone)}
        self.changed.set()

    def clear(self, name: str) -> None:
        with self._lock:
            if self._errors.pop(name, None) is None:
                return
        self.changed.set()

    def get(self, name: str) -> Problem | None:
        with self._lock:
            return self._errors.get(name)

    def error(self, name: str) -> str:
        problem = self.get(name)
        return problem["error"] if problem else ""

    def snapshot(self) -> dict[str, Problem]:
        with self._lock:
            return dict(self._errors)


def now_iso(zone: ZoneInfo) -> str:
    return datetime.now(zone).isoformat(timespec="seconds")


def iso(seconds: float | None, zone: ZoneInfo) -> str | None:
    """A wall-clock time in seconds as ISO 8601 in zone; None stays None."""
    return datetime.fromtimestamp(seconds, zone).isoformat(timespec="seconds") if seconds else None


def account_status(raw: Mapping[str, Any], zone: ZoneInfo) -> AccountStatus:
    """mailer.accounts.Account.status() with its times as ISO 8601."""
    return {
        "senders": raw["senders"],
        "last_login": iso(raw["last_login"], zone),
        "error": raw["error"],
        "error_at": iso(raw["error_at"], zone),
        "failures": raw["failures"],
        "next_login": iso(raw["next_login"], zone),
    }


def flagged_replies(outbox: Outbox, zone: ZoneInfo) -> list[FlaggedReply]:
    """Each failed outbox item by recipient, subject, time and error, oldest first."""
    return [
        {
            "key": item.key,
            "to": list(item.rcpt_to),
            "subject": subject_of(item),
            "failed_at": iso(item.failed_at, zone),
            "error": item.last_error or "",
        }
        for item in outbox.items(OutboxState.FAILED)
    ]


def subject_of(item: OutboxItem) -> str:
    """The decoded Subject of a stored message ("" when it cannot be read)."""
    try:
        with item.eml_path.open("rb") as handle:
            header = email.parser.BytesHeaderParser(policy=email.policy.default).parse(handle)
        return str(header.get("subject", "")).strip()
    except (OSError, ValueError, LookupError):
        return ""
