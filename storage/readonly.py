"""A read-only view of a store that another process (the running daemon) holds the lock of.

Every file of the store is replaced atomically (temp file, fsync, rename), so reading one file
gives its old or its new state, never a mix; no lock is needed to read.  Nothing here writes,
sweeps or creates anything.  The view is a snapshot: it reads the files once, when made.
It offers what the organizers' commands read, typed as on Store: versions(), current_roster(),
submissions() and meta_get().
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from .json_storage import read_json_file
from .store import DB_NAME
from .submissions import group_key, in_sent_order, newest, standing
from .versions import SubmissionSummary, SubmissionVersion, VersionSummary, summary_sort_key

_SEGMENT = re.compile(r"\d{6}\.json")


def _table(path: Path, name: str) -> Iterator[dict[str, Any]]:
    """The documents of TinyDB table ``name`` in the file at ``path`` (none if absent or empty)."""
    for doc in ((read_json_file(path) or {}).get(name) or {}).values():
        if isinstance(doc, dict):
            yield doc


def _segments(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if _SEGMENT.fullmatch(p.name)) if folder.is_dir() else []


class ReadOnlyStore:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._meta = {d.get("key"): d.get("value") for d in _table(self.directory / DB_NAME, "meta")}
        self._groups: dict[str, list[SubmissionVersion]] = {}
        for path in _segments(self.directory / "submissions"):
            for doc in _table(path, "submissions"):
                version = SubmissionVersion.from_json(doc)
                key = group_key(version.program, version.period, version.province)
                self._groups.setdefault(key, []).append(version)
        for key, versions in self._groups.items():
            self._groups[key] = in_sent_order(versions)

    def close(self) -> None:
        """Nothing to release (no lock, no open file); here so both stores close alike."""

    def __enter__(self) -> ReadOnlyStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def versions(
        self, program: str | None, period: int | None, province: str | None
    ) -> list[SubmissionVersion]:
        """Every version of the group, in the order sent, as Store.versions()."""
        return list(self._groups.get(group_key(program, period, province), []))

    def current_roster(
        self, program: str | None, period: int | None, province: str | None
    ) -> SubmissionVersion | None:
        """The roster that stands for the group, or None, as Store.current_roster()."""
        return standing(self.versions(program, period, province))

    def submissions(self, program: str | None = None, period: int | None = None) -> list[SubmissionSummary]:
        """One summary per group, as Store.submissions()."""
        out = []
        for versions in self._groups.values():
            first = versions[0]
            if (program is None or first.program == program) and (period is None or first.period == period):
                current, latest = standing(versions), newest(versions)
                assert latest is not None  # a group has at least one version
                out.append(
                    SubmissionSummary(
                        program=first.program,
                        period=first.period,
                        province=first.province,
                        versions=len(versions),
                        latest=VersionSummary.of(latest),
                        current=VersionSummary.of(current) if current else None,
                    )
                )
        return sorted(out, key=summary_sort_key)

    def meta_get(self, key: str, default: Any = None) -> Any:
        return self._meta.get(key, default)
