"""What the store holds about messages, as typed records: what Store (and ReadOnlyStore) take and return.

Each record reads and writes the JSON document the store has always kept on disk
(``from_json`` / ``to_json``): the same keys in the same order, so stores written before these
types existed load unchanged, and what is written now reads back the same way.  Records are
frozen; a caller cannot change what is stored through them.

    MessageRecord       one message per (mailbox, UIDVALIDITY, UID): outcome, verdict, failures
    StoredVerdict       the verdict as stored (rules.verdict.Verdict.public())
    StoredParticipant, StoredProblem   its rows and problems

The versions of a province's roster are in versions.py, the organizers' desk's notes in notes.py,
the reading of stored values in fields.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from rules.verdict import Participant, Status
from rules.verdict import Severity as Severity  # re-exported: a stored problem's severity is the verdict's

from .diff import Row
from .fields import Json, optional_int, optional_text, parse_arrival, text_of


class MessageOutcome(StrEnum):
    """The final outcome of a message; a message with one is "seen"."""

    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"
    QUARANTINED = "quarantined"


PENDING = "pending"  # counts key of messages with failed attempts and no outcome yet
DUPLICATE = "duplicate"  # counts key of ignored messages that repeat one already processed
DUPLICATE_DETAIL = "duplicate of a message already processed"  # their detail (intake.daemon.service)


@dataclass(frozen=True)
class StoredParticipant:
    """One roster row as stored (rules.verdict.Participant.public(): no row number, no unit kind).

    arrival is the text as written; arrival_at the time read from it (a datetime, or a date when only
    the day was given).  On disk "arrival_at" is written only when the text does not say it in ISO
    8601 itself, and "remark" only when there is one: a store written before they existed (whose
    "arrival" holds ISO 8601 when it could be read) loads with the same values and writes back the
    same JSON.
    """

    name: str = ""
    gender: str = ""
    unit: str = ""
    title: str = ""
    mobile: str = ""
    email: str = ""
    arrival: str = ""
    leader: bool = False
    arrival_at: datetime | date | None = None
    remark: str = ""

    def to_json(self) -> Row:
        data: Row = {
            "name": self.name,
            "gender": self.gender,
            "unit": self.unit,
            "title": self.title,
            "mobile": self.mobile,
            "email": self.email,
            "arrival": self.arrival,
            "leader": self.leader,
        }
        if self.arrival_at != parse_arrival(self.arrival):
            data["arrival_at"] = self.arrival_at.isoformat() if self.arrival_at is not None else None
        if self.remark:
            data["remark"] = self.remark
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoredParticipant:
        texts = {
            k: text_of(data.get(k)) for k in ("name", "gender", "unit", "title", "mobile", "email", "arrival")
        }
        at = data["arrival_at"] if "arrival_at" in data else texts["arrival"]
        return cls(
            **texts,
            leader=bool(data.get("leader")),
            arrival_at=parse_arrival(at),
            remark=text_of(data.get("remark")),
        )

    def participant(self) -> Participant:
        """As the rules see a participant (no row: it is on a stored roster, not in a receipt)."""
        return Participant(
            name=self.name,
            gender=self.gender,
            unit=self.unit,
            title=self.title,
            mobile=self.mobile,
            email=self.email,
            arrival=self.arrival,
            leader=self.leader,
            arrival_at=self.arrival_at,
            remark=self.remark,
        )


@dataclass(frozen=True)
class StoredProblem:
    code: str
    severity: Severity
    message: str
    row: int | None = None
    field: str | None = None

    def to_json(self) -> Json:
        return {
            "code": self.code,
            "severity": self.severity,
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoredProblem:
        return cls(
            code=text_of(data.get("code")),
            severity=Severity(data.get("severity") or Severity.ERROR),
            message=text_of(data.get("message")),
            row=optional_int(data.get("row")),
            field=optional_text(data.get("field")),
        )


@dataclass(frozen=True)
class StoredVerdict:
    """A verdict as stored with its message and its submission version."""

    status: Status
    program: str | None = None
    period: int | None = None
    province: str | None = None
    participants: tuple[StoredParticipant, ...] = ()
    problems: tuple[StoredProblem, ...] = ()

    def roster(self) -> list[Row]:
        """The participants as rows (what storage.diff.roster_diff compares)."""
        return [p.to_json() for p in self.participants]

    def to_json(self) -> Json:
        return {
            "status": self.status,
            "program": self.program,
            "period": self.period,
            "province": self.province,
            "participants": self.roster(),
            "problems": [p.to_json() for p in self.problems],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoredVerdict:
        """From a stored document, or from rules.verdict.Verdict.public()."""
        return cls(
            status=Status(data["status"]),
            program=data.get("program"),
            period=data.get("period"),
            province=data.get("province"),
            participants=tuple(StoredParticipant.from_json(p) for p in data.get("participants") or ()),
            problems=tuple(StoredProblem.from_json(p) for p in data.get("problems") or ()),
        )


@dataclass(frozen=True)
class FailureNote:
    """One failed attempt at processing a message."""

    at: str
    error: str

    def to_json(self) -> Json:
        return {"at": self.at, "error": self.error}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FailureNote:
        return cls(at=text_of(data.get("at")), error=text_of(data.get("error")))


@dataclass(frozen=True)
class MessageRecord:
    """What is known of one message (mailbox, UIDVALIDITY, UID).

    outcome None: only failed attempts so far (counted as "pending"), so not seen yet.
    seq orders the writes: the latest record of a sha256 wins in Store.message_by_sha.
    """

    mailbox: str
    uidvalidity: int
    uid: int
    message_id: str
    sha256: str
    received: str
    outcome: MessageOutcome | None
    sender: str
    detail: str = ""
    verdict: StoredVerdict | None = None
    failures: int = 0
    errors: tuple[FailureNote, ...] = ()
    recorded: str = ""
    seq: int = 0

    def to_json(self) -> Json:
        return {
            "mailbox": self.mailbox,
            "uidvalidity": self.uidvalidity,
            "uid": self.uid,
            "message_id": self.message_id,
            "sha256": self.sha256,
            "received": self.received,
            "outcome": self.outcome or "",
            "sender": self.sender,
            "detail": self.detail,
            "verdict": self.verdict.to_json() if self.verdict is not None else None,
            "failures": self.failures,
            "errors": [e.to_json() for e in self.errors],
            "recorded": self.recorded,
            "seq": self.seq,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MessageRecord:
        verdict = data.get("verdict")
        return cls(
            mailbox=data["mailbox"],
            uidvalidity=int(data["uidvalidity"]),
            uid=int(data["uid"]),
            message_id=text_of(data.get("message_id")),
            sha256=data["sha256"],
            received=text_of(data.get("received")),
            outcome=MessageOutcome(data["outcome"]) if data.get("outcome") else None,
            sender=text_of(data.get("sender")),
            detail=text_of(data.get("detail")),
            verdict=StoredVerdict.from_json(verdict) if verdict else None,
            failures=int(data.get("failures", 0)),
            errors=tuple(FailureNote.from_json(e) for e in data.get("errors") or ()),
            recorded=text_of(data.get("recorded")),
            seq=int(data.get("seq", 0)),
        )
