"""What the store holds, as typed records: what Store (and ReadOnlyStore) methods take and return.

Each record reads and writes the JSON document the store has always kept on disk
(``from_json`` / ``to_json``): the same keys in the same order, so stores written before these
types existed load unchanged, and what is written now reads back the same way.  Records are
frozen; a caller cannot change what is stored through them.

    MessageRecord       one message per (mailbox, UIDVALIDITY, UID): outcome, verdict, failures
    SubmissionVersion   one version of one province's receipt in one period, with its roster diff
    SubmissionSummary   one (program, period, province) group: how many versions, latest, current
    StoredVerdict       the verdict as stored (rules.verdict.Verdict.public())
    DigestNote, ReminderNote   what the organizers' desk keeps in the store's meta
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from rules.supplement import Standing
from rules.verdict import Participant, Status
from rules.verdict import Severity as Severity  # re-exported: a stored problem's severity is the verdict's

from .diff import RosterDiff, Row

Json = dict[str, Any]


class MessageOutcome(StrEnum):
    """The final outcome of a message; a message with one is "seen"."""

    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"
    QUARANTINED = "quarantined"


PENDING = "pending"  # counts key of messages with failed attempts and no outcome yet
DUPLICATE = "duplicate"  # counts key of ignored messages that repeat one already processed
DUPLICATE_DETAIL = "duplicate of a message already processed"  # their detail (intake.daemon.service)
_ISO_ARRIVAL = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::\d{2})?)?(?:\s*\S{1,3})?$"
)


def _text(value: object) -> str:
    return str(value) if value else ""


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _optional_text(value: object) -> str | None:
    return str(value) if value is not None else None


def parse_arrival(value: object) -> datetime | date | None:
    """An ISO 8601 arrival as stored ("2023-07-14T15:30", "2023-07-14", "2023-07-14 下午"), else None."""
    text = value.strip() if isinstance(value, str) else ""
    m = _ISO_ARRIVAL.match(text)
    if not m:
        return None
    try:
        day = date.fromisoformat(m["day"])
        return datetime.combine(day, time(int(m["h"]), int(m["mi"]))) if m["h"] else day
    except ValueError:
        return None


def parse_received(value: object) -> datetime | None:
    """A stored receipt time (ISO 8601, aware) as a datetime; a naive one is read as UTC; None when unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


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
            k: _text(data.get(k)) for k in ("name", "gender", "unit", "title", "mobile", "email", "arrival")
        }
        at = data["arrival_at"] if "arrival_at" in data else texts["arrival"]
        return cls(
            **texts,
            leader=bool(data.get("leader")),
            arrival_at=parse_arrival(at),
            remark=_text(data.get("remark")),
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
            code=_text(data.get("code")),
            severity=Severity(data.get("severity") or Severity.ERROR),
            message=_text(data.get("message")),
            row=_optional_int(data.get("row")),
            field=_optional_text(data.get("field")),
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
        return cls(at=_text(data.get("at")), error=_text(data.get("error")))


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
            message_id=_text(data.get("message_id")),
            sha256=data["sha256"],
            received=_text(data.get("received")),
            outcome=MessageOutcome(data["outcome"]) if data.get("outcome") else None,
            sender=_text(data.get("sender")),
            detail=_text(data.get("detail")),
            verdict=StoredVerdict.from_json(verdict) if verdict else None,
            failures=int(data.get("failures", 0)),
            errors=tuple(FailureNote.from_json(e) for e in data.get("errors") or ()),
            recorded=_text(data.get("recorded")),
            seq=int(data.get("seq", 0)),
        )


class VersionKind(StrEnum):
    """What a version's roster is made of."""

    RECEIPT = "receipt"  # a receipt's whole roster (a replacement of the one that stood)
    SUPPLEMENT = "supplement"  # 补报: the roster that stood and the people the receipt adds
    ORGANIZER = "organizer"  # entered or changed by an organizer in the console (storage/desk.py names who)


@dataclass(frozen=True)
class NewVersion:
    """What is filed as a new version of a (program, period, province) roster (Store.add_submission).

    The store gives it its number, the version that stood, the diff against it and whether a
    roster sent later supersedes it (SubmissionVersion).
    """

    program: str | None
    period: int | None
    province: str | None
    verdict: StoredVerdict
    message_sha: str
    sender: str
    received: str
    status: Status
    kind: VersionKind = VersionKind.RECEIPT
    mailbox: str = ""
    subject: str = ""


