"""The versions of a province's roster, as typed records: what the store files and hands back.

    NewVersion          what is filed (Store.add_submission)
    SubmissionVersion   one version of one province's receipt in one period, with its roster diff
    VersionSummary      a version in a group's summary
    SubmissionSummary   one (program, period, province) group: how many versions, latest, current

Same JSON documents as before the types existed (records.py says how).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from rules.supplement import Standing
from rules.verdict import Status

from .diff import RosterDiff
from .fields import Json, optional_int, parse_received, text_of
from .records import StoredVerdict


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
            sender=text_of(data.get("sender")),
            received=text_of(data.get("received")),
            recorded=text_of(data.get("recorded")),
            previous_accepted=optional_int(data.get("previous_accepted")),
            diff=RosterDiff.from_public(data.get("diff") or {}),
            verdict=StoredVerdict.from_json(data["verdict"]),
            kind=VersionKind(data.get("kind") or VersionKind.RECEIPT),
            superseded_by=optional_int(data.get("superseded_by")),
            mailbox=text_of(data.get("mailbox")),
            subject=text_of(data.get("subject")),
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
            received=text_of(data.get("received")),
            sender=text_of(data.get("sender")),
            message_sha=data["message_sha"],
            participants=len(verdict.get("participants") or ()),
            kind=VersionKind(data.get("kind") or VersionKind.RECEIPT),
            superseded_by=optional_int(data.get("superseded_by")),
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
            received=text_of(data.get("received")),
            sender=text_of(data.get("sender")),
            message_sha=text_of(data.get("message_sha")),
            participants=int(data.get("participants") or 0),
            kind=VersionKind(data.get("kind") or VersionKind.RECEIPT),
            superseded_by=optional_int(data.get("superseded_by")),
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
