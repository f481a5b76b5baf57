"""Removing personal data older than a date from the store, the archive and the console's state.

What goes (docs/retention.md):

- a (program, period, province) group whose every version was sent before the date: all its
  versions (a group is removed whole, never in part, so version numbers stay what they were);
- message records received before the date, except those of versions kept;
- questions received before the date; what we sent (storage/sent.py) before it; the per-day reply
  counts of days before it;
- raw messages in the archive that nothing kept refers to any more and that were archived before it;
- the console's exceptions and records of the groups removed, and its handled marks before the date.

It needs the store's lock: the daemon must be stopped (``StoreLocked`` otherwise), so that the store
has one writer.  The store reindexes itself from its files when it is next opened.  The outbox and
the audit log are purged by their own objects (mailer.outbox.Outbox.purge, storage.audit.AuditLog).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .desk import DeskState
from .fields import parse_received
from .keyed import SegmentedTable
from .lock import FileLock
from .store import DB_NAME


@dataclass
class PurgeReport:
    groups: int = 0
    versions: int = 0
    messages: int = 0
    questions: int = 0
    sent: int = 0
    replies: int = 0
    archive_files: int = 0
    console_records: int = 0
    kept_groups: int = 0
    removed_groups: set[str] = field(default_factory=set)

    def lines(self) -> list[str]:
        return [
            f"submission groups removed: {self.groups} ({self.versions} versions); kept: {self.kept_groups}",
            f"message records: {self.messages}",
            f"questions: {self.questions}",
            f"sent records: {self.sent}",
            f"reply counts: {self.replies}",
            f"archived raw messages: {self.archive_files}",
            f"console exceptions, records and marks: {self.console_records}",
        ]


def _before(text: str, before: datetime) -> bool:
    when = parse_received(text)
    return when is not None and when < before


def _table(directory: Path, name: str) -> SegmentedTable:
    return SegmentedTable(directory / name, table=name)


def _items(table: SegmentedTable) -> Iterator[tuple[str, dict[str, object]]]:
    for key, doc in table.items():
        yield key, dict(doc)


class Purge:
    """One purge of a store directory, with its lock held for as long as it lasts."""

    def __init__(self, directory: str | os.PathLike[str], before: datetime, *, dry_run: bool = False) -> None:
        self.directory = Path(directory)
        self.before = before if before.tzinfo else before.replace(tzinfo=UTC)
        self.dry_run = dry_run
        self.report = PurgeReport()
        self.kept_shas: set[str] = set()

    def run(self) -> PurgeReport:
        with FileLock(self.directory / f"{DB_NAME}.lock"):
            self._submissions()
            self._messages()
            self._simple("questions", "received")
            self._simple("sent", "at")
            self._replies()
            self._archive()
            self._console()
        return self.report

    def _remove(self, table: SegmentedTable, keys: list[str]) -> int:
        return len(keys) if self.dry_run else table.remove(keys)

    def _submissions(self) -> None:
        table = _table(self.directory, "submissions")
        try:
            groups: dict[str, list[tuple[str, dict[str, object]]]] = {}
            for key, doc in _items(table):
                name = f"{doc.get('program')}/{doc.get('period')}/{doc.get('province')}"  # as desk.group_name
                groups.setdefault(name, []).append((key, doc))
            doomed: list[str] = []
            for name, docs in groups.items():
                if all(_before(str(d.get("received") or ""), self.before) for _k, d in docs):
                    doomed += [k for k, _d in docs]
                    self.report.removed_groups.add(name)
                else:
                    self.kept_shas |= {str(d.get("message_sha")) for _k, d in docs}
            self.report.groups = len(self.report.removed_groups)
            self.report.kept_groups = len(groups) - self.report.groups
            self.report.versions = self._remove(table, doomed)
        finally:
            table.close()

    def _messages(self) -> None:
        table = _table(self.directory, "messages")
        try:
            doomed = []
            for key, doc in _items(table):
                sha = str(doc.get("sha256") or "")
                if sha in self.kept_shas or not _before(str(doc.get("received") or ""), self.before):
                    self.kept_shas.add(sha)
                else:
                    doomed.append(key)
            self.report.messages = self._remove(table, doomed)
        finally:
            table.close()

    def _simple(self, name: str, when: str) -> None:
        table = _table(self.directory, name)
        try:
            everything = list(_items(table))
            doomed = [k for k, d in everything if _before(str(d.get(when) or ""), self.before)]
            if name == "questions":  # a question kept keeps its raw message
                self.kept_shas |= {k for k, _d in everything} - set(doomed)
            setattr(self.report, name, self._remove(table, doomed))
        finally:
            table.close()

    def _replies(self) -> None:
        table = _table(self.directory, "replies")
        day = self.before.date().isoformat()
        try:
            doomed = [k for k, d in _items(table) if str(d.get("day") or "") < day]
            self.report.replies = self._remove(table, doomed)
        finally:
            table.close()

    def _archive(self) -> None:
        root = self.directory / "archive"
        if not root.is_dir():
            return
        cutoff = self.before.timestamp()
        for sub in root.iterdir():
            if not (sub.is_dir() and len(sub.name) == 2):
                continue
            for path in sub.glob("*.eml"):
                sha = sub.name + path.stem
                if sha not in self.kept_shas and path.stat().st_mtime < cutoff:
                    self.report.archive_files += 1
                    if not self.dry_run:
                        path.unlink()

    def _console(self) -> None:
        directory = self.directory / "console"
        if not (directory / "desk.json").exists():
            return
        state = DeskState(directory)
        try:
            if self.dry_run:
                return
            removed = state.remove_groups(self.report.removed_groups)
            removed += state.remove_marks(self.before.isoformat())
            self.report.console_records = removed
        finally:
            state.close()


def summary(report: PurgeReport) -> str:
    return json.dumps({k: v for k, v in report.__dict__.items() if k != "removed_groups"})