@dataclass(frozen=True)
class SubmissionVersion:
    """One version of a (program, period, province) submission.

    version numbers a group's versions 1, 2, ... in the order they were filed: a version's name,
    never reused.  Which roster stands goes by ``received`` (when the province sent it), not by the
    number: the roster that stands is the accepted version sent last (``storage.submissions``).

    previous_accepted: the version that stood when this one was filed (None: none stood); diff: the
    roster changes against it.  superseded_by: that version, when it was sent after this one; this
    one then was filed and answered, and replaced nothing.  The roster of a SUPPLEMENT version is
    the merged roster.  mailbox and subject: the configured mailbox it came to and its subject.
    Keys added after the first stores ("kind", "superseded_by", "mailbox", "subject") are written
    only when they hold something, so older stores read and write back unchanged.
    """

    program: str | None
    period: int | None
    province: str | None
    version: int
    status: Status
    message_sha: str
    sender: str
    received: str
    recorded: str
    previous_accepted: int | None
    diff: RosterDiff
    verdict: StoredVerdict
    kind: VersionKind = VersionKind.RECEIPT
    superseded_by: int | None = None
    mailbox: str = ""
    subject: str = ""

    @property
    def accepted(self) -> bool:
        return self.status == Status.ACCEPTED

    @property
    def superseded(self) -> bool:
        return self.superseded_by is not None

    @property
    def received_at(self) -> datetime | None:
        return parse_received(self.received)

    def as_standing(self) -> Standing:
        """This version as the roster that stands, as the rules take it (rules.supplement)."""
        return Standing(
            version=self.version,
            received=self.received_at,
            participants=tuple(p.participant() for p in self.verdict.participants),
        )

    def to_json(self) -> Json:
        data: Json = {
            "program": self.program,
            "period": self.period,
            "province": self.province,
            "version": self.version,
            "status": self.status,
            "message_sha": self.message_sha,
            "sender": self.sender,
            "received": self.received,
            "recorded": self.recorded,
            "previous_accepted": self.previous_accepted,
            "diff": self.diff.public(),
            "verdict": self.verdict.to_json(),
        }
        if self.kind is not VersionKind.RECEIPT:
            data["kind"] = self.kind
        if self.superseded_by is not None:
            data["superseded_by"] = self.superseded_by
        if self.mailbox:
            data["mailbox"] = self.mailbox
        if self.subject:
            data["subject"] = self.subject
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmissionVersion:
        return cls(
            program=data["program"],
            period=data["period"],
            province=data["province"],
            version=int(data["version"]),
            status=Status(data["status"]),
            message_sha=data["message_sha"],
            sender=_text(data.get("sender")),
            received=_text(data.get("received")),
            recorded=_text(data.get("recorded")),
            previous_accepted=_optional_int(data.get("previous_accepted")),
            diff=RosterDiff.from_public(data.get("diff") or {}),
            verdict=StoredVerdict.from_json(data["verdict"]),
            kind=VersionKind(data.get("kind") or VersionKind.RECEIPT),
            superseded_by=_optional_int(data.get("superseded_by")),
            mailbox=_text(data.get("mailbox")),
            subject=_text(data.get("subject")),
        )


