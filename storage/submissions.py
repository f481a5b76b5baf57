"""Every version of every submission, per (program, period, province), in the order it was sent.

Versions are numbered 1, 2, ... per (program, period, province) in the order they are filed,
whatever their status: the number names a version and is never reused.  Which roster stands goes
by the time the province sent each version (``received``: the mailbox's arrival time), not by the
order they were processed (``intake run`` reads the mailboxes one after another, the daemon in
parallel, and a receipt sent to the wrong mailbox on 7-11 may be read after the one of 7-13):

- versions are listed in sent order (received time, then the number);
- the roster that stands is the accepted version sent last (``standing``);
- a version sent before the roster that stands when it is filed is *superseded*: stored with
  ``superseded_by`` naming that roster, answered as such, and it replaces nothing;
- each version stores the roster diff against the roster that stood when it was filed.

Adding the same message (same sha256) to the same group twice returns the stored version instead
of making a new one, so a daemon that crashed after storing the submission but before marking
the message seen can safely process the message again.  The order functions below are pure and
shared by the read-only view, the organizers' digest and the console.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from rules.verdict import Status

from .diff import roster_diff
from .fields import parse_received
from .keyed import Doc, SegmentedTable
from .messages import now_iso
from .versions import (
    NewVersion,
    SubmissionSummary,
    SubmissionVersion,
    VersionKind,
    VersionSummary,
    summary_sort_key,
)

ACCEPTED = Status.ACCEPTED
_UNKNOWN_TIME = datetime.min.replace(tzinfo=UTC)  # a version whose time cannot be read sorts first


class Sent(Protocol):
    """What ordering needs of a version (SubmissionVersion and VersionSummary both have it)."""

    @property
    def version(self) -> int: ...
    @property
    def received_at(self) -> datetime | None: ...
    @property
    def accepted(self) -> bool: ...
    @property
    def superseded_by(self) -> int | None: ...


V = TypeVar("V", bound=Sent)


def sent_order(version: Sent) -> tuple[datetime, int]:
    """The order the province sent its versions in: the received time, then the order filed."""
    return (version.received_at or _UNKNOWN_TIME, version.version)


def in_sent_order(versions: Iterable[V]) -> list[V]:
    return sorted(versions, key=sent_order)


def standing(versions: Iterable[V]) -> V | None:
    """The roster that stands: the accepted, not superseded version sent last."""
    kept = [v for v in versions if v.accepted and v.superseded_by is None]
    return max(kept, key=sent_order) if kept else None


def newest(versions: Iterable[V]) -> V | None:
    """The version sent last (a superseded one never is: something accepted was sent after it)."""
    ordered = in_sent_order(versions)
    current = [v for v in ordered if v.superseded_by is None] or ordered
    return current[-1] if current else None


def superseding(standing_version: Sent | None, received: str) -> int | None:
    """The number of the roster that stands, when it was sent after ``received``; else None."""
    if standing_version is None:
        return None
    sent, stood = parse_received(received), standing_version.received_at
    return standing_version.version if sent is not None and stood is not None and stood > sent else None


def group_key(program: str | None, period: int | None, province: str | None) -> str:
    return json.dumps([program, period, province], ensure_ascii=False)


def version_key(program: str | None, period: int | None, province: str | None, version: int) -> str:
    return json.dumps([program, period, province, version], ensure_ascii=False)


def checked_status(status: str) -> Status:
    """``status`` as a Status; ValueError naming the allowed ones if it is none of them."""
    try:
        return Status(status)
    except ValueError:
        raise ValueError(f"status must be one of {[str(s) for s in Status]}, not {status!r}") from None


@dataclass
class Group:
    """The versions of one (program, period, province), as keys of the table, in sent order."""

    program: str | None
    period: int | None
    province: str | None
    versions: list[str] = field(default_factory=list)

    def matches(self, program: str | None, period: int | None) -> bool:
        return (program is None or self.program == program) and (period is None or self.period == period)


class SubmissionLog:
    def __init__(self, table: SegmentedTable) -> None:
        self.table = table
        self.reindex()

    def reindex(self) -> None:
        self._groups: dict[str, Group] = {}  # group key -> its versions
        self._light: dict[str, VersionSummary] = {}  # version key -> summary fields
        self._by_sha: dict[tuple[str, str], str] = {}  # (group key, message sha) -> version key
        for key, doc in self.table.items():
            self._index(key, doc)
        for g in self._groups.values():
            self._sort(g)

    def _sort(self, group: Group) -> None:
        group.versions.sort(key=lambda k: sent_order(self._light[k]))

    def _index(self, key: str, doc: Doc) -> Group:
        """Index one stored version from its document (parsing every roster would slow the store's opening)."""
        program, period, province = doc["program"], doc["period"], doc["province"]
        g = group_key(program, period, province)
        group = self._groups.setdefault(g, Group(program, period, province))
        group.versions.append(key)
        self._light[key] = VersionSummary.of_document(doc)
        self._by_sha.setdefault((g, doc["message_sha"]), key)
        return group

    def _current_key(self, g: str) -> str | None:
        group = self._groups.get(g)
        found = standing(self._light[k] for k in (group.versions if group else []))
        return (
            version_key(group.program, group.period, group.province, found.version)
            if group and found
            else None
        )

    def _version(self, key: str | None) -> SubmissionVersion | None:
        doc: Doc | None = self.table.get(key) if key is not None else None
        return SubmissionVersion.from_json(doc) if doc is not None else None

    def add(self, filing: NewVersion) -> SubmissionVersion:
        status = checked_status(filing.status)
        program, period, province = filing.program, filing.period, filing.province
        received, verdict = filing.received, filing.verdict
        g = group_key(program, period, province)
        existing = self._version(self._by_sha.get((g, filing.message_sha)))
        if existing is not None:
            return existing
        group = self._groups.get(g)
        prev = self._version(self._current_key(g))
        version = SubmissionVersion(
            program=program,
            period=period,
            province=province,
            version=len(group.versions) + 1 if group else 1,
            status=status,
            message_sha=filing.message_sha,
            sender=filing.sender,
            received=received,
            recorded=now_iso(),
            previous_accepted=prev.version if prev else None,
            diff=roster_diff(prev.verdict.roster() if prev else [], verdict.roster()),
            verdict=verdict,
            kind=VersionKind(filing.kind),
            superseded_by=superseding(prev, received),
            mailbox=filing.mailbox,
            subject=filing.subject,
        )
        return self._store(version)

    def _store(self, version: SubmissionVersion) -> SubmissionVersion:
        key = version_key(version.program, version.period, version.province, version.version)
        try:
            self.table.put(key, version.to_json())
        except BaseException:
            self.reindex()
            raise
        stored = self.table.get(key)
        assert stored is not None
        self._sort(self._index(key, stored))
        return SubmissionVersion.from_json(stored)

    def versions(
        self, program: str | None, period: int | None, province: str | None
    ) -> list[SubmissionVersion]:
        group = self._groups.get(group_key(program, period, province))
        return [v for k in (group.versions if group else []) if (v := self._version(k)) is not None]

    def current(
        self, program: str | None, period: int | None, province: str | None
    ) -> SubmissionVersion | None:
        return self._version(self._current_key(group_key(program, period, province)))

    def get(
        self, program: str | None, period: int | None, province: str | None, number: int
    ) -> SubmissionVersion | None:
        return self._version(version_key(program, period, province, number))

    def summary(self, program: str | None = None, period: int | None = None) -> list[SubmissionSummary]:
        out = []
        for group in self._groups.values():
            if group.matches(program, period):
                light = [self._light[k] for k in group.versions]
                latest = newest(light)
                assert latest is not None  # a group has at least one version
                out.append(
                    SubmissionSummary(
                        program=group.program,
                        period=group.period,
                        province=group.province,
                        versions=len(light),
                        latest=latest,
                        current=standing(light),
                    )
                )
        return sorted(out, key=summary_sort_key)
