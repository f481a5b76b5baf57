"""Every version of every submission, per (program, period, province).

Versions are numbered 1, 2, ... per (program, period, province) whatever their status; the
current roster is the latest *accepted* version.  Each version stores the roster diff against
the accepted version before it.  Adding the same message (same sha256) to the same group twice
returns the stored version instead of making a new one, so a daemon that crashed after storing
the submission but before marking the message seen can safely process the message again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rules.verdict import Status

from .diff import roster_diff
from .keyed import Doc, SegmentedTable
from .messages import now_iso
from .records import (
    StoredVerdict,
    SubmissionSummary,
    SubmissionVersion,
    VersionSummary,
    summary_sort_key,
)

ACCEPTED = Status.ACCEPTED


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
    """The versions of one (program, period, province), as keys of the table, oldest first."""

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
            g.versions.sort(key=lambda k: self._light[k].version)

    def _index(self, key: str, doc: Doc) -> None:
        """Index one stored version from its document (parsing every roster would slow the store's opening)."""
        program, period, province = doc["program"], doc["period"], doc["province"]
        g = group_key(program, period, province)
        group = self._groups.setdefault(g, Group(program, period, province))
        group.versions.append(key)
        self._light[key] = VersionSummary.of_document(doc)
        self._by_sha.setdefault((g, doc["message_sha"]), key)

    def _current_key(self, g: str) -> str | None:
        group = self._groups.get(g)
        for key in reversed(group.versions if group else []):
            if self._light[key].status == ACCEPTED:
                return key
        return None

    def _version(self, key: str | None) -> SubmissionVersion | None:
        doc: Doc | None = self.table.get(key) if key is not None else None
        return SubmissionVersion.from_json(doc) if doc is not None else None

    def add(
        self,
        *,
        program: str | None,
        period: int | None,
        province: str | None,
        verdict: StoredVerdict,
        message_sha: str,
        sender: str,
        received: str,
        status: Status,
    ) -> SubmissionVersion:
        status = checked_status(status)
        g = group_key(program, period, province)
        existing = self._version(self._by_sha.get((g, message_sha)))
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
            message_sha=message_sha,
            sender=sender,
            received=received,
            recorded=now_iso(),
            previous_accepted=prev.version if prev else None,
            diff=roster_diff(prev.verdict.roster() if prev else [], verdict.roster()),
            verdict=verdict,
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
        self._index(key, stored)
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

    def summary(self, program: str | None = None, period: int | None = None) -> list[SubmissionSummary]:
        out = []
        for g, group in self._groups.items():
            if group.matches(program, period):
                current = self._current_key(g)
                out.append(
                    SubmissionSummary(
                        program=group.program,
                        period=group.period,
                        province=group.province,
                        versions=len(group.versions),
                        latest=self._light[group.versions[-1]],
                        current=self._light[current] if current else None,
                    )
                )
        return sorted(out, key=summary_sort_key)