@dataclass(frozen=True)
class VersionSummary:
    """The light fields of one version (what status pages and summaries show)."""

    version: int
    status: Status
    received: str
    sender: str
    message_sha: str
    participants: int
    kind: VersionKind = VersionKind.RECEIPT
    superseded_by: int | None = None

    @property
    def accepted(self) -> bool:
        return self.status == Status.ACCEPTED

    @property
    def received_at(self) -> datetime | None:
        return parse_received(self.received)

    @classmethod
    def of(cls, version: SubmissionVersion) -> VersionSummary:
        return cls(
            version=version.version,
            status=version.status,
            received=version.received,
            sender=version.sender,
            message_sha=version.message_sha,
            participants=len(version.verdict.participants),
            kind=version.kind,
            superseded_by=version.superseded_by,
        )

    @classmethod
    def of_document(cls, data: Mapping[str, Any]) -> VersionSummary:
        """From a stored SubmissionVersion document, without parsing its roster."""
        verdict = data.get("verdict") or {}
        return cls(
            version=int(data["version"]),
            status=Status(data["status"]),
            received=_text(data.get("received")),
            sender=_text(data.get("sender")),
            message_sha=data["message_sha"],
            participants=len(verdict.get("participants") or ()),
            kind=VersionKind(data.get("kind") or VersionKind.RECEIPT),
            superseded_by=_optional_int(data.get("superseded_by")),
        )

    def to_json(self) -> Json:
        return {
            "version": self.version,
            "status": self.status,
            "received": self.received,
            "sender": self.sender,
            "message_sha": self.message_sha,
            "participants": self.participants,
            "kind": self.kind,
            "superseded_by": self.superseded_by,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VersionSummary:
        return cls(
            version=int(data["version"]),
            status=Status(data["status"]),
            received=_text(data.get("received")),
            sender=_text(data.get("sender")),
            message_sha=_text(data.get("message_sha")),
            participants=int(data.get("participants") or 0),
            kind=VersionKind(data.get("kind") or VersionKind.RECEIPT),
            superseded_by=_optional_int(data.get("superseded_by")),
        )


@dataclass(frozen=True)
class SubmissionSummary:
    """One (program, period, province) group: its number of versions, the latest and the current one.

    latest: the version sent last (by received time); current: the roster that stands (the accepted
    version sent last), if any.
    """

    program: str | None
    period: int | None
    province: str | None
    versions: int
    latest: VersionSummary
    current: VersionSummary | None  # the roster that stands, if any

    @property
    def regressed(self) -> bool:
        """The newest receipt was rejected while an earlier accepted roster stands."""
        return self.current is not None and not self.latest.accepted

    def to_json(self) -> Json:
        return {
            "program": self.program,
            "period": self.period,
            "province": self.province,
            "versions": self.versions,
            "latest": self.latest.to_json(),
            "current": self.current.to_json() if self.current is not None else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmissionSummary:
        current = data.get("current")
        return cls(
            program=data.get("program"),
            period=data.get("period"),
            province=data.get("province"),
            versions=int(data.get("versions") or 0),
            latest=VersionSummary.from_json(data["latest"]),
            current=VersionSummary.from_json(current) if current else None,
        )


def summary_sort_key(summary: SubmissionSummary) -> tuple[str, int, str]:
    period = summary.period if isinstance(summary.period, int) else -1
    return (summary.program or "", period, summary.province or "")


# -- the organizers' desk's notes in the store's meta -----------------------------------------


@dataclass(frozen=True)
class DigestNote:
    """meta "digest:<period>": the last digest queued for a period.

    due: the cron fire time it answered (None for a digest sent by hand, which leaves the
    schedule alone); reported: {province: versions} it reported, so the next one lists changes.
    """

    sent_at: str = ""
    key: str = ""
    reported: Mapping[str, int] = field(default_factory=dict)
    due: str | None = None

    def to_json(self) -> Json:
        data: Json = {"sent_at": self.sent_at, "key": self.key, "reported": dict(self.reported)}
        if self.due is not None:
            data["due"] = self.due
        return data

    @classmethod
    def from_json(cls, data: Any) -> DigestNote | None:
        if not isinstance(data, Mapping):
            return None
        reported = data.get("reported") or {}
        return cls(
            sent_at=_text(data.get("sent_at")),
            key=_text(data.get("key")),
            reported={str(k): int(v) for k, v in reported.items()},
            due=_optional_text(data.get("due")),
        )


@dataclass(frozen=True)
class ReminderNote:
    """One entry of meta "reminder:<period>:<province>": a reminder queued to a province."""

    date: str
    stage: int
    to: tuple[str, ...]
    key: str

    def to_json(self) -> Json:
        return {"date": self.date, "stage": self.stage, "to": list(self.to), "key": self.key}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReminderNote:
        return cls(
            date=_text(data.get("date")),
            stage=int(data.get("stage", -1)),
            to=tuple(str(a) for a in data.get("to") or ()),
            key=_text(data.get("key")),
        )

    @classmethod
    def list_from_json(cls, data: Any) -> tuple[ReminderNote, ...]:
        return tuple(cls.from_json(d) for d in data) if isinstance(data, list) else ()
